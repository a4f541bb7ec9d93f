"""LinkedIn Pulse articles (``/pulse/<slug>``) read logged-out: JSON-LD first, then the guest markup.

Three markup generations are handled (real captures in tests/fixtures/linkedin): 2016-19 ``[itemprop=articleBody]``
with ``time[itemprop=datePublished]``; 2019-20 ``section.article-body`` with ``time.article-head__timestamp``;
2022+ ``.article-content__body`` with the ``.main-author-card`` (Postlight's selectors, PLATFORMS.md [L12]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import lxml.html

from twin_crawler.urls import LinkError, canonicalize

from .html import (
    PageError,
    canonical_url,
    html_language,
    iter_ld,
    meta,
    parse_datetime,
    parse_html,
    person_name,
)
from .markdown import Converted, Image, Rules, convert, strip_repeats

ARTICLE_LD_TYPES = {"Article", "NewsArticle", "BlogPosting"}
BODY_SELECTORS = ("//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content__body ')]",
                  "//*[@itemprop='articleBody']", "//section[contains(@class, 'article-body')]")
TITLE_SELECTORS = ("//h1[contains(@class, 'article-content__title')]", "//h1[contains(@class, 'article-title')]", "//h1")
AUTHOR_SELECTORS = ("//*[contains(@class, 'main-author-card')]//h3",
                    "//*[contains(@class, 'author-info')]//a[contains(@class, 'mini-profile__title-link')]",
                    "//*[@itemprop='author' and not(@class)]")
DATE_SELECTORS = ("//time[@itemprop='datePublished']", "//*[contains(@class, 'base-main-card__metadata')]",
                  "//time[contains(@class, 'article-head__timestamp')]")
# "Published Dec 19, 2016" / "Published on August 19, 2019": guest pages print the date in English.
# Guest pages embed the article record as JSON ({"articleUrn": ..., "locale": "de", ...}); its locale is the
# article's language, whereas <html lang> is only the reader's interface language.
ARTICLE_LOCALE = re.compile(r'"locale"\s*:\s*"([a-z]{2})(?:_[A-Z]{2})?"(?=[^{}]{0,2000}"articleUrn")|'
                            r'"articleUrn"[^{}]{0,2000}"locale"\s*:\s*"([a-z]{2})(?:_[A-Z]{2})?"')
# The same record's "publishedDate" (epoch ms) is exact where the printed date has only the day.
ARTICLE_PUBLISHED = re.compile(r'"publishedDate"\s*:\s*(\d{12,13})(?=[^{}]{0,2000}"articleUrn")|'
                               r'"articleUrn"[^{}]{0,2000}"publishedDate"\s*:\s*(\d{12,13})')
PRINTED_DATE = re.compile(r"(?:Published(?: on)?\s+)?([A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4})")

# Reaction and comment counters, the action bar and the sign-in prompt under an article: LinkedIn's furniture.
DROP_CLASSES = frozenset({
    "social-details-social-counts", "social-details-social-activity", "social-action-bar", "reactions-react-button",
    "comments-comment-social-bar", "article-social-activity", "social-actions-button", "share-button",
    "reactions-menu", "social-details-reactors-facepile",
})
COUNTERS = re.compile(
    r"(?i)^\W*(\d[\d,.]*\s*[km]?\s*(likes?|reactions?|comments?|reposts?|shares?)(\W+\d[\d,.]*\s*[km]?\s*"
    r"(comments?|reposts?|shares?))*|like|comment|share|repost|send|report this article|"
    r"to view or add a comment, sign in|sign in to view more content|see more|follow)\W*$"
)
RULES = Rules(drop_classes=DROP_CLASSES, boilerplate=COUNTERS)


class NotAPulseArticle(ValueError):
    """The page has no article body (a listing, an error page, a sign-in page)."""


@dataclass
class PulseData:
    """What a Pulse page says about its article."""

    title: str
    content: str
    subtitle: str = ""
    byline: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    canonical: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


def _first_text(tree: lxml.html.HtmlElement, selectors: tuple[str, ...]) -> str | None:
    for xpath in selectors:
        for el in tree.xpath(xpath):
            text = " ".join(el.text_content().split())
            if text:
                return text
    return None


def _published(tree: lxml.html.HtmlElement, html: str) -> datetime | None:
    """The printed date, made exact by the embedded record when both name the same day (a page also embeds the
    records of related articles: a disagreeing one is not this article's)."""
    printed = _printed_date(tree) or parse_datetime(meta(tree, "article:published_time"))
    match = ARTICLE_PUBLISHED.search(html)
    embedded = parse_datetime(int(match.group(1) or match.group(2))) if match else None
    if embedded and (printed is None or printed.date() == embedded.date()):
        return embedded
    return printed


def _printed_date(tree: lxml.html.HtmlElement) -> datetime | None:
    for xpath in DATE_SELECTORS:
        for el in tree.xpath(xpath):
            parsed = parse_datetime(el.get("datetime"))
            if parsed:
                return parsed
            match = PRINTED_DATE.search(" ".join(el.text_content().split()))
            if match:
                try:
                    return datetime.strptime(match.group(1).replace(".", ""), "%b %d, %Y").replace(tzinfo=UTC)
                except ValueError:
                    try:
                        return datetime.strptime(match.group(1), "%B %d, %Y").replace(tzinfo=UTC)
                    except ValueError:
                        continue
    return None


def body_markdown(body: lxml.html.HtmlElement, base_url: str = "") -> Converted:
    """The article body in the text convention (the body element is already isolated by selector)."""
    converted = convert(body, base_url, RULES)
    converted.markdown = converted.markdown or " ".join(body.text_content().split())
    return converted


def _language(tree: lxml.html.HtmlElement, html: str, ld: dict[str, Any]) -> str | None:
    if isinstance(ld.get("inLanguage"), str) and ld["inLanguage"][:2].isalpha():
        return str(ld["inLanguage"])[:2].lower()
    match = ARTICLE_LOCALE.search(html)
    if match:
        return match.group(1) or match.group(2)
    return html_language(tree)


def _ld_article(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    return next(iter_ld(tree, ARTICLE_LD_TYPES), {})


def parse_pulse(url: str, html: str | bytes) -> PulseData:
    """Read one Pulse article; NotAPulseArticle when the page has no article body, PageError when unreadable."""
    tree = parse_html(html)
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    ld = _ld_article(tree)
    body = next((el for xpath in BODY_SELECTORS for el in tree.xpath(xpath)), None)
    converted = body_markdown(body, url) if body is not None else Converted(str(ld.get("articleBody") or "").strip())
    if not converted.markdown:
        raise NotAPulseArticle(f"no article body in {url}")
    title = str(ld.get("headline") or "").strip() or _first_text(tree, TITLE_SELECTORS) or meta(tree, "og:title") or ""
    subtitle = meta(tree, "og:description", "description") or ""
    image = ld.get("image")
    keywords = ld.get("keywords")
    return PulseData(
        title=" ".join(title.split()),
        content=strip_repeats(converted.markdown, title, subtitle),
        subtitle=subtitle,
        byline=person_name(ld.get("author")) or _first_text(tree, AUTHOR_SELECTORS),
        published_at=parse_datetime(ld.get("datePublished")) or _published(tree, text),
        modified_at=parse_datetime(ld.get("dateModified")),
        language=_language(tree, text, ld),
        canonical=canonical_url(tree) or meta(tree, "og:url"),
        image=(image.get("url") if isinstance(image, dict) else image if isinstance(image, str) else None)
        or meta(tree, "og:image"),
        tags=[t.strip() for t in keywords.split(",") if t.strip()] if isinstance(keywords, str) else [],
        links=converted.links,
        images=converted.images,
    )


def pulse_link(canonical: str, fallback: str) -> str:
    """``de.linkedin.com/pulse/x`` and ``www.linkedin.com/pulse/x`` are one article: one link for both."""
    try:
        link = canonicalize(canonical) if canonical else fallback
    except LinkError:
        return fallback
    parts = urlsplit(link)
    if not (parts.path.startswith("/pulse/") and (parts.hostname or "").endswith("linkedin.com")):
        return fallback
    return urlunsplit(("https", "www.linkedin.com", parts.path, "", ""))


__all__ = ["NotAPulseArticle", "PageError", "PulseData", "parse_pulse", "pulse_link"]
