"""Dead letters: requests that still failed after the retry budget, kept so that a later run can replay them.

A record is one document in the warehouse collection ``dead_letters``, keyed by (url, spider):
``url, link, spider, author, platform, reason, attempts, last_error, time``. A link that later ends in a good
state (stored, dropped, paywalled, ...) has its dead letters removed at the end of that run, so the collection
holds exactly what is still owed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.threads import deferToThread

from twin_crawler.concurrency import in_thread
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.meta import LINK, PLATFORM
from twin_crawler.pipelines.warehouse import writer_of
from twin_crawler.secrets import scrub
from twin_crawler.warehouse import Warehouse, WarehouseError

logger = logging.getLogger(__name__)
COLLECTION = "dead_letters"
# States after which a dead letter of the same link is no longer owed (``failed``/``dead_lettered`` keep it).
SETTLED = frozenset({"new", "updated", "unchanged", "duplicate", "paywalled", "skipped", "blocked", "unsupported", "dropped"})


def make_record(request: Request, spider: Any, reason: str, attempts: int, last_error: str) -> dict[str, Any]:
    """The dead-letter document for ``request`` (secret-free: the error text is scrubbed)."""
    args = getattr(spider, "args", None)
    return {
        "url": request.url,
        "link": request.meta.get(LINK),
        "spider": getattr(spider, "name", None),
        "author": getattr(args, "user", None),
        "platform": request.meta.get(PLATFORM),
        "reason": reason,
        "attempts": attempts,
        "last_error": scrub(last_error)[:500],
        "time": datetime.now(UTC),
    }


def key_of(record: dict[str, Any]) -> dict[str, Any]:
    return {"url": record["url"], "spider": record["spider"]}


def store(warehouse: Warehouse, record: dict[str, Any]) -> None:
    """Write (or refresh) one dead letter; blocking."""
    warehouse.replace(COLLECTION, key_of(record), record)


def load(warehouse: Warehouse, spider: str | None = None) -> list[dict[str, Any]]:
    """Dead letters, all of them or one spider's."""
    return warehouse.find(COLLECTION, {"spider": spider} if spider else None)


class DeadLetters:
    """The retry middleware's dead-letter writer (``get_downloader_middleware(BackoffRetryMiddleware).dead_letters``): writes off the reactor thread, waits for them at spider close, and
    clears the letters of links that this run settled."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._pending: set[Deferred[Any]] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def add(self, record: dict[str, Any]) -> None:
        """Record a final failure: the ledger state becomes ``dead_lettered`` and the record is written."""
        ledger = ledger_of(self.crawler)
        if record["link"] and ledger is not None:
            ledger.record(record["link"], "dead_lettered", platform=record["platform"] or "article", reason=record["reason"])
        elif self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"twin/discovery/dead_lettered/{record['reason']}")
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("twin/deadletters/written")
        logger.warning("dead letter: %s (%s after %d attempts)", record["url"], record["reason"], record["attempts"])
        writer = writer_of(self.crawler)  # the warehouse pipeline's batch writer
        if writer is not None and not writer.closed:
            # Written with the documents, so in a warehouse outage it is journaled like them (and replayed by the
            # next flush or `scrapy twin-journal replay`) instead of only being logged (issue 15, point 1).
            writer.add_replace(COLLECTION, key_of(record), record)
            return
        d = deferToThread(store, for_crawler(self.crawler), record)
        self._pending.add(d)
        d.addErrback(self._write_failed, record["url"])
        d.addBoth(self._done, d)

    def _write_failed(self, failure: Any, url: str) -> None:
        logger.error("could not store the dead letter of %s: %s", url, scrub(str(failure.value)))

    def _done(self, result: Any, d: Deferred[Any]) -> Any:
        self._pending.discard(d)
        return result

    async def spider_closed(self, spider: Any) -> None:
        """Wait for pending writes, then drop the letters of links that ended well in this run."""
        await maybe_deferred_to_future(DeferredList(list(self._pending)))
        ledger = ledger_of(self.crawler)
        if ledger is None:
            return
        settled = {link for link, entry in ledger.entries.items() if entry.state in SETTLED}
        settled |= {alias for alias, link in ledger.aliases.items() if link in settled}
        await in_thread(self._clear, spider.name, settled)

    def _clear(self, spider_name: str, settled: set[str]) -> None:
        warehouse = for_crawler(self.crawler)
        try:
            for record in load(warehouse, spider_name):
                if record.get("link") in settled or record.get("url") in settled:
                    warehouse.delete(COLLECTION, {"url": record["url"], "spider": spider_name})
        except WarehouseError as exc:
            logger.error("could not clear settled dead letters: %s", scrub(str(exc)))
