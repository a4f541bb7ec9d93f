"""Platform handlers: the crawl policy of one platform, usable by its own spider and by the ``twin`` router."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.http import Request, Response

from twin_crawler.arguments import ArgumentError
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.meta import HANDLE, HANDLE_LINK, ON_FAILURE
from twin_crawler.urls import Route
from twin_crawler.warehouse import WarehouseError

if TYPE_CHECKING:
    from .base import TwinBaseSpider

logger = logging.getLogger(__name__)
StepResult = Iterable[Any] | AsyncIterator[Any] | None


class PlatformHandler:
    """Turns links and handles into requests, and responses into items.

    Steps are methods named ``on_<step>(response)``; requests name them with ``spider.request(url, self.platform,
    "<step>")`` so that every callback stays a spider method (requests survive a JOBDIR or Redis queue).
    """

    platform: ClassVar[str]
    needs_browser: ClassVar[bool] = False

    def __init__(self, spider: TwinBaseSpider) -> None:
        self.spider = spider

    @classmethod
    def route_special(cls, url: str, settings: Any) -> Route | None:
        """A Route for URLs the generic router refuses but this platform accepts (``file://`` mirrors), else None."""
        return None

    def seed(self, route: Route) -> StepResult:
        """Requests (or items) for one link the user gave."""
        raise NotImplementedError

    def discover(self, handle: str) -> StepResult:
        """Requests that find everything ``handle`` published on this platform."""
        raise ArgumentError(f"{self.platform}: discovery from a handle is not supported; give -a links=URL,...")

    def from_sniffed(self, response: Response, link: str) -> StepResult:
        """A page of an unknown host that turned out to belong to this platform (custom domain)."""
        raise NotImplementedError

    # -- discovery outcome: the handle's row in the run report, and remembering it on the author --
    def handle_link(self, handle: str) -> str:
        """The profile URL a handle is reported under (``https://medium.com/@jane``)."""
        raise NotImplementedError

    def handle_meta(self, handle: str) -> dict[str, Any]:
        """Meta for the request whose answer decides whether discovery from ``handle`` works (feed, profile, first
        listing page). Its failure for good reaches ``on_handle_failed`` through the spider's errback, since a
        discovery request has no ``twin_link`` (it is no content fetch: incremental skips must not apply)."""
        return {HANDLE: handle, HANDLE_LINK: self.handle_link(handle), ON_FAILURE: "handle_failed"}

    def on_handle_failed(self, request: Request, reason: str) -> None:
        self.handle_failed(request, reason)

    def handle_failed(self, source: Request | Response, reason: str) -> None:
        """A ``failed`` row for the handle (reason ``http-404``, ``not-a-feed`` ...): it shows in the run report and
        fails the run, and the handle is not remembered."""
        meta = _meta(source)
        link = meta.get(HANDLE_LINK)
        self.spider.crawler.stats.inc_value(f"twin/discovery/failed/{reason}")
        if not link:
            return
        self.spider.ledger.register(link, self.platform)
        self.spider.ledger.record(link, "failed", platform=self.platform, reason=reason)
        logger.warning("discovery from the %s handle %r failed (%s): nothing found there, and the handle is not "
                       "remembered; check -a handle", self.platform, meta.get(HANDLE), reason)

    def handle_answered(self, response: Response) -> None:
        """The deciding discovery request answered with a usable listing: remember ``-a handle`` on the author for
        later runs (only now, never before the crawl, so a handle whose discovery failed is not kept)."""
        spider, handle = self.spider, _meta(response).get(HANDLE)
        if not (handle and handle == spider.args.handle and spider.author and spider.platform == self.platform):
            return
        handles = spider.author.setdefault("handles", {})
        if handles.get(self.platform) == handle:
            return
        try:
            for_crawler(spider.crawler).set_user_handle(spider.author["_id"], self.platform, handle)
        except WarehouseError as exc:  # the crawl goes on; only the next run's shortcut is lost
            logger.warning("could not remember the %s handle %r on the author: %s", self.platform, handle, exc)
            return
        handles[self.platform] = handle


def _meta(source: Request | Response) -> dict[str, Any]:
    # A response built without a request (parser tests, replays) has no meta: it decides nothing.
    if isinstance(source, Response) and source.request is None:
        return {}
    return source.meta
