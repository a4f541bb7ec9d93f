"""Unit tests of the reliability building blocks: Retry-After parsing, backoff bounds, exception reasons, the
journal's locking and round trip."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import DownloadTimeoutError, ResponseDataLossError
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from twin_crawler.middlewares.retry import BackoffRetryMiddleware, exception_reason, parse_retry_after
from twin_crawler.pages.article import NotAnArticle, parse_article
from twin_crawler.pages.html import MAX_HTML_BYTES, PageError, parse_html
from twin_crawler.warehouse.embedded import EmbeddedWarehouse
from twin_crawler.warehouse.journal import Journal, replay_directory


def test_retry_after_seconds_http_date_and_garbage() -> None:
    now = time.time()
    assert parse_retry_after("120") == 120.0
    when = format_datetime(datetime.fromtimestamp(now, UTC) + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(when, now=now) == pytest.approx(30, abs=1.5)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0  # in the past: retry now
    assert parse_retry_after("soon") is None and parse_retry_after("-5") is None


def test_exception_reasons_are_short_slugs() -> None:
    assert exception_reason(DownloadTimeoutError()) == "timeout"
    assert exception_reason(ResponseDataLossError()) == "truncated-body"
    assert exception_reason(KeyError("x")) == "KeyError"


def test_backoff_is_capped_exponential_with_jitter_per_domain() -> None:
    crawler = get_crawler(settings_dict={"TWIN_RETRY_BACKOFF_BASE": 1.0, "TWIN_RETRY_BACKOFF_MAX": 8.0, "RETRY_TIMES": 10})
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    crawler.spider = Spider.from_crawler(crawler, name="probe")
    delays = []
    for attempt in range(7):
        request = Request(f"https://blog.example.org/p/{attempt}", meta={"retry_times": attempt})
        mw.not_before.clear()
        started = time.monotonic()
        assert mw._retry_with_delay(request, "http-503", "HTTP 503", None) is not None
        delays.append(mw.not_before["blog.example.org"] - started)
    for attempt, delay in enumerate(delays):
        backoff = min(8.0, 2.0**attempt)
        assert backoff / 2 <= delay <= backoff + 0.05, (attempt, delay)  # equal jitter, never more than the cap
    assert "other.example.org" not in mw.not_before  # one domain's backoff does not hold the others
    retry_after = Request("https://blog.example.org/x")
    mw._retry_with_delay(retry_after, "http-429", "HTTP 429", 30.0)
    assert mw.not_before["blog.example.org"] - time.monotonic() == pytest.approx(30, abs=0.5)  # Retry-After wins


def test_journal_round_trip_and_lock(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal")
    published = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    journal.append([{"c": "articles", "doc": {"link": "https://a.example/1", "published_at": published, "content": {"x": "y"}}},
                    {"c": "articles", "also": ["https://a.example/1", "https://b.example/1"]}])
    assert journal.pending() == 2
    assert journal.entries()[0]["doc"]["published_at"] == published  # aware UTC back from disk
    warehouse = EmbeddedWarehouse(tmp_path / "twin.db")
    try:
        assert replay_directory(tmp_path / "journal", warehouse) == (0, [journal.path.name])  # a live crawl holds it
        journal.close()  # the crawl ends with the write still owed: the file stays
        assert journal.path.exists()
        assert replay_directory(tmp_path / "journal", warehouse) == (1, [])
        doc = warehouse.get("articles", "https://a.example/1")
        assert doc is not None and doc["also_published_at"] == ["https://b.example/1"]
        assert not journal.path.exists()
    finally:
        warehouse.close()


def test_parsers_refuse_oversized_and_survive_deep_nesting() -> None:
    with pytest.raises(PageError, match="larger than"):
        parse_html(b"<p>x</p>" * (MAX_HTML_BYTES // 8 + 1))
    tree = parse_html(b"<div>" * 100_000 + b"deep")  # lxml caps the depth instead of recursing without bound
    assert tree is not None
    with pytest.raises(NotAnArticle):
        parse_article("https://a.example/p/1", b"<div>" * 100_000 + b"deep")
