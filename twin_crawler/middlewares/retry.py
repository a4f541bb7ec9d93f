"""Retries on Scrapy's own machinery: capped exponential backoff with jitter per domain, ``Retry-After`` on
429/503, a per-request budget (``RETRY_TIMES`` / ``max_retry_times``), and dead letters after it.

Replaces ``scrapy.downloadermiddlewares.retry.RetryMiddleware`` at the same priority (550). What it adds:

- every retry pushes the domain's "not before" time forward; requests to that domain wait in
  ``process_request`` until then, so a rate-limited site is left alone as a whole, not one request at a time;
- the wait is ``Retry-After`` (seconds or an HTTP date) when a 429/503 gives one, else
  ``min(TWIN_RETRY_BACKOFF_MAX, TWIN_RETRY_BACKOFF_BASE * 2**attempt)`` with equal jitter;
- a ``Retry-After`` longer than ``TWIN_RETRY_AFTER_MAX`` is not waited for: the request is dead-lettered;
- exceptions get a short ``twin_reason`` (``timeout``, ``truncated-body``, ...) for the ledger and report;
- a host that does not resolve is not retried (DNS "no such host" does not heal in seconds; offline, four
  backed-off retries per link cost half a minute): it is logged once per host, its links end ``failed/dns``.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

from twin_crawler import settings as defaults
from twin_crawler.exceptions import exception_reason
from twin_crawler.extensions.deadletter import DeadLetters, make_record
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.meta import LINK, PLATFORM

from .ssrf import refused_reason

logger = logging.getLogger(__name__)

def skip_reported(record: logging.LogRecord) -> bool:
    """Log filter: drop a record about an exception this middleware already reported (``twin_logged``)."""
    args = record.args if isinstance(record.args, dict) else {}
    return not getattr(args.get("f_exception"), "twin_logged", False)


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware with per-domain backoff, ``Retry-After`` and dead letters (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.base = settings.getfloat("TWIN_RETRY_BACKOFF_BASE", defaults.TWIN_RETRY_BACKOFF_BASE)
        self.cap = settings.getfloat("TWIN_RETRY_BACKOFF_MAX", defaults.TWIN_RETRY_BACKOFF_MAX)
        self.retry_after_max = settings.getfloat("TWIN_RETRY_AFTER_MAX", defaults.TWIN_RETRY_AFTER_MAX)
        self.not_before: dict[str, float] = {}
        # host -> monotonic time until which it is known not to resolve: its other requests fail at once instead
        # of each waiting for its own lookup (offline, DNS_TIMEOUT each). Expires, for long-running workers.
        self.unresolved: dict[str, float] = {}
        self.dns_failure_ttl = settings.getfloat("TWIN_DNS_FAILURE_TTL", defaults.TWIN_DNS_FAILURE_TTL)
        # Scrapy's robots.txt middleware logs an ERROR per host for the same DNS failure reported here.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(skip_reported)
        self.dead_letters = DeadLetters(crawler)  # its own: the only component that writes dead letters
        crawler.signals.connect(self._request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        """Fail a request to a host that just failed to resolve; hold one while its domain is backing off."""
        host = urlparse_cached(request).hostname or ""
        if self.unresolved.get(host, 0.0) > time.monotonic():
            error = CannotResolveHostError(f"{host}: no such host (a lookup failed moments ago)")
            error.twin_reason, error.twin_logged = "dns", True  # type: ignore[attr-defined]
            raise error
        wait = self.not_before.get(self._domain(request), 0.0) - time.monotonic()
        if wait > 0:
            # Imported here: at module level it would install a default reactor before Scrapy installs asyncio's.
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, wait))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = f"http-{response.status}"
        delay = None
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After")
            delay = parse_retry_after(header.decode("latin-1")) if header else None
            if delay is not None and delay > self.retry_after_max:
                # Waiting hours inside a crawl helps nobody: a later run replays the dead letter.
                self._give_up(request, "retry-after-too-long", f"Retry-After: {delay:.0f}s")
                return response
        return self._retry_with_delay(request, reason, f"HTTP {response.status}", delay) or response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Request | None:
        reason = refused_reason(request) or exception_reason(exception)
        with contextlib.suppress(AttributeError):  # read by the spider's errback (exception_reason)
            exception.twin_reason = reason  # type: ignore[attr-defined]
        if reason.startswith("ssrf-"):
            ledger = ledger_of(self.crawler)
            link = request.meta.get(LINK)
            if link and ledger is not None:  # refused on purpose: not a failure to retry or replay
                ledger.record(link, "dropped", platform=request.meta.get(PLATFORM, "article"), reason=reason)
            return None
        if reason == "dns":
            self._unresolvable(request, exception)
            return None  # no retry and no dead letter: the link is recorded failed/dns by the spider's errback
        if request.meta.get("dont_retry", False):
            return None
        if not isinstance(exception, self.exceptions_to_retry):
            return None
        return self._retry_with_delay(request, reason, f"{type(exception).__name__}: {exception}", None)

    def _unresolvable(self, request: Request, exception: Exception) -> None:
        """One warning per host that does not resolve, however many requests (robots.txt included) hit it."""
        host = urlparse_cached(request).hostname or ""
        with contextlib.suppress(AttributeError):  # the errback and the robots.txt log filter skip their own line
            exception.twin_logged = True  # type: ignore[attr-defined]
        if self.unresolved.get(host, 0.0) > time.monotonic():
            return  # already reported (and failed at once by process_request): the window is not extended
        self.unresolved[host] = time.monotonic() + self.dns_failure_ttl
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("twin/dns/unresolved_hosts")
        logger.warning("%s: no such host (DNS lookup failed); its links are recorded failed/dns, not retried", host)

    def _retry_with_delay(self, request: Request, reason: str, error: str, delay: float | None) -> Request | None:
        attempt = request.meta.get("retry_times", 0)
        retry = self._next_attempt(request, reason)
        if retry is None:
            self._give_up(request, reason, error)
            return None
        if delay is None:
            backoff = min(self.cap, self.base * 2**attempt)
            delay = backoff / 2 + random.uniform(0, backoff / 2)  # equal jitter: never 0, spreads a burst
        domain = self._domain(request)
        self.not_before[domain] = max(self.not_before.get(domain, 0.0), time.monotonic() + delay)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("twin/retry/backoff_ms", int(delay * 1000))
        logger.debug("retrying %s in %.2fs (%s)", request.url, delay, reason)
        return retry

    def _next_attempt(self, request: Request, reason: str) -> Request | None:
        """The retry copy, or None when the budget is spent: Scrapy's public ``get_retry_request`` (stats
        ``retry/count``, ``retry/reason_count/<reason>``, ``retry/max_reached`` and its give-up log line), with the
        per-request meta overrides RetryMiddleware honours."""
        meta = request.meta
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=meta.get("give_up_log_level", self.give_up_log_level),
        )

    def _give_up(self, request: Request, reason: str, error: str) -> None:
        if PLATFORM not in request.meta:
            return  # not a spider request (robots.txt): nothing to replay; the page it guards gets its own state
        attempts = request.meta.get("retry_times", 0) + 1
        self.dead_letters.add(make_record(request, self.crawler.spider, reason, attempts, error))

    def _request_dropped(self, request: Request) -> None:
        """A redirect the dupefilter dropped would leave its link pending for ever: give it a state."""
        link = request.meta.get(LINK)
        ledger = ledger_of(self.crawler)
        hops = request.meta.get("redirect_urls")
        if not (link and hops and ledger is not None and ledger.state(link) in (None, "pending")):
            return
        platform = request.meta.get(PLATFORM, "article")
        if request.url in hops:
            ledger.record(link, "failed", platform=platform, reason="redirect-loop")
        else:  # redirected to a URL this run already fetched for another link
            ledger.record(link, "dropped", platform=platform, reason="redirect-to-duplicate")

    @staticmethod
    def _domain(request: Request) -> str:
        return (urlparse_cached(request).hostname or "").removeprefix("www.")
