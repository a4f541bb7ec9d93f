"""Incremental re-crawls on loopback: fresh links skipped, force refetches, 304 counted unchanged, changes updated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from blog_helpers import Blog, Post, article_html
from conftest import CrawlResult, LoopbackSite, crawl

from twin_crawler.scheduling import DurationError, parse_duration


def run(site: LoopbackSite, env: dict[str, str], *extra: str) -> CrawlResult:
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/", *extra, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def last_run(open_warehouse: Callable[[], Any]) -> dict[str, Any]:
    w = open_warehouse()
    try:
        return max(w.find("runs"), key=lambda r: r["started_at"])
    finally:
        w.close()


def articles(open_warehouse: Callable[[], Any]) -> dict[str, dict[str, Any]]:
    w = open_warehouse()
    try:
        return {d["link"]: d for d in w.find("articles")}
    finally:
        w.close()


def test_second_run_inside_the_window_fetches_only_discovery_pages(
        site: LoopbackSite, embedded_env: dict[str, str], open_embedded: Callable[[], Any]) -> None:
    env = {**embedded_env, "TWIN_RECRAWL_AFTER": "24h"}
    blog = Blog(site)
    blog.add("/p/a", Post(article_html("Post A", 1), etag='"a1"'))
    blog.add("/p/b", Post(article_html("Post B", 2)))
    run(site, env, "-s", "TWIN_CRAWL_LOG_DRAIN_EVERY=1")  # settled links written during the run, the rest at the end
    assert len(articles(open_embedded)) == 2

    blog.add("/p/c", Post(article_html("Post C", 3)))  # published between the runs
    site.hits.clear()
    second = run(site, env)
    # Discovery (the index page and its feed) is fetched again and finds the new post; nothing else is fetched
    # (the feed answered, so the sitemap is not read).
    assert dict(site.hits) == {"/": 1, "/feed.xml": 1, "/p/c": 1}
    assert sorted(articles(open_embedded)) == [f"{site.url}/p/{x}" for x in "abc"]
    totals = last_run(open_embedded)["totals"]
    # Fresh links are not fetched and count as unchanged (the document is known current), with the reason shown.
    assert totals.get("unchanged") == 2 and totals.get("new") == 1
    assert "unchanged/fresh=2" in second.report
    # The feed's three links had their crawl-log entries read together, before their requests went out.
    assert last_run(open_embedded)["stats"]["twin/incremental/prefetched"] == 3

    site.hits.clear()
    site.requests.clear()
    run(site, env, "-a", "force=1")
    assert all(site.hits[f"/p/{x}"] == 1 for x in "abc")
    # force is a full refetch: no validators sent, so the body is parsed again (a better parser gets to run).
    assert all("If-None-Match" not in headers for path, headers in site.requests if path.startswith("/p/"))
    totals = last_run(open_embedded)["totals"]
    assert totals.get("unchanged") == 3 and "skipped" not in totals


def test_stale_links_are_revalidated_conditionally(site: LoopbackSite, tmp_path: Path) -> None:
    from twin_crawler.warehouse import open_warehouse

    data = tmp_path / "data"
    env = {"TWIN_DATA_DIR": str(data), "TWIN_RECRAWL_AFTER": "0"}  # every link is stale: revalidate all
    blog = Blog(site)
    blog.add("/p/etag", Post(article_html("Tagged", 10), etag='"e1"'))
    changed = blog.add("/p/changed", Post(article_html("Changing", 11), etag='"c1"'))
    blog.add("/p/dated", Post(article_html("Dated", 12), last_modified="Tue, 01 Sep 2026 10:00:00 GMT"))
    run(site, env)
    before = articles(lambda: open_warehouse(None, data_dir=data))

    changed.html, changed.etag = article_html("Changing, revised", 99), '"c2"'
    site.requests.clear()
    run(site, env)
    sent = {path: headers for path, headers in site.requests}
    assert sent["/p/etag"].get("If-None-Match") == '"e1"'
    assert sent["/p/changed"].get("If-None-Match") == '"c1"'
    assert sent["/p/dated"].get("If-Modified-Since") == "Tue, 01 Sep 2026 10:00:00 GMT"

    after = articles(lambda: open_warehouse(None, data_dir=data))
    link = f"{site.url}/p/"
    assert after[link + "changed"]["title"] == "Changing, revised"
    # 304: nothing rewritten, not even the crawl time.
    assert after[link + "etag"] == before[link + "etag"] and after[link + "dated"] == before[link + "dated"]
    report = last_run(lambda: open_warehouse(None, data_dir=data))
    assert report["totals"] == {"unchanged": 2, "updated": 1, "dropped": 1}  # dropped: the index page
    assert report["stats"]["twin/incremental/not_modified"] == 2

    # The changed page's new validator was recorded: a third run gets a 304 for it too.
    site.requests.clear()
    run(site, env)
    assert last_run(lambda: open_warehouse(None, data_dir=data))["totals"]["unchanged"] == 3


def test_a_bad_window_is_one_line(site: LoopbackSite, tmp_path: Path) -> None:
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/",
                   env={"TWIN_DATA_DIR": str(tmp_path), "TWIN_RECRAWL_AFTER": "soon"})
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: TWIN_RECRAWL_AFTER='soon' is not a duration; write e.g. 24h, 30m, 2d, 1h30m or seconds"]
    assert "Traceback" not in result.stderr
    assert not site.hits


@pytest.mark.parametrize(("text", "seconds"), [("24h", 86400), ("30m", 1800), ("2d", 172800), ("90", 90),
                                               ("1h30m", 5400), ("0", 0), (3600, 3600)])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "-5", "1y", "24 hours"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(DurationError, match="TWIN_RECRAWL_AFTER"):
        parse_duration(text)
