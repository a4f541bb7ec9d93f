"""Substack: API JSON (public_profile, archive, posts) and post pages (``_preloads`` or DOM) -> articles.

The API ``post`` object is the one source of truth; a post page carries the same object in ``window._preloads``
(or, when scripts were stripped, the rendered ``div.available-content div.body.markup`` plus JSON-LD).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.text import normalise_text
from twin_crawler.urls import LinkError, canonicalize

from .html import (
    PageError,
    parse_datetime,
)
from .markdown import Converted, Image, strip_repeats
from .page import Page, domain_of
from .substack_text import body_to_markdown

# Podcast bodies shorter than this are a player and a sentence of show notes, not text worth keeping.
PODCAST_MIN_WORDS = 40


class SubstackError(PageError):
    """An API response or page that is not what Substack serves (one actionable line)."""


@dataclass
class Publication:
    """One publication an author writes for."""

    subdomain: str
    custom_domain: str | None = None
    name: str | None = None


@dataclass
class Profile:
    """``public_profile``: who the author is on Substack and where they publish."""

    user_id: int | None
    handle: str
    name: str
    publications: list[Publication] = field(default_factory=list)


def load_json(body: bytes | str, what: str) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise SubstackError(f"{what}: response is not JSON") from None


def parse_profile(body: bytes | str) -> Profile:
    """``/api/v1/user/{handle}/public_profile`` -> the author and every publication (custom domains included)."""
    data = load_json(body, "public_profile")
    if not isinstance(data, dict) or not data.get("handle"):
        raise SubstackError("public_profile: no user handle in the response")
    pubs: dict[str, Publication] = {}
    candidates = [pu.get("publication") for pu in data.get("publicationUsers") or [] if isinstance(pu, dict)]
    for pub in [data.get("primaryPublication"), *candidates]:
        if isinstance(pub, dict) and pub.get("subdomain"):
            pubs.setdefault(pub["subdomain"], Publication(pub["subdomain"], pub.get("custom_domain") or None, pub.get("name")))
    user_id = str(data.get("id") or "")
    return Profile(int(user_id) if user_id.isdigit() else None, str(data["handle"]), str(data.get("name") or ""), list(pubs.values()))


def parse_archive(body: bytes | str) -> list[dict[str, Any]]:
    """``/api/v1/archive`` -> its post summaries (a JSON list; an empty list ends the walk)."""
    data = load_json(body, "archive")
    if not isinstance(data, list):
        raise SubstackError("archive: expected a JSON list of posts")
    return [p for p in data if isinstance(p, dict) and p.get("slug")]


def summary_link(post: dict[str, Any], base: str) -> str:
    """The canonical link of an archive entry (its ``canonical_url``, else ``{base}/p/{slug}``)."""
    for candidate in (post.get("canonical_url"), f"{base.rstrip('/')}/p/{post['slug']}"):
        try:
            if candidate:
                return canonicalize(str(candidate))
        except LinkError:
            continue
    raise SubstackError(f"post {str(post['slug'])[:60]!r}: no valid link")


class SubstackPostPage(Page):
    """A Substack post from the API's ``post`` object: the JSON body of ``/api/v1/posts/{slug}`` (flat) or
    ``/posts/by-id/{id}`` (wrapped ``{post: ...}``), or an object already loaded (``data=``). ``SubstackError``
    from the fields when the body is not a post object."""

    def __init__(self, url: str, body: bytes | str = b"", headers: Mapping[str, str] | None = None, *,
                 encoding: str | None = None, language: str | None = None, data: Any = None) -> None:
        super().__init__(url, body, headers, encoding=encoding)
        self._language, self._data = language, data

    @cached_property
    def post(self) -> dict[str, Any]:
        """The post object."""
        data = self._object()
        if isinstance(data, dict) and isinstance(data.get("post"), dict):
            self._language = self._language or (data.get("publication") or {}).get("language")
            data = data["post"]
        if not isinstance(data, dict) or not data.get("slug"):
            raise SubstackError(f"{self.url}: not a Substack post object")
        return data

    def _object(self) -> Any:
        """The post object as given or as the body holds it (flat or wrapped)."""
        return self._data if self._data is not None else load_json(self.body, "post")

    teaser_stands_in = True
    """A paid post without its body keeps its teaser as the text (the API's own preview)."""

    @cached_property
    def _converted(self) -> Converted | None:
        body = self.post.get("body_html") or ""
        return body_to_markdown(body, self.url) if body.strip() else None

    @property
    def slug(self) -> str:
        return str(self.post["slug"])

    @property
    def title(self) -> str:
        return str(self.post.get("title") or "").strip()

    @property
    def subtitle(self) -> str:
        return str(self.post.get("subtitle") or "").strip()

    @property
    def audience(self) -> str:
        return str(self.post.get("audience") or "everyone")

    @property
    def is_paywalled(self) -> bool:
        return self.audience != "everyone"

    @property
    def type(self) -> str:
        return str(self.post.get("type") or "newsletter")

    @cached_property
    def content(self) -> str:
        """The body in the text convention; for a paid post without its body, the only preview there is."""
        markdown = strip_repeats(self._converted.markdown, self.title, self.subtitle) if self._converted else ""
        if not markdown and self.teaser_stands_in and self.post.get("audience", "everyone") != "everyone":
            markdown = str(self.post.get("truncated_body_text") or self.post.get("description") or "")
        return markdown

    @property
    def link(self) -> str:
        return summary_link(self.post, _origin(self.url))

    @property
    def source_id(self) -> str | None:
        return str(self.post["id"]) if str(self.post.get("id") or "").isdigit() else None

    @property
    def published_at(self) -> datetime | None:
        return parse_datetime(self.post.get("post_date"))

    @property
    def modified_at(self) -> datetime | None:
        return parse_datetime(self.post.get("updated_at"))

    @property
    def bylines(self) -> list[dict[str, Any]]:
        return [b for b in self.post.get("publishedBylines") or [] if isinstance(b, dict)]

    @property
    def description(self) -> str | None:
        return self.post.get("description") or self.post.get("search_engine_description") or None

    @property
    def tags(self) -> list[str]:
        return [str(t["name"]) for t in self.post.get("postTags") or [] if isinstance(t, dict) and t.get("name")]

    @property
    def language(self) -> str | None:
        self.post  # noqa: B018 - a wrapped object names the publication's language
        return self._language or self.post.get("language")

    def _int(self, key: str) -> int | None:
        value = self.post.get(key)
        return value if isinstance(value, int) else None

    @property
    def links(self) -> list[str]:
        return self._converted.links if self._converted else []

    @property
    def images(self) -> list[Image]:
        return self._converted.images if self._converted else []

    def words(self) -> int:
        return len(normalise_text(self.content).split())

    def is_empty_podcast(self) -> bool:
        return self.type == "podcast" and self.words() < PODCAST_MIN_WORDS

    def to_item(self, author_full_name: str) -> Article:
        """The stored article of the post."""
        link, title, language = self.link, self.title, self.language
        kind = {"newsletter": "newsletter", "podcast": "podcast"}.get(self.type, "article")
        return Article(
            link=link, platform="substack", author_full_name=author_full_name, title=title or None,
            published_at=self.published_at, language=language, source_id=self.source_id,
            is_paywalled=self.is_paywalled, domain=domain_of(link, ""),
            byline=", ".join(str(b.get("name")) for b in self.bylines if b.get("name")) or None,
            description=self.description, tags=self.tags, kind=kind,  # type: ignore[arg-type]
            modified_at=self.modified_at.isoformat() if self.modified_at else None,
            extra={"audience": self.audience, "substack_type": self.type, "wordcount": self._int("wordcount"),
                   "publication_id": self._int("publication_id")},
            content=ArticleContent(Title=title, Subtitle=self.subtitle, Content=self.content, language=language or ""),
            links=self.links, images=[DocumentImage(**i) for i in self.images],
        )


def parse_post(data: Any, url: str, language: str | None = None) -> SubstackPostPage:
    """The post of a loaded ``post`` object, read (SubstackError when it is none)."""
    return SubstackPostPage(url, data=data, language=language).read()


HANDLE = re.compile(r"[A-Za-z0-9_-]{1,80}")
DOMAIN = re.compile(r"(?=.{4,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}")


def parse_handle(value: str) -> str:
    """``jane``, ``@jane``, ``substack.com/@jane`` or ``jane.substack.com`` -> ``jane``; a custom domain stays a
    domain (its publication is walked). Raises SubstackError with a one-line hint."""
    text = re.sub(r"^https?://", "", value.strip()).rstrip("/")
    host, _, path = text.partition("/")
    if host.lower() in ("substack.com", "www.substack.com") and path.startswith("@"):
        text = path.split("/")[0]
    elif host.lower().endswith(".substack.com"):
        text = host.split(".")[0]
    text = text.removeprefix("@")
    if HANDLE.fullmatch(text) or DOMAIN.fullmatch(text):
        return text.lower() if "." in text else text
    raise SubstackError(f"handle: {value[:80]!r} is not a Substack handle; give -a handle=<handle> (as in "
                        "substack.com/@handle), a publication subdomain, or a custom domain")


def byline_matches(bylines: list[dict[str, Any]], ids: set[int], handles: set[str], names: set[str]) -> bool:
    """True when the post is (co-)written by the author (no bylines: single-author publication, kept)."""
    if not bylines:
        return True
    for b in bylines:
        if b.get("id") in ids or str(b.get("handle") or "").lower() in handles or name_token(str(b.get("name") or "")) in names:
            return True
    return False


def name_token(name: str) -> str:
    """A name without case, emoji or punctuation (``Jakub Slys 🎖️`` == ``jakub slys``)."""
    return " ".join(re.findall(r"\w+", name.casefold()))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
