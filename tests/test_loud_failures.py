"""Failures are loud and short (issue 12): an unknown host is not retried and is one line per host, a missing
browser is one warning and ``blocked/no-browser``, Chromium navigation errors get short reasons.

Unknown hosts use the reserved ``.invalid`` domain (RFC 6761), which the project's resolver answers negatively
without asking any DNS server, so nothing here leaves the machine.
"""

from __future__ import annotations

import logging
import re

import pytest
from conftest import crawl
from scrapy import Spider
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.internet.selectreactor import SelectReactor
from twisted.python.failure import Failure

from twin_crawler.middlewares.retry import BackoffRetryMiddleware
from twin_crawler.middlewares.ssrf import GuardedResolver


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
        meta = {"twin_step": "article.page", "twin_link": f"http://gone.invalid/{n}"}
        assert mw.process_exception(Request(f"http://gone.invalid/{n}", meta=meta), error) is None
    assert [e.twin_reason for e in errors] == ["dns"] * 3  # type: ignore[attr-defined]
    assert all(e.twin_logged for e in errors)  # type: ignore[attr-defined]  # the errback stays quiet
    assert added == [] and mw.not_before == {}  # no dead letter, no backoff held against the domain
    assert [r.getMessage() for r in caplog.records] == [
        "gone.invalid: no such host (DNS lookup failed); its links are recorded failed/dns, not retried"]
    # A timeout is still retried: only "no such host" is exempt.
    timeout = mw.process_exception(Request("http://slow.example.org/x", meta={"twin_step": "article.page"}),
                                   TimeoutError())
    assert isinstance(timeout, Request) and timeout.meta["retry_times"] == 1


def test_offline_crawl_is_one_line_per_host_and_every_link_failed_dns(tmp_path: object) -> None:
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
