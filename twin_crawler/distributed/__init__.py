"""Distributed crawling on Redis: a shared frontier with leases, JSON seeds, and workers made from any spider.

Select it with ``SCRAPY_SETTINGS_MODULE=twin_crawler.settings.distributed``. Redis keys, per spider name::

    <prefix>:<spider>:seeds        list of JSON seeds {url, user, platform?, meta?} (``scrapy seed`` pushes them)
    <prefix>:<spider>:requests     the frontier (scrapy-redis priority queue: pickled requests, score -priority)
    <prefix>:<spider>:dupefilter   request fingerprints seen (zset, score = expiry time)
    <prefix>:<spider>:leases       lease id -> expiry time (zset); a popped request or seed is leased, not removed
    <prefix>:<spider>:lease-data   lease id -> the popped member (hash)
    <prefix>:<spider>:lease-meta   lease id -> "s" (a seed) or the member's frontier score (hash)
    <prefix>:<spider>:lease-seq    lease id counter
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import redis

from twin_crawler.secrets import redact_uri

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached; the message is one actionable line without credentials."""


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one spider's distributed crawl."""

    prefix: str
    spider: str

    def key(self, name: str) -> str:
        return f"{self.prefix}:{self.spider}:{name}"

    @property
    def seeds(self) -> str:
        return self.key("seeds")

    @property
    def frontier(self) -> str:
        return self.key("requests")

    @property
    def dupefilter(self) -> str:
        return self.key("dupefilter")

    @property
    def leases(self) -> str:
        return self.key("leases")

    @property
    def lease_data(self) -> str:
        return self.key("lease-data")

    @property
    def lease_meta(self) -> str:
        return self.key("lease-meta")

    @property
    def lease_seq(self) -> str:
        return self.key("lease-seq")

    @classmethod
    def from_settings(cls, settings: Any, spider: str) -> Keys:
        return cls(settings.get("TWIN_REDIS_PREFIX") or "twin", spider)


def redis_url(settings: Any) -> str:
    """``REDIS_URL`` from settings (the distributed overlay reads the environment), else the environment."""
    return str(settings.get("REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)


def connect(settings: Any) -> redis.Redis:
    """A client for ``REDIS_URL``, pinged; raises RedisUnavailable with a redacted one-line message."""
    url = redis_url(settings)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, retry_on_timeout=True)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(
            f"cannot reach Redis at {redact_uri(url)} ({type(exc).__name__}); start redis-server or set REDIS_URL"
        ) from None
    return client
