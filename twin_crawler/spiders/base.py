"""The base every spider derives from: shared arguments, the author, link routing, the ledger, errbacks.

Each platform's crawl policy is a mixin on this base (``ArticleCrawl``, ``MediumCrawl``, ``SubstackCrawl``,
``LinkedinCrawl``, ``GithubCrawl``) whose callbacks are spider methods (``parse_substack_post``, ...); the mixin
names its seed/discover policy in ``platform_crawls()``, which the base reads to route a link.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from twin_crawler import settings as defaults
from twin_crawler.archive import check_settings as check_archive_settings
from twin_crawler.arguments import ArgumentError, SpiderArguments, parse_arguments
from twin_crawler.authors import CURRENT_AUTHOR, SEED_USER_META, AuthorCache, in_author_context
from twin_crawler.checks import check_settings
from twin_crawler.extensions.warehouse import WarehouseExtension, for_crawler
from twin_crawler.ledger import Ledger
from twin_crawler.meta import HANDLE, HANDLE_LINK, LINK, PLATFORM
from twin_crawler.middlewares.incremental import check_settings as check_incremental_settings
from twin_crawler.middlewares.ssrf import refuse_user_links
from twin_crawler.pages.page import domain_of
from twin_crawler.urls import LinkError, Route, route
from twin_crawler.warehouse import Warehouse, WarehouseError

from .callbacks import Output, aiterate, give_up_reason, meta_of, on_failure, request_author

logger = logging.getLogger(__name__)
# The spider argument the crawl command passes its preflight's prepared spider in (never a string from -a).
PREPARED = "_twin_prepared"


class TwinBaseSpider(scrapy.Spider):
    """Shared behaviour. Subclasses set ``name`` and ``platform`` (None: route every link, as ``twin`` does) and
    derive from the platform mixins whose links they crawl."""

    platform: ClassVar[str | None] = None
    extra_arguments: ClassVar[dict[str, str]] = {}
    author_from_platform: ClassVar[bool] = False
    warehouse_extension: WarehouseExtension | None = None  # opened in from_crawler; adopted by EXTENSIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raw = {k: v for k, v in kwargs.items() if k != "name"}
        super().__init__(name=kwargs.get("name"))
        self.args: SpiderArguments = parse_arguments(raw, extra=self.extra_arguments, user_required=not self.author_from_platform)
        self.ledger = Ledger()
        self._author: dict[str, Any] | None = None
        self.author_cache = AuthorCache()
        self.link_authors: dict[str, str] = {}  # route link -> author name, for multi-author configs
        self.routes: list[Route] = []
        self.host_platforms: dict[str, str] = {}  # host -> platform sniffed from its pages ("article": none)
        self._plain_pages: dict[str, int] = {}  # host -> pages in a row sniffed as no platform's
        self.crawls: dict[str, PlatformCrawl] = self.platform_crawls()

    @property
    def author(self) -> dict[str, Any] | None:
        """The author of the link being worked on (``twin_user`` meta: a multi-author config, a worker's seed),
        else the one given with ``-a user``. A context variable, since callbacks of many authors interleave."""
        return CURRENT_AUTHOR.get() or self._author

    @author.setter
    def author(self, value: dict[str, Any] | None) -> None:
        self._author = value

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TwinBaseSpider:
        prepared = kwargs.get(PREPARED)
        if isinstance(prepared, cls):  # the crawl command's preflight built and prepared it: not built twice
            spider: TwinBaseSpider = prepared
            spider._set_crawler(crawler)
        else:
            spider = super().from_crawler(crawler, *args, **kwargs)
        # Scrapy builds the spider before the extensions; the spider needs the warehouse now (its author), so it
        # opens the WarehouseExtension that EXTENSIONS then adopts (one warehouse per crawler, closed at the end).
        spider.warehouse_extension = WarehouseExtension(crawler)
        if spider is not prepared:
            spider.prepare(spider.warehouse_extension.warehouse)
        return spider

    @classmethod
    def preflight(cls, kwargs: dict[str, Any], settings: Any, warehouse: Warehouse) -> TwinBaseSpider:
        """Build and prepare the spider without a crawler: the crawl command runs it first so that bad input
        gives one line and a non-zero exit instead of a traceback, then hands the instance to the crawl
        (``kwargs[PREPARED]``), so the spider is built once."""
        spider = cls(**kwargs)
        spider.settings = settings
        spider.prepare(warehouse)
        return spider

    # -- preparation (runs before the crawl starts; errors are one-line ArgumentError/WarehouseUnavailable) --
    def prepare(self, warehouse: Warehouse) -> None:
        """Route every link and resolve the author; raise ArgumentError when the run cannot proceed."""
        check_settings(self.settings)  # every TWIN_* number/flag/URL, -o/-O, JOBDIR, the raw archive: one line each
        self.check_handle()
        max_links = self.settings.getint("TWIN_MAX_LINKS", defaults.TWIN_MAX_LINKS)
        if len(self.args.links) > max_links:
            raise ArgumentError(f"links: {len(self.args.links)} links given, the limit is {max_links} (TWIN_MAX_LINKS); split the list")
        check_incremental_settings(self.settings, self.args)  # TWIN_RECRAWL_AFTER readable
        check_archive_settings(self.settings, self.args)  # TWIN_RAW_ARCHIVE usable; reprocess has an archive
        warehouse.ping()
        self.routes = [self.route_link(link) for link in self.args.links]
        for raw, r in zip(self.args.links, self.routes, strict=True):
            if raw in self.args.authors:
                self.link_authors.setdefault(r.link, self.args.authors[raw])
        for name in dict.fromkeys(self.link_authors.values()):  # each author of a multi-author config, once
            self.author_cache.add(warehouse.get_or_create_user(name))
        refused = refuse_user_links([(r.link, r.host) for r in self.routes], self.settings.getbool("TWIN_ALLOW_LOOPBACK"))
        if refused:
            raise ArgumentError(refused)
        if self.args.user:
            # -a handle is remembered on the author only once its discovery answered (base.py
            # handle_answered): a typo or a deleted account must not be crawled again on every later run.
            self.author = warehouse.get_or_create_user(self.args.user)
        if not self.routes and not self.discovery_handle():
            raise ArgumentError(self.nothing_to_do_message())

    def platform_crawls(self) -> dict[str, PlatformCrawl]:
        """The platforms this spider can crawl: each platform mixin adds its own (and calls ``super()``)."""
        return {}

    def check_handle(self) -> None:
        """``-a handle`` only where the platform can discover from one (not ``article``, nor the ``twin`` router)."""
        if self.args.handle is None:
            return
        crawl = self.crawls.get(self.platform) if self.platform else None
        if crawl is None or crawl.discover is None:
            raise ArgumentError(f"handle: {self.name} cannot discover from a handle; give -a links=URL[,URL...] "
                                f"(discovery: scrapy crawl medium|substack|github|linkedin -a handle=...)")

    def nothing_to_do_message(self) -> str:
        if self.platform and self.platform != "article":
            return (f"{self.name}: no links and no known {self.platform} handle for {self.args.user!r}; "
                    f"give -a handle=<{self.platform} account> (remembered for next time) or -a links=URL")
        return f"{self.name}: nothing to crawl; give -a links=URL[,URL...] or -a config=FILE"

    def discovery_handle(self) -> str | None:
        """The handle to discover from: given now, or remembered on the author from an earlier run."""
        if self.args.handle:
            return self.args.handle
        if self.platform and self.author and not self.args.links:
            return (self.author.get("handles") or {}).get(self.platform)
        return None

    def route_link(self, link: str) -> Route:
        for platform in ([self.platform] if self.platform else ["github"]):
            crawl = self.crawls.get(platform)
            special = crawl.route_special(link) if crawl and crawl.route_special else None
            if special is not None:
                return special
        try:
            return route(link)
        except LinkError as exc:
            raise ArgumentError(f"links: {exc}") from None

    # -- crawl --
    async def start(self) -> AsyncIterator[Any]:
        self.ledger.stats = self.crawler.stats  # stats exist only once the crawl has started
        for r in self.routes:
            name = self.link_authors.get(r.link)
            if name is None:
                async for out in aiterate(self.seed(r)):
                    yield out
                continue
            async for out in in_author_context(aiterate(self.seed(r)), self.author_cache.known(name)):
                if isinstance(out, Request):
                    out.meta.setdefault(SEED_USER_META, name)
                yield out
        handle = self.discovery_handle()
        crawl = self.crawls.get(self.platform) if self.platform else None
        if handle and crawl is not None and crawl.discover is not None:
            logger.info("discovering everything %s published on %s as %r", self.args.user or handle, self.platform, handle)
            async for out in aiterate(crawl.discover(handle)):
                yield out

    def seed(self, r: Route) -> Output:
        """Requests for one user-given link, or an ``unsupported``/``dropped`` record."""
        target = self.host_platforms.get(r.host, r.platform) if r.platform == "article" else r.platform
        if self.platform and self.platform != r.platform:
            if r.platform != "article":
                self.ledger.register(r.link, r.platform)
                self.ledger.record(r.link, "dropped", platform=r.platform, reason=f"not-{self.platform}")
                logger.warning("%s is a %s link, not %s: use `scrapy crawl twin` for mixed links", r.link, r.platform, self.platform)
                return None
            target = self.platform  # an unknown host given to a platform spider: a custom domain of that platform
        self.ledger.register(r.link, target, r.host)
        crawl = self.crawls.get(target)
        if crawl is None:
            self.ledger.record(r.link, "unsupported", platform=target, reason=f"no-{target}-parser")
            logger.warning("%s: no parser for %s links yet; reported as unsupported", r.link, target)
            return None
        return crawl.seed(r)

    def request(self, url: str, platform: str, callback: Callable[..., Any], *, link: str | None = None,
                meta: dict[str, Any] | None = None, errback: Callable[..., Any] | None = None, **kwargs: Any) -> Request:
        """A request to the spider method ``callback``; ``link`` is the ledger entry it serves (None: a helper
        request such as a feed or an API listing), ``errback`` the policy when it fails for good (``on_error``)."""
        full_meta = {LINK: link, PLATFORM: platform, **(meta or {})}
        return Request(url, callback=callback, errback=errback or self.on_error, meta=full_meta, **kwargs)

    def warehouse(self) -> Warehouse:
        return for_crawler(self.crawler)

    def on_error(self, failure: Failure) -> None:
        """A request failed for good (after retries): its link is recorded ``failed`` with the reason."""
        reason = give_up_reason(failure)
        if reason is None:
            return
        request: Request = failure.request  # type: ignore[attr-defined]
        link = request.meta.get(LINK)
        with request_author(self, request):
            if link:
                if self.ledger.state(link) in (None, "pending"):
                    self.ledger.record(link, "failed", platform=request.meta.get(PLATFORM, "article"), reason=reason)
            else:
                self.crawler.stats.inc_value(f"twin/discovery/failed/{reason}")
        if not getattr(failure.value, "twin_logged", False):  # already logged where found (DNS: once per host)
            logger.warning("failed %s (%s)", request.url, reason)

    # -- discovery from a handle: the handle's row in the run report, and remembering it on the author --
    def handle_meta(self, platform: str, handle: str, handle_link: str) -> dict[str, Any]:
        """Meta for the request whose answer decides whether discovery from ``handle`` works (feed, profile, first
        listing page); send it with ``errback=self.on_handle_error``. A discovery request has no ``twin_link`` (it
        is no content fetch: incremental skips must not apply)."""
        return {HANDLE: handle, HANDLE_LINK: handle_link, PLATFORM: platform}

    @on_failure
    def on_handle_error(self, request: Request, reason: str) -> None:
        self.handle_failed(request, reason)

    def handle_failed(self, source: Request | Response, reason: str) -> None:
        """A ``failed`` row for the handle (reason ``http-404``, ``not-a-feed`` ...): it shows in the run report and
        fails the run, and the handle is not remembered."""
        meta = meta_of(source)
        link, platform = meta.get(HANDLE_LINK), meta.get(PLATFORM, self.platform or "article")
        self.crawler.stats.inc_value(f"twin/discovery/failed/{reason}")
        if not link:
            return
        self.ledger.register(link, platform)
        self.ledger.record(link, "failed", platform=platform, reason=reason)
        logger.warning("discovery from the %s handle %r failed (%s): nothing found there, and the handle is not "
                       "remembered; check -a handle", platform, meta.get(HANDLE), reason)

    def handle_answered(self, response: Response) -> None:
        """The deciding discovery request answered with a usable listing: remember ``-a handle`` on the author for
        later runs (only now, never before the crawl, so a handle whose discovery failed is not kept)."""
        meta = meta_of(response)
        handle, platform = meta.get(HANDLE), meta.get(PLATFORM)
        if not (handle and handle == self.args.handle and self.author and platform and self.platform == platform):
            return
        handles = self.author.setdefault("handles", {})
        if handles.get(platform) == handle:
            return
        try:
            self.warehouse().set_user_handle(self.author["_id"], platform, handle)
        except WarehouseError as exc:  # the crawl goes on; only the next run's shortcut is lost
            logger.warning("could not remember the %s handle %r on the author: %s", platform, handle, exc)
            return
        handles[platform] = handle

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """``scrapy parse --spider=NAME URL``: the URL handled as a link the user gave. Its seed request's callback
        (article page, Medium post, ...) runs on this response; discovery requests (a feed, an API listing) are
        yielded for ``scrapy parse`` to list or follow (``--depth``)."""
        url = (response.meta.get("redirect_urls") or [response.url])[0]
        async for out in aiterate(self.seed(self.route_link(url))):
            if isinstance(out, Request) and out.meta.get(LINK) and out.callback is not None:
                # This response is the page that request would fetch: handle it under the request's meta.
                bound = response.replace(request=out.replace(url=response.url))
                async for item in aiterate(out.callback(bound)):
                    yield item
            else:
                yield out

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # USER_AGENT is computed from the TWIN_USER_AGENT environment variable when the settings module loads; a
        # later -s TWIN_USER_AGENT (higher priority) must still be what is sent.
        priority = settings.getpriority("TWIN_USER_AGENT") or 0
        if priority > (settings.getpriority("USER_AGENT") or 0):
            settings.set("USER_AGENT", settings.get("TWIN_USER_AGENT"), priority=priority)

    def author_name(self) -> str:
        """The author's full name for items (platforms that name the author themselves override per item)."""
        if self.author:
            return str(self.author["full_name"])
        if self.args.user:
            return self.args.user
        raise ArgumentError(f"{self.name}: the author is unknown; give -a user=\"First Last\"")

    def domain_of(self, url: str) -> str:
        return domain_of(url)



@dataclass(frozen=True)
class PlatformCrawl:
    """What a platform mixin offers the base: its seed policy for a user-given link, and optionally discovery
    from a handle, the page of a sniffed custom domain, and links its own router accepts (``file://`` mirrors)."""

    seed: Callable[[Route], Output]
    discover: Callable[[str], Output] | None = None
    from_sniffed: Callable[[Response, str], Output] | None = None
    route_special: Callable[[str], Route | None] | None = None
    needs_browser: bool = False  # a run with links of this platform maps the browser handler (Medium)
