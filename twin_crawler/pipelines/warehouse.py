"""Upsert documents into the warehouse in batches, and record what each write did."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from twin_crawler import settings as defaults
from twin_crawler.concurrency import in_thread
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.items import Document
from twin_crawler.warehouse import Outcome, WarehouseUnavailable
from twin_crawler.warehouse.journal import Journal, drain, journal_dir
from twin_crawler.warehouse.writer import BatchWriter

logger = logging.getLogger(__name__)


def document_for(item: Document) -> dict[str, Any]:
    """The warehouse document of an item: its fields, ``content`` a dict of strings, no warehouse-owned fields."""
    return item.model_dump(mode="python")


def writer_of(crawler: Crawler) -> BatchWriter | None:
    """The warehouse pipeline's batch writer (the dedup pipeline, dead letters, the run report and the distributed
    scheduler write through it); None before the engine exists or when the pipeline is not enabled."""
    try:
        pipeline = crawler.get_item_pipeline(WarehousePipeline)
    except RuntimeError:  # no engine yet: nothing can have been queued
        return None
    return pipeline.writer if pipeline is not None else None


class WarehousePipeline:
    """Batches upserts (``TWIN_WAREHOUSE_BATCH``) and flushes every ``TWIN_WAREHOUSE_FLUSH_SECONDS`` and on close."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.journal = Journal(journal_dir(crawler.settings))
        self.writer = BatchWriter(
            for_crawler(crawler),
            crawler.settings.getint("TWIN_WAREHOUSE_BATCH", defaults.TWIN_WAREHOUSE_BATCH),
            self._record_outcome,
            journal=self.journal,
        )
        self._outage_wait = crawler.settings.getfloat("TWIN_WAREHOUSE_OUTAGE_WAIT", defaults.TWIN_WAREHOUSE_OUTAGE_WAIT)
        self._paywalled: set[str] = set()
        self._platforms: dict[str, str] = {}
        self._timer: task.LoopingCall | None = None
        self._interval = crawler.settings.getfloat("TWIN_WAREHOUSE_FLUSH_SECONDS", defaults.TWIN_WAREHOUSE_FLUSH_SECONDS)
        crawler.signals.connect(self._start_timer, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarehousePipeline:
        return cls(crawler)

    def _start_timer(self) -> None:
        self._timer = task.LoopingCall(lambda: deferred_from_coro(self._flush_on_timer()))
        self._timer.start(self._interval, now=False)

    async def _flush_on_timer(self) -> None:
        if self.writer.pending():
            try:
                await in_thread(self.writer.flush)
            except Exception as exc:  # kept queued by the writer; the next tick retries
                logger.warning("warehouse flush failed, will retry: %s", exc)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Document):
            return item
        if item.is_paywalled:
            self._paywalled.add(item.link)
        self._platforms[item.link] = item.platform
        if self.writer.add(item.collection, document_for(item)):
            try:
                await in_thread(self.writer.flush)
            except WarehouseUnavailable as exc:  # the batch is in the journal; the crawl goes on
                logger.warning("warehouse unreachable, batch kept in the journal: %s", exc)
        return item

    async def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        try:
            # During an outage, wait (TWIN_WAREHOUSE_OUTAGE_WAIT) for the warehouse before leaving the journal behind.
            await in_thread(drain, self.writer.flush, self.writer.pending, self._outage_wait)
        finally:
            self.writer.closed = True
            self.journal.close()

    def _record_outcome(self, link: str, outcome: Outcome) -> None:
        platform = self._platforms.pop(link, "article")
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"twin/warehouse/{outcome.value}")
        state = outcome.value
        if link in self._paywalled and outcome is not Outcome.UNCHANGED:
            state = "paywalled"
        self._paywalled.discard(link)
        ledger = ledger_of(self.crawler)
        if ledger is not None:
            ledger.record(link, state, platform=platform)
