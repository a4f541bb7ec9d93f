"""GitHub: repositories from links or discovered from a login, cloned shallowly and stored as clean text."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from twin_crawler import settings as defaults
from twin_crawler.arguments import ArgumentError
from twin_crawler.concurrency import in_thread
from twin_crawler.meta import REPO
from twin_crawler.repos import CloneError, CloneOptions, RemoteRefused, WalkLimits, fetch_repository
from twin_crawler.repos.document import repository_item
from twin_crawler.repos.remote import clone_url_for, special_route
from twin_crawler.urls import Route

from .base import PlatformCrawl
from .callbacks import settles
from .github_api import GithubApiCrawl

logger = logging.getLogger(__name__)


class GithubCrawl(GithubApiCrawl):
    """GitHub links and logins: links -> clone; a login -> ``/users/{login}/repos`` pages (``Link: rel=next``
    followed verbatim) -> clones."""

    def platform_crawls(self) -> dict[str, PlatformCrawl]:
        return {**super().platform_crawls(), "github": PlatformCrawl(
            seed=self.seed_github, discover=self.discover_github, route_special=self.github_route)}

    # Settings exist once the spider has a crawler (or the preflight gave it settings): read on first use.
    @functools.cached_property
    def github_options(self) -> CloneOptions:
        settings = self.settings
        return CloneOptions(settings.getfloat("TWIN_GITHUB_CLONE_TIMEOUT", defaults.TWIN_GITHUB_CLONE_TIMEOUT),
                            settings.getbool("TWIN_GITHUB_ALLOW_FILE_URLS", defaults.TWIN_GITHUB_ALLOW_FILE_URLS))

    @functools.cached_property
    def github_limits(self) -> WalkLimits:
        settings = self.settings
        return WalkLimits(settings.getint("TWIN_GITHUB_MAX_FILE_BYTES", defaults.TWIN_GITHUB_MAX_FILE_BYTES),
                          settings.getint("TWIN_GITHUB_MAX_REPO_BYTES", defaults.TWIN_GITHUB_MAX_REPO_BYTES),
                          settings.getint("TWIN_GITHUB_MAX_FILES", defaults.TWIN_GITHUB_MAX_FILES))

    @functools.cached_property
    def github_clones(self) -> defer.DeferredSemaphore:
        clones = self.settings.getint("TWIN_GITHUB_CONCURRENT_CLONES", defaults.TWIN_GITHUB_CONCURRENT_CLONES)
        return defer.DeferredSemaphore(max(1, clones))

    def github_route(self, url: str) -> Route | None:
        allow_files = self.settings.getbool("TWIN_GITHUB_ALLOW_FILE_URLS", defaults.TWIN_GITHUB_ALLOW_FILE_URLS)
        try:
            return special_route(url, allow_files)
        except RemoteRefused as exc:
            raise ArgumentError(f"links: {exc}") from None

    # -- seeds and discovery --
    def seed_github(self, route: Route) -> Iterator[Any]:
        if route.kind == "user" and route.key:
            # A profile link: everything the account owns, as with -a handle=<login>.
            self.ledger.record(route.link, "dropped", platform="github", reason="profile-followed")
            yield from self.discover_github(route.key)
            return
        if route.kind != "repository" or not route.key:
            self.ledger.record(route.link, "unsupported", platform="github", reason="not-a-repository")
            logger.warning("%s is not a repository link (https://github.com/<owner>/<repo>)", route.link)
            return
        ref = getattr(route, "ref", None)
        try:
            clone_url = getattr(route, "clone_url", None) or clone_url_for(route.key, self.github_clone_base)
        except RemoteRefused as exc:
            self.ledger.record(route.link, "failed", platform="github", reason="remote-refused")
            logger.warning("%s: %s", route.link, exc)
            return
        repo = {"link": route.link, "full_name": route.key, "owner": route.key.split("/")[0], "clone_url": clone_url,
                "ref": ref, "local": route.link.startswith("file:")}
        self.ledger.register(route.link, "github", route.host)
        # A local mirror has no API account behind it: the author is the directory's owner name.
        yield self._github_clone_request(repo) if repo["local"] else self._github_after_owner(repo)

    # -- clone --
    @settles
    async def parse_github_clone(self, response: Response) -> AsyncIterator[Any]:
        repo = response.meta[REPO]
        await maybe_deferred_to_future(self.github_clones.acquire())
        try:
            snapshot = await in_thread(fetch_repository, repo["clone_url"], repo["ref"], self.github_options, self.github_limits)
        except CloneError as exc:
            self.ledger.record(repo["link"], "failed", platform="github", reason=exc.reason)
            logger.warning("%s: %s", repo["link"], exc)
            return
        finally:
            self.github_clones.release()
        if not snapshot.files.content:
            self.ledger.record(repo["link"], "dropped", platform="github", reason="no-text-files")
            return
        owner = repo["owner"]
        given = self.author is not None or self.args.user is not None
        yield repository_item(repo, snapshot, self.author_name() if given else self.github_names.get(owner.lower(), owner))


class GithubSpider(GithubCrawl):
    """GitHub repositories as text (``repositories``: ``content = {path: text}``).

    Arguments: ``links`` (https://github.com/<owner>/<repo>[/tree/<ref>/...], or file:// mirrors when
    TWIN_GITHUB_ALLOW_FILE_URLS), ``handle`` (a login: every repository it owns), ``user`` (optional: the
    repository owner's display name is used otherwise), ``include_forks`` (1 to keep forks), ``config``,
    ``force``, ``reprocess``. ``GITHUB_TOKEN`` from the environment raises the API rate limit.
    """

    name = "github"
    platform = "github"
    author_from_platform = True
    extra_arguments = {"include_forks": "1 to also crawl repositories that are forks (skipped by default)"}
