"""Failures are loud and short (issue 12): an unknown host is not retried and is one line per host, a missing
browser is one warning and ``blocked/no-browser``, Chromium navigation errors get short reasons.

Unknown hosts use the reserved ``.invalid`` domain (RFC 6761), which the project's resolver answers negatively
without asking any DNS server, so nothing here leaves the machine.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import LoopbackSite, Reply, crawl, free_port
from scrapy import Spider
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.internet.selectreactor import SelectReactor
from twisted.python.failure import Failure

from twin_crawler.exceptions import exception_reason
from twin_crawler.ledger import Ledger
from twin_crawler.middlewares.blocks import BlockDetectionMiddleware, Blocked
from twin_crawler.middlewares.retry import BackoffRetryMiddleware
from twin_crawler.middlewares.ssrf import GuardedResolver

LOADER = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["twin_crawler.spiders"]}))


def test_invalid_names_fail_at_once_without_a_dns_query() -> None:
    resolver = GuardedResolver(SelectReactor(), cache_size=0, timeout=5.0)  # a reactor that never runs
    outcomes: list[Failure] = []
    resolver.getHostByName("nosuchhost.invalid").addErrback(outcomes.append)
    # Already failed, with no reactor turn: no thread, no query was sent to the system resolver.
    assert len(outcomes) == 1 and outcomes[0].check(DNSLookupError), outcomes
    assert "RFC 6761" in str(outcomes[0].value)


def test_dns_failure_is_not_retried_nor_dead_lettered(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 4})
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    crawler.spider = Spider.from_crawler(crawler, name="probe")
    added: list[object] = []
    mw.dead_letters.add = added.append  # type: ignore[method-assign]  # records what would be stored
    caplog.set_level(logging.WARNING, logger="twin_crawler.middlewares.retry")
    errors = [CannotResolveHostError("no such host") for _ in range(3)]
    for n, error in enumerate(errors):
        meta = {"twin_platform": "article", "twin_link": f"http://gone.invalid/{n}"}
        assert mw.process_exception(Request(f"http://gone.invalid/{n}", meta=meta), error) is None
    assert [e.twin_reason for e in errors] == ["dns"] * 3  # type: ignore[attr-defined]
    assert all(e.twin_logged for e in errors)  # type: ignore[attr-defined]  # the errback stays quiet
    assert added == [] and mw.not_before == {}  # no dead letter, no backoff held against the domain
    assert [r.getMessage() for r in caplog.records] == [
        "gone.invalid: no such host (DNS lookup failed); its links are recorded failed/dns, not retried"]
    # Later requests to that host fail at once, without a lookup of their own (offline, each would wait
    # DNS_TIMEOUT); other hosts are untouched.
    with pytest.raises(CannotResolveHostError) as again:
        asyncio.run(mw.process_request(Request("http://gone.invalid/later")))
    assert again.value.twin_reason == "dns" and again.value.twin_logged  # type: ignore[attr-defined]
    assert asyncio.run(mw.process_request(Request("http://fine.example.org/"))) is None
    mw.unresolved["gone.invalid"] = 0.0  # TWIN_DNS_FAILURE_TTL elapsed: the host is looked up again
    assert asyncio.run(mw.process_request(Request("http://gone.invalid/later"))) is None
    # A timeout is still retried: only "no such host" is exempt.
    timeout = mw.process_exception(Request("http://slow.example.org/x", meta={"twin_platform": "article"}),
                                   TimeoutError())
    assert isinstance(timeout, Request) and timeout.meta["retry_times"] == 1


def test_offline_crawl_is_one_line_per_host_and_every_link_failed_dns(tmp_path: Path) -> None:
    links = "http://nosuchhost.invalid/a,http://nosuchhost.invalid/b,https://other.invalid/c"
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={links}", "-s", "ROBOTSTXT_OBEY=True",
                   "-s", "RETRY_TIMES=4", env={"TWIN_DATA_DIR": str(tmp_path)})
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if re.search(r"\] (WARNING|ERROR):", line)]
    assert len(lines) == 2, lines  # one per host: no per-link "failed" line, no robots.txt ERROR
    assert any("nosuchhost.invalid: no such host" in line for line in lines)
    assert any("other.invalid: no such host" in line for line in lines)
    assert "'retry/count'" not in result.stderr  # not one retry (the stats dump lists it when there is)
    assert "'downloader/exception_count': 5," in result.stderr  # 2 robots.txt + 3 pages, each tried once
    assert "failed/dns=3" in result.report


# SYNTHETIC pages (no fixture file): a Cloudflare-style challenge and an empty client-rendered shell.
CHALLENGE = "<html><head><title>Just a moment...</title></head><body><div id='challenge-platform'></div></body></html>"
SHELL = ("<html><head><title>Loading</title></head><body><div id='root'></div><noscript>You need to enable JavaScript "
         "to run this app.</noscript></body></html>")


def test_missing_browser_is_one_warning_and_blocked_no_browser(site: LoopbackSite, tmp_path: Path) -> None:
    site.add("/p/0a0a0a0a0a0a", Reply(CHALLENGE, status=403, headers={"cf-mitigated": "challenge"}))
    site.add("/p/0b0b0b0b0b0b", SHELL)
    links = "https://medium.com/p/0a0a0a0a0a0a,https://medium.com/p/0b0b0b0b0b0b"
    missing = tmp_path / "no-chromium-here"
    result = crawl("medium", "-a", "user=Jane Doe", "-a", f"links={links}", "-s", f"TWIN_MEDIUM_BASE_URL={site.url}",
                   "-s", "TWIN_BROWSER_SCHEMES=http",
                   env={"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_BROWSER_EXECUTABLE": str(missing)})
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines() if re.search(r"\] (WARNING|ERROR):", line)]
    assert len(warnings) == 1, warnings
    assert f"TWIN_BROWSER_EXECUTABLE='{missing}' is not a file" in warnings[0]
    assert "blocked/no-browser=2" in result.report, result.report
    assert "javascript-shell" not in result.report and "cloudflare-challenge" not in result.report
    assert site.hits["/p/0a0a0a0a0a0a"] == 1  # not retried: there is nothing to retry it in


@pytest.mark.parametrize(("spider", "reason"), [("medium", "no-browser"), ("article", "javascript-shell")])
def test_only_a_spider_that_wanted_the_browser_says_no_browser(spider: str, reason: str,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="twin_crawler.browser")
    crawler = get_crawler(LOADER.load(spider), {"TWIN_BROWSER_EXECUTABLE": "/nonexistent/chromium"})
    assert len(caplog.records) == (1 if spider == "medium" else 0)  # the article spider never wants one
    crawler.spider = SimpleNamespace(ledger=Ledger())  # the middleware records on the spider's ledger
    mw = BlockDetectionMiddleware.from_crawler(crawler)
    request = Request("https://blog.example.org/p", meta={"twin_link": "https://blog.example.org/p"})
    response = HtmlResponse(request.url, body=SHELL.encode(), request=request)
    with pytest.raises(Blocked) as blocked:
        mw.process_response(request, response)
    assert blocked.value.twin_reason == reason
    assert crawler.spider.ledger.state("https://blog.example.org/p") == "blocked"


def test_browser_off_on_purpose_is_not_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="twin_crawler.browser")
    crawler = get_crawler(LOADER.load("medium"), {"TWIN_BROWSER_EXECUTABLE": "/nonexistent/chromium", "TWIN_BROWSER": "off"})
    assert [r.levelname for r in caplog.records] == ["DEBUG"]
    assert not crawler.settings.getbool("TWIN_BROWSER_MISSING")  # blocked pages keep their own reason


def navigation_errors(chromium: str, urls: list[str]) -> list[BaseException]:
    """What Playwright raises when Debian's Chromium navigates to each URL (all loopback or ``.invalid``)."""
    from playwright.async_api import async_playwright

    async def go() -> list[BaseException]:
        # .invalid is answered by Chromium itself here, so the DNS case needs no network either.
        args = ["--no-sandbox", "--host-resolver-rules=MAP *.invalid ~NOTFOUND"]
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=args)
            page = await browser.new_page()
            errors: list[BaseException] = []
            for url in urls:
                try:
                    await page.goto(url, timeout=1500)
                except Exception as exc:  # noqa: BLE001 - whatever Playwright raises is the point
                    errors.append(exc)
            await browser.close()
            return errors

    return asyncio.run(go())


def test_chromium_navigation_errors_get_short_reasons(chromium: str, site: LoopbackSite) -> None:
    release = threading.Event()

    def hang(handler: object) -> Reply:
        release.wait(10)  # answers only after the navigation timed out
        return Reply("late")

    site.add("/hang", hang)
    try:
        errors = navigation_errors(chromium, ["http://nosuchhost.invalid/", f"http://127.0.0.1:{free_port()}/",
                                              f"{site.url}/hang"])
    finally:
        release.set()
    assert [type(e).__name__ for e in errors] == ["Error", "Error", "TimeoutError"]  # Playwright's own names
    assert [exception_reason(e) for e in errors] == ["browser-dns", "browser-connection-refused", "browser-timeout"]
    mw = BackoffRetryMiddleware.from_crawler(get_crawler())
    request = Request("http://nosuchhost.invalid/", meta={"twin_platform": "medium"})
    assert mw.process_exception(request, errors[0]) is None  # not retried
    assert errors[0].twin_reason == "browser-dns"  # type: ignore[attr-defined]  # what the errback reports


def test_refused_crawl_writes_its_error_line_to_the_log_file_too(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    result = crawl("article", "-a", "user=Jane Doe", "-a", "links=ftp://example.org/x", "-s", f"LOG_FILE={log}",
                   env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2
    assert len([line for line in result.stderr.splitlines() if line.startswith("error: links:")]) == 1
    assert "Traceback" not in result.stderr and "Traceback" not in log.read_text()
    assert len([line for line in log.read_text().splitlines() if "error: links:" in line]) == 1


def test_without_a_log_file_the_error_line_is_printed_once(tmp_path: Path) -> None:
    result = crawl("article", "-a", "user=Jane Doe", "-a", "links=ftp://example.org/x",
                   env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2
    assert len([line for line in result.stderr.splitlines() if "error:" in line]) == 1
