"""LinkedIn Pulse articles (``/pulse/<slug>``) read logged-out: JSON-LD first, then the guest markup.

Three markup generations are handled (real captures in tests/fixtures/linkedin): 2016-19 ``[itemprop=articleBody]``
with ``time[itemprop=datePublished]``; 2019-20 ``section.article-body`` with ``time.article-head__timestamp``;
2022+ ``.article-content__body`` with the ``.main-author-card`` (Postlight's selectors, PLATFORMS.md [L12]).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.urls import LinkError, canonicalize

from .html import (
    PageError,
    canonical_url,
    html_language,
    iter_ld,
    meta,
    parse_datetime,
    person_name,
)
from .markdown import Converted, Image, Rules, convert, strip_repeats
from .page import Page

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


class PulsePage(Page):
    """One LinkedIn Pulse article page; ``NotAPulseArticle`` from the text fields when it has no article body."""

    @cached_property
    def _ld(self) -> dict[str, Any]:
        return _ld_article(self.tree)

    @cached_property
    def _converted(self) -> Converted:
        body = next((el for xpath in BODY_SELECTORS for el in self.tree.xpath(xpath)), None)
        converted = body_markdown(body, self.url) if body is not None else Converted(str(self._ld.get("articleBody") or "").strip())
        if not converted.markdown:
            raise NotAPulseArticle(f"no article body in {self.url}")
        return converted

    @cached_property
    def _raw_title(self) -> str:
        self._converted  # noqa: B018 - a page without a body is no article, whatever its title
        return str(self._ld.get("headline") or "").strip() or _first_text(self.tree, TITLE_SELECTORS) or meta(self.tree, "og:title") or ""

    @property
    def title(self) -> str:
        return " ".join(self._raw_title.split())

    @property
    def subtitle(self) -> str:
        return meta(self.tree, "og:description", "description") or ""

    @cached_property
    def content(self) -> str:
        return strip_repeats(self._converted.markdown, self._raw_title, self.subtitle)

    @property
    def byline(self) -> str | None:
        return person_name(self._ld.get("author")) or _first_text(self.tree, AUTHOR_SELECTORS)

    @property
    def published_at(self) -> datetime | None:
        return parse_datetime(self._ld.get("datePublished")) or _published(self.tree, self.text)

    @property
    def modified_at(self) -> datetime | None:
        return parse_datetime(self._ld.get("dateModified"))

    @property
    def language(self) -> str | None:
        return _language(self.tree, self.text, self._ld)

    @property
    def canonical(self) -> str | None:
        return canonical_url(self.tree) or meta(self.tree, "og:url")

    @property
    def image(self) -> str | None:
        image = self._ld.get("image")
        return (image.get("url") if isinstance(image, dict) else image if isinstance(image, str) else None) or meta(self.tree, "og:image")

    @property
    def tags(self) -> list[str]:
        keywords = self._ld.get("keywords")
        return [t.strip() for t in keywords.split(",") if t.strip()] if isinstance(keywords, str) else []

    @property
    def links(self) -> list[str]:
        return self._converted.links

    @property
    def images(self) -> list[Image]:
        return self._converted.images

    def link(self, asked: str) -> str:
        """One link for every LinkedIn host of the article (its canonical), else the link asked for."""
        return pulse_link(urljoin(self.url, self.canonical) if self.canonical else "", asked)

    def to_item(self, author_full_name: str, link: str | None = None) -> Article:
        canonical = self.link(link or self.url)
        title, language = self.title, self.language
        return Article(
            link=canonical, platform="linkedin", author_full_name=author_full_name, title=title or None,
            published_at=self.published_at, modified_at=self.modified_at.isoformat() if self.modified_at else None,
            language=language, source_id=urlsplit(canonical).path.rstrip("/").rsplit("/", 1)[-1] or None,
            domain="linkedin.com", byline=self.byline, description=self.subtitle or None, tags=self.tags,
            content=ArticleContent(Title=title, Content=self.content, language=language or ""),
            links=self.links, images=[DocumentImage(**i) for i in self.images],
        )


def parse_pulse(url: str, html: str | bytes) -> PulsePage:
    """The Pulse page of ``url``, read (NotAPulseArticle without an article body, PageError when unreadable)."""
    return PulsePage(url, html).read()


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


__all__ = ["NotAPulseArticle", "PageError", "PulsePage", "parse_pulse", "pulse_link"]
