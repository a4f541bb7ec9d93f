"""What the HTML report shows for one author, gathered in one pass over the documents."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from twin_crawler.extensions.deadletter import COLLECTION as DEAD_LETTERS
from twin_crawler.items import name_key
from twin_crawler.warehouse import Warehouse

from .query import Selection, word_count
from .summary import PlatformSummary, summarise

RUNS_SHOWN = 10


@dataclass(frozen=True)
class DocRow:
    """One line of the documents list (the content itself stays in the warehouse)."""

    title: str
    link: str
    published_at: datetime | None
    platform: str
    collection: str
    words: int
    flags: tuple[str, ...]


@dataclass
class ReportData:
    """Everything on the page."""

    author: str
    location: str
    platforms: dict[str, PlatformSummary]
    per_month: Counter[tuple[str, str]] = field(default_factory=Counter)
    rows: list[DocRow] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def flags(collection: str, doc: dict[str, Any]) -> tuple[str, ...]:
    """State flags worth seeing next to a title: paywalled, a Medium response, cross-posted, skipped files."""
    out = []
    if doc.get("is_paywalled"):
        out.append("paywalled")
    if doc.get("kind") not in (None, "article"):
        out.append(str(doc["kind"]))
    if doc.get("also_published_at"):
        out.append(f"cross-posted ×{len(doc['also_published_at'])}")
    if collection == "repositories" and doc.get("skipped"):
        out.append(f"{len(doc['skipped'])} file(s) skipped")
    return tuple(out)


def row(collection: str, doc: dict[str, Any]) -> DocRow:
    when = doc.get("published_at")
    title = doc.get("title") or doc.get("name") or (doc.get("content") or {}).get("Title") or doc.get("link")
    return DocRow(
        title=str(title), link=str(doc.get("link")), published_at=when if isinstance(when, datetime) else None,
        platform=str(doc.get("platform")), collection=collection, words=word_count(doc), flags=flags(collection, doc),
    )


def _by_author(warehouse: Warehouse, collection: str, field_name: str, author: str) -> list[dict[str, Any]]:
    key = name_key(author)
    return [d for d in warehouse.iter_documents(collection) if d.get(field_name) and name_key(str(d[field_name])) == key]


def collect(warehouse: Warehouse, selection: Selection) -> ReportData:
    """Summary, monthly counts and rows (newest first) of the selected author, plus their runs and dead letters.

    The rows are kept in memory to sort them by date: a few hundred bytes per document (never the content), so a
    100k-document author costs tens of MB here, unlike ``twin-export``, which streams.
    """
    assert selection.author_name is not None
    rows: list[DocRow] = []
    per_month: Counter[tuple[str, str]] = Counter()

    def observe(collection: str, doc: dict[str, Any]) -> None:
        r = row(collection, doc)
        rows.append(r)
        if r.published_at is not None:
            per_month[(r.published_at.strftime("%Y-%m"), r.platform)] += 1

    summary = summarise(warehouse, selection, observe)
    rows.sort(key=lambda r: (r.published_at or datetime.min.replace(tzinfo=UTC), r.link), reverse=True)
    runs = _by_author(warehouse, "runs", "author_full_name", selection.author_name)
    return ReportData(
        author=selection.author_name,
        location=warehouse.location,
        platforms=summary.get(selection.author_name, {}),
        per_month=per_month,
        rows=rows,
        runs=heapq.nlargest(RUNS_SHOWN, runs, key=lambda r: str(r.get("started_at"))),
        dead_letters=sorted(_by_author(warehouse, DEAD_LETTERS, "author", selection.author_name),
                            key=lambda d: str(d.get("time")), reverse=True),
    )
