"""Central block detection: a challenge/authwall/999 response never reaches a parser."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse

from twin_crawler.exceptions import TwinError
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.meta import ALLOW_STATUS, BROWSER_OK, LINK, PLATFORM
from twin_crawler.pages.blocks import ascii_view, block_reason

logger = logging.getLogger(__name__)


class Blocked(TwinError):
    """The response was a block page; ``twin_reason`` says which kind."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(reason, f"blocked ({reason}): {url}")
        # Logged here, once, as what it is (blocked, not failed): the spider's errback skips its "failed" line.
        self.twin_logged = True


class BlockDetectionMiddleware:
    """Turns block pages into ``blocked`` ledger records. A request may opt into a browser retry: when the
    browser integration is enabled (``TWIN_BROWSER_RETRY``), a blocked plain request is retried once with
    ``meta["playwright"] = True``; when the spider wanted a browser but none is available
    (``TWIN_BROWSER_MISSING``), such a page is recorded ``blocked/no-browser``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.browser_retry = crawler.settings.getbool("TWIN_BROWSER_RETRY", False)
        # The spider wanted a browser but none could be enabled (twin_crawler.browser.enable_browser).
        self.browser_missing = crawler.settings.getbool("TWIN_BROWSER_MISSING", False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockDetectionMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get(ALLOW_STATUS) and response.status in request.meta[ALLOW_STATUS]:
            return response
        body, raw = "", None
        if isinstance(response, TextResponse):
            body, raw = response.text, ascii_view(response.body, response.encoding)
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        reason = block_reason(response.status, headers, body, response.url, raw)
        if reason is None:
            return response
        if reason == "http-429":
            return response  # rate limits are the retry middleware's business
        if self.browser_missing and request.meta.get(BROWSER_OK, True):
            # What a browser retry would have fetched: the fix is installing one, not the block itself.
            logger.debug("%s at %s: no browser to retry in", reason, response.url)
            reason = "no-browser"
        stats = self.crawler.stats
        assert stats is not None
        if self.browser_retry and not request.meta.get("playwright") and request.meta.get(BROWSER_OK, True):
            stats.inc_value("twin/blocked/browser_retry")
            logger.info("blocked (%s) at %s: retrying in the browser", reason, response.url)
            return request.replace(meta={**request.meta, "playwright": True}, dont_filter=True)
        logger.info("blocked (%s): %s", reason, response.url)
        link = request.meta.get(LINK)
        ledger = ledger_of(self.crawler)
        if link and ledger is not None:  # counted once, from the ledger's final states (Ledger.publish)
            ledger.record(link, "blocked", platform=request.meta.get(PLATFORM, "article"), reason=reason)
        else:
            stats.inc_value(f"twin/blocked/{reason}")
        raise Blocked(reason, response.url)
