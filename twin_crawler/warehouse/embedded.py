"""Embedded file warehouse: one SQLite file, the same upsert semantics as the MongoDB backend."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from .base import (
    INSERT_ONLY_FIELDS,
    ITER_BATCH,
    LINKS_PER_QUERY,
    Outcome,
    Warehouse,
    WarehouseUnavailable,
    new_id,
    prepare_documents,
    utcnow,
)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return datetime.fromisoformat(value["$date"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class EmbeddedWarehouse(Warehouse):
    """Documents as JSON rows in SQLite; ``(collection, link)`` unique like MongoDB's ``link`` index."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.description = f"embedded warehouse {self.path}"
        self.location = f"SQLite {self.path.resolve()}"
        self._lock = threading.Lock()
        # What this open creates (the file, missing parent directories): a refused run removes it again.
        self.created = [p for p in (self.path, *self.path.parents) if not p.exists()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            # 64 MB of page cache (default 2 MB): the link index of a 100,000-document warehouse stays in memory, so
            # upserting into it costs what it costs into an empty one (wall 1.31 -> 1.0x, benchmarks measurement 12).
            self._db.execute("PRAGMA cache_size=-65536")
        except (OSError, sqlite3.Error) as exc:
            raise WarehouseUnavailable(f"cannot open {self.description}: {exc}") from None
        self.ensure_indexes()

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise WarehouseUnavailable(f"{self.description}: {exc}") from None

    def ensure_indexes(self) -> None:
        with self._lock:
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS docs (
                    collection TEXT NOT NULL, id TEXT NOT NULL, link TEXT, name_key TEXT, body TEXT NOT NULL,
                    PRIMARY KEY (collection, id));
                CREATE UNIQUE INDEX IF NOT EXISTS docs_link ON docs (collection, link);
                CREATE UNIQUE INDEX IF NOT EXISTS docs_name_key ON docs (collection, name_key);
                """
            )

    def _rows(self, collection: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM docs WHERE collection = ? ORDER BY rowid", (collection,))
            return [_decode(json.loads(body)) for (body,) in rows.fetchall()]

    def _write(self, collection: str, doc: dict[str, Any], *, replace: bool) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        self._db.execute(
            f"{verb} INTO docs (collection, id, link, name_key, body) VALUES (?, ?, ?, ?, ?)",
            (collection, doc["_id"], doc.get("link"), doc.get("name_key"), json.dumps(_encode(doc))),
        )

    def upsert_many(self, collection: str, docs: list[dict[str, Any]]) -> list[Outcome]:
        now = utcnow()
        outcomes = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for doc in prepare_documents(docs, now):
                    outcomes.append(self._upsert_one(collection, doc, now))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return outcomes

    def _upsert_one(self, collection: str, doc: dict[str, Any], now: datetime) -> Outcome:
        row = self._db.execute(
            "SELECT body FROM docs WHERE collection = ? AND link = ?", (collection, doc["link"])
        ).fetchone()
        if row is None:
            new = {"_id": new_id(), "first_seen_at": now, "also_published_at": [], **doc}
            self._write(collection, new, replace=False)
            return Outcome.NEW
        old = _decode(json.loads(row[0]))
        if old.get("doc_hash") == doc["doc_hash"]:
            return Outcome.UNCHANGED
        merged = {**old, **{k: v for k, v in doc.items() if k not in INSERT_ONLY_FIELDS}}
        self._write(collection, merged, replace=True)
        return Outcome.UPDATED

    def find(self, collection: str, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        where = where or {}
        if set(where) == {"link"}:
            with self._lock:
                row = self._db.execute(
                    "SELECT body FROM docs WHERE collection = ? AND link = ?", (collection, where["link"])
                ).fetchone()
            return [_decode(json.loads(row[0]))] if row else []
        return [d for d in self._rows(collection) if all(d.get(k) == v for k, v in where.items())]

    def find_by_links(self, collection: str, links: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(links))
        with self._lock:
            for start in range(0, len(unique), LINKS_PER_QUERY):  # through the (collection, link) index
                chunk = unique[start : start + LINKS_PER_QUERY]
                rows = self._db.execute(
                    f"SELECT link, body FROM docs WHERE collection = ? AND link IN ({', '.join('?' * len(chunk))})",
                    (collection, *chunk),
                ).fetchall()
                found.update((link, _decode(json.loads(body))) for link, body in rows)
        return found

    def set_by_links(self, collection: str, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one transaction (one WAL sync) for the batch, not one per link
            try:
                for doc in docs:
                    row = self._db.execute(
                        "SELECT body FROM docs WHERE collection = ? AND link = ?", (collection, doc["link"])
                    ).fetchone()
                    fields = {k: v for k, v in doc.items() if k != "_id"}
                    merged = {**_decode(json.loads(row[0])), **fields} if row else {"_id": new_id(), **fields}
                    self._write(collection, merged, replace=True)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def iter_documents(
        self, collection: str, where: Mapping[str, Any] | None = None, *, batch_size: int = ITER_BATCH
    ) -> Iterator[dict[str, Any]]:
        where = dict(where or {})
        sql, params = _select(collection, where, "body")
        # A read-only connection of its own: WAL gives it a snapshot, and the writer's lock is not held while the
        # caller consumes documents (an export of 100k documents must not stall a crawl sharing the file).
        reader = sqlite3.connect(f"file:{pathname2url(str(self.path.resolve()))}?mode=ro", uri=True)
        try:
            cursor = reader.execute(sql + " ORDER BY rowid", params)
            while rows := cursor.fetchmany(batch_size):
                for (body,) in rows:
                    doc = _decode(json.loads(body))
                    if all(doc.get(k) == v for k, v in where.items()):
                        yield doc
        except sqlite3.Error as exc:
            raise WarehouseUnavailable(f"{self.description}: {exc}") from None
        finally:
            reader.close()

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        where = dict(where or {})
        if any(not isinstance(v, str) for v in where.values()):
            return sum(1 for _ in self.iter_documents(collection, where))
        sql, params = _select(collection, where, "COUNT(*)")
        with self._lock:
            return int(self._db.execute(sql, params).fetchone()[0])

    def add_to_set(self, collection: str, link: str, field: str, value: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT body FROM docs WHERE collection = ? AND link = ?", (collection, link)
                ).fetchone()
                if row is not None:
                    doc = _decode(json.loads(row[0]))
                    values = list(doc.get(field) or [])
                    if value not in values:
                        doc[field] = [*values, value]
                        self._write(collection, doc, replace=True)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _find_user(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM docs WHERE collection = 'users' AND name_key = ?", (key,)
            ).fetchone()
        return _decode(json.loads(row[0])) if row else None

    def _insert_user(self, user: dict[str, Any]) -> None:
        with self._lock:
            try:
                self._write("users", user, replace=False)
            except sqlite3.IntegrityError:
                pass  # created meanwhile by another process: the caller reads it back

    def set_user_handle(self, user_id: str, platform: str, handle: str) -> None:
        with self._lock:
            row = self._db.execute("SELECT body FROM docs WHERE collection = 'users' AND id = ?", (user_id,)).fetchone()
            if row is None:
                return
            user = _decode(json.loads(row[0]))
            user.setdefault("handles", {})[platform] = handle
            self._write("users", user, replace=True)

    def insert(self, collection: str, doc: dict[str, Any]) -> None:
        with self._lock:
            self._write(collection, {"_id": new_id(), **doc}, replace=False)

    def replace(self, collection: str, key: Mapping[str, Any], doc: dict[str, Any]) -> None:
        existing = self.find(collection, key)
        doc_id = existing[0]["_id"] if existing else doc.get("_id", new_id())
        with self._lock:
            self._write(collection, {**doc, "_id": doc_id}, replace=True)

    def delete(self, collection: str, key: Mapping[str, Any]) -> None:
        ids = [d["_id"] for d in self.find(collection, key)]
        with self._lock:
            self._db.executemany("DELETE FROM docs WHERE collection = ? AND id = ?", [(collection, i) for i in ids])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def discard(self) -> None:
        """Close, and remove the file (and directories) this open created: a refused run leaves no empty twin.db."""
        self.close()
        if self.path not in self.created:
            return  # an existing warehouse: never removed
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        for directory in self.created[1:]:
            try:
                directory.rmdir()
            except OSError:  # not empty (something else wrote there meanwhile): left alone
                break


def _select(collection: str, where: Mapping[str, Any], columns: str) -> tuple[str, list[Any]]:
    """SQL narrowing ``where``'s string fields in SQLite (exact for strings); callers re-check other types."""
    clauses, params = ["collection = ?"], [collection]
    for key, value in where.items():
        if isinstance(value, str):
            clauses.append("json_extract(body, ?) = ?")
            params += [f'$."{key}"', value]
    return f"SELECT {columns} FROM docs WHERE {' AND '.join(clauses)}", params
