"""Generic articles: personal blogs and any site that is not a known platform."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from twin_crawler.items import Article, ArticleContent, DocumentImage
from twin_crawler.pages.article import NotAnArticle, PageError, parse_article
from twin_crawler.pages.blocks import header
from twin_crawler.pages.feeds import (
    feed_entry_links,
    feed_links,
    guess_feed_urls,
    is_feed,
    is_sitemap,
    same_site,
    sitemap_links,
)
from twin_crawler.pages.sniff import sniff_platform
from twin_crawler.urls import LinkError, Route, canonicalize

from .base import TwinBaseSpider
from .handler import PlatformHandler, StepResult

logger = logging.getLogger(__name__)
SITEMAP_DEPTH = 2


class ArticleHandler(PlatformHandler):
    """Page -> article; a blog root/index page -> its feed (or sitemap) -> every post."""

    platform = "article"

    def seed(self, route: Route) -> Iterator[Any]:
        yield self.spider.request(route.link, self.platform, "page", link=route.link, meta={"twin_seed": True})

    async def on_page(self, response: Response) -> AsyncIterator[Any]:
        link = response.meta["twin_link"]
        if not isinstance(response, TextResponse):
            self.spider.ledger.record(link, "dropped", reason="not-text")
            return
        if is_feed(response.body) or is_sitemap(response.body):
            for out in self.on_feed(response) if is_feed(response.body) else self.on_sitemap(response):
                yield out
            self.spider.ledger.record(link, "dropped", reason="feed-followed")
            return
        sniffed = self._sniff(response)
        if sniffed is not None:
            async for out in self.spider.iterate(sniffed):
                yield out
            return
        try:
            data = parse_article(response.url, response.text, min_words=self.spider.settings.getint("TWIN_MIN_ARTICLE_WORDS", 120))
        except NotAnArticle as exc:
            self.spider.ledger.record(link, "dropped", reason=exc.reason)
            if response.meta.get("twin_seed"):
                for out in self._discover_from(response, link):
                    yield out
            return
        except PageError as exc:
            self.spider.ledger.record(link, "dropped", reason="unreadable-page")
            logger.info("unreadable page %s: %s", response.url, exc)
            return
        canonical = link
        if data.canonical and same_site(response.urljoin(data.canonical), response.url):
            with contextlib.suppress(LinkError):
                canonical = canonicalize(response.urljoin(data.canonical))
        yield Article(
            link=canonical,
            platform="article",
            author_full_name=self.spider.author_name(),
            title=data.title or None,
            published_at=data.published_at,
            modified_at=data.modified_at.isoformat() if data.modified_at else None,
            language=data.language,
            domain=(urlsplit(canonical).hostname or "").removeprefix("www."),
            byline=data.byline,
            description=data.subtitle or None,
            tags=data.tags,
            content=ArticleContent(Title=data.title, Subtitle=data.subtitle, Content=data.content, language=data.language or ""),
            links=data.links, images=[DocumentImage(**i) for i in data.images],
        )

    def _sniff(self, response: TextResponse) -> StepResult:
        """A custom domain of a known platform is handed to that platform's parser (verdict cached per host)."""
        host = urlsplit(response.url).hostname or ""
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        platform = self.spider.host_platforms.get(host) or sniff_platform(headers, response.text)
        if platform is None:
            return None
        self.spider.host_platforms[host] = platform
        handler = self.spider.handler(platform)
        link = response.meta["twin_link"]
        if handler is None:
            self.spider.ledger.record(link, "unsupported", platform=platform, reason=f"no-{platform}-parser")
            return ()
        self.spider.ledger.register(link, platform).platform = platform
        return handler.from_sniffed(response, link) or ()

    def _discover_from(self, response: TextResponse, link: str) -> Iterator[Any]:
        """A seed that is an index page: follow its feed, else guessed feed paths, else its sitemap."""
        try:
            feeds = feed_links(response.url, response.text)
        except PageError:
            feeds = []
        feeds = [f for f in feeds if same_site(f, response.url)] or guess_feed_urls(response.url)[:1]
        root = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
        self.spider.ledger.record(link, "dropped", reason="index-page")
        for feed in feeds[:2]:
            yield self.spider.request(feed, self.platform, "feed", meta={"twin_site": root, "twin_allow_status": ()})
        yield self.spider.request(root + "/sitemap.xml", self.platform, "sitemap", meta={"twin_site": root, "twin_depth": 0})

    def on_feed(self, response: Response) -> Iterator[Any]:
        try:
            links = feed_entry_links(response.url, response.body)
        except PageError:
            links = []
        yield from self._follow(response, links)

    def on_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            pages, children = sitemap_links(response.body)
        except PageError:
            return
        depth = response.meta.get("twin_depth", 0)
        if depth < SITEMAP_DEPTH:
            for child in children[:50]:
                if same_site(child, response.url):
                    yield self.spider.request(child, self.platform, "sitemap", meta={"twin_depth": depth + 1})
        yield from self._follow(response, pages)

    def _follow(self, response: Response, urls: list[str]) -> Iterator[Any]:
        limit = self.spider.settings.getint("TWIN_MAX_DISCOVERED", 1000)
        followed = self.spider.crawler.stats.get_value("twin/discovered/article", 0)
        for url in urls:
            if followed >= limit:
                logger.warning("discovery limit TWIN_MAX_DISCOVERED=%d reached at %s", limit, response.url)
                break
            if not same_site(url, response.url):
                continue
            try:
                link = canonicalize(url)
            except LinkError:
                continue
            if self.spider.ledger.state(link) is not None:
                continue
            self.spider.ledger.register(link, self.platform)
            followed += 1
            self.spider.crawler.stats.inc_value("twin/discovered/article")
            yield self.spider.request(link, self.platform, "page", link=link)


class ArticleSpider(TwinBaseSpider):
    """Generic articles from any site.

    Arguments: ``user`` (required), ``links`` (article URLs, or a blog root: its feed or sitemap is followed),
    ``config``, ``force``, ``reprocess``.
    """

    name = "article"
    platform = "article"


__all__ = ["ArticleHandler", "ArticleSpider", "header"]
