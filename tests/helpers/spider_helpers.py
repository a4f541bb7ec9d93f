"""Spiders built offline (a crawler, stats, no engine) and their callbacks run without a crawl."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from twin_crawler.spiders.base import TwinBaseSpider

S = TypeVar("S", bound=TwinBaseSpider)


def offline_spider(cls: type[S], tmp_path: Path, settings: dict[str, Any] | None = None, **kwargs: Any) -> S:
    """A prepared spider of ``cls`` on an embedded warehouse in ``tmp_path``, with stats, as during a crawl."""
    crawler = get_crawler(cls, {"TWIN_DATA_DIR": str(tmp_path), "TWIN_BROWSER": "off", "TWIN_ALLOW_LOOPBACK": True,
                                "TELNETCONSOLE_ENABLED": False, **(settings or {})})
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    crawler.stats = MemoryStatsCollector(crawler)  # type: ignore[misc]  # stats exist only once a crawl starts
    spider.ledger.stats = crawler.stats
    assert isinstance(spider, cls)
    return spider


def outputs(result: Iterable[Any] | AsyncIterable[Any] | None) -> list[Any]:
    """Everything a seed or a callback yields (a callback is an async generator), collected outside a reactor."""
    if result is None:
        return []
    if isinstance(result, AsyncIterable):
        async def drain() -> list[Any]:
            return [out async for out in result]

        return asyncio.run(drain())
    return list(result)
