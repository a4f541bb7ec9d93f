"""A handle whose discovery failed (issue 10, point 3c) is a ``failed`` row with its reason under the handle's
profile URL, and is not remembered on the author; a handle whose discovery answered is remembered. ``twin`` refuses
``-a handle`` with a line that names the platform spiders.

In-process: each spider is built as a crawl builds it (warehouse, author), its discovery requests are answered
with real Scrapy responses or failed through the spider's own errback. One loopback crawl runs the whole chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import LoopbackSite, crawl
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from spider_helpers import offline_spider, outputs
from twisted.python.failure import Failure

from twin_crawler.arguments import ArgumentError
from twin_crawler.extensions.report import render_table
from twin_crawler.spiders.base import TwinBaseSpider
from twin_crawler.spiders.github import GithubSpider
from twin_crawler.spiders.medium import MediumSpider
from twin_crawler.spiders.substack import SubstackSpider
from twin_crawler.spiders.twin import TwinSpider
from twin_crawler.warehouse import open_warehouse

FIX = Path(__file__).parents[1] / "fixtures"
FEED = FIX / "medium" / "synthetic_feed_janedoe.xml"
PROFILE = FIX / "substack" / "api_v1_user_public_profile_jakubslys.json"


def build(cls: type[TwinBaseSpider], tmp_path: Path, **kwargs: Any) -> Any:
    return offline_spider(cls, tmp_path, {"TWIN_ALLOW_LOOPBACK": False}, **kwargs)


def remembered(tmp_path: Path) -> dict[str, str]:
    """The handles stored on Jane Doe in the warehouse (what a later run would discover from)."""
    w = open_warehouse(None, data_dir=tmp_path)
    try:
        (user,) = w.find("users")
    finally:
        w.close()
    return dict(user.get("handles") or {})


def respond(request: Request, body: bytes, status: int = 200) -> TextResponse:
    return TextResponse(request.url, body=body, status=status, request=request, encoding="utf-8")


def fail_with_status(spider: TwinBaseSpider, request: Request, status: int) -> None:
    """What Scrapy does with a non-2xx answer the request did not ask for: HttpError to the spider's errback."""
    failure = Failure(HttpError(respond(request, b"not found", status=status), "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]  # Scrapy sets it the same way before the errback
    request.errback(failure)  # the request's own failure policy, as Scrapy calls it


def row(spider: TwinBaseSpider, link: str) -> tuple[str, str | None, str]:
    entry = spider.ledger.entries[link]
    return entry.state, entry.reason, entry.domain


# -- Medium --
def test_medium_feed_404_is_a_failed_row_and_not_remembered(tmp_path: Path) -> None:
    spider = build(MediumSpider, tmp_path, user="Jane Doe", handle="nosuchwriter")
    assert remembered(tmp_path) == {}  # nothing is remembered before discovery answered
    (feed,) = list(spider.discover_medium("nosuchwriter"))
    fail_with_status(spider, feed, 404)
    assert row(spider, "https://medium.com/@nosuchwriter") == ("failed", "http-404", "medium.com")
    assert remembered(tmp_path) == {}
    assert spider.crawler.stats.get_value("twin/records/failed") == 1
    table = render_table(spider.ledger)
    assert "medium    medium.com  1" in table and "failed/http-404=1" in table, table


def test_medium_page_that_is_no_feed_is_a_failed_row(tmp_path: Path) -> None:
    spider = build(MediumSpider, tmp_path, user="Jane Doe", handle="jane.medium.com")
    (feed,) = list(spider.discover_medium("jane.medium.com"))
    assert outputs(spider.parse_medium_feed(respond(feed, b"<html><body>Sign in</body></html>"))) == []
    assert row(spider, "https://jane.medium.com/") == ("failed", "not-a-feed", "jane.medium.com")
    assert remembered(tmp_path) == {}


def test_medium_feed_that_answers_remembers_the_handle(tmp_path: Path) -> None:
    spider = build(MediumSpider, tmp_path, user="Jane Doe", handle="janedoe")
    (feed,) = list(spider.discover_medium("janedoe"))
    assert len(outputs(spider.parse_medium_feed(respond(feed, FEED.read_bytes())))) == 4
    assert remembered(tmp_path) == {"medium": "janedoe"}
    assert "https://medium.com/@janedoe" not in spider.ledger.entries  # a working handle is no row of its own


def test_a_given_profile_link_whose_feed_fails_ends_failed(tmp_path: Path) -> None:
    """``-a links=https://medium.com/@x`` is followed as discovery: its own row turns from dropped to failed."""
    spider = build(MediumSpider, tmp_path, user="Jane Doe", links="https://medium.com/@nosuchwriter")
    (route,) = spider.routes
    spider.ledger.register(route.link, "medium")
    (feed,) = list(spider.seed_medium(route))
    assert row(spider, route.link)[:2] == ("dropped", "discovery-followed")
    fail_with_status(spider, feed, 410)
    assert row(spider, route.link)[:2] == ("failed", "http-410") and len(spider.ledger.entries) == 1


def test_a_given_subdomain_profile_link_keeps_its_own_row(tmp_path: Path) -> None:
    spider = build(MediumSpider, tmp_path, user="Jane Doe", links="https://nosuchwriter.medium.com/")
    (route,) = spider.routes
    spider.ledger.register(route.link, "medium")
    (feed,) = list(spider.seed_medium(route))
    fail_with_status(spider, feed, 404)
    assert list(spider.ledger.entries) == ["https://nosuchwriter.medium.com/"]
    assert row(spider, route.link)[:2] == ("failed", "http-404")


# -- Substack --
def test_substack_profile_and_publication_404_is_a_failed_row(tmp_path: Path) -> None:
    spider = build(SubstackSpider, tmp_path, user="Jane Doe", handle="nosuchauthor")
    (profile,) = list(spider.discover_substack("nosuchauthor"))
    (archive,) = outputs(spider.parse_substack_profile(respond(profile, b"not found", status=404)))
    assert "https://substack.com/@nosuchauthor" not in spider.ledger.entries  # the publication fallback decides
    fail_with_status(spider, archive, 404)
    assert row(spider, "https://substack.com/@nosuchauthor") == ("failed", "http-404", "substack.com")
    assert remembered(tmp_path) == {}


def test_substack_unreadable_custom_domain_archive_is_a_failed_row(tmp_path: Path) -> None:
    spider = build(SubstackSpider, tmp_path, user="Jane Doe", handle="iam.slys.dev")
    (archive,) = list(spider.discover_substack("iam.slys.dev"))
    assert outputs(spider.parse_substack_archive(respond(archive, b"<html>parked domain</html>"))) == []
    assert row(spider, "https://iam.slys.dev/")[:2] == ("failed", "unreadable-archive")
    assert remembered(tmp_path) == {}


def test_substack_profile_that_answers_remembers_the_handle(tmp_path: Path) -> None:
    spider = build(SubstackSpider, tmp_path, user="Jane Doe", handle="@jakubslys")
    (profile,) = list(spider.discover_substack(spider.args.handle))
    (archive,) = outputs(spider.parse_substack_profile(respond(profile, PROFILE.read_bytes())))
    assert remembered(tmp_path) == {"substack": "jakubslys"}
    assert "twin_handle_link" not in archive.meta  # a publication of a known author no longer decides anything
    fail_with_status(spider, archive, 500)
    assert "https://substack.com/@jakubslys" not in spider.ledger.entries


# -- GitHub --
def test_github_user_404_is_a_failed_row_and_not_remembered(tmp_path: Path) -> None:
    spider = build(GithubSpider, tmp_path, user="Jane Doe", handle="no-such-login")
    (listing,) = list(spider.discover_github("no-such-login"))
    assert outputs(spider.parse_github_listing(respond(listing, b'{"message": "Not Found"}', status=404))) == []
    assert row(spider, "https://github.com/no-such-login") == ("failed", "http-404", "github.com")
    assert remembered(tmp_path) == {}


def test_github_listing_that_answers_remembers_the_handle(tmp_path: Path) -> None:
    spider = build(GithubSpider, tmp_path, user="Jane Doe", handle="dstufft")
    (listing,) = list(spider.discover_github("dstufft"))
    body = (FIX / "github" / "github3py_users-dstufft-repos_page1.json").read_bytes()
    assert outputs(spider.parse_github_listing(respond(listing, body)))
    assert remembered(tmp_path) == {"github": "dstufft"}


def test_github_profile_lookup_passes_the_decision_to_the_listing(tmp_path: Path) -> None:
    """Without -a user the profile is looked up first (display name); the listing after it still decides, also
    when the profile lookup itself failed."""
    spider = build(GithubSpider, tmp_path, handle="no-such-login")
    (profile,) = list(spider.discover_github("no-such-login"))
    (listing,) = outputs(spider.parse_github_profile(respond(profile, b"{}", status=404)))
    assert listing.meta["twin_handle_link"] == "https://github.com/no-such-login"
    fail_with_status(spider, listing, 404)  # as if the API answered 404 outside the step
    assert row(spider, "https://github.com/no-such-login")[:2] == ("failed", "http-404")


# -- twin refuses handles --
def test_twin_refuses_a_handle_and_names_the_platform_spiders(tmp_path: Path) -> None:
    settings = Settings()
    settings.setmodule("twin_crawler.settings")
    w = open_warehouse(None, data_dir=tmp_path)
    try:
        for extra in ({}, {"links": "https://blog.example.org/a"}):
            with pytest.raises(ArgumentError) as refused:
                TwinSpider.preflight({"user": "Jane Doe", "handle": "pauliusztin", **extra}, settings, w)
            assert str(refused.value) == ("twin: -a handle needs a platform spider: "
                                          "scrapy crawl medium|substack|github|linkedin -a handle=...")
    finally:
        w.close()


def test_the_refusal_lists_exactly_the_spiders_that_discover() -> None:
    router = TwinSpider(user="Jane Doe")  # it can crawl every platform: which of them discover from a handle?
    discovering = {p for p, crawl in router.crawls.items() if crawl.discover is not None}
    assert discovering == set(TwinSpider.HANDLE_SPIDERS)


# -- the whole chain, as a user runs it --
def test_medium_crawl_with_a_missing_handle_reports_it_failed(site: LoopbackSite, tmp_path: Path) -> None:
    """The feed 404s on the loopback Medium: one failed row in the report and in ``runs``; no handle remembered."""
    result = crawl("medium", "-a", "user=Jane Doe", "-a", "handle=nosuchwriter", "-s", f"TWIN_MEDIUM_BASE_URL={site.url}",
                   "-s", "TWIN_BROWSER=off", env={"TWIN_DATA_DIR": str(tmp_path)})
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr[-3000:]  # the handle failed
    assert site.hits["/feed/@nosuchwriter"] == 1
    assert "medium.com" in result.report and "failed/http-404=1" in result.report, result.report
    w = open_warehouse(None, data_dir=tmp_path)
    try:
        (run,) = w.find("runs")
        (user,) = w.find("users")
    finally:
        w.close()
    assert run["totals"] == {"failed": 1} and not user.get("handles")
