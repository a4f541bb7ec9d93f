"""Overlay that turns any spider into a distributed worker on Redis (scrapy-redis frontier, leases, seeds).

Select with ``SCRAPY_SETTINGS_MODULE=twin_crawler.settings.distributed``; push seeds with ``scrapy seed``; run
``scrapy crawl <spider>`` on as many machines as you like. MongoDB (``TWIN_MONGODB_URI``) is required.
"""

import os

from twin_crawler.settings import *  # noqa: F403

# scrapy-redis on REDIS_URL (may carry a password: never logged, see twin_crawler.secrets.redact_uri)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
SCHEDULER = "twin_crawler.distributed.scheduler.LeasingScheduler"  # scrapy-redis Scheduler + leases
DUPEFILTER_CLASS = "twin_crawler.distributed.dupefilter.ExpiringDupeFilter"  # scrapy-redis RFPDupeFilter + expiry
SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"  # scrapy-redis default; keeps request priorities
SCHEDULER_PERSIST = True  # scrapy-redis default False would clear the shared frontier when any worker stops
# Every spider is loaded as a worker (async start() reading seeds): twin_crawler.distributed.worker
SPIDER_LOADER_CLASS = "twin_crawler.distributed.worker.WorkerSpiderLoader"

TWIN_REDIS_PREFIX = os.environ.get("TWIN_REDIS_PREFIX", "twin")  # keys: <prefix>:<spider>:seeds|requests|...
TWIN_LEASE_SECONDS = 120.0  # a popped request returns to the frontier this long after its worker stops heartbeating
TWIN_LEASE_TICK_SECONDS = 0.5  # how often a worker acks finished requests, heartbeats, and requeues expired leases
TWIN_SEED_POLL_SECONDS = 1.0  # how often an idle worker looks for new seeds
# 0: run until stopped; N: stop after N s with no seeds, requests or leases anywhere. Environment too (batch jobs
# set it there); a bad value is refused by the preflight (twin_crawler.checks), not at import.
TWIN_WORKER_IDLE_CLOSE = os.environ.get("TWIN_WORKER_IDLE_CLOSE") or 0.0
TWIN_REDIS_DUPEFILTER_TTL = 24 * 3600.0  # seconds a request fingerprint blocks a refetch (like TWIN_RECRAWL_AFTER)
