"""GitHub REST API callbacks: the owner's display name, repository listings (``Link: rel=next`` followed verbatim),
and waiting for ``x-ratelimit-reset`` on 403/429 rate limits. Parsing lives in ``pages/github.py``."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from twin_crawler import settings as defaults
from twin_crawler.meta import ALLOW_STATUS, DECIDING, LOGIN, NEXT, RATE_LIMIT_WAITS, REPO
from twin_crawler.pages.github import (
    ApiError,
    RepoInfo,
    parse_link_header,
    parse_repo_listing,
    parse_user_name,
    rate_limit_wait,
)
from twin_crawler.repos.remote import clone_url_for
from twin_crawler.urls import LinkError, route

from .base import TwinBaseSpider
from .callbacks import on_failure, settles

logger = logging.getLogger(__name__)
# Every API status reaches the callback (403/429 rate limits are waited for there; 404 means "use the login").
API_META = {"handle_httpstatus_all": True, ALLOW_STATUS: range(100, 600), "dont_obey_robotstxt": True}
MAX_RATE_LIMIT_WAITS = 3


class GithubApiCrawl(TwinBaseSpider):
    """The API half of the GitHub crawl; ``GithubCrawl`` adds seeds and the clone callback."""

    parse_github_clone: Callable[[Response], AsyncIterator[Any]]  # the clone callback, defined by GithubCrawl

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.github_names: dict[str, str] = {}  # lower-case login -> display name (or the login when the API has none)

    # Settings exist once the spider has a crawler (or the preflight gave it settings): read on first use.
    @functools.cached_property
    def github_api(self) -> str:
        return str(self.settings.get("TWIN_GITHUB_API_URL", defaults.TWIN_GITHUB_API_URL)).rstrip("/")

    @functools.cached_property
    def github_clone_base(self) -> str:
        return str(self.settings.get("TWIN_GITHUB_CLONE_BASE", defaults.TWIN_GITHUB_CLONE_BASE))

    # -- requests --
    def _github_api_request(self, url: str, callback: Callable[..., Any], meta: dict[str, Any],
                            errback: Callable[..., Any] | None = None) -> Request:
        # No Authorization here: queued requests are pickled (JOBDIR, Redis). GithubCredentialsMiddleware adds
        # GITHUB_TOKEN at download time, to the API origin only (middlewares/credentials.py).
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        return self.request(url, "github", callback, meta={**API_META, **meta}, headers=headers, errback=errback)

    def _github_clone_request(self, repo: dict[str, Any]) -> Request:
        # No HTTP needed: a data: request carries the repository to the clone callback (robots/SSRF ignore data:).
        return self.request(f"data:text/plain,{quote(repo['link'], safe='')}", "github", self.parse_github_clone,
                            link=repo["link"], meta={REPO: repo})

    def _github_author_known(self, owner: str) -> bool:
        return self.author is not None or self.args.user is not None or owner.lower() in self.github_names

    def _github_after_owner(self, repo: dict[str, Any]) -> Request:
        if self._github_author_known(repo["owner"]):
            return self._github_clone_request(repo)
        return self._github_api_request(f"{self.github_api}/users/{quote(repo['owner'])}", self.parse_github_owner,
                                        {REPO: repo}, errback=self.on_github_owner_failed)

    def github_handle_link(self, handle: str) -> str:
        return f"https://github.com/{handle}"

    def discover_github(self, handle: str) -> Iterator[Any]:
        # The first listing page decides (a 404 there: no such user); the profile lookup before it only names the
        # author and is allowed to fail.
        listing = f"{self.github_api}/users/{quote(handle)}/repos?type=owner&sort=pushed&per_page=100"
        deciding = self.handle_meta("github", handle, self.github_handle_link(handle))
        if self._github_author_known(handle):
            yield self._github_listing(listing, handle, deciding)
        else:
            yield self._github_api_request(f"{self.github_api}/users/{quote(handle)}", self.parse_github_profile,
                                           {LOGIN: handle, NEXT: listing, DECIDING: deciding},
                                           errback=self.on_github_profile_failed)

    def _github_listing(self, url: str, login: str, deciding: dict[str, Any] | None = None) -> Request:
        """A page of a login's repositories; ``deciding``: the first page decides whether the handle exists."""
        return self._github_api_request(url, self.parse_github_listing, {LOGIN: login, **(deciding or {})},
                                        errback=self.on_handle_error if deciding else None)

    @settles
    async def parse_github_profile(self, response: Response) -> AsyncIterator[Any]:
        retry = await self._github_rate_limited(response)
        if retry is not None:
            yield retry
            return
        login = response.meta[LOGIN]
        self.github_names[login.lower()] = (parse_user_name(response.body) if response.status == 200 else None) or login
        yield self._github_listing(response.meta[NEXT], login, response.meta[DECIDING])

    @on_failure
    def on_github_profile_failed(self, request: Request, reason: str) -> None:
        """The profile lookup failed for good: list the repositories anyway (the login names the author)."""
        logger.info("GitHub profile lookup failed (%s); using the login as the author's name", reason)
        self._github_inject(self._github_listing(request.meta[NEXT], request.meta[LOGIN], request.meta[DECIDING]))

    @settles
    async def parse_github_listing(self, response: Response) -> AsyncIterator[Any]:
        retry = await self._github_rate_limited(response)
        if retry is not None:
            yield retry
            return
        try:
            if response.status != 200:
                raise ApiError(f"HTTP {response.status}")
            repos = parse_repo_listing(response.body)
        except ApiError as exc:
            logger.warning("GitHub listing %s unusable: %s", response.url, exc)
            self.handle_failed(response, f"http-{response.status}" if response.status != 200 else "unreadable-listing")
            return
        self.handle_answered(response)
        for out in self._github_discovered(repos):
            yield out
        next_url = parse_link_header((response.headers.get("Link") or b"").decode("latin-1")).get("next")
        if next_url and urlsplit(next_url).netloc == urlsplit(self.github_api).netloc:
            yield self._github_listing(next_url, response.meta[LOGIN])
        elif next_url:
            logger.warning("GitHub listing: not following rel=next to another host: %s", next_url)

    def _github_discovered(self, repos: list[RepoInfo]) -> Iterator[Any]:
        stats = self.crawler.stats
        include_forks = self.args.flag("include_forks")
        for info in repos:
            try:
                target = route(info.html_url)
            except LinkError:
                target = None
            if target is None or target.kind != "repository":  # html_url is github.com's; the name decides
                target = route(f"https://github.com/{info.full_name}")
            if self.ledger.state(target.link) is not None:
                continue
            stats.inc_value("twin/github/discovered")
            self.ledger.register(target.link, "github", target.host)
            if info.fork and not include_forks:
                stats.inc_value("twin/github/forks_skipped")
                self.ledger.record(target.link, "skipped", platform="github", reason="fork")
                continue
            repo = {"link": target.link, "full_name": info.full_name, "owner": info.owner, "ref": None, "local": False,
                    "clone_url": clone_url_for(info.full_name, self.github_clone_base),
                    "created_at": info.created_at.isoformat() if info.created_at else None,
                    "extra": {"description": info.description, "pushed_at": info.pushed_at, "fork": info.fork,
                              "archived": info.archived, "api_language": info.language}}
            yield self._github_clone_request(repo)

    # -- owner display name --
    @settles
    async def parse_github_owner(self, response: Response) -> AsyncIterator[Any]:
        retry = await self._github_rate_limited(response)
        if retry is not None:
            yield retry
            return
        repo = response.meta[REPO]
        if response.status == 200:
            self.github_names[repo["owner"].lower()] = parse_user_name(response.body) or repo["owner"]
        yield self._github_clone_request(repo)

    @on_failure
    def on_github_owner_failed(self, request: Request, reason: str) -> None:
        """The owner lookup failed for good: clone anyway, with the login as the author's name."""
        logger.info("GitHub user lookup failed (%s); using the login as the author's name", reason)
        self._github_inject(self._github_clone_request(request.meta[REPO]))

    def _github_inject(self, request: Request) -> None:
        # Errbacks run outside a callback's output: the engine takes the follow-up request directly.
        engine = self.crawler.engine
        assert engine is not None
        engine.crawl(request)

    async def _github_rate_limited(self, response: Response) -> Request | None:
        """After waiting for ``x-ratelimit-reset`` (capped), the same API request again; None if not limited."""
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        max_wait = self.settings.getfloat("TWIN_GITHUB_RATE_LIMIT_MAX_WAIT", defaults.TWIN_GITHUB_RATE_LIMIT_MAX_WAIT)
        wait = rate_limit_wait(response.status, headers, time.time(), max_wait)
        attempts = response.meta.get(RATE_LIMIT_WAITS, 0)
        if wait is None or attempts >= MAX_RATE_LIMIT_WAITS:
            return None
        self.crawler.stats.inc_value("twin/github/rate_limit_waits")
        logger.warning("GitHub API rate limit reached (HTTP %d); waiting %.1f s for the reset", response.status, wait)
        # Imported here: importing the reactor at module load (spider loading) would install the default one.
        from twisted.internet import reactor

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        # The same request (callback, errback, twin_* meta) again, without the download's own meta (slot, retries).
        request = response.request
        assert request is not None  # a callback's response always has its request
        meta = {k: v for k, v in request.meta.items() if k.startswith("twin_") or k in API_META}
        return request.replace(meta={**meta, RATE_LIMIT_WAITS: attempts + 1}, dont_filter=True)

