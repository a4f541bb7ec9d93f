"""Generic article pages -> markdown + metadata, with trafilatura driven on the body we already have.

trafilatura is never given a URL to fetch: it receives the parsed tree, so throttling, caching, the raw archive
and the test fixtures all stay in Scrapy's hands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html

from .article_text import extract_main
from .html import (
    PageError,
    canonical_url,
    html_language,
    iter_ld,
    ld_types,
    meta,
    parse_datetime,
    parse_html,
    person_name,
)
from .markdown import Image, strip_repeats

ARTICLE_TYPES = {"Article", "BlogPosting", "NewsArticle", "TechArticle", "Report", "ScholarlyArticle", "SocialMediaPosting"}
LISTING_TYPES = {"CollectionPage", "ItemList", "Blog", "WebSite", "SearchResultsPage", "ProfilePage"}
# courlan's navigation-page pattern (adbar/courlan filters.py), plus pagination segments.
NAVIGATION_PATH = re.compile(
    r"/(archives?|auth?or|cat|category|categories|kat|kategorie|page|schlagwort|seite|tags?|topics?|user|search|"
    r"feed|rss)(/|$|\.)|/page/\d+|[?&]page=\d+",
    re.IGNORECASE,
)


# Lines that are page furniture rather than the author's text, when trafilatura lets them through: comment counters,
# share/subscribe prompts. Only short lines are considered, so a sentence *about* comments in the body stays.
FURNITURE_LINE = re.compile(
    r"(?i)\b(view|leave an?|add an?|post an?|\d+|no)\s+(comments?|replies|responses)\b|"
    r"^\W*(share (this|on)|tweet this|subscribe( now| to)?|follow (me|us) on|sign up for)\b"
)
BYLINE_PREFIX = re.compile(r"(?i)^\s*(view all posts by|posted by|written by|by)\s+")


def drop_furniture(markdown: str) -> str:
    """Remove short furniture lines (comment counters, share prompts) from extracted markdown."""
    kept = [line for line in markdown.split("\n") if len(line.split()) > 25 or not FURNITURE_LINE.search(line)]
    return "\n".join(kept).strip()


class NotAnArticle(ValueError):
    """The page is not one article (an index/listing page, a stub); ``reason`` is a short slug."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class ArticleData:
    """What a generic article page yields."""

    url: str
    title: str
    content: str
    subtitle: str = ""
    byline: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    canonical: str | None = None
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


@dataclass
class Signals:
    """Cheap page-level facts read before extraction (trafilatura prunes the tree it is given)."""

    article_ld: dict[str, object] | None
    listing_ld: bool
    og_type: str | None
    published: str | None
    article_elements: int
    heading_links: int

    def positive(self) -> bool:
        return self.article_ld is not None or self.og_type == "article" or bool(self.published)


def read_signals(tree: lxml.html.HtmlElement) -> Signals:
    article_ld = next(iter_ld(tree, ARTICLE_TYPES), None)
    listing = any(ld_types(o) & LISTING_TYPES for o in iter_ld(tree, LISTING_TYPES)) and article_ld is None
    return Signals(
        article_ld=article_ld,
        listing_ld=listing,
        og_type=(meta(tree, "og:type") or "").lower() or None,
        published=meta(tree, "article:published_time", "datePublished", "date", "dc.date", "DC.date.issued"),
        # Teasers are <article>s whose heading links elsewhere; comment threads are <article>s too but have none.
        article_elements=len(tree.xpath("//article[.//h1//a or .//h2//a or .//h3//a]")),
        heading_links=len(tree.xpath("//h2//a[@href] | //h3//a[@href] | //h4//a[@href]")),
    )


def classify(url: str, signals: Signals, words: int, min_words: int) -> None:
    """Raise NotAnArticle unless the page is one article."""
    path = urlsplit(url).path or "/"
    if words < min_words:
        raise NotAnArticle("too-short", f"{words} words of main text")
    if signals.article_elements >= 3 and signals.article_ld is None:
        raise NotAnArticle("index-page", f"{signals.article_elements} <article> teasers")
    if path in ("", "/") and signals.article_ld is None:
        raise NotAnArticle("index-page", "site root")
    if signals.positive():
        return
    if NAVIGATION_PATH.search(url) or signals.listing_ld or signals.og_type == "website":
        raise NotAnArticle("index-page", "listing/navigation page without article markup")
    # Calibrated on the fixtures: articles link at most ~10 headings (a table of contents); a news front page, 17+.
    if signals.heading_links >= 12:
        raise NotAnArticle("index-page", f"{signals.heading_links} linked headings")


def parse_article(url: str, html: str | bytes, *, min_words: int = 120) -> ArticleData:
    """Extract one article; raise NotAnArticle for index pages and stubs, PageError for unreadable input."""
    tree = parse_html(html)
    signals = read_signals(tree)
    ld = signals.article_ld or {}
    language = html_language(tree) or (str(ld.get("inLanguage"))[:2].lower() if ld.get("inLanguage") else None)
    canonical = canonical_url(tree)
    og_title = meta(tree, "og:title", "twitter:title")
    description = meta(tree, "description", "og:description", "twitter:description")
    published = parse_datetime(ld.get("datePublished")) or parse_datetime(signals.published)
    modified = parse_datetime(ld.get("dateModified")) or parse_datetime(meta(tree, "article:modified_time"))
    byline = person_name(ld.get("author"))
    meta_author = meta(tree, "author", "article:author", "parsely-author")
    document, converted, refs = extract_main(tree, url)
    if document is None or not converted.markdown:
        raise NotAnArticle("no-main-text")
    text = drop_furniture(converted.markdown)
    classify(url, signals, len(text.split()), min_words)
    title = (document.title or og_title or str(ld.get("headline") or "")).strip()
    if published is None and document.date:
        published = parse_datetime(document.date)
    byline = BYLINE_PREFIX.sub("", byline or document.author or meta_author or "").strip() or None
    if byline and byline.startswith(("http://", "https://")):
        byline = None
    subtitle = (description or document.description or "").strip()
    content = strip_repeats(strip_leading_title(text, title), title, subtitle)
    links, images = refs.select(content, url)
    return ArticleData(
        url=url,
        title=title,
        content=content,
        subtitle=subtitle,
        byline=byline,
        published_at=published,
        modified_at=modified,
        language=language,
        site_name=document.sitename or meta(tree, "og:site_name"),
        canonical=canonical,
        tags=[t for t in (document.tags or []) if t][:50],
        links=links,
        images=images,
    )


def strip_leading_title(markdown: str, title: str) -> str:
    """Drop a first line that only repeats the title (it is stored in ``Title``)."""
    first, _, rest = markdown.partition("\n")
    if title and first.lstrip("# ").strip().casefold() == title.casefold():
        return rest.strip()
    return markdown


__all__ = ["ArticleData", "NotAnArticle", "PageError", "parse_article"]
