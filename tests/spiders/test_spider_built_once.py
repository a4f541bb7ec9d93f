"""The spider is built once per crawl (issue 13): the crawl command's preflight builds and prepares it, and
``from_crawler`` adopts that instance (the ``PREPARED`` spider argument) instead of building a second one. Both
halves of the command's path run here in-process, counting ``__init__`` calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from scrapy.utils.test import get_crawler

from twin_crawler.spiders.article import ArticleSpider
from twin_crawler.spiders.base import PREPARED
from twin_crawler.warehouse import from_settings


class CountingSpider(ArticleSpider):
    """An ArticleSpider that counts how often it is constructed."""

    name = "counting"
    built: ClassVar[int] = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).built += 1
        super().__init__(*args, **kwargs)


KWARGS = {"user": "Jane Doe", "links": "https://blog.example.org/a"}


def test_preflight_then_from_crawler_builds_the_spider_once(tmp_path: Path) -> None:
    CountingSpider.built = 0
    crawler = get_crawler(CountingSpider, {"TWIN_DATA_DIR": str(tmp_path)})
    warehouse = from_settings(crawler.settings)
    try:  # what commands/crawl.py runs before the engine
        prepared = CountingSpider.preflight(dict(KWARGS), crawler.settings, warehouse)
    finally:
        warehouse.close()
    spider = CountingSpider.from_crawler(crawler, **KWARGS, **{PREPARED: prepared})  # what Crawler.crawl runs next
    try:
        assert spider is prepared and spider.crawler is crawler and spider.settings is crawler.settings
        assert [r.link for r in spider.routes] == ["https://blog.example.org/a"]
        assert spider.author is not None and spider.author["full_name"] == "Jane Doe"
        assert CountingSpider.built == 1
    finally:
        assert spider.warehouse_extension is not None
        spider.warehouse_extension.warehouse.close()


def test_without_a_preflight_from_crawler_builds_and_prepares_it(tmp_path: Path) -> None:
    CountingSpider.built = 0
    crawler = get_crawler(CountingSpider, {"TWIN_DATA_DIR": str(tmp_path)})
    spider = CountingSpider.from_crawler(crawler, **KWARGS)  # scrapy runspider, CrawlerProcess from a script
    try:
        assert CountingSpider.built == 1 and [r.link for r in spider.routes] == ["https://blog.example.org/a"]
    finally:
        assert spider.warehouse_extension is not None
        spider.warehouse_extension.warehouse.close()
