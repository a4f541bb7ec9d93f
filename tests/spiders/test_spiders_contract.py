"""A contract over every spider: builds with documented arguments, start() yields offline, requests survive a queue."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from twin_crawler.arguments import COMMON_ARGUMENTS, ArgumentError
from twin_crawler.spiders.base import TwinBaseSpider

LOADER = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["twin_crawler.spiders"]}))
EXAMPLE_LINKS = {
    "article": "https://blog.example.org/2024/01/02/a-post",
    "twin": "https://blog.example.org/2024/01/02/a-post,https://github.com/o/r",
    "medium": "https://medium.com/@jane/a-story-2cc6bb01141f",
    "substack": "https://jane.substack.com/p/a-post",
    "linkedin": "https://www.linkedin.com/posts/jane_x-activity-7200012345678901234-AbCd",
    "github": "https://github.com/o/r",
}


def build(name: str, tmp_path: Path, **kwargs: Any) -> TwinBaseSpider:
    crawler = get_crawler(
        LOADER.load(name),
        {"TWIN_DATA_DIR": str(tmp_path), "TWIN_ALLOW_LOOPBACK": True, "TWIN_BROWSER": "off", "TELNETCONSOLE_ENABLED": False},
    )
    spider = crawler.spidercls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    assert isinstance(spider, TwinBaseSpider)
    return spider


async def first_requests(spider: TwinBaseSpider) -> list[Any]:
    out = []
    async for obj in spider.start():
        out.append(obj)
    return out


@pytest.mark.parametrize("name", LOADER.list())
def test_spider_contract(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cls = LOADER.load(name)
    assert cls.__doc__ and "Arguments" in cls.__doc__, f"{name}: the docstring must list its arguments"
    for arg in cls.extra_arguments:
        assert arg in cls.__doc__, f"{name}: argument {arg!r} is not documented in the docstring"
    spider = build(name, tmp_path, user="Jane Doe", links=EXAMPLE_LINKS.get(name, EXAMPLE_LINKS["article"]))
    # stats only exist once a crawl starts; the offline start() needs a stand-in collector.
    from scrapy.statscollectors import MemoryStatsCollector

    spider.crawler.stats = MemoryStatsCollector(spider.crawler)  # type: ignore[misc]
    produced = asyncio.run(first_requests(spider))
    requests = [r for r in produced if isinstance(r, Request)]
    assert requests or spider.ledger.totals().get("unsupported"), f"{name}: start() produced nothing"
    for request in requests:
        data = request.to_dict(spider=spider)
        restored = request_from_dict(pickle.loads(pickle.dumps(data)), spider=spider)
        assert restored.url == request.url and restored.callback == request.callback


@pytest.mark.parametrize("name", LOADER.list())
def test_spider_rejects_unknown_arguments(name: str, tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="unknown argument 'colour'"):
        build(name, tmp_path, user="Jane Doe", links=EXAMPLE_LINKS["article"], colour="blue")


def test_common_arguments_are_documented_on_the_base() -> None:
    assert {"user", "links", "handle", "config"} <= set(COMMON_ARGUMENTS)
