"""Generic articles: personal blogs and any site that is not a known platform.

What is stored is a claim that the author wrote it (issue 10), so the policy is strict about where pages come from:
- a link the user gave is stored when it is one article (a small word floor: short posts are articles too); when it
  fails a check it is recorded with that reason and nothing else happens;
- only a link that is really a listing (a blog root, ``/blog/``, a tag page) or a feed/sitemap the user gave starts
  discovery, and discovery stays inside that listing: the same host, and for sitemaps the listing's path;
- a discovered page must pass the full word floor, and is skipped when its byline names someone else.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response, TextResponse
from scrapy.utils.gz import gunzip, gzip_magic_number

from twin_crawler import parse_tasks
from twin_crawler import settings as defaults
from twin_crawler.extensions.parsepool import pool_of
from twin_crawler.items import Article
from twin_crawler.meta import ALLOW_STATUS, DISCOVERY, LINK, SEED
from twin_crawler.pages.article import NotAnArticle, PageError
from twin_crawler.pages.blocks import header
from twin_crawler.pages.byline import names_someone_else
from twin_crawler.pages.discovery import Discovery, is_feed_or_sitemap, listing_scope, read_listing_page
from twin_crawler.pages.feeds import feed_entry_links, is_feed, robots_sitemaps, same_site, sitemap_links
from twin_crawler.pages.sniff import sniff_platform
from twin_crawler.parsepool import ParserCrash
from twin_crawler.urls import LinkError, Route, canonicalize

from .base import PlatformCrawl, TwinBaseSpider
from .callbacks import Output, aiterate, on_failure, settles

logger = logging.getLogger(__name__)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed sitemap file
DISCOVERY_META = {ALLOW_STATUS: ()}  # every status is judged by the block middleware
PLAIN_PAGES = 3  # pages of a host in a row that show no platform before the host is taken for a plain site


class ArticleCrawl(TwinBaseSpider):
    """Any site's links: page -> article; a listing page -> its feed (and its own pages when the feed is short),
    else its sitemap (within the listing) -> every post."""

    def platform_crawls(self) -> dict[str, PlatformCrawl]:
        return {**super().platform_crawls(), "article": PlatformCrawl(seed=self.seed_article)}

    def seed_article(self, route: Route) -> Iterator[Any]:
        yield self.request(route.link, "article", self.parse_article_page, link=route.link, meta={SEED: True})

    @settles
    async def parse_article_page(self, response: Response) -> AsyncIterator[Any]:
        link = response.meta[LINK]
        given = bool(response.meta.get(SEED))
        if given and is_feed_or_sitemap(response.body):  # a feed or sitemap the user gave is the author's
            for out in self._article_listing_file(response, Discovery.for_file(response.url)):
                yield out
            self.ledger.record(link, "dropped", reason="feed-followed")
            return
        if not isinstance(response, TextResponse):
            self.ledger.record(link, "dropped", reason="not-text")
            return
        sniffed = self._article_sniff(response)
        if sniffed is not None:
            async for out in aiterate(sniffed):
                yield out
            return
        settings = self.settings
        if given:
            floor = settings.getint("TWIN_MIN_LINK_WORDS", defaults.TWIN_MIN_LINK_WORDS)
        else:
            floor = settings.getint("TWIN_MIN_ARTICLE_WORDS", defaults.TWIN_MIN_ARTICLE_WORDS)
        author = self.author_name()
        try:
            item = await self._article_item(response, floor, author, link)
        except ParserCrash as exc:
            self.ledger.record(link, "failed", reason=exc.reason)
            logger.warning("%s", exc)
            return
        except NotAnArticle as exc:
            self.ledger.record(link, "dropped", reason=exc.reason)  # the true reason, recorded once
            if given and exc.reason == "index-page":
                for out in self._article_start_discovery(response):
                    yield out
            return
        except PageError as exc:
            self.ledger.record(link, "dropped", reason="unreadable-page")
            logger.info("unreadable page %s: %s", response.url, exc)
            return
        if names_someone_else(item.byline, author):
            if not given:  # found through a listing of a multi-author site: someone else's writing
                self.ledger.record(link, "skipped", reason="other-author")
                return
            logger.info("%s: byline %r is not %r; stored because the link was given", link, item.byline, author)
        yield item

    async def _article_item(self, response: TextResponse, floor: int, author: str, link: str) -> Article:
        """The page's article, read in a worker of the parse pool when there is one (the body crosses, not the
        text, and the item comes back)."""
        pool = pool_of(self.crawler)
        if pool.workers == 0:  # the body and its encoding, as a worker gets them (parsed from the bytes when UTF-8)
            return parse_tasks.article(response.url, response.body, response.encoding, floor, author, link)
        self.crawler.stats.inc_value("twin/parse_pool/pages")
        return await pool.run(parse_tasks.article, response.url, response.body, response.encoding, floor, author, link)

    def _article_sniff(self, response: TextResponse) -> Output:
        """A custom domain of a known platform is handed to that platform's parser. The verdict is cached per host:
        a platform from its first page that shows one, no platform once ``PLAIN_PAGES`` of its pages in a row
        showed none (a blog's every page was sniffed: two full-text searches of ~150 KB each, 0.16 ms a page)."""
        host = urlsplit(response.url).hostname or ""
        platform = self.host_platforms.get(host)
        if platform is None:
            headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
            platform = sniff_platform(headers, response.text)
        if platform is None:
            plain = self._plain_pages[host] = self._plain_pages.get(host, 0) + 1
            if plain >= PLAIN_PAGES:
                self.host_platforms[host] = "article"
            return None
        if platform == "article":
            return None
        self.host_platforms[host] = platform
        crawl = self.crawls.get(platform)
        link = response.meta[LINK]
        if crawl is None or crawl.from_sniffed is None:
            self.ledger.record(link, "unsupported", platform=platform, reason=f"no-{platform}-parser")
            return ()
        self.ledger.register(link, platform).platform = platform
        return crawl.from_sniffed(response, link) or ()

    # -- discovery: feed first, then the sitemap; each candidate tried in turn, quietly -------------------------
    def _article_start_discovery(self, response: TextResponse) -> Iterator[Any]:
        found = Discovery.for_listing(response.url, response.text, listing_scope(response.url))
        logger.info("%s is a listing: following its feed or sitemap within %s", response.url, found.scope_url())
        yield from self._article_next(found)

    def _article_next(self, found: Discovery) -> Iterator[Request]:
        """The next candidate feed, robots.txt or sitemap of a discovery, or nothing when every one was tried."""
        step, url = found.next_candidate()
        if url is None:
            if not found.answered:
                logger.info("no feed or sitemap lists the posts of %s", found.listing)
            return
        if step == "robots":
            yield self._article_discovery(url, self.parse_article_robots, found, self.on_article_robots_failed)
        else:  # "feed" or "sitemap": one reader tells them apart by the body
            yield self._article_discovery(url, self.parse_article_feed, found)

    def _article_discovery(self, url: str, callback: Callable[..., Any], found: Discovery,
                           errback: Callable[..., Any] | None = None) -> Request:
        return self.request(url, "article", callback, meta={DISCOVERY: found.to_meta(), **DISCOVERY_META},
                            errback=errback or self.on_article_discovery_failed)

    @on_failure
    def on_article_robots_failed(self, request: Request, reason: str) -> None:
        """No robots.txt: no sitemaps from it; the next candidate."""
        found = Discovery.from_meta(request.meta[DISCOVERY])
        found.robots_read([])
        self._article_try_next(found, request, reason)

    @on_failure
    def on_article_discovery_failed(self, request: Request, reason: str) -> None:
        """A candidate that is not there (404, refused): try the next one."""
        self._article_try_next(Discovery.from_meta(request.meta[DISCOVERY]), request, reason)

    def _article_try_next(self, found: Discovery, request: Request, reason: str) -> None:
        # Errbacks cannot yield: the engine takes the next candidate directly.
        logger.debug("discovery candidate %s: %s", request.url, reason)
        for out in self._article_next(found):
            engine = self.crawler.engine
            assert engine is not None
            engine.crawl(out)

    @settles
    def parse_article_feed(self, response: Response) -> Iterator[Any]:
        found = Discovery.from_meta(response.meta[DISCOVERY])
        yield from self._article_listing_file(response, found)


    @settles
    def parse_article_robots(self, response: Response) -> Iterator[Any]:
        found = Discovery.from_meta(response.meta[DISCOVERY])
        text = response.text if isinstance(response, TextResponse) else ""
        found.robots_read([u for u in robots_sitemaps(text) if same_site(u, found.listing)])
        yield from self._article_next(found)

    def _article_listing_file(self, response: Response, found: Discovery) -> Iterator[Any]:
        """A feed or a sitemap (gzipped or not, an index of sitemaps or a list of pages) of a discovery."""
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
            except OSError:  # a corrupt .gz or one past the size cap (gunzip raises a subclass for that)
                body = b""
        if is_feed(body):
            yield from self._article_feed(response.url, body, found)
            return
        try:
            pages, children = sitemap_links(body)
        except PageError:
            pages, children = [], []
        pages = [p for p in pages if found.in_sitemap_scope(p)]
        for child_url, child in found.child_sitemaps([c for c in children if same_site(c, found.listing)]):
            yield self._article_discovery(child_url, self.parse_article_feed, child)
        if pages or children:
            found.answered = True
            yield from self._article_follow(response.url, pages)
        else:
            yield from self._article_next(found)

    def _article_feed(self, url: str, body: bytes, found: Discovery) -> Iterator[Any]:
        try:
            entries = [e for e in feed_entry_links(url, body) if same_site(e, found.listing)]
        except PageError:
            entries = []
        if not entries:
            yield from self._article_next(found)
            return
        found.answered = True
        yield from self._article_follow(url, entries)
        if found.feed_truncated(entries):
            # The listing shows posts its feed lacks (feeds carry the latest 10-20): its own pages list the rest.
            # Not the site's sitemap: a feed answered, and the listing is the author's source (issues 10, 12).
            logger.info("the feed %s lacks posts %s lists: reading the listing's pages too", url, found.listing)
            yield from self._article_follow(found.listing, found.posts)
            yield from self._article_listing_page(found)

    def _article_listing_page(self, found: Discovery) -> Iterator[Request]:
        if found.next_page:
            yield self._article_discovery(found.next_page, self.parse_article_listing, found)

    @settles
    def parse_article_listing(self, response: Response) -> Iterator[Any]:
        """One "Older posts" page of a listing whose feed is shorter than it: its posts, then the next page."""
        found = Discovery.from_meta(response.meta[DISCOVERY])
        try:
            page = read_listing_page(response.url, response.text if isinstance(response, TextResponse) else "")
        except PageError:
            return
        yield from self._article_follow(response.url, page.posts)
        following = found.next_listing_page(page)
        if following is not None:
            yield from self._article_listing_page(following)

    def _article_follow(self, source: str, urls: list[str]) -> Iterator[Any]:
        limit = self.settings.getint("TWIN_MAX_DISCOVERED", defaults.TWIN_MAX_DISCOVERED)
        stats = self.crawler.stats
        assert stats is not None
        followed = stats.get_value("twin/discovered/article", 0)
        for url in urls:
            if followed >= limit:
                logger.warning("discovery limit TWIN_MAX_DISCOVERED=%d reached at %s", limit, source)
                break
            try:
                link = canonicalize(url)
            except LinkError:
                continue
            if self.ledger.state(link) is not None:
                continue
            self.ledger.register(link, "article")
            followed += 1
            stats.inc_value("twin/discovered/article")
            yield self.request(link, "article", self.parse_article_page, link=link)


class ArticleSpider(ArticleCrawl):
    """Generic articles from any site.

    Arguments: ``user`` (required), ``links`` (article URLs, or a listing — a blog root, ``/blog/``, a tag page —
    or a feed/sitemap URL: discovery follows the feed, else the sitemap, within that listing), ``config``,
    ``force``, ``reprocess``.
    """

    name = "article"
    platform = "article"


__all__ = ["ArticleCrawl", "ArticleSpider", "header"]
