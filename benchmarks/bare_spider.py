"""Baseline (a): a bare Scrapy spider that fetches the given URLs and discards every response.

It runs with the project's own settings (local overlay: same reactor, concurrency, timeouts) minus everything
twin-crawler adds (pipelines, middlewares, extensions), so the difference to the ``article`` crawl is our code.

    python -m benchmarks.bare_spider URLFILE
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.utils.project import get_project_settings


class BareSpider(scrapy.Spider):
    """Fetch ``urls`` (one per line of the file given as ``urlfile``) and drop the responses."""

    name = "bare"

    def __init__(self, urlfile: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with open(urlfile, encoding="utf-8") as fh:
            self.urls = [line.strip() for line in fh if line.strip()]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> None:
        """Discard: the baseline is the cost of fetching alone."""


def main(urlfile: str, spider: type[scrapy.Spider] = BareSpider) -> None:
    """Crawl ``urlfile`` with ``spider`` on the project's settings minus everything twin-crawler adds."""
    settings = get_project_settings()
    for name in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "EXTENSIONS", "SPIDER_MIDDLEWARES"):
        settings.set(name, {}, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(spider, urlfile=urlfile)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1])
