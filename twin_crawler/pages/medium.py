"""Medium post pages -> one post: JSON-LD + ``__APOLLO_STATE__`` paragraphs, the ``pw-*`` DOM as fallback.

Pure parser (never imports scrapy). Member-only posts read logged-out carry a preview only: they come back with
``is_paywalled=True``, never as complete text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from twin_crawler.urls import medium_post_id

from . import medium_apollo as apollo
from . import medium_text
from .html import PageError, html_language, meta, parse_datetime, parse_html, person_name
from .markdown import Converted, Image, convert

# App links name the post: ``medium://p/<id>`` since about 2019, ``medium:/p/<id>`` (one slash) on pages from
# 2015-2018, which were dropped ``not-medium`` while only the two-slash form was read (issue 10).
APP_URL = re.compile(r"^medium:/{1,2}p/([0-9a-f]{8,12})$")
APP_LINK_NAMES = ("al:android:url", "al:ios:url", "twitter:app:url:iphone")
LD_TYPES = {"NewsArticle", "Article", "BlogPosting", "SocialMediaPosting"}
# Titles in <title>/JSON-LD carry " - <publication> - Medium" or " | by <author> | Medium" suffixes.
TITLE_SUFFIX = re.compile(r"\s+(?:[-|–]\s+[^-|–]*?\s*)?[-|–]\s+Medium\s*$")


class NotAMediumPost(ValueError):
    """The page is not a readable Medium post; ``reason`` is a short slug for the run report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class MediumPost:
    """What a Medium post page (or feed item) yields."""

    post_id: str
    title: str
    content: str
    subtitle: str = ""
    byline: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    is_paywalled: bool = False
    kind: str = "article"
    language: str | None = None
    url: str | None = None
    description: str | None = None
    publication: str | None = None
    source: str = "apollo"
    """Where the body came from: apollo, dom or feed."""
    links: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)

    def set_text(self, converted: Converted) -> None:
        """Content, links and images from the text convention's output (title and subtitle repeats dropped)."""
        self.content = _strip_heading(converted.markdown, self)
        self.links, self.images = converted.links, converted.images


def _ld_article(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """The page's article JSON-LD; Medium's 2017 pages wrap it in a CDATA section, so that is unwrapped first."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        text = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", (script.text or "").strip())
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            continue
        for obj in data if isinstance(data, list) else [data]:
            types = obj.get("@type") if isinstance(obj, dict) else None
            if set(types if isinstance(types, list) else [types]) & LD_TYPES:
                return obj
    return {}


def post_id_of(tree: lxml.html.HtmlElement, ld: dict[str, Any], url: str) -> str | None:
    """The post id from an app link (either form, any of the tags), JSON-LD ``identifier`` or
    ``parsely-post-id``, else from the URL (``/p/<id>``, ``-<hex>`` slug) of a page that is a Medium article."""
    for name in APP_LINK_NAMES:  # each tag on its own: old pages had one form on android and another on ios
        match = APP_URL.match(meta(tree, name) or "")
        if match:
            return match.group(1)
    for value in (ld.get("identifier"), meta(tree, "parsely-post-id")):
        if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{8,12}", value):
            return value
    # The URL alone names the post only on a page that says it is a Medium article (app name and an article
    # signal): any other page fetched for a Medium link (an error or sign-in page, another blog's hex slug) is
    # not that post, and a feed preview or a ``not-medium`` drop is the right outcome for it.
    is_article = bool(ld) or meta(tree, "og:type") == "article"
    if is_article and meta(tree, "al:android:app_name", "al:ios:app_name") == "Medium":
        return medium_post_id(urlsplit(url).path)
    return None


def clean_title(title: str) -> str:
    return TITLE_SUFFIX.sub("", " ".join(title.split())).strip()


def is_locked(post: dict[str, Any], ld: dict[str, Any], content: dict[str, Any]) -> bool:
    """Member-only: ``isLocked``, ``visibility: LOCKED``, a locked preview, or a JSON-LD locked source."""
    keywords: list[Any] = ld["keywords"] if isinstance(ld.get("keywords"), list) else []
    locked_source = next((k.split(":", 1)[1] for k in keywords if isinstance(k, str) and k.startswith("LockedPostSource:")), "")
    return bool(post.get("isLocked") or post.get("visibility") == "LOCKED" or content.get("isLockedPreviewOnly")
                or locked_source not in ("", "LOCKED_POST_SOURCE_NONE"))


def parse_post_page(url: str, html: str | bytes) -> MediumPost:
    """One Medium post from its page. Raises NotAMediumPost (no post id / no text) or PageError (unreadable)."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    tree = parse_html(text)
    ld = _ld_article(tree)
    post_id = post_id_of(tree, ld, url)
    if post_id is None:
        raise NotAMediumPost("not-medium")
    state = apollo.apollo_state(text) or {}
    post = apollo.post_node(state, post_id) or {}
    creator = apollo.resolve(state, post.get("creator")) if post else {}
    collection = apollo.resolve(state, post.get("collection")) if post.get("collection") else {}
    title = clean_title(post.get("title") or meta(tree, "og:title", "twitter:title") or str(ld.get("headline") or ""))
    preview = apollo.resolve(state, post.get("previewContent")) or {}
    subtitle = (preview.get("subtitle") if isinstance(preview, dict) else None) or _meta_subtitle(tree)
    result = MediumPost(
        post_id=post_id,
        title=title,
        content="",
        subtitle=subtitle.strip(),
        byline=person_name(ld.get("author")) or (creator or {}).get("name") or meta(tree, "author") or _dom_text(tree, "pw-author-name"),
        published_at=parse_datetime(ld.get("datePublished")) or parse_datetime(post.get("firstPublishedAt")),
        modified_at=parse_datetime(ld.get("dateModified")) or parse_datetime(post.get("updatedAt")),
        tags=apollo.tag_names(state, post) or [k[4:] for k in ld.get("keywords") or [] if isinstance(k, str) and k.startswith("Tag:")],
        is_paywalled=is_locked(post, ld, apollo.post_content(state, post)),
        kind="response" if post.get("inResponseToPostResult") or post.get("inResponseToPostId") else "article",
        language=html_language(tree) or (post.get("detectedLanguage") or None),
        url=post.get("mediumUrl") or meta(tree, "og:url", "al:web:url") or url,
        description=meta(tree, "description"),
        publication=(collection or {}).get("name"),
    )
    body = apollo.paragraphs_to_html(state, apollo.paragraphs(state, post))
    if body:
        result.set_text(convert(body, url, medium_text.APOLLO))
    if not result.content:
        _dom_fallback(tree, url, result)
    if not result.content.strip():
        raise NotAMediumPost("no-text")
    return result


def _meta_subtitle(tree: lxml.html.HtmlElement) -> str:
    """``og:description`` is the subtitle when the author set one; otherwise Medium fills it with the opening of
    the first paragraph, which the (longer) meta description then starts with too."""
    og = meta(tree, "og:description") or ""
    description = meta(tree, "description") or ""
    return "" if not og or _norm(description).startswith(_norm(og)[:60]) else og


def _strip_heading(markdown: str, post: MediumPost) -> str:
    """Drop the leading blocks that repeat the title, and the subtitle right under it (both kept as fields)."""
    blocks = markdown.split("\n\n")
    title, subtitle = _norm(post.title), _norm(post.subtitle)
    kept: list[str] = []
    after_title = False
    for i, block in enumerate(blocks):
        plain = _norm(re.sub(r"^#+\s*", "", block))
        if i < 4 and title and plain == title:
            title, after_title = "", True
            continue
        if subtitle and plain == subtitle and (after_title or block.startswith("#")):
            subtitle = ""
            continue
        after_title = False
        kept.append(block)
    return "\n\n".join(kept).strip()


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split()).casefold()


def _dom_text(tree: lxml.html.HtmlElement, cls: str) -> str | None:
    found = tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), $c)]", c=f" {cls} ")
    text = " ".join(found[0].text_content().split()) if found else ""
    return text or None


def _dom_fallback(tree: lxml.html.HtmlElement, url: str, post: MediumPost) -> None:
    """The rendered ``pw-*`` DOM (2022+): the <section> of the <article> holding most paragraphs is the body."""
    sections = tree.xpath("//article//section") or tree.xpath("//article") or tree.xpath("//body")
    if not sections:
        return
    root = max(sections, key=lambda s: len(s.xpath(".//p")))
    post.title = post.title or (_dom_text(tree, "pw-post-title") or "")
    post.subtitle = post.subtitle or (_dom_text(tree, "pw-subtitle-paragraph") or "")

    post.set_text(convert(root, url, medium_text.DOM))
    post.source = "dom"
    shown = _dom_date(_dom_text(tree, "pw-published-date"))
    if shown is not None:
        # The DOM shows the first publication date; article:published_time is the latest (re)publication.
        post.modified_at = post.modified_at or parse_datetime(meta(tree, "article:published_time"))
        post.published_at = post.published_at or shown
    post.published_at = post.published_at or parse_datetime(meta(tree, "article:published_time"))
    post.is_paywalled = post.is_paywalled or bool(tree.xpath("//*[normalize-space(text())='Member-only story']"))


def _dom_date(text: str | None) -> datetime | None:
    for fmt in ("%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text or "", fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


__all__ = ["MediumPost", "NotAMediumPost", "PageError", "clean_title", "parse_post_page"]
