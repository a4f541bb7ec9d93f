"""GitHub: repositories from links or discovered from a login, cloned shallowly and stored as clean text."""

from __future__ import annotations

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

from .base import TwinBaseSpider
from .github_api import GithubApiSteps

logger = logging.getLogger(__name__)


class GithubHandler(GithubApiSteps):
    """Links -> clone; a login -> ``/users/{login}/repos`` pages (``Link: rel=next`` followed verbatim) -> clones."""

    platform = "github"

    def __init__(self, spider: TwinBaseSpider) -> None:
        super().__init__(spider)
        settings = spider.settings
        self.options = CloneOptions(settings.getfloat("TWIN_GITHUB_CLONE_TIMEOUT", defaults.TWIN_GITHUB_CLONE_TIMEOUT),
                                    settings.getbool("TWIN_GITHUB_ALLOW_FILE_URLS", defaults.TWIN_GITHUB_ALLOW_FILE_URLS))
        self.limits = WalkLimits(settings.getint("TWIN_GITHUB_MAX_FILE_BYTES", defaults.TWIN_GITHUB_MAX_FILE_BYTES),
                                 settings.getint("TWIN_GITHUB_MAX_REPO_BYTES", defaults.TWIN_GITHUB_MAX_REPO_BYTES),
                                 settings.getint("TWIN_GITHUB_MAX_FILES", defaults.TWIN_GITHUB_MAX_FILES))
        clones = settings.getint("TWIN_GITHUB_CONCURRENT_CLONES", defaults.TWIN_GITHUB_CONCURRENT_CLONES)
        self.clones = defer.DeferredSemaphore(max(1, clones))

    @classmethod
    def route_special(cls, url: str, settings: Any) -> Route | None:
        try:
            return special_route(url, settings.getbool("TWIN_GITHUB_ALLOW_FILE_URLS", defaults.TWIN_GITHUB_ALLOW_FILE_URLS))
        except RemoteRefused as exc:
            raise ArgumentError(f"links: {exc}") from None

    # -- seeds and discovery --
    def seed(self, route: Route) -> Iterator[Any]:
        if route.kind == "user" and route.key:
            # A profile link: everything the account owns, as with -a handle=<login>.
            self.spider.ledger.record(route.link, "dropped", platform=self.platform, reason="profile-followed")
            yield from self.discover(route.key)
            return
        if route.kind != "repository" or not route.key:
            self.spider.ledger.record(route.link, "unsupported", platform=self.platform, reason="not-a-repository")
            logger.warning("%s is not a repository link (https://github.com/<owner>/<repo>)", route.link)
            return
        ref = getattr(route, "ref", None)
        try:
            clone_url = getattr(route, "clone_url", None) or clone_url_for(route.key, self.clone_base)
        except RemoteRefused as exc:
            self.spider.ledger.record(route.link, "failed", platform=self.platform, reason="remote-refused")
            logger.warning("%s: %s", route.link, exc)
            return
        repo = {"link": route.link, "full_name": route.key, "owner": route.key.split("/")[0], "clone_url": clone_url,
                "ref": ref, "local": route.link.startswith("file:")}
        self.spider.ledger.register(route.link, self.platform, route.host)
        # A local mirror has no API account behind it: the author is the directory's owner name.
        yield self._clone_request(repo) if repo["local"] else self._after_owner(repo)

    # -- clone --
    async def on_clone(self, response: Response) -> AsyncIterator[Any]:
        repo = response.meta[REPO]
        await maybe_deferred_to_future(self.clones.acquire())
        try:
            snapshot = await in_thread(fetch_repository, repo["clone_url"], repo["ref"], self.options, self.limits)
        except CloneError as exc:
            self.spider.ledger.record(repo["link"], "failed", platform=self.platform, reason=exc.reason)
            logger.warning("%s: %s", repo["link"], exc)
            return
        finally:
            self.clones.release()
        if not snapshot.files.content:
            self.spider.ledger.record(repo["link"], "dropped", platform=self.platform, reason="no-text-files")
            return
        owner = repo["owner"]
        given = self.spider.author is not None or self.spider.args.user is not None
        yield repository_item(repo, snapshot, self.spider.author_name() if given else self.names.get(owner.lower(), owner))


class GithubSpider(TwinBaseSpider):
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
