"""The worker's scheduler: scrapy-redis's shared frontier, where a popped request is leased until its outcome is
confirmed, and every worker gives back the leases of dead workers.

A request's outcome is confirmed when (1) the engine has finished with it — its response went through the
callback (or its failure through the errback), every item it produced went through the item pipelines, and every
request it produced (children, retries, redirects) is already in the Redis frontier — and (2) a warehouse flush
that began after (1) has succeeded, so the documents the pipelines queued for it are stored. Only then is the
lease deleted. A worker killed at any point leaves the lease to expire; a live worker then puts the request back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import redis
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task
from twisted.internet.defer import Deferred

from twin_crawler.concurrency import in_thread
from twin_crawler.extensions import engine_scheduler
from twin_crawler.pipelines.warehouse import writer_of
from twin_crawler.settings import distributed as defaults

from . import Keys, connect
from .leases import Lease, LeaseStore

logger = logging.getLogger(__name__)


@dataclass
class _Held:
    lease: Lease
    request: Request | None  # None: a seed, leased by the spider's start()


class LeasingScheduler(Scheduler):
    """scrapy-redis ``Scheduler`` with leases, a persistent frontier, and stats calls without ``spider=``."""

    crawler: Crawler
    df: Any  # the request dupefilter (scrapy-redis leaves it untyped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        settings = crawler.settings
        prefix = settings.get("TWIN_REDIS_PREFIX") or "twin"
        scheduler = cls(
            server=connect(settings),
            persist=True,  # the frontier is shared: one worker closing must never clear it for the others
            queue_key=f"{prefix}:%(spider)s:requests",
            queue_cls=settings.get("SCHEDULER_QUEUE_CLASS") or "scrapy_redis.queue.PriorityQueue",
            dupefilter_cls=settings.get("DUPEFILTER_CLASS") or "twin_crawler.distributed.dupefilter.ExpiringDupeFilter",
        )
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Any) -> None:
        # Not super().open(): scrapy-redis logs through the deprecated ``spider.log()`` when the queue is not empty.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, serializer=self.serializer,
                                                 key=self.queue_key % {"spider": spider.name})
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if len(self.queue):
            logger.info("joining a crawl in progress: %d requests in the shared frontier", len(self.queue))
        settings = self.crawler.settings
        self.leases = LeaseStore(self.server, Keys.from_settings(settings, spider.name),
                                 settings.getfloat("TWIN_LEASE_SECONDS", defaults.TWIN_LEASE_SECONDS))
        self._held: dict[str, _Held] = {}
        self._heartbeat_every = max(0.2, self.leases.lease_seconds / 3)
        self._next_heartbeat = time.monotonic() + self._heartbeat_every
        self._acking: Deferred[Any] | None = None
        self._tainted: set[str] = set()
        self._tick_call = task.LoopingCall(self._tick)
        self._tick_call.start(settings.getfloat("TWIN_LEASE_TICK_SECONDS", defaults.TWIN_LEASE_TICK_SECONDS), now=False)

    def close(self, reason: str) -> None:
        """Graceful stop: confirmed leases are acked, everything else goes back to the shared frontier now."""
        if self._tick_call.running:
            self._tick_call.stop()
        writer = writer_of(self.crawler)
        written = writer is None or not writer.pending()  # the pipelines flushed on close (or could not)
        done = {lease_id for lease_id, h in self._held.items()
                if h.request is not None and written and self._finished(h) and lease_id not in self._tainted}
        rest = [lease_id for lease_id in self._held if lease_id not in done]
        try:
            self._inc("twin/distributed/acked", self.leases.ack(sorted(done)))
            self._inc("twin/distributed/released", self.leases.release(rest))
        except redis.RedisError as exc:  # the leases expire and another worker requeues them
            logger.warning("could not settle %d leases on close (%s); they will expire", len(self._held), exc)
        self._held.clear()
        super().close(reason)

    # -- scheduler interface --
    def enqueue_request(self, request: Request) -> bool:
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except redis.RedisError as exc:
            # The request is lost here, so the request that produced it (one of those held now) must not be
            # acked: they are left to expire and be fetched again (the warehouse upserts make a repeat harmless).
            logger.error("could not queue %s in Redis: %s", request.url, exc)
            self._tainted.update(self._held)
            return False
        self._inc("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        try:
            lease = self.leases.pop_request()
        except redis.RedisError as exc:
            logger.warning("cannot read the frontier (%s); retrying", exc)
            return None
        if lease is None:
            return None
        try:
            request: Request = self.queue._decode_request(lease.member)
        except Exception:  # a request no worker can rebuild would come back forever: drop it, loudly
            logger.exception("dropping an undecodable request from the frontier")
            self.leases.ack([lease.id])
            self._inc("twin/distributed/undecodable")
            return None
        self._held[lease.id] = _Held(lease, request)
        self._inc("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    # -- seeds (leased by the spider's start()) --
    def pop_seed(self) -> Lease | None:
        lease = self.leases.pop_seed()
        if lease is not None:
            self._held[lease.id] = _Held(lease, None)
        return lease

    def ack_seed(self, lease: Lease) -> None:
        """The seed's requests are in the frontier (or were filtered as seen): the seed is done."""
        self._held.pop(lease.id, None)
        if lease.id not in self._tainted:  # else one of its requests was not queued: let the lease expire
            self.leases.ack([lease.id])

    # -- the periodic tick: acks, heartbeats, requeue of dead workers' leases --
    def _finished(self, held: _Held) -> bool:
        slot = getattr(self.crawler.engine, "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        # Scrapy's engine keeps a request in ``inprogress`` from download until its scrape is fully processed.
        return inprogress is not None and held.request not in inprogress

    def _tick(self) -> None:
        try:
            if time.monotonic() >= self._next_heartbeat:
                self.leases.extend(list(self._held))
                self._next_heartbeat = time.monotonic() + self._heartbeat_every
            requeued = self.leases.requeue_expired()
            if requeued:
                logger.info("requeued %d requests/seeds whose lease expired (a worker died or hung)", requeued)
                self._inc("twin/distributed/requeued", requeued)
            self._wake_engine()
        except redis.RedisError as exc:
            logger.warning("redis error in the lease tick, will retry: %s", exc)
        if self._acking is None:
            # Not awaited by the LoopingCall: a slow warehouse flush must not hold back the heartbeats above.
            self._acking = deferred_from_coro(self._ack_finished())
            self._acking.addErrback(lambda f: logger.warning("acking finished requests failed, will retry: %s", f.value))
            self._acking.addBoth(self._ack_done)

    def _ack_done(self, _: Any) -> None:
        self._acking = None

    async def _ack_finished(self) -> None:
        done = [lease_id for lease_id, held in self._held.items() if held.request is not None and self._finished(held)]
        if not done:
            return
        for lease_id in self._tainted.intersection(done):  # unacked, no longer heartbeated: they expire
            self._held.pop(lease_id, None)
            self._tainted.discard(lease_id)
        done = [lease_id for lease_id in done if lease_id in self._held]
        writer = writer_of(self.crawler)
        if writer is not None:
            try:
                await in_thread(writer.flush)  # everything queued before this call is stored when it returns
            except Exception as exc:  # the warehouse is down: keep the leases (heartbeat) and try again
                logger.warning("warehouse flush failed, %d leases stay held: %s", len(done), exc)
                return
        for lease_id in done:
            self._held.pop(lease_id, None)
        self._inc("twin/distributed/acked", self.leases.ack(done))

    def _wake_engine(self) -> None:
        # The engine polls the scheduler only on its own events and a 5 s heartbeat; requests other workers put
        # in the shared frontier would wait that long, so nudge it when the frontier has work.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and len(self.queue):
            slot.nextcall.schedule()

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(key, count)


def frontier_of(crawler: Crawler) -> LeasingScheduler | None:
    """The crawl's leasing scheduler, found as Scrapy finds it (``crawler.engine.scheduler``, public since 2.19):
    None outside distributed mode and before the engine opened the spider."""
    scheduler = engine_scheduler(crawler)
    return scheduler if isinstance(scheduler, LeasingScheduler) else None
