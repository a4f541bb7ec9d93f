"""The LinkedIn spider offline: routing of mirror links, the session request (picklable, secret-free) and the
cookie's place (the Playwright context's storage_state, nowhere else)."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_reactor_settings

from twin_crawler.arguments import ArgumentError
from twin_crawler.pages.linkedin_pulse import pulse_link
from twin_crawler.spiders.linkedin import LinkedinSpider
from twin_crawler.spiders.linkedin_session import SESSION_CONTEXT, scroll_limit, session_context

SECRET = "AQEDARtestcookie-0123456789abcdef"


def build(tmp_path: Path, chromium: str, **kwargs: Any) -> LinkedinSpider:
    # Not scrapy.utils.test.get_crawler: it freezes the settings, and a real crawl runs from_crawler before that.
    crawler = AsyncCrawlerRunner({**get_reactor_settings(), "TWIN_DATA_DIR": str(tmp_path), "TWIN_ALLOW_LOOPBACK": True,
                                           "TWIN_BROWSER_EXECUTABLE": chromium, "TELNETCONSOLE_ENABLED": False,
                                           "TWIN_LINKEDIN_SCROLLS": 7}).create_crawler(LinkedinSpider)
    spider: LinkedinSpider = crawler.spidercls.from_crawler(crawler, user="Jane Doe", **kwargs)
    crawler.spider = spider
    crawler.stats = MemoryStatsCollector(crawler)
    return spider


async def started(spider: LinkedinSpider) -> list[Any]:
    return [out async for out in spider.start()]


def test_session_request_carries_no_secret(tmp_path: Path, chromium: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWIN_LINKEDIN_LI_AT", SECRET)
    spider = build(tmp_path, chromium, handle="jane-doe", session="1")
    [request] = asyncio.run(started(spider))
    assert isinstance(request, Request)
    assert request.url == "https://www.linkedin.com/in/jane-doe/recent-activity/all/"
    assert request.meta["playwright"] is True and request.meta["playwright_context"] == SESSION_CONTEXT
    [method] = request.meta["playwright_page_methods"]
    assert method.method == "evaluate" and method.args[1]["scrolls"] == 7  # TWIN_LINKEDIN_SCROLLS
    assert "cookie" not in str(request.headers).lower() and not request.cookies
    data = pickle.dumps(request.to_dict(spider=spider))  # JOBDIR and Redis queues pickle requests
    assert SECRET.encode() not in data
    assert request_from_dict(pickle.loads(data), spider=spider).meta["playwright_context"] == SESSION_CONTEXT
    # The cookie lives in the crawler's context settings only, scoped to LinkedIn and HttpOnly like the real one.
    [cookie] = spider.settings.getdict("PLAYWRIGHT_CONTEXTS")[SESSION_CONTEXT]["storage_state"]["cookies"]
    assert (cookie["name"], cookie["value"], cookie["domain"], cookie["httpOnly"], cookie["secure"]) == (
        "li_at", SECRET, ".linkedin.com", True, True)


def test_scrolls_argument_overrides_the_setting(tmp_path: Path, chromium: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWIN_LINKEDIN_LI_AT", SECRET)
    spider = build(tmp_path, chromium, handle="jane-doe", session="1", scrolls="0")
    [request] = asyncio.run(started(spider))
    assert request.meta["playwright_page_methods"][0].args[1]["scrolls"] == 0
    with pytest.raises(ArgumentError, match="scrolls"):
        scroll_limit("100000", Settings())


def test_logged_out_links_need_no_session(tmp_path: Path, chromium: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWIN_LINKEDIN_LI_AT", raising=False)
    spider = build(tmp_path, chromium, links="https://www.linkedin.com/posts/jane_x-activity-7200012345678901234-AbCd,"
                                             "https://uk.linkedin.com/pulse/a-slug-jane-doe,https://www.linkedin.com/in/jane")
    requests = asyncio.run(started(spider))
    assert [r.callback for r in requests] == [spider.parse_linkedin_post, spider.parse_linkedin_pulse]
    assert not any(r.meta.get("playwright") for r in requests)
    assert "PLAYWRIGHT_CONTEXTS" not in spider.settings or not spider.settings.getdict("PLAYWRIGHT_CONTEXTS")
    assert spider.ledger.state("https://www.linkedin.com/in/jane") == "unsupported"  # a profile needs session=1


def test_session_context_for_a_mirror() -> None:
    [cookie] = session_context("http://127.0.0.1:8080", SECRET)["storage_state"]["cookies"]
    assert (cookie["domain"], cookie["secure"], cookie["sameSite"]) == ("127.0.0.1", False, "Lax")


def test_mirror_links_route_like_linkedin() -> None:
    mirrored, plain = LinkedinSpider(user="Jane Doe"), LinkedinSpider(user="Jane Doe")
    mirrored.settings = Settings({"TWIN_LINKEDIN_BASE_URL": "http://127.0.0.1:8080"})
    plain.settings = Settings()
    route = mirrored.linkedin_route("http://127.0.0.1:8080/feed/update/urn:li:activity:7200012345678901234/")
    assert route is not None and (route.platform, route.kind, route.key) == ("linkedin", "post", "7200012345678901234")
    assert mirrored.linkedin_route("http://127.0.0.1:9999/posts/x-activity-7200012345678901234-a") is None
    assert plain.linkedin_route("https://www.linkedin.com/pulse/x") is None  # the normal router


def test_pulse_link_is_one_per_article() -> None:
    assert pulse_link("https://de.linkedin.com/pulse/ich-war-x?trk=foo", "fallback") == "https://www.linkedin.com/pulse/ich-war-x"
    assert pulse_link("https://evil.example/pulse/x", "https://www.linkedin.com/pulse/x") == "https://www.linkedin.com/pulse/x"
    assert pulse_link("", "https://www.linkedin.com/pulse/y") == "https://www.linkedin.com/pulse/y"


def test_twin_router_reads_linkedin_links_logged_out(tmp_path: Path, chromium: str) -> None:
    from twin_crawler.spiders.twin import TwinSpider

    crawler = AsyncCrawlerRunner({**get_reactor_settings(), "TWIN_DATA_DIR": str(tmp_path), "TWIN_BROWSER_EXECUTABLE": chromium,
                                  "TELNETCONSOLE_ENABLED": False}).create_crawler(TwinSpider)
    spider = crawler.spidercls.from_crawler(crawler, user="Jane Doe",
                                            links="https://www.linkedin.com/feed/update/urn:li:activity:7200012345678901234/")
    crawler.spider, crawler.stats = spider, MemoryStatsCollector(crawler)
    [request] = asyncio.run(started(spider))  # type: ignore[arg-type]
    assert request.callback == spider.parse_linkedin_post and request.meta["twin_key"] == "7200012345678901234"
    assert not request.meta.get("playwright")
