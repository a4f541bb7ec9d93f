"""LinkedIn: public posts and Pulse articles logged-out; the author's activity feed with an opt-in session."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from twin_crawler import settings as defaults
from twin_crawler import urls
from twin_crawler.arguments import ArgumentError
from twin_crawler.browser import enable_browser
from twin_crawler.meta import HANDLE, LINK, POST_KEY
from twin_crawler.pages.html import PageError
from twin_crawler.pages.linkedin import LinkedinPostsPage, authwall_reason
from twin_crawler.pages.linkedin_pulse import NotAPulseArticle, PulsePage
from twin_crawler.urls import Route
from twin_crawler.warehouse import Warehouse

from . import linkedin_session as session
from .base import PlatformCrawl, TwinBaseSpider
from .callbacks import settles

logger = logging.getLogger(__name__)


class LinkedinCrawl(TwinBaseSpider):
    """LinkedIn links: guest ``/posts/``, ``/feed/update/`` and ``/pulse/`` pages over plain HTTP; with
    ``session=1`` the ``/in/<handle>/recent-activity/all/`` feed in the browser, one Post per card."""

    def platform_crawls(self) -> dict[str, PlatformCrawl]:
        return {**super().platform_crawls(), "linkedin": PlatformCrawl(
            seed=self.seed_linkedin, discover=self.discover_linkedin, route_special=self.linkedin_route)}

    def linkedin_route(self, url: str) -> Route | None:
        """Links on a configured mirror (``TWIN_LINKEDIN_BASE_URL``, loopback in tests) route like linkedin.com."""
        base = self.linkedin_base_url
        if base == session.DEFAULT_BASE_URL or not url.startswith(base + "/"):
            return None
        try:
            link = urls.canonicalize(url)
        except urls.LinkError:
            return None
        parts = urlsplit(link)
        return urls._route_linkedin(parts.hostname or "", parts.path, link)  # same path rules as linkedin.com

    @property
    def linkedin_base_url(self) -> str:
        return str(self.settings.get("TWIN_LINKEDIN_BASE_URL") or session.DEFAULT_BASE_URL).rstrip("/")

    def linkedin_session_on(self) -> bool:
        return self.args.flag("session") and "session" in self.extra_arguments

    def seed_linkedin(self, route: Route) -> Iterator[Any]:
        if route.kind in ("post", "article"):
            callback = self.parse_linkedin_post if route.kind == "post" else self.parse_linkedin_pulse
            yield self.request(route.link, "linkedin", callback, link=route.link, meta={POST_KEY: route.key})
        elif route.kind == "profile" and route.key and self.linkedin_session_on():
            self.ledger.record(route.link, "dropped", platform="linkedin", reason="profile-feed-read")
            yield from self.discover_linkedin(route.key)
        else:
            reason = "needs-session" if route.kind == "profile" else "not-a-post"
            self.ledger.record(route.link, "unsupported", platform="linkedin", reason=reason)
            logger.warning("%s: only public /posts/, /feed/update/ and /pulse/ links can be read%s", route.link,
                           " (a profile's posts need -a session=1)" if route.kind == "profile" else "")

    def discover_linkedin(self, handle: str) -> Iterator[Any]:
        if not self.linkedin_session_on():
            raise ArgumentError(LinkedinSpider.NEEDS_SESSION)
        url = f"{self.linkedin_base_url}/in/{handle}/recent-activity/all/"
        link = urls.canonicalize(url)
        self.ledger.register(link, "linkedin")
        scrolls = session.scroll_limit(self.args.flags.get("scrolls"), self.settings)
        wait = self.settings.getfloat("TWIN_LINKEDIN_SCROLL_WAIT", defaults.TWIN_LINKEDIN_SCROLL_WAIT)
        # The feed has its own ledger row (twin_link); twin_handle lets a read feed remember the handle.
        yield self.request(url, "linkedin", self.parse_linkedin_feed, link=link,
                           meta={**session.feed_meta(scrolls, wait), HANDLE: handle})

    def _linkedin_blocked(self, response: Response, link: str, found: bool) -> bool:
        """Record ``blocked`` when the page is the auth wall (or only a sign-in form); the page is never parsed."""
        text = response.text if isinstance(response, TextResponse) else ""
        reason = authwall_reason(response.url, text, has_content=found)
        if reason is None:
            return False
        self.ledger.record(link, "blocked", platform="linkedin", reason=reason)
        logger.warning("blocked (%s) at %s: nothing stored", reason, response.url)
        return True

    @settles
    def parse_linkedin_post(self, response: Response) -> Iterator[Any]:
        link = response.meta[LINK]
        page = self._linkedin_page(response, feed=False)
        if self._linkedin_blocked(response, link, bool(page)):
            return
        post = page.to_item(self.author_name(), key=response.meta.get(POST_KEY), share_url=link) if page else None
        if post is None:
            self.ledger.record(link, "dropped", platform="linkedin", reason="no-post-on-page")
            return
        yield post

    @settles
    def parse_linkedin_pulse(self, response: Response) -> Iterator[Any]:
        link = response.meta[LINK]
        if self._linkedin_blocked(response, link, True):
            return
        try:
            item = PulsePage(response.url, response.text if isinstance(response, TextResponse) else "").to_item(
                self.author_name(), link)
        except (NotAPulseArticle, PageError) as exc:
            if not self._linkedin_blocked(response, link, False):
                self.ledger.record(link, "dropped", platform="linkedin", reason="no-article-body")
                logger.info("no Pulse article at %s: %s", response.url, exc)
            return
        yield item

    @settles
    def parse_linkedin_feed(self, response: Response) -> Iterator[Any]:
        link = response.meta[LINK]
        page = self._linkedin_page(response, feed=True)
        posts = page.to_items(self.author_name(), via="feed") if page else []
        if self._linkedin_blocked(response, link, bool(posts)):
            return
        methods = response.meta.get("playwright_page_methods") or []
        scrolled = getattr(methods[0], "result", None) if methods else None
        stats = self.crawler.stats
        stats.set_value("twin/linkedin/feed/scrolls", scrolled if isinstance(scrolled, int) else 0)
        stats.set_value("twin/linkedin/feed/cards", len(posts))
        if not posts:  # a changed page layout looks exactly like this: say so rather than report success
            self.ledger.record(link, "dropped", platform="linkedin", reason="empty-activity-feed")
            logger.warning("no post cards found on %s (empty activity, or LinkedIn changed its markup)", response.url)
            return
        self.ledger.record(link, "dropped", platform="linkedin", reason="activity-feed-read")
        self.handle_answered(response)
        for post in posts:
            if post.extra["repost"] or not post.content.text:
                stats.inc_value(f"twin/linkedin/feed/skipped/{'repost' if post.extra['repost'] else 'no-text'}")
                continue
            if self.ledger.state(post.link) is not None:
                continue  # also given as a link, or a card repeated by the feed
            self.ledger.register(post.link, "linkedin")
            yield post
        logger.info("activity feed %s: %d cards after %s scrolls", response.url, len(posts), scrolled)

    def _linkedin_page(self, response: Response, *, feed: bool) -> LinkedinPostsPage | None:
        """The page's posts, None when it is not a readable HTML page."""
        if not isinstance(response, TextResponse):
            return None
        try:
            return LinkedinPostsPage(response.url, response.text, feed=feed, base_url=self.linkedin_base_url).read()
        except PageError:
            return None


class LinkedinSpider(LinkedinCrawl):
    """LinkedIn posts and Pulse articles.

    Arguments: ``user`` (required), ``links`` (public ``/posts/…``, ``/feed/update/urn:li:activity:…`` and
    ``/pulse/…`` URLs, read logged-out), ``handle`` (the author's ``/in/<handle>``; needs ``session``),
    ``session`` (1 = read the author's activity feed in a browser with the ``li_at`` cookie from the
    environment variable ``TWIN_LINKEDIN_LI_AT``; explicit opt-in, it uses the author's own account),
    ``scrolls`` (feed scroll limit, default ``TWIN_LINKEDIN_SCROLLS``), ``config``, ``force``, ``reprocess``.
    """

    name = "linkedin"
    platform = "linkedin"
    extra_arguments = {
        "session": "1 to read the author's activity feed with the li_at cookie in TWIN_LINKEDIN_LI_AT (opt-in)",
        "scrolls": "how many times to scroll the activity feed (default: setting TWIN_LINKEDIN_SCROLLS)",
    }
    NEEDS_SESSION = ("linkedin: a member's list of posts is behind the login wall; give -a session=1 with your own "
                     "li_at cookie in TWIN_LINKEDIN_LI_AT, or give public post URLs with -a links=URL,...")

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        enable_browser(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> LinkedinSpider:
        spider: LinkedinSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        if spider.args.flag("session"):
            # Settings are not frozen until the spider exists (Scrapy >= 2.11): the context is added here, with
            # the cookie read from the environment, and never passes through request meta.
            session.install_session(crawler.settings, str(crawler.settings.get("TWIN_LINKEDIN_BASE_URL")
                                                          or session.DEFAULT_BASE_URL))
        return spider

    def prepare(self, warehouse: Warehouse) -> None:
        session.scroll_limit(self.args.flags.get("scrolls"), self.settings)
        if self.args.flag("session"):
            session.check_session(self.settings)
        super().prepare(warehouse)
        if not self.args.flag("session") and (
            self.discovery_handle() or (self.routes and all(r.kind == "profile" for r in self.routes))
        ):
            raise ArgumentError(self.NEEDS_SESSION)
