"""Substack: a handle -> public_profile -> every publication -> archive pages -> each post from the JSON API."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from scrapy.http import Request, Response, TextResponse

from twin_crawler import settings as defaults
from twin_crawler.arguments import ArgumentError
from twin_crawler.meta import (
    HANDLE,
    HANDLE_LINK,
    LINK,
    PLATFORM,
    SUB_AUTHOR,
    SUB_BASE,
    SUB_HANDLE,
    SUB_OFFSET,
)
from twin_crawler.pages.html import PageError
from twin_crawler.pages.sniff import sniff_platform
from twin_crawler.pages.substack import (
    SubstackError,
    SubstackPostPage,
    byline_matches,
    name_token,
    parse_archive,
    parse_handle,
    parse_profile,
    summary_link,
)
from twin_crawler.pages.substack_page import parse_post_page
from twin_crawler.urls import Route
from twin_crawler.warehouse import Warehouse

from .base import PlatformCrawl, TwinBaseSpider
from .callbacks import settles

logger = logging.getLogger(__name__)
# Author identity carried in request meta (picklable): Substack user ids, handles, name tokens.
Ident = dict[str, list[Any]]
HANDLE_META = (HANDLE, HANDLE_LINK, PLATFORM)  # TwinBaseSpider.handle_meta


class SubstackCrawl(TwinBaseSpider):
    """Substack links and handles: a plain-HTTP JSON API crawl; 429s are retried with backoff by Scrapy's retry
    middleware (RETRY_HTTP_CODES)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.substack_seen: set[Any] = set()  # post ids: archive pages overlap when a post is published mid-walk

    def platform_crawls(self) -> dict[str, PlatformCrawl]:
        return {**super().platform_crawls(), "substack": PlatformCrawl(
            seed=self.seed_substack, discover=self.discover_substack, from_sniffed=self.substack_from_sniffed)}

    # -- where things are (settings, so that tests and mirrors can point them at another host) --
    def _substack_setting(self, name: str, default: str) -> str:
        return str(self.settings.get(name) or default)

    def substack_publication_base(self, subdomain: str, custom_domain: str | None = None) -> str:
        if custom_domain:
            return self._substack_setting("TWIN_SUBSTACK_CUSTOM_DOMAIN_URL", "https://{domain}").format(domain=custom_domain).rstrip("/")
        return self._substack_setting("TWIN_SUBSTACK_PUBLICATION_URL", "https://{subdomain}.substack.com").format(subdomain=subdomain).rstrip("/")

    def _substack_archive(self, base: str, offset: int, ident: Ident, deciding: dict[str, Any] | None = None) -> Request:
        """An archive page; ``deciding``: the discovery meta when this page decides whether the handle exists."""
        size = self.settings.getint("TWIN_SUBSTACK_PAGE_SIZE", defaults.TWIN_SUBSTACK_PAGE_SIZE)
        url = f"{base}/api/v1/archive?sort=new&search=&offset={offset}&limit={size}"
        carried = {k: v for k, v in (deciding or {}).items() if k in HANDLE_META}
        return self.request(url, "substack", self.parse_substack_archive,
                            errback=self.on_handle_error if HANDLE in carried else None,
                            meta={SUB_BASE: base, SUB_OFFSET: offset, SUB_AUTHOR: ident, **carried})

    def _substack_post(self, base: str, slug: str, link: str, ident: Ident | None) -> Request:
        url = f"{base}/api/v1/posts/{quote(slug, safe='')}"
        return self.request(url, "substack", self.parse_substack_post, link=link, meta={SUB_AUTHOR: ident})

    # -- entry points --
    def seed_substack(self, route: Route) -> Iterator[Any]:
        ledger = self.ledger
        segments = [s for s in urlsplit(route.link).path.split("/") if s]
        if route.platform != "substack":  # an unknown host given to the substack spider: a custom domain
            yield self.request(route.link, "substack", self.parse_substack_page, link=route.link)
        elif route.host == "open.substack.com" and len(segments) >= 4 and segments[0] == "pub" and segments[2] == "p":
            # The app's share links: open.substack.com/pub/<subdomain>/p/<slug>
            yield self._substack_post(self.substack_publication_base(segments[1]), segments[3], route.link, None)
        elif route.kind == "post" and route.host.endswith(".substack.com") and route.key:
            yield self._substack_post(self.substack_publication_base(route.host.split(".")[0]), route.key, route.link, None)
        elif route.kind == "post" and route.key and route.key.removeprefix("p-").isdigit():  # substack.com/home/post/p-<id>
            post_id = route.key.removeprefix("p-")
            url = f"{self._substack_setting('TWIN_SUBSTACK_API_URL', 'https://substack.com').rstrip('/')}/api/v1/posts/by-id/{post_id}"
            yield self.request(url, "substack", self.parse_substack_post, link=route.link)
        elif route.kind == "profile" and route.key and len(segments) == 1:  # not substack.com/@x/note/c-1
            ledger.record(route.link, "dropped", platform="substack", reason="profile-followed")
            yield from self.discover_substack(route.key)
        elif route.kind == "publication" and route.key:
            ledger.record(route.link, "dropped", platform="substack", reason="publication-followed")
            yield self._substack_archive(self.substack_publication_base(route.key), 0, self.substack_ident([], [route.key]))
        else:
            ledger.record(route.link, "unsupported", platform="substack", reason="not-a-post")
            logger.warning("%s is not a Substack post, profile or publication; skipped", route.link)

    def substack_handle_link(self, handle: str) -> str:
        with contextlib.suppress(SubstackError):
            handle = parse_handle(handle)
        return f"https://{handle}/" if "." in handle else f"https://substack.com/@{handle}"

    def discover_substack(self, handle: str) -> Iterator[Any]:
        given = handle
        try:  # validated in prepare(); this catches ``substack.com/@<odd>`` links and odd remembered handles
            handle = parse_handle(handle)
        except SubstackError as exc:
            logger.warning("%s", exc)
            return
        # The profile decides (or, for a custom domain or a 404 profile, the first archive page): a handle whose
        # lookup fails is a failed row in the report and is not remembered.
        deciding = self.handle_meta("substack", given, self.substack_handle_link(given))
        if "." in handle:  # a custom domain: its publication, nothing to look up
            yield self._substack_archive(self.substack_publication_base("", handle), 0, self.substack_ident([], []), deciding)
            return
        api = self._substack_setting("TWIN_SUBSTACK_API_URL", "https://substack.com").rstrip("/")
        yield self.request(f"{api}/api/v1/user/{quote(handle, safe='')}/public_profile", "substack",
                           self.parse_substack_profile, errback=self.on_handle_error,
                           meta={SUB_HANDLE: handle, "handle_httpstatus_list": [404], **deciding})

    def substack_from_sniffed(self, response: Response, link: str) -> Iterator[Any]:
        """A page on a custom domain: its ``_preloads``/rendered post, else the API of that host."""
        post = parse_post_page(response.url, response.text) if isinstance(response, TextResponse) else None
        parts = urlsplit(response.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        segments = [s for s in parts.path.split("/") if s]
        if post is not None and post.content:
            yield from self._substack_emit(post, link, None)
        elif len(segments) >= 2 and segments[0] == "p":
            yield self._substack_post(origin, segments[1], link, None)
        else:  # the home page of a custom-domain publication: walk its archive
            self.ledger.record(link, "dropped", platform="substack", reason="publication-followed")
            yield self._substack_archive(origin, 0, self.substack_ident([], []))

    # -- callbacks --
    @settles
    def parse_substack_page(self, response: Response) -> Iterator[Any]:
        """A link on an unknown host given to the substack spider: crawled only if the page is Substack's."""
        link = response.meta[LINK]
        text = response.text if isinstance(response, TextResponse) else ""
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        if sniff_platform(headers, text) != "substack":
            self.ledger.record(link, "dropped", platform="substack", reason="not-substack")
            logger.warning("%s is not a Substack page; use `scrapy crawl twin` for other sites", response.url)
            return
        yield from self.substack_from_sniffed(response, link)

    @settles
    def parse_substack_profile(self, response: Response) -> Iterator[Any]:
        handle = response.meta[SUB_HANDLE]
        if response.status == 404:  # not a user handle: try it as a publication subdomain
            logger.info("no Substack user %r; crawling %s.substack.com as a publication", handle, handle)
            yield self._substack_archive(self.substack_publication_base(handle), 0, self.substack_ident([], [handle]), response.meta)
            return
        try:
            profile = parse_profile(response.body)
        except SubstackError as exc:
            logger.warning("Substack profile of %r unreadable (%s); check -a handle", handle, exc)
            self.handle_failed(response, "unreadable-profile")
            return
        self.handle_answered(response)
        ident = self.substack_ident([profile.user_id] if profile.user_id else [], [profile.handle, handle], [profile.name])
        if not profile.publications:
            logger.warning("Substack user %r has no public publication", handle)
        for pub in profile.publications:
            yield self._substack_archive(self.substack_publication_base(pub.subdomain, pub.custom_domain), 0, ident)

    @settles
    def parse_substack_archive(self, response: Response) -> Iterator[Any]:
        base, offset, ident = (response.meta[k] for k in (SUB_BASE, SUB_OFFSET, SUB_AUTHOR))
        try:
            entries = parse_archive(response.body)
        except SubstackError as exc:
            logger.warning("%s: %s", response.url, exc)
            self.handle_failed(response, "unreadable-archive")
            return
        self.handle_answered(response)
        stats = self.crawler.stats
        limit = self.settings.getint("TWIN_MAX_DISCOVERED", defaults.TWIN_MAX_DISCOVERED)
        new = 0
        for entry in entries:
            key = entry.get("id") or entry["slug"]
            if key in self.substack_seen:
                continue
            self.substack_seen.add(key)
            new += 1
            if stats.get_value("twin/discovered/substack", 0) >= limit:
                logger.warning("discovery limit TWIN_MAX_DISCOVERED=%d reached at %s", limit, response.url)
                return
            try:
                link = summary_link(entry, base)
            except SubstackError as exc:
                logger.info("%s: %s", response.url, exc)
                continue
            if self.ledger.state(link) is not None:
                continue
            self.ledger.register(link, "substack")
            stats.inc_value("twin/discovered/substack")
            yield self._substack_post(base, str(entry["slug"]), link, ident)
        # Walk until an empty page (page sizes vary); a page with nothing new means the API ignores the offset.
        max_pages = self.settings.getint("TWIN_SUBSTACK_MAX_PAGES", defaults.TWIN_SUBSTACK_MAX_PAGES)
        if new and offset // max(len(entries), 1) < max_pages:
            yield self._substack_archive(base, offset + len(entries), ident)

    @settles
    def parse_substack_post(self, response: Response) -> Iterator[Any]:
        link = response.meta[LINK]
        try:
            post = SubstackPostPage(response.url, response.body).read()
        except (SubstackError, PageError) as exc:
            self.ledger.record(link, "dropped", platform="substack", reason="unreadable-post")
            logger.warning("%s: %s", response.url, exc)
            return
        yield from self._substack_emit(post, link, response.meta.get(SUB_AUTHOR))

    # -- helpers --
    def _substack_emit(self, post: SubstackPostPage, link: str, ident: Ident | None) -> Iterator[Any]:
        """The article, unless it belongs to another author (discovery only) or is a podcast without text."""
        if ident is not None:
            names = {name_token(self.author_name()), *ident["names"]}
            if not byline_matches(post.bylines, set(ident["ids"]), set(ident["handles"]), names):
                self.ledger.record(link, "skipped", platform="substack", reason="other-author")
                return
        if post.is_empty_podcast():
            self.ledger.record(link, "skipped", platform="substack", reason="podcast-without-text")
            return
        yield post.to_item(self.author_name())

    @staticmethod
    def substack_ident(ids: list[int], handles: list[str], names: list[str] | None = None) -> Ident:
        return {"ids": ids, "handles": [h.lower() for h in handles if h], "names": [name_token(n) for n in names or [] if n]}


class SubstackSpider(SubstackCrawl):
    """Every post an author published on Substack, from the public JSON API.

    Arguments: ``user`` (required), ``handle`` (Substack user handle, or a publication subdomain; remembered on
    the author), ``links`` (post URLs on ``*.substack.com`` or a custom domain, ``substack.com/@handle``,
    publication home pages), ``config``, ``force``, ``reprocess``.
    Settings: ``TWIN_SUBSTACK_API_URL``, ``TWIN_SUBSTACK_PUBLICATION_URL`` (``{subdomain}``),
    ``TWIN_SUBSTACK_CUSTOM_DOMAIN_URL`` (``{domain}``), ``TWIN_SUBSTACK_PAGE_SIZE``, ``TWIN_SUBSTACK_MAX_PAGES``.
    """

    name = "substack"
    platform = "substack"

    def prepare(self, warehouse: Warehouse) -> None:
        if self.args.handle:
            try:  # a bad handle fails in one line, before it is remembered on the author
                self.args.handle = parse_handle(self.args.handle)
            except SubstackError as exc:
                raise ArgumentError(str(exc)) from None
        super().prepare(warehouse)
