"""Keep every fetched response in the raw archive; with ``-a reprocess=1``, answer every request from it instead.

The middleware sits next to the downloader (after Scrapy's own middlewares), so it sees the bytes as they came
off the wire: redirects as 3xx, compressed bodies still compressed. A replay therefore goes through the same
redirect, decompression and block-detection steps as the live crawl did, and extraction sees the same input.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from twin_crawler.archive.store import ArchiveReader, ArchiveWriter
from twin_crawler.concurrency import in_thread
from twin_crawler.exceptions import TwinError
from twin_crawler.meta import LINK
from twin_crawler.secrets import SECRET_HEADERS, scrub, secret_values

logger = logging.getLogger(__name__)
REPLAYED_FLAG = "archived"


class NotArchived(TwinError):
    """Reprocessing never goes to the network: a request with no archived response is refused."""

    def __init__(self, url: str) -> None:
        super().__init__("not-archived", f"not in the raw archive: {url}")


def archived_headers(response: Response, secrets: list[str]) -> dict[str, list[str]]:
    """Response headers minus credentials (cookies, authorization...); values scrubbed of known secrets."""
    out: dict[str, list[str]] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        if key.lower() in SECRET_HEADERS:
            continue
        out[key] = [scrub(v.decode("latin-1"), secrets) for v in values]
    return out


class RawArchiveMiddleware:
    """Archive mode when ``TWIN_RAW_ARCHIVE`` is set; replay mode when the spider runs with ``reprocess=1``."""

    def __init__(self, crawler: Crawler, target: str) -> None:
        self.crawler = crawler
        self.target = target
        self.writer: ArchiveWriter | None = None
        self.reader: ArchiveReader | None = None
        self.secrets = secret_values()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawArchiveMiddleware:
        target = crawler.settings.get("TWIN_RAW_ARCHIVE")
        if not target:
            raise NotConfigured  # off by default; a message would make Scrapy log a warning on every run
        return cls(crawler, str(target))

    async def spider_opened(self) -> None:
        args = getattr(self.crawler.spider, "args", None)
        if args is not None and args.flag("reprocess"):
            # Every record file is read once, off the reactor thread; the engine waits for this before requests.
            self.reader = await in_thread(ArchiveReader, self.target)
            logger.info("reprocessing from the raw archive %s (%d fetches); no network", self.target, len(self.reader.latest))
        else:
            self.writer = ArchiveWriter(self.crawler, self.target)

    def _fingerprint(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()  # type: ignore[union-attr]

    def process_request(self, request: Request) -> Response | None:
        if self.reader is None:
            return None
        stats = self.crawler.stats
        assert stats is not None
        found = self.reader.get(self._fingerprint(request))
        if found is None:
            stats.inc_value("twin/archive/refused")
            raise NotArchived(request.url)
        record, body = found
        headers = Headers(record["headers"])
        cls = responsetypes.from_args(headers=headers, url=record["url"], body=body)
        stats.inc_value("twin/archive/replayed")
        return cls(url=record["url"], status=record["status"], headers=headers, body=body, request=request,
                   flags=[REPLAYED_FLAG])

    async def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None or REPLAYED_FLAG in response.flags:
            return response
        stats = self.crawler.stats
        assert stats is not None
        try:
            sha, new = await self.writer.put_body(response.body)
        except Exception as exc:  # a full disk or a failed upload loses this copy, not the crawl's documents
            stats.inc_value("twin/archive/errors")
            logger.error("raw archive: could not store %s: %s", scrub(response.url, self.secrets), scrub(str(exc), self.secrets))
            return response
        stats.inc_value("twin/archive/bodies_stored" if new else "twin/archive/bodies_known")
        record: dict[str, Any] = {
            "url": scrub(response.url, self.secrets),
            "method": request.method,
            "fingerprint": self._fingerprint(request),
            "status": response.status,
            "headers": archived_headers(response, self.secrets),
            "body_sha256": sha,
            "body_size": len(response.body),
            "fetched_at": datetime.now(UTC).isoformat(),
            "spider": getattr(self.crawler.spider, "name", None),
            "link": scrub(request.meta.get(LINK) or "", self.secrets) or None,
        }
        stats.inc_value("twin/archive/records")
        if self.writer.add_record(record):
            await self._flush()
        return response

    async def _flush(self) -> int:
        assert self.writer is not None
        try:
            return await self.writer.flush()
        except Exception as exc:  # same as a body: reported, counted, and the crawl goes on
            self.crawler.stats.inc_value("twin/archive/errors")  # type: ignore[union-attr]
            logger.error("raw archive: could not store a batch of fetch records: %s", scrub(str(exc), self.secrets))
            return 0

    async def spider_closed(self) -> None:
        if self.writer is not None:
            written = await self._flush()
            logger.info("raw archive %s: run %s, %d records in the last batch", self.target, self.writer.run_id, written)
