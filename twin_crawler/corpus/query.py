"""Which documents a corpus command looks at (author, platform, since), read lazily from every collection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from twin_crawler.items import PLATFORMS, name_key
from twin_crawler.warehouse import DOCUMENT_COLLECTIONS, Warehouse
from twin_crawler.warehouse.base import ITER_BATCH

# A repository document holds up to TWIN_GITHUB_MAX_REPO_BYTES (10 MB) of files: a handful per round trip.
BATCH_PER_COLLECTION = {"repositories": 4}


class SelectionError(ValueError):
    """Bad input to a corpus command (unknown author or platform, unreadable date): one line for the user."""


@dataclass(frozen=True)
class Selection:
    """The documents asked for; ``None`` fields do not filter."""

    author_id: str | None = None
    author_name: str | None = None
    platform: str | None = None
    since: datetime | None = None

    def where(self) -> dict[str, Any]:
        """The equality part, pushed down to the warehouse (``since`` is checked per document)."""
        where: dict[str, Any] = {}
        if self.author_id:
            where["author_id"] = self.author_id
        if self.platform:
            where["platform"] = self.platform
        return where

    def admits(self, doc: dict[str, Any]) -> bool:
        if self.since is None:
            return True
        published = doc.get("published_at")
        # Documents without a date cannot be shown to be recent enough: --since leaves them out.
        return isinstance(published, datetime) and published >= self.since


def parse_since(text: str) -> datetime:
    """``2024-05-01`` or an ISO-8601 time (``2024-05-01T12:00:00+02:00``); naive means UTC."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SelectionError(f"--since: {text!r} is not a date; use YYYY-MM-DD or an ISO-8601 time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def find_author(warehouse: Warehouse, name: str) -> dict[str, Any]:
    """The user called ``name`` (the same case/whitespace-insensitive identity the crawl uses)."""
    key = name_key(name)
    for user in warehouse.iter_documents("users"):
        if user.get("name_key") == key:
            return user
    known = sorted(str(u.get("full_name")) for u in warehouse.iter_documents("users"))
    hint = f"; known authors: {', '.join(known[:10])}" if known else "; the warehouse has no authors yet (run a crawl first)"
    raise SelectionError(f"--author: no author named {name!r}{hint}")


def select(warehouse: Warehouse, *, author: str | None = None, platform: str | None = None,
           since: str | None = None) -> Selection:
    """Check the user's filters against the warehouse; raise SelectionError with a one-line message."""
    if platform is not None and platform not in PLATFORMS:
        raise SelectionError(f"--platform: unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
    when = parse_since(since) if since is not None else None
    user = find_author(warehouse, author) if author is not None else None
    return Selection(
        author_id=user["_id"] if user else None,
        author_name=user.get("full_name") if user else None,
        platform=platform,
        since=when,
    )


def documents(warehouse: Warehouse, selection: Selection, *,
              batch_size: int = ITER_BATCH) -> Iterator[tuple[str, dict[str, Any]]]:
    """(collection, document) for every selected document of articles, posts and repositories, lazily."""
    for collection in DOCUMENT_COLLECTIONS:
        size = min(batch_size, BATCH_PER_COLLECTION.get(collection, batch_size))
        for doc in warehouse.iter_documents(collection, selection.where(), batch_size=size):
            if selection.admits(doc):
                yield collection, doc


def content_text(doc: dict[str, Any]) -> str:
    """The document's text: an article's ``Content``, a post's ``text``, a repository's files joined."""
    content = doc.get("content")
    if not isinstance(content, dict):
        return ""
    if "Content" in content:
        return str(content.get("Content") or "")
    if "text" in content and set(content) <= {"text", "image"}:
        return str(content.get("text") or "")
    return "\n".join(str(v) for v in content.values() if isinstance(v, str))


def word_count(doc: dict[str, Any]) -> int:
    return len(content_text(doc).split())
