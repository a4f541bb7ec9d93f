"""MongoDB backend through pymongo (tested against nx-27017 and, when given, a real MongoDB)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from pymongo import InsertOne, MongoClient, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from twin_crawler.secrets import redact_uri, scrub

from .base import (
    DATABASE,
    DOCUMENT_COLLECTIONS,
    INSERT_ONLY_FIELDS,
    ITER_BATCH,
    LINKS_PER_QUERY,
    Outcome,
    Warehouse,
    WarehouseError,
    WarehouseUnavailable,
    new_id,
    prepare_documents,
    utcnow,
)

DUPLICATE_KEY = 11000
DATE_FIELDS = frozenset({"published_at", "first_seen_at", "last_crawled_at", "created_at", "started_at", "finished_at"})
_NX_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?")


def _restore_dates(doc: dict[str, Any]) -> dict[str, Any]:
    """nx-27017 stores a top-level datetime written by ``$set`` on an *update* as a naive string; real MongoDB keeps
    a BSON date. Reading it back as an aware UTC datetime makes both servers return the same documents."""
    for key in DATE_FIELDS.intersection(doc):
        value = doc[key]
        if isinstance(value, str) and _NX_DATE.fullmatch(value):
            doc[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return doc


def mongo_location(uri: str, database: str) -> str:
    """``MongoDB host:port/database`` from a URI: no user, no password, no query options (they may hold secrets)."""
    hosts = uri.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    return f"MongoDB {hosts or 'localhost'}/{database}"


def uri_option_names(uri: str) -> set[str]:
    """The (lower-cased) names of the options in a MongoDB URI's query string (read without resolving anything)."""
    query = uri.split("?", 1)[1] if "?" in uri else ""
    return {name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)}


class MongoWarehouse(Warehouse):
    """Documents in MongoDB database ``twin`` (collections ``users``, ``articles``, ``posts``, ``repositories``)."""

    def __init__(self, uri: str, *, database: str = DATABASE, timeout_ms: int = 5000) -> None:
        self.description = f"MongoDB at {redact_uri(uri)}"
        self.location = mongo_location(uri, database)
        # pymongo lets a keyword beat the URI: the timeouts are defaults only, a URI's own ``serverSelectionTimeoutMS``
        # or ``connectTimeoutMS`` (``?serverSelectionTimeoutMS=1500``) is the user's choice and is kept.
        given = uri_option_names(uri)
        timeouts: dict[str, Any] = {name: timeout_ms for name in ("serverSelectionTimeoutMS", "connectTimeoutMS") if name.lower() not in given}
        try:
            self._client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True, uuidRepresentation="standard", **timeouts)
        except (PyMongoError, ValueError) as exc:
            raise WarehouseUnavailable(f"invalid TWIN_MONGODB_URI {redact_uri(uri)}: {scrub(str(exc))}") from None
        self._db = self._client[database]
        self.ping()
        self.ensure_indexes()

    def ping(self) -> None:
        try:
            self._db.command("ping")
        except PyMongoError as exc:
            raise WarehouseUnavailable(f"{self.description} is unreachable ({type(exc).__name__})") from None
        except (KeyError, TypeError, ValueError) as exc:
            # A server that garbles the auth handshake (nx-27017 given credentials: KeyError 'payload') is as
            # unusable as an absent one; without this the preflight prints a traceback.
            raise WarehouseUnavailable(f"{self.description} did not accept the connection ({type(exc).__name__})") from None

    def ensure_indexes(self) -> None:
        try:
            for name in DOCUMENT_COLLECTIONS:
                self._db[name].create_index("link", unique=True, name="link_unique")
                self._db[name].create_index("author_id", name="author")
            self._db["users"].create_index("name_key", unique=True, name="name_key_unique")
            # The incremental crawl log is read and replaced per link (middlewares/incremental.py): by index.
            self._db["crawl_log"].create_index("link", unique=True, name="crawl_log_link_unique")
            self._db["dead_letters"].create_index("link", name="dead_letters_link")
        except PyMongoError as exc:
            raise WarehouseError(f"{self.description}: cannot create indexes: {scrub(str(exc))}") from None

    def upsert_many(self, collection: str, docs: list[dict[str, Any]]) -> list[Outcome]:
        if not docs:
            return []
        now = utcnow()
        prepared = prepare_documents(docs, now)
        # Insert first: a link seen for the first time (all of a first crawl) costs a plain insert. Links that
        # exist collide on the unique index and take the upsert below, whose outcome is exactly as before. Why:
        # servers without index-backed updates (nx-27017 scans the collection per update) made every upsert
        # O(collection size), a 20,000-document crawl O(n²) (benchmarks/RESULTS.md, measurement 4).
        outcomes = [Outcome.NEW] * len(prepared)
        existing = self._insert_new(collection, prepared, now)
        if existing:
            upserted = self._upsert_existing(collection, [prepared[i] for i in existing], now)
            for i, outcome in zip(existing, upserted, strict=True):
                outcomes[i] = outcome
        return outcomes

    def _insert_new(self, collection: str, prepared: list[dict[str, Any]], now: Any) -> list[int]:
        """Insert each document as new; the positions of those whose link already exists (not inserted)."""
        try:
            self._db[collection].bulk_write([InsertOne(self._new_doc(doc, now)) for doc in prepared], ordered=False)
        except BulkWriteError as exc:
            collided = []
            for error in exc.details.get("writeErrors", []):
                if error.get("code") != DUPLICATE_KEY:
                    raise WarehouseError(f"{self.description}: write failed: {scrub(error.get('errmsg', ''))}") from None
                collided.append(error["index"])
            return sorted(collided)
        except PyMongoError as exc:
            raise WarehouseUnavailable(f"{self.description}: {type(exc).__name__}") from None
        return []

    @staticmethod
    def _new_doc(doc: dict[str, Any], now: Any) -> dict[str, Any]:
        """What the upsert below inserts for a new link (``link`` + ``$set`` + ``$setOnInsert``)."""
        fields = {k: v for k, v in doc.items() if k not in INSERT_ONLY_FIELDS}
        return {"_id": new_id(), **fields, "first_seen_at": now, "also_published_at": doc.get("also_published_at", [])}

    def _upsert_existing(self, collection: str, prepared: list[dict[str, Any]], now: Any) -> list[Outcome]:
        ops = [self._upsert_op(doc, now) for doc in prepared]
        outcomes = [Outcome.UPDATED] * len(ops)
        try:
            result = self._db[collection].bulk_write(ops, ordered=False)
            details: Mapping[str, Any] = result.bulk_api_result
        except BulkWriteError as exc:
            details = exc.details
            for error in details.get("writeErrors", []):
                if error.get("code") != DUPLICATE_KEY:
                    raise WarehouseError(f"{self.description}: write failed: {scrub(error.get('errmsg', ''))}") from None
                # The filter excludes documents whose doc_hash is unchanged, so the upsert collides with the
                # existing link: that collision *is* the "unchanged" answer, in the same round trip.
                outcomes[error["index"]] = Outcome.UNCHANGED
        except PyMongoError as exc:
            raise WarehouseUnavailable(f"{self.description}: {type(exc).__name__}") from None
        for upserted in details.get("upserted", []):
            outcomes[upserted["index"]] = Outcome.NEW
        return outcomes

    @staticmethod
    def _upsert_op(doc: dict[str, Any], now: Any) -> UpdateOne:
        fields = {k: v for k, v in doc.items() if k not in INSERT_ONLY_FIELDS and k != "link"}
        on_insert = {"_id": new_id(), "first_seen_at": now, "also_published_at": doc.get("also_published_at", [])}
        return UpdateOne(
            {"link": doc["link"], "doc_hash": {"$ne": doc["doc_hash"]}},
            {"$set": fields, "$setOnInsert": on_insert},
            upsert=True,
        )

    def find(self, collection: str, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            return [_restore_dates(d) for d in self._db[collection].find(dict(where or {})).sort("_id", 1)]
        except PyMongoError as exc:
            raise WarehouseUnavailable(f"{self.description}: {type(exc).__name__}") from None

    def find_by_links(self, collection: str, links: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(links))
        with self._available():
            for start in range(0, len(unique), LINKS_PER_QUERY):  # $in through the unique link index
                for doc in self._db[collection].find({"link": {"$in": unique[start : start + LINKS_PER_QUERY]}}):
                    found[doc["link"]] = _restore_dates(doc)
        return found

    def set_by_links(self, collection: str, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        ops = [UpdateOne({"link": doc["link"]}, {"$set": {k: v for k, v in doc.items() if k not in ("_id", "link")},
                                                "$setOnInsert": {"_id": new_id()}}, upsert=True) for doc in docs]
        with self._available():
            self._db[collection].bulk_write(ops, ordered=True)  # in order: a link given twice ends as its last

    def iter_documents(
        self, collection: str, where: Mapping[str, Any] | None = None, *, batch_size: int = ITER_BATCH
    ) -> Iterator[dict[str, Any]]:
        # No sort: a sorted cursor may make the server buffer the whole result; natural order streams.
        with self._available():
            cursor = self._db[collection].find(dict(where or {}), batch_size=batch_size)
            try:
                for doc in cursor:
                    yield _restore_dates(doc)
            finally:
                cursor.close()

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        with self._available():
            return int(self._db[collection].count_documents(dict(where or {})))

    def add_to_set(self, collection: str, link: str, field: str, value: str) -> None:
        try:
            self._db[collection].update_one({"link": link}, {"$addToSet": {field: value}})
        except PyMongoError as exc:  # unavailable, like upsert_many: the batch writer journals it
            raise WarehouseUnavailable(f"{self.description}: {type(exc).__name__}") from None

    def _find_user(self, key: str) -> dict[str, Any] | None:
        found = self._db["users"].find_one({"name_key": key})
        return _restore_dates(found) if found else None

    def _insert_user(self, user: dict[str, Any]) -> None:
        try:
            self._db["users"].insert_one(user)
        except DuplicateKeyError:
            pass  # created meanwhile by another worker: the caller reads it back
        except PyMongoError as exc:
            raise WarehouseUnavailable(f"{self.description}: {type(exc).__name__}") from None

    def set_user_handle(self, user_id: str, platform: str, handle: str) -> None:
        with self._available():  # called mid-crawl once discovery answered: an outage is a WarehouseError
            self._db["users"].update_one({"_id": user_id}, {"$set": {f"handles.{platform}": handle}})

    def insert(self, collection: str, doc: dict[str, Any]) -> None:
        with self._available():
            self._db[collection].insert_one({"_id": new_id(), **doc})

    def replace(self, collection: str, key: Mapping[str, Any], doc: dict[str, Any]) -> None:
        with self._available():
            existing = self._db[collection].find_one(dict(key), {"_id": 1})
            doc_id = existing["_id"] if existing else doc.get("_id", new_id())
            self._db[collection].replace_one({"_id": doc_id}, {**doc, "_id": doc_id}, upsert=True)

    def delete(self, collection: str, key: Mapping[str, Any]) -> None:
        with self._available():
            self._db[collection].delete_many(dict(key))

    @contextmanager
    def _available(self) -> Iterator[None]:
        """PyMongoError -> WarehouseUnavailable (one line, no credentials), as every other method raises."""
        try:
            yield
        except PyMongoError as exc:
            raise WarehouseUnavailable(f"{self.description}: {type(exc).__name__}") from None

    def close(self) -> None:
        self._client.close()

