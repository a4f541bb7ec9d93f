"""Any spider as a worker: the distributed overlay's spider loader wraps each spider class in ``WorkerMixin``.

scrapy-redis 0.9.1 reads its start URLs in ``start_requests()``/``spider_idle`` (``RedisSpider``), which Scrapy
2.16+ never calls; this is the compatibility layer: an ``async def start()`` that leases JSON seeds from Redis,
turns each into the spider's own requests, and keeps polling until the worker is stopped (or, with
``TWIN_WORKER_IDLE_CLOSE`` > 0, until the whole fleet has had nothing to do for that many seconds).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import redis
from scrapy.http import Request
from scrapy.spiderloader import SpiderLoader

from twin_crawler.arguments import ArgumentError
from twin_crawler.authors import SEED_AUTHOR, SEED_USER_META, in_author_context
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.items import Document
from twin_crawler.settings import distributed as defaults
from twin_crawler.spiders.base import TwinBaseSpider
from twin_crawler.spiders.callbacks import aiterate, stamp_author
from twin_crawler.warehouse import Warehouse, warehouse_uri

from . import RedisUnavailable, connect
from .leases import Lease
from .scheduler import frontier_of
from .seeds import SeedError, parse_seed

logger = logging.getLogger(__name__)
EMBEDDED_REFUSED = (
    "distributed mode needs the shared MongoDB warehouse: set TWIN_MONGODB_URI=mongodb://... "
    "(the embedded file warehouse is local to one machine and is refused here)"
)


class WorkerMixin(TwinBaseSpider):
    """Turns a spider into a worker on the shared Redis frontier; ``-a`` arguments become optional."""

    author_from_platform = True  # a worker's authors come from its seeds, so -a user is not required
    frontier_shared = True  # links this worker discovered may be crawled (and recorded) by another one

    def prepare(self, warehouse: Warehouse) -> None:
        if warehouse_uri(self.settings) is None:
            raise ArgumentError(EMBEDDED_REFUSED)
        try:
            connect(self.settings).close()
        except RedisUnavailable as exc:
            raise ArgumentError(str(exc)) from None
        try:
            super().prepare(warehouse)  # every check of a normal run; -a links given to a worker join the frontier
        except ArgumentError as exc:
            # "nothing to crawl" is the base's last check, so everything else was checked; a worker's work
            # comes from its seeds.
            if str(exc) != self.nothing_to_do_message():
                raise

    def author_name(self) -> str:
        if self.author or self.args.user:
            return super().author_name()
        return SEED_AUTHOR  # outside any author context; AuthorMiddleware puts the real name on the item

    async def start(self) -> AsyncIterator[Any]:
        async for out in super().start():
            yield out
        frontier = frontier_of(self.crawler)
        if frontier is None:
            raise RuntimeError("the distributed worker needs SCHEDULER = twin_crawler.distributed.scheduler.LeasingScheduler")
        settings = self.crawler.settings
        poll = settings.getfloat("TWIN_SEED_POLL_SECONDS", defaults.TWIN_SEED_POLL_SECONDS)
        idle_close = settings.getfloat("TWIN_WORKER_IDLE_CLOSE", 0.0)
        logger.info("worker %s reading seeds from %s", self.name, frontier.leases.keys.seeds)
        idle_since: float | None = None
        while True:
            try:
                lease = frontier.pop_seed()
                idle = lease is None and idle_close > 0 and not any(frontier.leases.sizes().values())
            except redis.RedisError as exc:  # Redis restarting: the crawl waits for it rather than ending
                logger.warning("cannot read seeds (%s); retrying", exc)
                lease, idle = None, False
            if lease is not None:
                async for out in self._seed_output(lease):
                    yield out
                frontier.ack_seed(lease)  # resumed: the engine has scheduled everything yielded above
                idle_since = None
                continue
            idle_since = (idle_since or time.monotonic()) if idle else None
            if idle_since is not None and time.monotonic() - idle_since >= idle_close:
                logger.info("no seeds, requests or leases for %.1fs: worker %s stops", idle_close, self.name)
                return
            await asyncio.sleep(poll)

    async def _seed_output(self, lease: Lease) -> AsyncIterator[Any]:
        """The spider's own requests for one seed, each carrying the seed's author and meta."""
        stats = self.crawler.stats
        try:
            seed = parse_seed(lease.member)
            found = self.route_link(seed.url)
        except (SeedError, ArgumentError) as exc:
            logger.warning("dropping a seed: %s", exc)
            stats.inc_value("twin/distributed/seeds/invalid")
            return
        author = await self.author_cache.resolve(for_crawler(self.crawler), seed.user)
        if seed.platform:
            found = dataclasses.replace(found, platform=seed.platform)
        stats.inc_value("twin/distributed/seeds/started")
        async for out in in_author_context(aiterate(self.seed(found)), author):
            if isinstance(out, Request):
                out.meta.setdefault(SEED_USER_META, author["full_name"])
                for key, value in seed.meta.items():
                    out.meta.setdefault(key, value)
            elif isinstance(out, Document) and out.author_full_name == SEED_AUTHOR:
                out.author_full_name = author["full_name"]
            if isinstance(out, Document):
                stamp_author(out, author)
            yield out


_WORKER_CLASSES: dict[type, type] = {}


def worker_class(spidercls: type) -> type:
    """``spidercls`` with ``WorkerMixin`` in front (other spider classes are returned unchanged); one class per
    spider, so that loading a spider twice gives the same class."""
    if not issubclass(spidercls, TwinBaseSpider) or issubclass(spidercls, WorkerMixin):
        return spidercls
    if spidercls not in _WORKER_CLASSES:
        attrs = {"__module__": spidercls.__module__, "__doc__": spidercls.__doc__, "__qualname__": spidercls.__qualname__}
        _WORKER_CLASSES[spidercls] = type(spidercls.__name__, (WorkerMixin, spidercls), attrs)
    return _WORKER_CLASSES[spidercls]


class WorkerSpiderLoader(SpiderLoader):
    """Scrapy's spider loader, returning every project spider as a distributed worker."""

    def load(self, spider_name: str) -> type:
        return worker_class(super().load(spider_name))
