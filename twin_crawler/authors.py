"""Which author a callback is working for right now: one crawl serves many authors at once (a multi-author
``config``, a distributed worker's seeds).

The author travels with the requests (``meta["twin_user"]``, the stored full name), and while a callback, an
errback or a seed's handler runs, a context variable holds that author's record, so that ``spider.author`` and
``spider.author_name()`` answer for the right person. A context variable (not an attribute) because callbacks of
different responses interleave at every ``await``; each runs in its own asyncio task and so sees its own value.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

from twin_crawler.concurrency import in_thread
from twin_crawler.items import name_key
from twin_crawler.meta import USER
from twin_crawler.warehouse import Warehouse

SEED_USER_META = USER  # request meta: the author's stored full name, from a seed to every child request
SEED_AUTHOR = "<seed author>"  # what author_name() returns outside any author context (replaced per item)
CURRENT_AUTHOR: ContextVar[dict[str, Any] | None] = ContextVar("twin_current_author", default=None)


class AuthorCache:
    """Author records by name, resolved (get-or-create) once per worker."""

    def __init__(self) -> None:
        self._records: dict[str, dict[str, Any]] = {}

    async def resolve(self, warehouse: Warehouse, name: str) -> dict[str, Any]:
        key = name_key(name)
        if key not in self._records:
            self._records[key] = await in_thread(warehouse.get_or_create_user, name)
        return self._records[key]

    def add(self, record: dict[str, Any]) -> None:
        """A record resolved already (at preparation, on the reactor's thread before the crawl starts)."""
        self._records[name_key(str(record["full_name"]))] = record

    def known(self, name: str) -> dict[str, Any]:
        """The record when resolved already, else a minimal one (enough for ``author_name()``)."""
        return self._records.get(name_key(name)) or {"full_name": name}


async def in_author_context(results: AsyncIterator[Any], author: dict[str, Any] | None) -> AsyncIterator[Any]:
    """Iterate ``results`` with ``CURRENT_AUTHOR`` set while (and only while) its code runs."""
    iterator = aiter(results)
    while True:
        token = CURRENT_AUTHOR.set(author)
        try:
            out = await anext(iterator)
        except StopAsyncIteration:
            return
        finally:
            CURRENT_AUTHOR.reset(token)
        yield out
