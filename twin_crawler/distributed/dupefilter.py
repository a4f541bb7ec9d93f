"""scrapy-redis's request dupefilter with an expiry, so a persistent shared frontier can re-crawl tomorrow.

scrapy-redis keeps fingerprints in a plain set forever when the queue persists (``SCHEDULER_PERSIST``, which a
fleet of workers needs: one worker closing must not wipe the others' frontier). Then the next day's seeds would be
filtered as duplicates. Here each fingerprint is a zset member scored with its expiry
(``TWIN_REDIS_DUPEFILTER_TTL`` seconds, default one day, matching ``TWIN_RECRAWL_AFTER``).
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter

from twin_crawler.settings import distributed as defaults

from . import Keys, connect

# KEYS: dupefilter zset; ARGV: fingerprint, ttl seconds -> 1 when seen (and not expired), else 0 (and recorded)
_SEEN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) > now then return 1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return 0
"""
DEFAULT_TTL = defaults.TWIN_REDIS_DUPEFILTER_TTL


class ExpiringDupeFilter(RFPDupeFilter):
    """Fingerprints (scrapy-redis's: method, canonical URL, body) remembered for ``ttl`` seconds."""

    def __init__(self, server: Any, key: str, debug: bool = False, ttl: float = DEFAULT_TTL) -> None:
        super().__init__(server, key, debug=debug)
        self.ttl = ttl
        self._seen = server.register_script(_SEEN)

    @classmethod
    def from_spider(cls, spider: Any) -> ExpiringDupeFilter:
        settings = spider.settings
        return cls(
            connect(settings),
            Keys.from_settings(settings, spider.name).dupefilter,
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            ttl=settings.getfloat("TWIN_REDIS_DUPEFILTER_TTL", defaults.TWIN_REDIS_DUPEFILTER_TTL),
        )

    def request_seen(self, request: Request) -> bool:
        return bool(self._seen(keys=[self.key], args=[self.request_fingerprint(request), self.ttl]))

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other workers share them (scrapy-redis's close() deletes the key)."""
