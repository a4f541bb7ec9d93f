"""Substack: API JSON (public_profile, archive, posts) and post pages (``_preloads`` or DOM) -> articles.

The API ``post`` object is the one source of truth; a post page carries the same object in ``window._preloads``
(or, when scripts were stripped, the rendered ``div.available-content div.body.markup`` plus JSON-LD).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.text import normalise_text
from twin_crawler.urls import LinkError, canonicalize

from .html import (
    PageError,
    parse_datetime,
)
from .markdown import Image, strip_repeats
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


@dataclass
class SubstackPost:
    """The fields of a Substack ``post`` object that make an article."""

    id: int | None
    slug: str
    title: str
    subtitle: str
    link: str
    audience: str
    type: str
    markdown: str
    published_at: datetime | None = None
    modified_at: datetime | None = None
    bylines: list[dict[str, Any]] = field(default_factory=list)
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    wordcount: int | None = None
    publication_id: int | None = None
    links: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)

    @property
    def is_paywalled(self) -> bool:
        return self.audience != "everyone"

    def words(self) -> int:
        return len(normalise_text(self.markdown).split())

    def is_empty_podcast(self) -> bool:
        return self.type == "podcast" and self.words() < PODCAST_MIN_WORDS


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


def parse_post(data: Any, url: str, language: str | None = None) -> SubstackPost:
    """A ``post`` object (flat from ``/posts/{slug}``, wrapped ``{post: ...}`` from ``/posts/by-id``)."""
    if isinstance(data, dict) and isinstance(data.get("post"), dict):
        language = language or (data.get("publication") or {}).get("language")
        data = data["post"]
    if not isinstance(data, dict) or not data.get("slug"):
        raise SubstackError(f"{url}: not a Substack post object")
    body = data.get("body_html") or ""
    converted = body_to_markdown(body, url) if body.strip() else None
    title, subtitle = str(data.get("title") or "").strip(), str(data.get("subtitle") or "").strip()
    markdown = strip_repeats(converted.markdown, title, subtitle) if converted else ""
    if not markdown and data.get("audience", "everyone") != "everyone":
        markdown = str(data.get("truncated_body_text") or data.get("description") or "")  # the only preview there is
    return SubstackPost(
        id=int(data["id"]) if str(data.get("id") or "").isdigit() else None,
        slug=str(data["slug"]),
        title=title,
        subtitle=subtitle,
        link=summary_link(data, _origin(url)),
        audience=str(data.get("audience") or "everyone"),
        type=str(data.get("type") or "newsletter"),
        markdown=markdown,
        published_at=parse_datetime(data.get("post_date")),
        modified_at=parse_datetime(data.get("updated_at")),
        bylines=[b for b in data.get("publishedBylines") or [] if isinstance(b, dict)],
        description=(data.get("description") or data.get("search_engine_description") or None),
        tags=[str(t["name"]) for t in data.get("postTags") or [] if isinstance(t, dict) and t.get("name")],
        language=language or data.get("language"),
        wordcount=data.get("wordcount") if isinstance(data.get("wordcount"), int) else None,
        publication_id=data.get("publication_id") if isinstance(data.get("publication_id"), int) else None,
        links=converted.links if converted else [],
        images=converted.images if converted else [],
    )


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


def build_article(post: SubstackPost, author_full_name: str) -> Article:
    """The stored article of a post."""
    kind = {"newsletter": "newsletter", "podcast": "podcast"}.get(post.type, "article")
    return Article(
        link=post.link, platform="substack", author_full_name=author_full_name, title=post.title or None,
        published_at=post.published_at, language=post.language, source_id=str(post.id) if post.id else None,
        is_paywalled=post.is_paywalled, domain=(urlsplit(post.link).hostname or "").removeprefix("www."),
        byline=", ".join(str(b.get("name")) for b in post.bylines if b.get("name")) or None,
        description=post.description, tags=post.tags, kind=kind,  # type: ignore[arg-type]
        modified_at=post.modified_at.isoformat() if post.modified_at else None,
        extra={"audience": post.audience, "substack_type": post.type, "wordcount": post.wordcount,
               "publication_id": post.publication_id},
        content=ArticleContent(Title=post.title, Subtitle=post.subtitle, Content=post.markdown, language=post.language or ""),
        links=post.links, images=[DocumentImage(**i) for i in post.images],
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
