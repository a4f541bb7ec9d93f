"""Platform handlers: the crawl policy of one platform, usable by its own spider and by the ``twin`` router."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.http import Response

from twin_crawler.arguments import ArgumentError
from twin_crawler.urls import Route

if TYPE_CHECKING:
    from .base import TwinBaseSpider

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
