"""Generic article pages -> markdown + metadata, with trafilatura driven on the body we already have.

trafilatura is never given a URL to fetch: it receives the parsed tree, so throttling, caching, the raw archive
and the test fixtures all stay in Scrapy's hands.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin, urlsplit

import lxml.html
from trafilatura.settings import Document

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.urls import LinkError, canonicalize

from .article_refs import Refs
from .article_text import Needs, extract_main
from .feeds import same_site
from .html import (
    PageError,
    canonical_url,
    head,
    html_language,
    iter_ld,
    ld_types,
    meta,
    parse_datetime,
    person_name,
)
from .markdown import Image, strip_repeats
from .page import Page, domain_of

ARTICLE_TYPES = {"Article", "BlogPosting", "NewsArticle", "TechArticle", "Report", "ScholarlyArticle", "SocialMediaPosting"}
LISTING_TYPES = {"CollectionPage", "ItemList", "Blog", "WebSite", "SearchResultsPage", "ProfilePage"}
# courlan's navigation-page pattern (adbar/courlan filters.py), plus pagination segments. Matched against the
# path only, and a ``page=`` query only from page 2 on: ``?page=1`` is how many CMSs link the one page of an
# article (a real article was dropped as a listing for it, issue 10).
NAVIGATION_PATH = re.compile(
    r"/(archives?|auth?or|cat|category|categories|kat|kategorie|page|schlagwort|seite|tags?|topics?|user|search|"
    r"feed|rss)(/|$|\.)|/page/\d+",
    re.IGNORECASE,
)
# The root of a blog section: "/blog/", "/posts", "/en/articles/" (a listing even with one or two posts on it).
SECTION_ROOT = re.compile(r"/(blog|posts|articles|news|writing|writings|notes|journal|essays|stories)/?$", re.IGNORECASE)
PAGINATION_QUERY = re.compile(r"(?:^|&)(?:page|paged)=(?:[2-9]|\d{2,})(?:&|$)")
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
class Blocks:
    """Teasers and linked headings of a page, counted with or without its largest ``<article>`` as the main block."""

    teasers: int = 0
    teaser_words: int = 0
    heading_links: int = 0


@dataclass
class Signals:
    """Cheap page-level facts read before extraction (trafilatura prunes the tree it is given)."""

    article_ld: dict[str, object] | None
    listing_ld: bool
    og_type: str | None
    published: str | None
    main_words: int = 0
    """Words of the largest ``<article>`` element (0 without one): the main-block candidate."""
    outside_main: Blocks = field(default_factory=Blocks)
    everywhere: Blocks = field(default_factory=Blocks)

    def positive(self) -> bool:
        return self.article_ld is not None or self.og_type == "article" or bool(self.published)

    def blocks(self, words: int) -> Blocks:
        """The counts that apply once the main text is known: the largest ``<article>`` is the main content block
        (not a teaser) only when it holds at least half of the extracted main text."""
        return self.outside_main if self.main_words and self.main_words * 2 >= words else self.everywhere


LINKED_HEADING = "(.//h1|.//h2|.//h3|.//h4)//a[@href and not(starts-with(@href, '#'))]"


def _words(el: lxml.html.HtmlElement) -> int:
    return len(el.text_content().split())


def _heading_links(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """``//h2//a[@href] | //h3//a[@href] | //h4//a[@href]`` not linking within the page, each once, read by walking
    the headings (the union XPath walked the whole document three times)."""
    found: dict[lxml.html.HtmlElement, None] = {}  # lxml keeps one proxy per node while it is referenced
    for heading in head(tree).headings:
        for a in heading.iter("a"):
            href = a.get("href")
            if href is not None and not href.startswith("#"):
                found[a] = None
    return list(found)


def _blocks(articles: list[tuple[lxml.html.HtmlElement, int, bool]], links: list[lxml.html.HtmlElement],
            main: lxml.html.HtmlElement | None) -> Blocks:
    """Teasers (``<article>``s whose heading links elsewhere) and linked h2-h4 headings outside ``main``;
    ``articles`` are (element, words, has a linked heading)."""
    def outside(el: lxml.html.HtmlElement) -> bool:
        return main is None or not (el is main or main in el.iterancestors() or el in main.iterancestors())

    teasers = [(a, words) for a, words, linked in articles if linked and outside(a)]
    heading_links = [a for a in links if main is None or main not in a.iterancestors()]
    return Blocks(len(teasers), sum(words for _, words in teasers), len(heading_links))


def read_signals(tree: lxml.html.HtmlElement) -> Signals:
    """The page's signals (``tree``'s whole document, as ``//x`` reads it)."""
    article_ld = next(iter_ld(tree, ARTICLE_TYPES), None)
    listing = any(ld_types(o) & LISTING_TYPES for o in iter_ld(tree, LISTING_TYPES)) and article_ld is None
    articles = [(a, _words(a), bool(a.xpath(LINKED_HEADING))) for a in head(tree).articles]
    main, main_words = max(((a, words) for a, words, _ in articles), key=lambda pair: pair[1]) if articles else (None, 0)
    links = _heading_links(tree)
    everywhere = _blocks(articles, links, None)
    return Signals(
        article_ld=article_ld,
        listing_ld=listing,
        og_type=(meta(tree, "og:type") or "").lower() or None,
        published=meta(tree, "article:published_time", "datePublished", "date", "dc.date", "DC.date.issued"),
        main_words=main_words,
        outside_main=_blocks(articles, links, main) if main is not None else everywhere,
        everywhere=everywhere,
    )


def is_listing(url: str, signals: Signals, words: int) -> str | None:
    """Why the page is a listing (an index of other pages), or None when it is one article.

    Positive article markup (JSON-LD Article, ``og:type=article``, a publication time) wins over every listing
    hint: real articles carry "related posts" carousels of ``<article>`` teasers. Without it, listing hints
    (teasers, many linked headings, listing JSON-LD, ``og:type=website``, a navigation-looking path) drop a page
    only when no dominant text block outweighs them: many CMSs set ``og:type=website`` site-wide and sidebars
    hold teasers. Calibrated on the fixtures: articles have >= 60 words of main text per linked heading outside
    their main block (webpack release notes: 60), a news front page 8.6 (newspaper4k's CNN index); a listing's
    teasers hold as many words as the extracted "main text", an article's sidebar a small fraction.
    """
    parts = urlsplit(url)
    if (parts.path or "/") == "/" and signals.article_ld is None:
        return "site root"
    if signals.positive():
        return None
    blocks = signals.blocks(words)
    hints = [
        blocks.teasers >= 3 and f"{blocks.teasers} <article> teasers",
        blocks.heading_links >= 12 and f"{blocks.heading_links} linked headings",
        signals.listing_ld and "listing JSON-LD",
        signals.og_type == "website" and "og:type=website",
        (NAVIGATION_PATH.search(parts.path) or PAGINATION_QUERY.search(parts.query)) and "navigation URL",
        SECTION_ROOT.search(parts.path) and "section root URL",
    ]
    found = [h for h in hints if h]
    dominant = words >= max(2 * blocks.teaser_words, 15 * blocks.heading_links, 1)
    return None if not found or dominant else ", ".join(found)  # type: ignore[arg-type]


def classify(url: str, signals: Signals, words: int, min_words: int) -> None:
    """Raise NotAnArticle unless the page is one article of at least ``min_words`` words of main text.

    A listing is recognised before the word floor: a blog root whose teasers hold little text is still a listing
    (and is followed), while a short article is ``too-short``, never mistaken for a listing.
    """
    why = is_listing(url, signals, words)
    if why:
        raise NotAnArticle("index-page", why)
    if words < min_words:
        raise NotAnArticle("too-short", f"{words} words of main text")


class ArticlePage(Page):
    """One generic article page. Reading any text field classifies the page first: ``NotAnArticle`` for an index
    page or a stub (under ``min_words`` words of main text), ``PageError`` for unreadable input."""

    def __init__(self, url: str, body: bytes | str, headers: Mapping[str, str] | None = None, *,
                 encoding: str | None = None, min_words: int = 120) -> None:
        super().__init__(url, body, headers, encoding=encoding)
        self.min_words = min_words

    @cached_property
    def signals(self) -> Signals:
        return read_signals(self.tree)

    @cached_property
    def _head(self) -> dict[str, str | None]:
        """What is read from the tree before trafilatura is given it (extraction prunes the tree)."""
        tree = self.tree
        return {
            "html_language": html_language(tree), "canonical": canonical_url(tree),
            "base": (head(tree).base or "").strip() or None,
            "og_title": meta(tree, "og:title", "twitter:title"), "og_site_name": meta(tree, "og:site_name"),
            "description": meta(tree, "description", "og:description", "twitter:description"),
            "modified": meta(tree, "article:modified_time"), "author": meta(tree, "author", "article:author", "parsely-author"),
        }

    @property
    def _ld(self) -> dict[str, object]:
        return self.signals.article_ld or {}

    @cached_property
    def _main(self) -> tuple[Document, str, Refs]:
        """trafilatura's document, the main text (furniture lines dropped) and the page's links and images."""
        self.signals, self._head  # noqa: B018 - read before extraction prunes the tree
        needs = Needs(date=self._own_published is None, author=person_name(self._ld.get("author")) is None)
        tree = self.tree
        del self.__dict__["tree"]  # trafilatura prunes the tree it is given: a later ``self.tree`` parses again
        document, converted, refs = extract_main(tree, self.url, needs)
        text = drop_furniture(converted.markdown) if document is not None and converted.markdown else ""
        classify(self.url, self.signals, len(text.split()), self.min_words)  # a listing with no text is a listing
        if document is None or not text:
            raise NotAnArticle("no-main-text")
        return document, text, refs

    @property
    def canonical(self) -> str | None:
        """The page's ``<link rel=canonical>`` as written (relative or absolute)."""
        return self._head["canonical"]

    @property
    def language(self) -> str | None:
        ld = self._ld.get("inLanguage")
        return self._head["html_language"] or (str(ld)[:2].lower() if ld else None)

    @cached_property
    def _own_published(self) -> datetime | None:
        """The publication time the page's own markup gives (JSON-LD, then ``<meta>``)."""
        return parse_datetime(self._ld.get("datePublished")) or parse_datetime(self.signals.published)

    @cached_property
    def published_at(self) -> datetime | None:
        document = self._main[0]
        return self._own_published or (parse_datetime(document.date) if document.date else None)

    @property
    def modified_at(self) -> datetime | None:
        return parse_datetime(self._ld.get("dateModified")) or parse_datetime(self._head["modified"])

    @cached_property
    def byline(self) -> str | None:
        document = self._main[0]
        byline = person_name(self._ld.get("author"))
        byline = BYLINE_PREFIX.sub("", byline or document.author or self._head["author"] or "").strip() or None
        return None if byline and byline.startswith(("http://", "https://")) else byline

    @property
    def site_name(self) -> str | None:
        return self._main[0].sitename or self._head["og_site_name"]

    @cached_property
    def title(self) -> str:
        document = self._main[0]
        title = (document.title or self._head["og_title"] or str(self._ld.get("headline") or "")).strip()
        return strip_title_suffix(title, [self._head["og_site_name"], document.sitename, self.byline,
                                          urlsplit(self.url).hostname])

    @property
    def subtitle(self) -> str:
        return (self._head["description"] or self._main[0].description or "").strip()

    @cached_property
    def content(self) -> str:
        return strip_repeats(strip_leading_title(self._main[1], self.title), self.title, self.subtitle)

    @property
    def tags(self) -> list[str]:
        return [t for t in (self._main[0].tags or []) if t][:50]

    @cached_property
    def _refs(self) -> tuple[list[str], list[Image]]:
        return self._main[2].select(self.content, self.url)

    @property
    def links(self) -> list[str]:
        return self._refs[0]

    @property
    def images(self) -> list[Image]:
        return self._refs[1]

    def link(self, asked: str) -> str:
        """The document's link: the page's canonical when it is on the page's own site, else the link asked for."""
        if self.canonical:  # resolved as ``response.urljoin`` resolves it: against <base href> when there is one
            base = self._head["base"]
            absolute = urljoin(urljoin(self.url, base) if base else self.url, self.canonical)
            if same_site(absolute, self.url):
                with contextlib.suppress(LinkError):
                    return canonicalize(absolute)
        return asked

    def to_item(self, author_full_name: str, link: str | None = None) -> Article:
        """The article under ``author_full_name``; ``link`` is the link that was asked for (default: the URL)."""
        canonical = self.link(link or self.url)
        title, content, language = self.title, self.content, self.language
        return Article(
            link=canonical, platform="article", author_full_name=author_full_name, title=title or None,
            published_at=self.published_at, modified_at=self.modified_at.isoformat() if self.modified_at else None,
            language=language, domain=domain_of(canonical, ""), byline=self.byline,
            description=self.subtitle or None, tags=self.tags,
            content=ArticleContent(Title=title, Subtitle=self.subtitle, Content=content, language=language or ""),
            links=self.links, images=[DocumentImage(**i) for i in self.images],
        )


def parse_article(url: str, html: str | bytes, *, min_words: int = 120) -> ArticlePage:
    """The article page of ``url``, read (raises NotAnArticle for index pages and stubs, PageError if unreadable)."""
    return ArticlePage(url, html, min_words=min_words).read()


TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|·|•|»|::)\s+")


def _name_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold().removeprefix("by "))


def strip_title_suffix(title: str, names: list[str | None]) -> str:
    """``Title | Site``, ``Title - by Author``, ``Title – Site Name`` -> ``Title`` when the suffix is the site's
    name (``og:site_name``, the host) or the byline; any other suffix may be part of the title and stays.
    (32 of 160 real titles stored kept a site-name suffix before this, issue 10.)"""
    keys = {_name_key(n) for n in names if n} - {""}
    hosts = {_name_key(n.removeprefix("www.").split(".")[0]) for n in names if n and "." in n and " " not in n}
    for _ in range(2):  # "Title - Section | Site": the site first, then the byline
        parts = TITLE_SEPARATOR.split(title)
        if len(parts) < 2:
            break
        suffix = _name_key(parts[-1])
        if not suffix or not (suffix in keys or suffix in hosts):
            break
        title = title[: title.rfind(parts[-1])].rstrip(" |-–—·•»:")
    return title


def strip_leading_title(markdown: str, title: str) -> str:
    """Drop a first line that only repeats the title (it is stored in ``Title``)."""
    first, _, rest = markdown.partition("\n")
    if title and first.lstrip("# ").strip().casefold() == title.casefold():
        return rest.strip()
    return markdown


__all__ = ["ArticlePage", "NotAnArticle", "PageError", "parse_article"]
