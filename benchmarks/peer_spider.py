"""Benchmark 4's peer (issue 14): a plain Scrapy spider + trafilatura on the same URLs, the way a typical public
crawler for this job is written — ``trafilatura.extract`` on ``response.text`` in the callback, one dict per page,
no pipelines. Same project settings (reactor, concurrency, timeouts) minus twin-crawler's components.

    python -m benchmarks.peer_spider URLFILE
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.utils.project import get_project_settings


class PeerSpider(scrapy.Spider):
    """Fetch every URL of ``urlfile`` and extract its text with trafilatura."""

    name = "peer"

    def __init__(self, urlfile: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with open(urlfile, encoding="utf-8") as fh:
            self.urls = [line.strip() for line in fh if line.strip()]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> Iterator[dict[str, Any]]:
        text = getattr(response, "text", None)
        if text is None:
            return
        content = trafilatura.extract(text, url=response.url, with_metadata=True, include_comments=False,
                                      include_tables=True, output_format="markdown")
        if content:
            yield {"url": response.url, "content": content}


def main(urlfile: str) -> None:
    settings = get_project_settings()
    for name in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "EXTENSIONS", "SPIDER_MIDDLEWARES"):
        settings.set(name, {}, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(PeerSpider, urlfile=urlfile)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1])
