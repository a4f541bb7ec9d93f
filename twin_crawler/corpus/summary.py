"""Per author and platform: documents, words, oldest/newest date, paywalled and blocked counts (one pass)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from twin_crawler.items import name_key
from twin_crawler.warehouse import Warehouse

from .query import Selection, documents, word_count


@dataclass
class PlatformSummary:
    """What the warehouse holds for one author on one platform."""

    documents: int = 0
    words: int = 0
    oldest: datetime | None = None
    newest: datetime | None = None
    paywalled: int = 0
    blocked: int = 0
    """Links blocked in the latest run that crawled this platform for the author (blocked pages are not stored)."""

    def add(self, doc: dict[str, Any]) -> None:
        self.documents += 1
        self.words += word_count(doc)
        self.paywalled += bool(doc.get("is_paywalled"))
        when = doc.get("published_at")
        if isinstance(when, datetime):
            self.oldest = when if self.oldest is None else min(self.oldest, when)
            self.newest = when if self.newest is None else max(self.newest, when)

    def merge(self, other: PlatformSummary) -> None:
        self.documents += other.documents
        self.words += other.words
        self.paywalled += other.paywalled
        self.blocked += other.blocked
        for when in (other.oldest, other.newest):
            if when is not None:
                self.oldest = when if self.oldest is None else min(self.oldest, when)
                self.newest = when if self.newest is None else max(self.newest, when)


Summary = dict[str, dict[str, PlatformSummary]]  # author full name -> platform -> summary


def summarise(warehouse: Warehouse, selection: Selection,
              observe: Callable[[str, dict[str, Any]], None] | None = None) -> Summary:
    """One pass over the selected documents; ``observe(collection, doc)`` sees each (the HTML report's rows)."""
    names = {u["_id"]: str(u.get("full_name")) for u in warehouse.iter_documents("users")}
    out: Summary = defaultdict(lambda: defaultdict(PlatformSummary))
    for collection, doc in documents(warehouse, selection):
        if observe is not None:
            observe(collection, doc)
        author = names.get(doc.get("author_id")) or str(doc.get("author_full_name") or "?")
        out[author][str(doc.get("platform"))].add(doc)
    for (author, platform), blocked in latest_blocked(warehouse).items():
        # An author whose every link was blocked has no document, and is exactly who should see this.
        if selection.author_name in (None, author) and selection.platform in (None, platform):
            out[author][platform].blocked = blocked
    return {a: dict(p) for a, p in out.items()}


def latest_blocked(warehouse: Warehouse) -> dict[tuple[str, str], int]:
    """(author, platform) -> blocked links in the newest run that had any link of that platform for the author."""
    latest: dict[tuple[str, str], tuple[datetime, int]] = {}
    authors: dict[str, str] = {}  # name key -> full name as stored on the user
    for user in warehouse.iter_documents("users"):
        authors[str(user.get("name_key"))] = str(user.get("full_name"))
    for run in warehouse.iter_documents("runs"):
        name, started = run.get("author_full_name"), run.get("started_at")
        if not name or not isinstance(started, datetime):
            continue
        author = authors.get(name_key(str(name)), str(name))
        per_platform: dict[str, int] = defaultdict(int)
        for row in run.get("rows") or []:
            per_platform[str(row.get("platform"))] += int(row.get("count") or 0) if row.get("state") == "blocked" else 0
        for platform, blocked in per_platform.items():
            key = (author, platform)
            if key not in latest or latest[key][0] < started:
                latest[key] = (started, blocked)
    return {key: blocked for key, (_, blocked) in latest.items() if blocked}
