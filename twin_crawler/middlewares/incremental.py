"""Incremental re-crawls: skip content fetched within ``TWIN_RECRAWL_AFTER``, revalidate the rest conditionally.

Only content fetches are concerned (requests whose ``twin_link`` meta names a ledger link). Discovery pages
(feeds, archives, API listings) carry no link and always go to the network, so new posts are still found.

Per link, the ``crawl_log`` collection keeps when it was last fetched and its ``ETag`` / ``Last-Modified``.
A link is written there only when its document ended stored (new, updated, unchanged, paywalled): a page that
failed, was blocked, or turned out to be an index page is fetched again next time.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from twin_crawler import settings as defaults
from twin_crawler.arguments import ArgumentError
from twin_crawler.concurrency import in_thread
from twin_crawler.exceptions import TwinError
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.meta import LINK, PLATFORM
from twin_crawler.scheduling.duration import DurationError, parse_duration
from twin_crawler.secrets import scrub, scrub_query

logger = logging.getLogger(__name__)
COLLECTION = "crawl_log"
# Ledger states meaning "the page was fetched and its document is in the warehouse".
STORED_STATES = frozenset({"new", "updated", "unchanged", "duplicate", "paywalled"})
# Fetches between two writes of the settled part of the log (TWIN_CRAWL_LOG_DRAIN_EVERY): a long-running worker
# (scrapy-redis) records its progress as it goes instead of only when it stops.
DRAIN_EVERY = 200


class Skipped(TwinError):
    """A content fetch left out on purpose; the ledger already records the link and the reason."""

    twin_skipped = True

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(reason, f"{reason}: {url}")


def check_settings(settings: Any, args: Any) -> None:
    """Preflight: an unreadable ``TWIN_RECRAWL_AFTER`` is one ArgumentError line, not a traceback."""
    try:
        parse_duration(settings.get("TWIN_RECRAWL_AFTER", defaults.TWIN_RECRAWL_AFTER))
    except DurationError as exc:
        raise ArgumentError(str(exc)) from None


def header(response: Response, name: str) -> str | None:
    """A response header as text (validators are ASCII), None when absent."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class IncrementalMiddleware:
    """Downloader middleware: ``fresh`` skips, conditional requests, 304 → ``unchanged``, and the crawl log."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.window = parse_duration(crawler.settings.get("TWIN_RECRAWL_AFTER", defaults.TWIN_RECRAWL_AFTER))
        self.log: dict[str, dict[str, Any]] = {}  # link -> its entry, from its lookup to its response
        self.unreadable = False
        self.fetched: dict[str, dict[str, Any]] = {}  # link -> crawl_log entry of this run, not yet written
        self.since_drain = 0
        self.drain_every = max(1, crawler.settings.getint("TWIN_CRAWL_LOG_DRAIN_EVERY", DRAIN_EVERY))
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def _flag(self, name: str) -> bool:
        args = getattr(self.crawler.spider, "args", None)
        return bool(args is not None and args.flag(name))

    @property
    def active(self) -> bool:
        # force refetches everything unconditionally; reprocess answers from the archive, where "fresh" is moot.
        return not (self._flag("force") or self._flag("reprocess"))

    async def _entry(self, key: str) -> dict[str, Any] | None:
        """The crawl-log entry of one link, read through the ``link`` index: nothing is loaded at crawl start, so
        a warehouse of 100,000 logged links costs this crawl only the lookups of the links it fetches."""
        if self.unreadable:
            return None
        try:
            found = await in_thread(for_crawler(self.crawler).find, COLLECTION, {"link": key})
        except Exception as exc:  # the log only saves fetches: without it everything is fetched, nothing lost
            self.unreadable = True
            logger.warning("crawl log unreadable, fetching every link this run: %s", scrub(str(exc)))
            return None
        if found:
            self.log[key] = found[0]  # until its response: a 304 there is answered from it
        return found[0] if found else None

    async def process_request(self, request: Request) -> None:
        link = request.meta.get(LINK)
        if not link or not self.active:
            return
        entry = await self._entry(scrub_query(link))  # the log keeps links with secret query values masked
        if entry is None:
            return
        age = time.time() - float(entry.get("crawled_ts") or 0)
        if age < self.window:
            ledger = ledger_of(self.crawler)
            if ledger is not None:
                ledger.record(link, "unchanged", platform=request.meta.get(PLATFORM, "article"), reason="fresh")
            self.crawler.stats.inc_value("twin/incremental/fresh")  # type: ignore[union-attr]
            raise Skipped("fresh", request.url)
        # Older than the window: ask the server whether it changed (headers only when the site gave validators).
        if entry.get("etag"):
            request.headers.setdefault(b"If-None-Match", entry["etag"].encode("latin-1"))
        if entry.get("last_modified"):
            request.headers.setdefault(b"If-Modified-Since", entry["last_modified"].encode("latin-1"))

    async def process_response(self, request: Request, response: Response) -> Response:
        link = request.meta.get(LINK)
        if not link or self._flag("reprocess"):
            return response  # a replay from the archive is not a fetch
        stats = self.crawler.stats
        assert stats is not None
        key = scrub_query(link)
        entry = self.log.pop(key, None)
        if response.status == 304 and entry is not None:
            # The server confirmed our validators: nothing to parse, nothing to rewrite, the link is fresh again.
            self.fetched[link] = {**entry, **self._stamp()}
            stats.inc_value("twin/incremental/not_modified")
            stats.inc_value("twin/warehouse/unchanged")
            ledger_of(self.crawler).record(  # type: ignore[union-attr]
                link, "unchanged", platform=request.meta.get(PLATFORM, "article"), reason="not-modified"
            )
            raise Skipped("not-modified", request.url)
        if 200 <= response.status < 300:
            self.fetched[link] = {
                "link": key,  # ?access_token=*** : secret query values are never stored
                "url": scrub_query(response.url),
                "status": response.status,
                "etag": header(response, "ETag"),
                "last_modified": header(response, "Last-Modified"),
                **self._stamp(),
            }
            self.since_drain += 1
            if self.since_drain >= self.drain_every:
                self.since_drain = 0
                await self._drain(final=False)
        return response

    @staticmethod
    def _stamp() -> dict[str, Any]:
        # Seconds since the epoch compare the same on every backend; the ISO string is for people reading the log.
        now = time.time()
        return {"crawled_ts": now, "crawled_at": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")}

    async def spider_closed(self) -> None:
        written = await self._drain(final=True)
        logger.info("crawl log: %d links recorded as fetched", written)

    async def _drain(self, *, final: bool) -> int:
        """Write the entries whose documents are stored; forget those that ended otherwise (fetched again next
        run). Entries still pending (their warehouse batch not yet flushed) wait, unless the crawl is over."""
        ledger = ledger_of(self.crawler)
        if ledger is None:
            return 0
        entries = []
        for link in list(self.fetched):
            state = ledger.state(link)
            if state in STORED_STATES:
                entries.append(self.fetched.pop(link))
            elif final or state not in (None, "pending"):
                del self.fetched[link]
        if entries:
            try:
                await in_thread(self._write, entries)
            except Exception as exc:  # a warehouse outage must not fail the crawl: unlogged links are refetched
                logger.warning("crawl log not updated for %d links (they will be fetched again): %s",
                               len(entries), scrub(str(exc)))
                return 0
        return len(entries)

    def _write(self, entries: list[dict[str, Any]]) -> None:
        warehouse = for_crawler(self.crawler)
        for entry in entries:
            warehouse.replace(COLLECTION, {"link": entry["link"]}, {k: v for k, v in entry.items() if k != "_id"})
