"""Requests over ``URLLENGTH_LIMIT`` end ``failed/url-too-long`` instead of vanishing.

Scrapy's ``UrlLengthMiddleware`` drops such a request with an INFO line: the link it served stayed ``pending``
for ever (issue 15, point 4). This subclass keeps Scrapy's check and its stat, and tells the ledger.
"""

from __future__ import annotations

import logging

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.meta import LINK, PLATFORM

logger = logging.getLogger(__name__)
REASON = "url-too-long"


class LedgerUrlLengthMiddleware(UrlLengthMiddleware):
    """Spider middleware: Scrapy's URL length limit, with the dropped request's link recorded failed."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        kept = super().get_processed_request(request, response)
        if kept is None:
            self._record(request)
        return kept

    def _record(self, request: Request) -> None:
        ledger = ledger_of(self.crawler)
        link = request.meta.get(LINK)
        if ledger is None or not link:
            # A discovery page (feed, listing) serves no one link: counted, like other discovery failures.
            self.crawler.stats.inc_value(f"twin/discovery/failed/{REASON}")
            return
        if ledger.state(link) in (None, "pending"):
            ledger.record(link, "failed", platform=request.meta.get(PLATFORM, "article"), reason=REASON)
        logger.warning("%s: the URL is longer than URLLENGTH_LIMIT (%d); recorded failed", link[:200], self.maxlength)
