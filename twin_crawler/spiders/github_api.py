"""GitHub REST API steps: the owner's display name, repository listings (``Link: rel=next`` followed verbatim),
and waiting for ``x-ratelimit-reset`` on 403/429 rate limits. Parsing lives in ``pages/github.py``."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from twin_crawler import settings as defaults
from twin_crawler.meta import (
    ALLOW_STATUS,
    DECIDING,
    LINK,
    LOGIN,
    NEXT,
    ON_FAILURE,
    PLATFORM,
    RATE_LIMIT_WAITS,
    REPO,
    STEP,
)
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
from .handler import PlatformHandler

logger = logging.getLogger(__name__)
# Every API status reaches the step (403/429 rate limits are waited for there; 404 means "use the login").
API_META = {"handle_httpstatus_all": True, ALLOW_STATUS: range(100, 600), "dont_obey_robotstxt": True}
MAX_RATE_LIMIT_WAITS = 3


class GithubApiSteps(PlatformHandler):
    """The API half of the GitHub handler; ``GithubHandler`` adds seeds and the clone step."""

    platform = "github"

    def __init__(self, spider: TwinBaseSpider) -> None:
        super().__init__(spider)
        settings = spider.settings
        self.api = settings.get("TWIN_GITHUB_API_URL", defaults.TWIN_GITHUB_API_URL).rstrip("/")
        self.clone_base = settings.get("TWIN_GITHUB_CLONE_BASE", defaults.TWIN_GITHUB_CLONE_BASE)
        self.max_wait = settings.getfloat("TWIN_GITHUB_RATE_LIMIT_MAX_WAIT", defaults.TWIN_GITHUB_RATE_LIMIT_MAX_WAIT)
        self.names: dict[str, str] = {}  # lower-case login -> display name (or the login when the API has none)

    # -- requests --
    def _api(self, url: str, step: str, meta: dict[str, Any]) -> Request:
        # No Authorization here: queued requests are pickled (JOBDIR, Redis). GithubCredentialsMiddleware adds
        # GITHUB_TOKEN at download time, to the API origin only (middlewares/credentials.py).
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        return self.spider.request(url, self.platform, step, meta={**API_META, **meta}, headers=headers)

    def _clone_request(self, repo: dict[str, Any]) -> Request:
        # No HTTP needed: a data: request carries the repository to the clone step (robots/SSRF ignore data:).
        return self.spider.request(f"data:text/plain,{quote(repo['link'], safe='')}", self.platform, "clone",
                                   link=repo["link"], meta={REPO: repo})

    def _author_known(self, owner: str) -> bool:
        return self.spider.author is not None or self.spider.args.user is not None or owner.lower() in self.names

    def _after_owner(self, repo: dict[str, Any]) -> Request:
        if self._author_known(repo["owner"]):
            return self._clone_request(repo)
        return self._api(f"{self.api}/users/{quote(repo['owner'])}", "owner",
                         {REPO: repo, ON_FAILURE: "owner_failed"})

    def handle_link(self, handle: str) -> str:
        return f"https://github.com/{handle}"

    def discover(self, handle: str) -> Iterator[Any]:
        # The first listing page decides (a 404 there: no such user); the profile lookup before it only names the
        # author and is allowed to fail.
        listing = f"{self.api}/users/{quote(handle)}/repos?type=owner&sort=pushed&per_page=100"
        deciding = self.handle_meta(handle)
        if self._author_known(handle):
            yield self._api(listing, "listing", {LOGIN: handle, **deciding})
        else:
            yield self._api(f"{self.api}/users/{quote(handle)}", "profile",
                            {LOGIN: handle, NEXT: listing, ON_FAILURE: "profile_failed",
                             DECIDING: deciding})

    async def on_profile(self, response: Response) -> AsyncIterator[Any]:
        retry = await self._rate_limited(response)
        if retry is not None:
            yield retry
            return
        login = response.meta[LOGIN]
        self.names[login.lower()] = (parse_user_name(response.body) if response.status == 200 else None) or login
        yield self._api(response.meta[NEXT], "listing", {LOGIN: login, **response.meta[DECIDING]})

    def on_profile_failed(self, request: Request, reason: str) -> None:
        """The profile lookup failed for good: list the repositories anyway (the login names the author)."""
        logger.info("GitHub profile lookup failed (%s); using the login as the author's name", reason)
        self._inject(self._api(request.meta[NEXT], "listing", {LOGIN: request.meta[LOGIN],
                                                                      **request.meta[DECIDING]}))

    async def on_listing(self, response: Response) -> AsyncIterator[Any]:
        retry = await self._rate_limited(response)
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
        for out in self._discovered(repos):
            yield out
        next_url = parse_link_header((response.headers.get("Link") or b"").decode("latin-1")).get("next")
        if next_url and urlsplit(next_url).netloc == urlsplit(self.api).netloc:
            yield self._api(next_url, "listing", {LOGIN: response.meta[LOGIN]})
        elif next_url:
            logger.warning("GitHub listing: not following rel=next to another host: %s", next_url)

    def _discovered(self, repos: list[RepoInfo]) -> Iterator[Any]:
        stats = self.spider.crawler.stats
        include_forks = self.spider.args.flag("include_forks")
        for info in repos:
            try:
                target = route(info.html_url)
            except LinkError:
                target = None
            if target is None or target.kind != "repository":  # html_url is github.com's; the name decides
                target = route(f"https://github.com/{info.full_name}")
            if self.spider.ledger.state(target.link) is not None:
                continue
            stats.inc_value("twin/github/discovered")
            self.spider.ledger.register(target.link, self.platform, target.host)
            if info.fork and not include_forks:
                stats.inc_value("twin/github/forks_skipped")
                self.spider.ledger.record(target.link, "skipped", platform=self.platform, reason="fork")
                continue
            repo = {"link": target.link, "full_name": info.full_name, "owner": info.owner, "ref": None, "local": False,
                    "clone_url": clone_url_for(info.full_name, self.clone_base),
                    "created_at": info.created_at.isoformat() if info.created_at else None,
                    "extra": {"description": info.description, "pushed_at": info.pushed_at, "fork": info.fork,
                              "archived": info.archived, "api_language": info.language}}
            yield self._clone_request(repo)

    # -- owner display name --
    async def on_owner(self, response: Response) -> AsyncIterator[Any]:
        retry = await self._rate_limited(response)
        if retry is not None:
            yield retry
            return
        repo = response.meta[REPO]
        if response.status == 200:
            self.names[repo["owner"].lower()] = parse_user_name(response.body) or repo["owner"]
        yield self._clone_request(repo)

    def on_owner_failed(self, request: Request, reason: str) -> None:
        """The owner lookup failed for good: clone anyway, with the login as the author's name."""
        logger.info("GitHub user lookup failed (%s); using the login as the author's name", reason)
        self._inject(self._clone_request(request.meta[REPO]))

    def _inject(self, request: Request) -> None:
        # Errbacks run outside a callback's output: the engine takes the follow-up request directly.
        engine = self.spider.crawler.engine
        assert engine is not None
        engine.crawl(request)

    async def _rate_limited(self, response: Response) -> Request | None:
        """After waiting for ``x-ratelimit-reset`` (capped), the same API request again; None if not limited."""
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        wait = rate_limit_wait(response.status, headers, time.time(), self.max_wait)
        attempts = response.meta.get(RATE_LIMIT_WAITS, 0)
        if wait is None or attempts >= MAX_RATE_LIMIT_WAITS:
            return None
        self.spider.crawler.stats.inc_value("twin/github/rate_limit_waits")
        logger.warning("GitHub API rate limit reached (HTTP %d); waiting %.1f s for the reset", response.status, wait)
        # Imported here: importing the reactor at module load (spider loading) would install the default one.
        from twisted.internet import reactor

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        step = response.meta[STEP].partition(".")[2]
        meta = {k: v for k, v in response.meta.items() if k.startswith("twin_") and k not in (STEP, LINK,
                                                                                              PLATFORM)}
        request = self._api(response.url, step, {**meta, RATE_LIMIT_WAITS: attempts + 1})
        return request.replace(dont_filter=True)

