"""Medium post pages -> one post: JSON-LD + ``__APOLLO_STATE__`` paragraphs, the ``pw-*`` DOM as fallback.

Pure parser (never imports scrapy). Member-only posts read logged-out carry a preview only: they come back with
``is_paywalled=True``, never as complete text.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.urls import medium_post_id

from . import medium_apollo as apollo
from . import medium_text
from .html import PageError, html_language, meta, parse_datetime, person_name
from .markdown import Converted, Image, convert
from .page import Page, domain_of

# App links name the post: ``medium://p/<id>`` since about 2019, ``medium:/p/<id>`` (one slash) on pages from
# 2015-2018, which were dropped ``not-medium`` while only the two-slash form was read (issue 10).
APP_URL = re.compile(r"^medium:/{1,2}p/([0-9a-f]{8,12})$")
APP_LINK_NAMES = ("al:android:url", "al:ios:url", "twitter:app:url:iphone")
LD_TYPES = {"NewsArticle", "Article", "BlogPosting", "SocialMediaPosting"}
# Titles in <title>/JSON-LD carry " - <publication> - Medium" or " | by <author> | Medium" suffixes.
TITLE_SUFFIX = re.compile(r"\s+(?:[-|–]\s+[^-|–]*?\s*)?[-|–]\s+Medium\s*$")


def post_link(post_id: str) -> str:
    """The one link of a post, whichever host (medium.com, a subdomain, a custom domain) it was read on."""
    return f"https://medium.com/p/{post_id}"


class NotAMediumPost(ValueError):
    """The page is not a readable Medium post; ``reason`` is a short slug for the run report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MediumFields:
    """What a Medium post page and a feed item both say of a post, and the one ``Article`` built from it."""

    url: str
    post_id: str
    title: str
    subtitle: str
    content: str
    byline: str | None
    published_at: datetime | None
    modified_at: datetime | None
    tags: list[str]
    is_paywalled: bool
    kind: str
    language: str | None
    medium_url: str | None
    description: str | None
    publication: str | None
    source: str
    """Where the body came from: apollo, dom or feed."""
    links: list[str]
    images: list[Image]

    def to_item(self, author_full_name: str) -> Article:
        """The post as stored: keyed by its ``/p/<id>`` link, whichever host it was read on."""
        language, title = self.language, self.title
        return Article(
            link=post_link(self.post_id), platform="medium", author_full_name=author_full_name, title=title or None,
            published_at=self.published_at, modified_at=self.modified_at.isoformat() if self.modified_at else None,
            language=language, source_id=self.post_id, is_paywalled=self.is_paywalled,
            domain=domain_of(self.url), byline=self.byline,
            description=self.description or self.subtitle or None, tags=self.tags[:50],
            kind="response" if self.kind == "response" else "article",
            content=ArticleContent(Title=title, Subtitle=self.subtitle, Content=self.content, language=language or ""),
            extra={"medium_url": self.medium_url, "publication": self.publication, "body_source": self.source},
            links=self.links, images=[DocumentImage(**i) for i in self.images],
        )


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


class MediumPostPage(MediumFields, Page):
    """One Medium post page: JSON-LD and the ``__APOLLO_STATE__`` paragraphs, the rendered ``pw-*`` DOM when the
    state holds no text. ``NotAMediumPost`` from the fields (``not-medium``: no post id; ``no-text``)."""

    @cached_property
    def _ld(self) -> dict[str, Any]:
        return _ld_article(self.tree)

    @cached_property
    def post_id(self) -> str:  # type: ignore[override]
        post_id = post_id_of(self.tree, self._ld, self.url)
        if post_id is None:
            raise NotAMediumPost("not-medium")
        return post_id

    @cached_property
    def _state(self) -> apollo.State:
        return apollo.apollo_state(self.text) or {}

    @cached_property
    def _post(self) -> dict[str, Any]:
        """The post's node in the Apollo state (empty on pages without one)."""
        return apollo.post_node(self._state, self.post_id) or {}

    @cached_property
    def _state_title(self) -> str:
        return clean_title(self._post.get("title") or meta(self.tree, "og:title", "twitter:title") or str(self._ld.get("headline") or ""))

    @cached_property
    def _state_subtitle(self) -> str:
        preview = apollo.resolve(self._state, self._post.get("previewContent")) or {}
        return ((preview.get("subtitle") if isinstance(preview, dict) else None) or _meta_subtitle(self.tree)).strip()

    @cached_property
    def _dom_root(self) -> lxml.html.HtmlElement | None:
        """The rendered ``pw-*`` DOM (2022+): the <section> of the <article> holding most paragraphs."""
        sections = self.tree.xpath("//article//section") or self.tree.xpath("//article") or self.tree.xpath("//body")
        return max(sections, key=lambda s: len(s.xpath(".//p"))) if sections else None

    @cached_property
    def _body(self) -> tuple[str, Converted]:
        """Where the text came from and the text convention's output (title and subtitle repeats dropped)."""
        html = apollo.paragraphs_to_html(self._state, apollo.paragraphs(self._state, self._post))
        found = ("apollo", Converted(""))
        if html:
            converted = convert(html, self.url, medium_text.APOLLO)
            converted.markdown = _strip_heading(converted.markdown, self._state_title, self._state_subtitle)
            found = ("apollo", converted)
        if not found[1].markdown and self._dom_root is not None:
            converted = convert(self._dom_root, self.url, medium_text.DOM)
            converted.markdown = _strip_heading(converted.markdown, self.title_of("dom"), self.subtitle_of("dom"))
            found = ("dom", converted)
        if not found[1].markdown.strip():
            raise NotAMediumPost("no-text")
        return found

    def title_of(self, source: str) -> str:
        return self._state_title or (_dom_text(self.tree, "pw-post-title") or "" if source == "dom" else "")

    def subtitle_of(self, source: str) -> str:
        return self._state_subtitle or (_dom_text(self.tree, "pw-subtitle-paragraph") or "" if source == "dom" else "")

    @property
    def source(self) -> str:  # type: ignore[override]
        return self._body[0]

    @property
    def content(self) -> str:  # type: ignore[override]
        return self._body[1].markdown

    @property
    def links(self) -> list[str]:  # type: ignore[override]
        return self._body[1].links

    @property
    def images(self) -> list[Image]:  # type: ignore[override]
        return self._body[1].images

    @property
    def title(self) -> str:  # type: ignore[override]
        return self.title_of(self.source)

    @property
    def subtitle(self) -> str:  # type: ignore[override]
        return self.subtitle_of(self.source)

    @property
    def byline(self) -> str | None:  # type: ignore[override]
        creator = apollo.resolve(self._state, self._post.get("creator")) if self._post else {}
        return (person_name(self._ld.get("author")) or (creator or {}).get("name") or meta(self.tree, "author")
                or _dom_text(self.tree, "pw-author-name"))

    @cached_property
    def _shown_date(self) -> datetime | None:
        """The first publication date the DOM shows (the DOM reading only)."""
        return _dom_date(_dom_text(self.tree, "pw-published-date")) if self.source == "dom" else None

    @property
    def published_at(self) -> datetime | None:  # type: ignore[override]
        own = parse_datetime(self._ld.get("datePublished")) or parse_datetime(self._post.get("firstPublishedAt"))
        if self.source == "dom":  # article:published_time is the latest (re)publication, the DOM date the first
            own = own or self._shown_date or parse_datetime(meta(self.tree, "article:published_time"))
        return own

    @property
    def modified_at(self) -> datetime | None:  # type: ignore[override]
        own = parse_datetime(self._ld.get("dateModified")) or parse_datetime(self._post.get("updatedAt"))
        if self._shown_date is not None:
            own = own or parse_datetime(meta(self.tree, "article:published_time"))
        return own

    @property
    def tags(self) -> list[str]:  # type: ignore[override]
        return apollo.tag_names(self._state, self._post) or [
            k[4:] for k in self._ld.get("keywords") or [] if isinstance(k, str) and k.startswith("Tag:")]

    @property
    def is_paywalled(self) -> bool:  # type: ignore[override]
        locked = is_locked(self._post, self._ld, apollo.post_content(self._state, self._post))
        return locked or (self.source == "dom" and bool(self.tree.xpath("//*[normalize-space(text())='Member-only story']")))

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "response" if self._post.get("inResponseToPostResult") or self._post.get("inResponseToPostId") else "article"

    @property
    def language(self) -> str | None:  # type: ignore[override]
        return html_language(self.tree) or (self._post.get("detectedLanguage") or None)

    @property
    def medium_url(self) -> str | None:  # type: ignore[override]
        return self._post.get("mediumUrl") or meta(self.tree, "og:url", "al:web:url") or self.url

    @property
    def description(self) -> str | None:  # type: ignore[override]
        return meta(self.tree, "description")

    @property
    def publication(self) -> str | None:  # type: ignore[override]
        collection = apollo.resolve(self._state, self._post.get("collection")) if self._post.get("collection") else {}
        return (collection or {}).get("name")


def parse_post_page(url: str, html: str | bytes) -> MediumPostPage:
    """One Medium post page, read. Raises NotAMediumPost (no post id / no text) or PageError (unreadable)."""
    return MediumPostPage(url, html).read()


def _meta_subtitle(tree: lxml.html.HtmlElement) -> str:
    """``og:description`` is the subtitle when the author set one; otherwise Medium fills it with the opening of
    the first paragraph, which the (longer) meta description then starts with too."""
    og = meta(tree, "og:description") or ""
    description = meta(tree, "description") or ""
    return "" if not og or _norm(description).startswith(_norm(og)[:60]) else og


def _strip_heading(markdown: str, title: str, subtitle: str) -> str:
    """Drop the leading blocks that repeat the title, and the subtitle right under it (both kept as fields)."""
    blocks = markdown.split("\n\n")
    title, subtitle = _norm(title), _norm(subtitle)
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


def _dom_date(text: str | None) -> datetime | None:
    for fmt in ("%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text or "", fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


__all__ = ["MediumFields", "MediumPostPage", "NotAMediumPost", "PageError", "clean_title", "parse_post_page"]
