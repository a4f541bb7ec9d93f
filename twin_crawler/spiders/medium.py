"""Medium: RSS discovery from a handle, post pages (JSON-LD + Apollo paragraphs), custom domains, browser retry."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings

from twin_crawler.arguments import ArgumentError
from twin_crawler.browser import enable_browser
from twin_crawler.items import name_key
from twin_crawler.meta import HANDLE_LINK, LINK, MEDIUM_HANDLE, MEDIUM_PREVIEW
from twin_crawler.pages.html import PageError
from twin_crawler.pages.medium import MediumPostPage, NotAMediumPost, post_link
from twin_crawler.pages.medium_apollo import profile_post_ids
from twin_crawler.pages.medium_feed import MediumFeedPage, preview_from_meta, preview_to_meta
from twin_crawler.urls import Route, canonicalize
from twin_crawler.warehouse import Warehouse

from .base import PlatformCrawl, TwinBaseSpider
from .callbacks import settles

logger = logging.getLogger(__name__)
HANDLE = re.compile(r"@?[A-Za-z0-9_.-]{1,100}")
MEDIUM_HOSTS = ("medium.com", "www.medium.com")


def medium_base(settings: Any) -> str:
    return str(settings.get("TWIN_MEDIUM_BASE_URL") or "https://medium.com").rstrip("/")


def feed_url(handle: str, base: str) -> str:
    """The RSS feed of a handle: ``jane``/``@jane`` -> /feed/@jane, ``jane.medium.com`` or a custom domain ->
    ``https://<host>/feed``, a profile or publication URL -> its feed. Raises ArgumentError for anything else."""
    text = handle.strip()
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        first = next((s for s in parts.path.split("/") if s), "")
        if (parts.hostname or "") in MEDIUM_HOSTS:
            if not first:
                raise ArgumentError(f"handle: {text!r} names no Medium account; give -a handle=<username>")
            return f"{base}/feed/{first}"
        return f"{parts.scheme}://{parts.netloc}/feed"
    if not HANDLE.fullmatch(text):
        raise ArgumentError(f"handle: {text[:80]!r} is not a Medium username; give -a handle=<username> (as in medium.com/@username)")
    if "." in text.strip("."):
        return f"https://{text}/feed"  # <user>.medium.com or a custom domain
    return f"{base}/feed/@{text.lstrip('@')}"


class MediumCrawl(TwinBaseSpider):
    """Medium links and handles: feed -> posts (complete feed items are stored without fetching their page); post
    pages -> articles. Medium sits behind Cloudflare, so a run with Medium links maps the browser handler."""

    def platform_crawls(self) -> dict[str, PlatformCrawl]:
        return {**super().platform_crawls(), "medium": PlatformCrawl(
            seed=self.seed_medium, discover=self.discover_medium, from_sniffed=self.medium_from_sniffed,
            needs_browser=True)}

    @property
    def medium_root(self) -> str:
        return medium_base(self.settings)

    def medium_page_url(self, url: str, post_id: str) -> str:
        """Where to fetch a post: medium.com paths under TWIN_MEDIUM_BASE_URL, other hosts (custom domains) as is."""
        host = urlsplit(url).hostname or ""
        if host in MEDIUM_HOSTS:
            return self.medium_root + (urlsplit(url).path or f"/p/{post_id}")
        return f"{self.medium_root}/p/{post_id}" if host.endswith(".medium.com") else url

    def seed_medium(self, route: Route) -> Iterator[Any]:
        if route.platform == "medium" and route.kind == "post" and route.key:
            yield self.request(f"{self.medium_root}/p/{route.key}", "medium", self.parse_medium_post, link=route.link)
        elif route.platform == "medium" and route.kind in ("profile", "publication") and route.key:
            self.ledger.record(route.link, "dropped", platform="medium", reason="discovery-followed")
            for request in self.discover_medium(route.link if route.kind == "publication" else route.key):
                request.meta[HANDLE_LINK] = route.link  # a failure is that link's row (jane.medium.com)
                yield request
        elif route.platform == "medium":
            self.ledger.record(route.link, "unsupported", platform="medium", reason=f"medium-{route.kind}")
        else:  # an unknown host given to the medium spider: a custom domain, checked by the page parser
            yield self.request(route.link, "medium", self.parse_medium_post, link=route.link)

    def medium_handle_link(self, handle: str) -> str:
        text = handle.strip()
        if text.startswith(("http://", "https://")):  # a profile/publication link given by the user
            return canonicalize(text)
        if "." in text.strip("."):
            return f"https://{text.lower()}/"  # <user>.medium.com or a custom domain
        return f"https://medium.com/@{text.lstrip('@')}"

    def discover_medium(self, handle: str) -> Iterator[Any]:
        # The feed decides: a 404 (no such account) or a page that is no feed makes the handle a failed row.
        yield self.request(feed_url(handle, self.medium_root), "medium", self.parse_medium_feed, errback=self.on_handle_error,
                           meta=self.handle_meta("medium", handle, self.medium_handle_link(handle)))
        if self.args.flag("history") and not handle.startswith(("http://", "https://")):
            yield self.request(f"{self.medium_root}/@{handle.lstrip('@')}", "medium", self.parse_medium_profile,
                               meta={MEDIUM_HANDLE: handle})

    @settles
    def parse_medium_feed(self, response: Response) -> Iterator[Any]:
        try:  # a body that is no feed makes the handle a failed row
            feed = MediumFeedPage(response.url, response.body).read()
        except PageError as exc:
            logger.warning("%s is not a Medium feed (%s); check the handle", response.url, exc)
            self.handle_failed(response, "not-a-feed")
            return
        self.handle_answered(response)
        for entry in feed.entries:
            link = post_link(entry.post_id)
            if not self._medium_register(link, entry.url):
                continue
            if feed.author is None and not self._medium_by_author(entry.creator):
                # A publication feed holds every writer's posts; only the author's own are theirs.
                self.ledger.record(link, "skipped", platform="medium", reason="other-author")
                continue
            if entry.complete:
                yield entry.to_item(self.author_name())
            else:  # member-only or cut short: the page may hold a longer preview; the feed's is kept as fallback
                yield self.request(self.medium_page_url(entry.url, entry.post_id), "medium", self.parse_medium_post,
                                   link=link, meta={MEDIUM_PREVIEW: preview_to_meta(entry.to_item(self.author_name()))})

    def _medium_by_author(self, creator: str | None) -> bool:
        """The feed item's ``dc:creator`` names the author (every word of the author's name appears in it)."""
        wanted = set(name_key(self.author_name()).split())
        return not creator or wanted <= set(name_key(creator).split())

    @settles
    def parse_medium_profile(self, response: Response) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        for post_id in profile_post_ids(text, response.meta[MEDIUM_HANDLE]):
            link = post_link(post_id)
            if self._medium_register(link, response.url):
                yield self.request(f"{self.medium_root}/p/{post_id}", "medium", self.parse_medium_post, link=link)

    def _medium_register(self, link: str, url: str) -> bool:
        """Track a discovered post; False when this run already has it (given as a link, or in two feeds)."""
        if self.ledger.state(link) is not None:
            return False
        self.ledger.register(link, "medium", self.domain_of(url))
        self.crawler.stats.inc_value("twin/discovered/medium")
        return True

    @settles
    def parse_medium_post(self, response: Response) -> Iterator[Any]:
        yield from self._medium_post(response, response.meta[LINK])

    def medium_from_sniffed(self, response: Response, link: str) -> Iterator[Any]:
        yield from self._medium_post(response, link)

    def _medium_post(self, response: Response, link: str) -> Iterator[Any]:
        reason = "not-text"
        if isinstance(response, TextResponse):
            try:
                page = MediumPostPage(response.url, response.text)
                yield page.to_item(self.author_name())
                return
            except NotAMediumPost as exc:
                reason = exc.reason
            except PageError as exc:
                reason = "unreadable-page"
                logger.info("unreadable Medium page %s: %s", response.url, exc)
        preview = response.meta.get(MEDIUM_PREVIEW)
        if preview:
            yield preview_from_meta(preview, response.url)
            return
        self.ledger.record(link, "dropped", platform="medium", reason=reason)

class MediumSpider(MediumCrawl):
    """Medium posts of one author.

    Arguments: ``user`` (required), ``handle`` (Medium username, ``<user>.medium.com``, or a profile/publication
    URL: its RSS feed, the latest 10 posts, is crawled; remembered on the author), ``links`` (post URLs, custom
    domains included), ``history`` (1: also read the post ids embedded in the profile page; logged-out that is
    about the same 10 latest posts; older history needs Medium's export, GraphQL is not called), ``config``,
    ``force``, ``reprocess``.
    Settings: ``TWIN_MEDIUM_BASE_URL`` (default https://medium.com), ``TWIN_BROWSER`` (``off`` disables the
    Chromium retry of Cloudflare-blocked pages), ``TWIN_BROWSER_SCHEMES`` (default https).
    """

    name = "medium"
    platform = "medium"
    extra_arguments = {"history": "1 to also read post ids from the profile page (limited: about the latest 10)"}

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Medium pages sit behind Cloudflare: blocked plain requests are retried once in Chromium when available.
        enable_browser(settings)

    def prepare(self, warehouse: Warehouse) -> None:
        if self.args.handle:
            feed_url(self.args.handle, medium_base(self.settings))  # a bad handle fails before it is remembered
        super().prepare(warehouse)
