"""The storage boundary: one small interface, two backends (embedded file, MongoDB)."""

from __future__ import annotations

import hashlib
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from twin_crawler.items import name_key, normalise_name, split_full_name

DATABASE = "twin"
DOCUMENT_COLLECTIONS = ("articles", "posts", "repositories")
# Fields the warehouse owns: never overwritten from an item on update.
INSERT_ONLY_FIELDS = ("_id", "first_seen_at", "also_published_at")
# Fields that do not count as a change of the document.
VOLATILE_FIELDS = frozenset({"_id", "first_seen_at", "last_crawled_at", "doc_hash", "also_published_at", "author_id"})
# Documents read per round trip by ``iter_documents``: memory stays bounded by one batch, whatever the corpus size
# (100 articles are a few MB; callers reading repositories, up to 10 MB each, ask for smaller batches).
ITER_BATCH = 100


class WarehouseError(Exception):
    """A warehouse problem with a one-line, credential-free message."""


class WarehouseUnavailable(WarehouseError):
    """The warehouse cannot be reached."""


class Outcome(StrEnum):
    """What an upsert did."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def utcnow() -> datetime:
    # MongoDB keeps milliseconds; truncating here makes both backends return identical values.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_id() -> str:
    return str(uuid.uuid4())


LINKS_PER_QUERY = 500  # links named in one find_by_links query (SQLite allows 32,766 variables; MongoDB any)


def doc_hash(doc: Mapping[str, Any]) -> str:
    """Hash of everything an item says about a document: equal hash means nothing to write."""
    payload = {k: v for k, v in doc.items() if k not in VOLATILE_FIELDS}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def new_user(full_name: str) -> dict[str, Any]:
    name = normalise_name(full_name)
    first, last = split_full_name(name)
    return {
        "_id": new_id(),
        "full_name": name,
        "name_key": name_key(name),
        "first_name": first,
        "last_name": last,
        "handles": {},
        "created_at": utcnow(),
    }


class Warehouse(ABC):
    """Upserts documents keyed by ``link``; everything else the crawler stores goes through here too."""

    description: str = "warehouse"
    location: str = "warehouse"
    """Where the data lives, for people (SQLite path, or MongoDB host/database); never carries credentials."""

    @abstractmethod
    def ping(self) -> None:
        """Raise WarehouseUnavailable unless the store answers."""

    @abstractmethod
    def ensure_indexes(self) -> None:
        """Create the unique indexes the upsert semantics rely on."""

    @abstractmethod
    def upsert_many(self, collection: str, docs: list[dict[str, Any]]) -> list[Outcome]:
        """Upsert ``docs`` (each with ``link``) in one batch; outcome per doc, in order."""

    @abstractmethod
    def find(self, collection: str, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Documents whose top-level fields equal ``where`` (all of them when None)."""

    @abstractmethod
    def iter_documents(
        self, collection: str, where: Mapping[str, Any] | None = None, *, batch_size: int = ITER_BATCH
    ) -> Iterator[dict[str, Any]]:
        """Like ``find`` but lazy: documents are read ``batch_size`` at a time (a cursor), never all at once."""

    @abstractmethod
    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        """How many documents of ``collection`` have top-level fields equal to ``where``."""

    @abstractmethod
    def add_to_set(self, collection: str, link: str, field: str, value: str) -> None:
        """Add ``value`` to the list ``field`` of the document at ``link``."""

    @abstractmethod
    def _find_user(self, key: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def _insert_user(self, user: dict[str, Any]) -> None:
        """Insert, or do nothing when a user with the same ``name_key`` appeared meanwhile."""

    @abstractmethod
    def set_user_handle(self, user_id: str, platform: str, handle: str) -> None:
        """Remember ``handle`` as the author's account on ``platform``."""

    @abstractmethod
    def insert(self, collection: str, doc: dict[str, Any]) -> None:
        """Plain insert (run reports, dead letters)."""

    @abstractmethod
    def replace(self, collection: str, key: Mapping[str, Any], doc: dict[str, Any]) -> None:
        """Replace the document matching ``key`` (insert when missing)."""

    @abstractmethod
    def delete(self, collection: str, key: Mapping[str, Any]) -> None:
        """Delete documents matching ``key``."""

    def close(self) -> None:  # noqa: B027 - optional hook: the embedded backend and pymongo override it
        """Release connections."""

    def discard(self) -> None:
        """Close after a refused run; the embedded backend also removes the file it has just created."""
        self.close()

    def find_by_links(self, collection: str, links: Sequence[str]) -> dict[str, dict[str, Any]]:
        """link -> its document, for those of ``links`` that have one: read through the ``link`` index, a chunk of
        links per query (the backends override this per-link fallback)."""
        return {link: found for link in dict.fromkeys(links) if (found := self.get(collection, link)) is not None}

    def set_by_links(self, collection: str, docs: list[dict[str, Any]]) -> None:
        """Set each document's fields on the document with its ``link``, created (with a new ``_id``) when missing;
        fields not given are kept. One batch (the backends override this per-link fallback)."""
        for doc in docs:
            existing = self.get(collection, doc["link"])
            fields = {k: v for k, v in doc.items() if k != "_id"}
            self.replace(collection, {"link": doc["link"]}, {**(existing or {}), **fields})

    def upsert(self, collection: str, doc: dict[str, Any]) -> Outcome:
        return self.upsert_many(collection, [doc])[0]

    def get(self, collection: str, link: str) -> dict[str, Any] | None:
        found = self.find(collection, {"link": link})
        return found[0] if found else None

    def get_or_create_user(self, full_name: str) -> dict[str, Any]:
        """The author with this name (whitespace-normalised, case-insensitive), created on first use."""
        if not normalise_name(full_name):
            raise WarehouseError("the author's full name is empty")
        key = name_key(full_name)
        found = self._find_user(key)
        if found is None:
            self._insert_user(new_user(full_name))
            found = self._find_user(key)
        assert found is not None
        return found

    def find_user_by_handle(self, platform: str, handle: str) -> dict[str, Any] | None:
        for user in self.find("users"):
            if str(user.get("handles", {}).get(platform, "")).casefold() == handle.casefold():
                return user
        return None


def prepare_documents(docs: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Stamp each document with its ``doc_hash`` and ``last_crawled_at`` before it is written."""
    prepared = []
    for doc in docs:
        out = dict(doc)
        out["doc_hash"] = doc_hash(doc)
        out["last_crawled_at"] = now
        prepared.append(out)
    return prepared
