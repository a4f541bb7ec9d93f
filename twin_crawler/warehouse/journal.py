"""The local journal: writes that could not reach the warehouse wait on disk until it is back.

When a flush fails with ``WarehouseUnavailable`` the batch writer appends the batch here (fsync'd JSON lines)
instead of holding it in memory, and every later flush first replays the journal. The crawl keeps going; at the
end it waits up to ``TWIN_WAREHOUSE_OUTAGE_WAIT`` seconds for the warehouse, and whatever is still journaled
after that is written by ``scrapy twin-journal replay`` (or by hand, once the warehouse answers).

Nothing is lost: a batch leaves memory only once it is on disk. Nothing is duplicated: replays are upserts
keyed on ``link`` (a batch half-written before the outage comes back as ``unchanged``).

One file per crawl process (``<TWIN_DATA_DIR>/journal/journal-<pid>-<ms>.jsonl``), held under an exclusive
``flock`` while the crawl runs, so that a replay never races a live crawl for the same file.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import IO, Any

from bson import json_util

from twin_crawler.settings_env import setting_or_env

from .base import Outcome, Warehouse, WarehouseUnavailable

logger = logging.getLogger(__name__)
# Dates must come back as aware UTC datetimes, exactly as the item pipeline produced them.
_JSON = json_util.JSONOptions(json_mode=json_util.JSONMode.RELAXED, tz_aware=True, tzinfo=UTC)
Entry = dict[str, Any]


def journal_dir(settings: Any = None) -> Path:
    """``<TWIN_DATA_DIR>/journal`` (``-s`` > environment > settings module, like the embedded warehouse)."""
    data_dir = setting_or_env(settings, "TWIN_DATA_DIR")
    return Path(data_dir or "data") / "journal"


class Journal:
    """This process's journal file; created on the first append only."""

    def __init__(self, directory: Path, path: Path | None = None) -> None:
        self.directory = directory
        # ``path``: append to a journal this process closed earlier (the run report joins the crawl's writes).
        self.path = path or directory / f"journal-{os.getpid()}-{int(time.time() * 1000)}.jsonl"
        self._fh: IO[str] | None = None
        self._count = 0

    def append(self, entries: list[Entry]) -> None:
        """Add ``{"c": collection, "doc": {...}}`` / ``{"c": collection, "also": [link, other]}`` /
        ``{"c": collection, "replace": [key, record]}`` / ``{"c": collection, "insert": record}`` entries, durably."""
        if self._fh is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a+", encoding="utf-8")
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fh.write("".join(json_util.dumps(e, json_options=_JSON) + "\n" for e in entries))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._count += len(entries)

    def pending(self) -> int:
        return self._count

    def entries(self) -> list[Entry]:
        if self._fh is None:
            return []
        self._fh.seek(0)
        return list(_decode(self._fh))

    def clear(self) -> None:
        """Everything journaled is in the warehouse: empty the file (kept open and locked for later outages)."""
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.flush()
            os.fsync(self._fh.fileno())
        self._count = 0

    def close(self) -> None:
        """Release the file; an empty journal is deleted, a non-empty one stays for ``twin-journal replay``."""
        if self._fh is None:
            return
        empty = self._count == 0
        if empty:
            self.path.unlink(missing_ok=True)
        self._fh.close()
        self._fh = None
        if not empty:
            logger.warning("%d warehouse write(s) kept in %s: run `scrapy twin-journal replay` once the warehouse "
                           "is reachable", self._count, self.path)


def _decode(lines: Any) -> Iterator[Entry]:
    for line in lines:
        if line.strip():
            try:
                yield json_util.loads(line, json_options=_JSON)
            except (ValueError, json.JSONDecodeError):
                # Only the last line can be torn (a crash mid-append); its batch is still in the crawl's
                # JOBDIR/refetch path, so skipping it loses nothing that was acknowledged.
                logger.warning("skipping an unreadable journal line")


def write_entries(warehouse: Warehouse, entries: list[Entry], on_outcome: Callable[[str, Outcome], None]) -> int:
    """Upsert journaled documents (per collection, in order), then their cross-post links, then keyed records
    (dead letters: replaced on their key) and inserts (run reports); returns documents."""
    by_collection: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if "doc" in entry:
            by_collection.setdefault(entry["c"], []).append(entry["doc"])
    for collection, docs in by_collection.items():
        for doc, outcome in zip(docs, warehouse.upsert_many(collection, docs), strict=True):
            on_outcome(doc["link"], outcome)
    for entry in entries:
        if "also" in entry:
            warehouse.add_to_set(entry["c"], entry["also"][0], "also_published_at", entry["also"][1])
        elif "replace" in entry:
            warehouse.replace(entry["c"], entry["replace"][0], entry["replace"][1])
        elif "insert" in entry:
            warehouse.insert(entry["c"], entry["insert"])
    return sum(len(d) for d in by_collection.values())


def replay_directory(directory: Path, warehouse: Warehouse) -> tuple[int, list[str]]:
    """Write every journal in ``directory`` not locked by a running crawl; returns (documents, files skipped)."""
    written, busy = 0, []
    for path in sorted(directory.glob("journal-*.jsonl")):
        with path.open("r+", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy.append(path.name)
                continue
            written += write_entries(warehouse, list(_decode(fh)), lambda link, outcome: None)
            path.unlink()
    return written, busy


def drain(flush: Callable[[], int], pending: Callable[[], int], wait: float, interval: float = 2.0) -> bool:
    """At the end of a crawl: keep flushing until nothing is pending or ``wait`` seconds passed (blocking)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            flush()
            if not pending():
                return True
        except WarehouseUnavailable as exc:
            if time.monotonic() >= deadline:
                logger.error("warehouse still unreachable after waiting %.0fs: %s", wait, exc)
                return False
            logger.warning("warehouse unreachable, waiting for it (%s)", exc)
        time.sleep(interval)
