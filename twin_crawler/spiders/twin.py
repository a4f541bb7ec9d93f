"""The router: mixed links, each sent to its platform's parser by parsed host."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from twin_crawler.arguments import ArgumentError
from twin_crawler.browser import enable_browser
from twin_crawler.warehouse import Warehouse

from .article import ArticleCrawl
from .github import GithubCrawl
from .linkedin import LinkedinCrawl
from .medium import MediumCrawl
from .substack import SubstackCrawl


class TwinSpider(ArticleCrawl, MediumCrawl, SubstackCrawl, LinkedinCrawl, GithubCrawl):
    """Routes every link to medium, substack, linkedin, github or article by its host; custom domains of Medium
    and Substack are recognised from their first page (one request, verdict cached per host).

    Arguments: ``user`` (or ``config``: one author, or several with ``author_links``, each link under its own
    author), ``links``/``config``, ``force``, ``reprocess``. ``handle`` is refused:
    discovery from a handle belongs to the platform spiders.
    """

    name = "twin"
    platform = None
    # The spiders that discover from a handle (tests/spiders/test_failed_handles.py keeps this list true).
    HANDLE_SPIDERS = ("medium", "substack", "github", "linkedin")

    def prepare(self, warehouse: Warehouse) -> None:
        if self.args.handle:  # a handle names an account on one platform: the router cannot tell which
            raise ArgumentError(f"twin: -a handle needs a platform spider: scrapy crawl {'|'.join(self.HANDLE_SPIDERS)} "
                                "-a handle=...")
        super().prepare(warehouse)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TwinSpider:
        spider: TwinSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        # Only a run that has links of a browser-needing platform (Medium behind Cloudflare) maps the browser
        # handler; a GitHub- or blog-only run never starts Playwright. Settings are frozen after this returns.
        platforms = {r.platform for r in spider.routes}
        if any(spider.crawls[p].needs_browser for p in platforms if p in spider.crawls):
            enable_browser(crawler.settings)
        return spider
