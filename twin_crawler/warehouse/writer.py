"""Batched, off-reactor writes: upserts grouped per collection, flushed when full, on a timer, and on close."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .base import Outcome, Warehouse, WarehouseUnavailable
from .journal import Journal, write_entries

OutcomeCallback = Callable[[str, Outcome], None]


@dataclass
class _Batch:
    docs: list[dict[str, Any]] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)
    replace: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (key, record): dead letters


class BatchWriter:
    """Collects documents and cross-post links; ``flush()`` writes them (blocking: call it from a thread).

    Cross-post links are applied after the documents of the same flush, so a link recorded against a document
    that is still in the batch is never lost.
    """

    def __init__(self, warehouse: Warehouse, batch_size: int, on_outcome: OutcomeCallback,
                 journal: Journal | None = None) -> None:
        self.journal = journal  # where batches wait while the warehouse is unreachable (warehouse/journal.py)
        self.warehouse = warehouse
        self.batch_size = max(1, batch_size)
        self.on_outcome = on_outcome
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self.closed = False  # set once the pipeline has drained it: later writes must take another path

    def add(self, collection: str, doc: dict[str, Any]) -> bool:
        """Queue ``doc``; True when the batch is full and should be flushed."""
        with self._lock:
            batch = self._batches.setdefault(collection, _Batch())
            batch.docs.append(doc)
            return len(batch.docs) >= self.batch_size

    def add_also_published(self, collection: str, link: str, other: str) -> None:
        with self._lock:
            self._batches.setdefault(collection, _Batch()).also.append((link, other))

    def add_replace(self, collection: str, key: dict[str, Any], record: dict[str, Any]) -> None:
        """Queue a keyed record (a dead letter): written with the documents, journaled with them in an outage."""
        with self._lock:
            self._batches.setdefault(collection, _Batch()).replace.append((key, record))

    def pending(self) -> int:
        with self._lock:
            queued = sum(len(b.docs) + len(b.also) + len(b.replace) for b in self._batches.values())
        return queued + (self.journal.pending() if self.journal is not None else 0)

    def flush(self) -> int:
        """Write everything queued; returns the number of documents written. Raises on warehouse errors,
        leaving the failed batch queued again (nothing is lost)."""
        with self._flush_lock:
            with self._lock:
                batches, self._batches = self._batches, {}
            written = self._replay_journal(batches)
            try:
                for collection in list(batches):
                    batch = batches[collection]
                    outcomes = self.warehouse.upsert_many(collection, batch.docs)
                    for doc, outcome in zip(batch.docs, outcomes, strict=True):
                        self.on_outcome(doc["link"], outcome)
                    written += len(batch.docs)
                    batch.docs = []
                    for link, other in batch.also:
                        self.warehouse.add_to_set(collection, link, "also_published_at", other)
                    batch.also = []
                    for key, record in batch.replace:
                        self.warehouse.replace(collection, key, record)
                    del batches[collection]
            except WarehouseUnavailable:
                if self.journal is None:
                    self._requeue(batches)
                    raise
                # On disk before it leaves memory; the next flush replays it ahead of new batches.
                self.journal.append([e for c, b in batches.items() for e in _entries(c, b)])
                raise
            except BaseException:
                self._requeue(batches)
                raise
            return written

    def _replay_journal(self, batches: dict[str, _Batch]) -> int:
        """Write journaled batches first (an older version must never overwrite a newer one); while the
        warehouse is still away, the batches just taken from memory join the journal."""
        if self.journal is None or not self.journal.pending():
            return 0
        try:
            written = write_entries(self.warehouse, self.journal.entries(), self.on_outcome)
        except WarehouseUnavailable:
            self.journal.append([e for c, b in batches.items() for e in _entries(c, b)])
            raise
        except BaseException:
            self._requeue(batches)
            raise
        self.journal.clear()
        return written

    def _requeue(self, batches: dict[str, _Batch]) -> None:
        with self._lock:
            for collection, batch in batches.items():
                current = self._batches.setdefault(collection, _Batch())
                current.docs[:0] = batch.docs
                current.also[:0] = batch.also
                current.replace[:0] = batch.replace


def _entries(collection: str, batch: _Batch) -> list[dict[str, Any]]:
    """Journal entries for one batch: its documents, then its cross-post links, then its keyed records."""
    return [*({"c": collection, "doc": d} for d in batch.docs), *({"c": collection, "also": list(a)} for a in batch.also),
            *({"c": collection, "replace": [k, r]} for k, r in batch.replace)]
