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
from trafilatura import extract

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


LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")


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


def body_markdown(body: lxml.html.HtmlElement) -> str:
    """The article body as markdown. trafilatura gets only the body element (already isolated by selector), so
    recall is favoured: nothing on the page around it can be mistaken for the article."""
    fragment = lxml.html.tostring(body, encoding="unicode")
    doc = lxml.html.document_fromstring(f"<html><body><article>{fragment}</article></body></html>")
    text = extract(doc, output_format="markdown", include_comments=False, include_tables=True, include_images=False,
                   include_formatting=True, include_links=False, favor_recall=True, deduplicate=False)
    return tidy_markdown(text or "") or " ".join(body.text_content().split())


def tidy_markdown(text: str) -> str:
    """Collapse the source's indentation runs inside paragraphs (LinkedIn's templates indent text nodes; four
    leading spaces would turn a sentence into a markdown code block). Fenced code and list nesting are kept."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and not LIST_ITEM.match(line):
            line = " ".join(line.replace("\u00a0", " ").split())
        out.append(line.rstrip())
    return "\n".join(out).strip()


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
    content = body_markdown(body) if body is not None else str(ld.get("articleBody") or "").strip()
    if not content:
        raise NotAPulseArticle(f"no article body in {url}")
    title = str(ld.get("headline") or "").strip() or _first_text(tree, TITLE_SELECTORS) or meta(tree, "og:title") or ""
    image = ld.get("image")
    keywords = ld.get("keywords")
    return PulseData(
        title=" ".join(title.split()),
        content=content,
        subtitle=meta(tree, "og:description", "description") or "",
        byline=person_name(ld.get("author")) or _first_text(tree, AUTHOR_SELECTORS),
        published_at=parse_datetime(ld.get("datePublished")) or _published(tree, text),
        modified_at=parse_datetime(ld.get("dateModified")),
        language=_language(tree, text, ld),
        canonical=canonical_url(tree) or meta(tree, "og:url"),
        image=(image.get("url") if isinstance(image, dict) else image if isinstance(image, str) else None)
        or meta(tree, "og:image"),
        tags=[t.strip() for t in keywords.split(",") if t.strip()] if isinstance(keywords, str) else [],
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
