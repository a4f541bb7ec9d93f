"""End-to-end Medium crawls against the loopback site, through the full stack into the warehouse."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.request import request_from_dict
from spider_helpers import offline_spider, outputs

from twin_crawler.items import Article
from twin_crawler.spiders.medium import MediumSpider
from twin_crawler.warehouse import open_warehouse

FIX = Path(__file__).parents[1] / "fixtures" / "medium"
LOCKED_PATH = "/@janedoe/the-hidden-cost-of-vector-databases-3c4d5e6f7081"
CHALLENGE = ("<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title></head><body>"
             "<div id='challenge-platform'>Verify you are human by completing the action below.</div>"
             "<script>window._cf_chl_opt={cType: 'managed'};</script></body></html>")


def serve_feed(site: Any) -> None:
    # SYNTHETIC feed and locked page (SOURCES.md), served under their real Medium paths.
    site.add_file("/feed/@janedoe", FIX / "synthetic_feed_janedoe.xml", content_type="application/rss+xml; charset=UTF-8")
    site.add_file(LOCKED_PATH, FIX / "synthetic_locked_post.html")


def medium(run_crawl: Callable[..., Any], site: Any, env: dict[str, str], *args: str) -> Any:
    return run_crawl("medium", *args, "-s", f"TWIN_MEDIUM_BASE_URL={site.url}", "-s", "TWIN_BROWSER=off", env=env)


def articles(open_embedded: Callable[[], Any]) -> dict[str, dict[str, Any]]:
    warehouse = open_embedded()
    try:
        return {d["link"]: d for d in warehouse.find("articles")}
    finally:
        warehouse.close()


def last_run_totals(open_embedded: Callable[[], Any]) -> dict[str, int]:
    warehouse = open_embedded()
    try:
        runs = sorted(warehouse.find("runs"), key=lambda r: r["finished_at"])
        return dict(runs[-1]["totals"])
    finally:
        warehouse.close()


def test_handle_discovery_then_remembered_handle_rerun(run_crawl: Callable[..., Any], site: Any,
                                                       embedded_env: dict[str, str], open_embedded: Callable[[], Any]) -> None:
    serve_feed(site)
    first = medium(run_crawl, site, embedded_env, "-a", "user=Jane Doe", "-a", "handle=janedoe")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    docs = articles(open_embedded)
    assert sorted(docs) == [f"https://medium.com/p/{i}" for i in ("1a2b3c4d5e6f", "2b3c4d5e6f70", "3c4d5e6f7081", "4d5e6f708192")]
    # Complete feed items are stored from the feed: only the feed and the member-only post's page were fetched.
    assert dict(site.hits) == {"/feed/@janedoe": 1, LOCKED_PATH: 1}
    feature = docs["https://medium.com/p/1a2b3c4d5e6f"]
    assert feature["platform"] == "medium" and feature["source_id"] == "1a2b3c4d5e6f" and feature["kind"] == "article"
    assert feature["author_full_name"] == "Jane Doe" and not feature["is_paywalled"]
    assert "## Why not buy one" in feature["content"]["Content"] and "originally published" not in feature["content"]["Content"]
    assert feature["content"]["Title"] == "Building a Feature Store in a Weekend"
    locked = docs["https://medium.com/p/3c4d5e6f7081"]
    assert locked["is_paywalled"] and "**and ends with an invoice**" in locked["content"]["Content"]
    assert docs["https://medium.com/p/4d5e6f708192"]["kind"] == "response"
    assert last_run_totals(open_embedded) == {"new": 3, "paywalled": 1}

    # Second run: the user alone; the handle was remembered. force=1 refetches the page crawled a moment ago.
    second = medium(run_crawl, site, embedded_env, "-a", "user=jane  doe", "-a", "force=1")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "discovering everything" in second.stderr and site.hits["/feed/@janedoe"] == 2
    assert last_run_totals(open_embedded) == {"unchanged": 4}
    again = articles(open_embedded)
    assert sorted(again) == sorted(docs)
    assert {k: v["content_hash"] for k, v in again.items()} == {k: v["content_hash"] for k, v in docs.items()}


def test_links_with_medium_url_and_custom_domain(run_crawl: Callable[..., Any], site: Any, tmp_path: Path) -> None:
    site.add_file("/p/15fd2dd8f07b", FIX / "metascraper_medium-webpack-3-release.html")
    custom = site.add_file("/wtf-whats-the-future-e52ab9515573", FIX / "postlight_medium.com.html")
    links = f"https://medium.com/webpack/webpack-3-official-release-15fd2dd8f07b?source=rss----2,{custom}?source=twitter"
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = medium(run_crawl, site, env, "-a", "user=Jane Doe", "-a", f"links={links}")
    assert result.returncode == 0, result.stderr[-3000:]
    warehouse = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        docs = {d["link"]: d for d in warehouse.find("articles")}
    finally:
        warehouse.close()
    assert set(docs) == {"https://medium.com/p/15fd2dd8f07b", "https://medium.com/p/e52ab9515573"}
    assert docs["https://medium.com/p/e52ab9515573"]["extra"]["body_source"] == "dom"
    assert docs["https://medium.com/p/15fd2dd8f07b"]["byline"] == "Sean T. Larkin"


def test_twin_spider_sniffs_custom_domains_as_medium(run_crawl: Callable[..., Any], site: Any, tmp_path: Path) -> None:
    """Two Medium posts on a host that is not medium.com: the router sniffs the first page and keeps the verdict."""
    wtf = site.add_file("/wtf-whats-the-future-e52ab9515573", FIX / "postlight_medium.com.html")
    flags = site.add_file("/flag-attributes-in-android-how-to-use-them-ac4ec8aee7d1", FIX / "postlight_medium.com--another.html")
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = run_crawl("twin", "-a", "user=Jane Doe", "-a", f"links={wtf},{flags}", "-s", "TWIN_BROWSER=off", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    warehouse = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        docs = warehouse.find("articles")
    finally:
        warehouse.close()
    assert sorted(d["link"] for d in docs) == ["https://medium.com/p/ac4ec8aee7d1", "https://medium.com/p/e52ab9515573"]
    assert {d["platform"] for d in docs} == {"medium"}


def test_without_a_known_handle_one_line_and_exit_2(run_crawl: Callable[..., Any], site: Any, tmp_path: Path) -> None:
    result = medium(run_crawl, site, {"TWIN_DATA_DIR": str(tmp_path / "data")}, "-a", "user=Nobody Known")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "-a handle=" in errors[0] and "Traceback" not in result.stderr, result.stderr[-2000:]
    bad = medium(run_crawl, site, {"TWIN_DATA_DIR": str(tmp_path / "data")}, "-a", "user=Jane Doe", "-a", "handle=jane doe")
    errors = [line for line in bad.stderr.splitlines() if line.startswith("error:")]
    assert bad.returncode == 2 and len(errors) == 1 and "handle" in errors[0]
    assert "Traceback" not in bad.stderr
    # the bad handle was refused before it could be remembered: the user still has no Medium handle
    warehouse = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        assert all("medium" not in (u.get("handles") or {}) for u in warehouse.find("users"))
    finally:
        warehouse.close()


def test_cloudflare_challenge_is_never_stored(run_crawl: Callable[..., Any], site: Any, tmp_path: Path) -> None:
    """loopback answers the Medium page with a Cloudflare challenge for plain requests: nothing stored, blocked
    counted (with TWIN_BROWSER=off)."""
    site.add("/p/0a1b2c3d4e5f", CHALLENGE, status=403, headers={"cf-mitigated": "challenge"})
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = medium(run_crawl, site, env, "-a", "user=Jane Doe", "-a", "links=https://medium.com/p/0a1b2c3d4e5f")
    assert result.returncode == 1, result.stderr[-3000:]  # a blocked link: exit 1
    assert "blocked" in result.report and "cloudflare-challenge" in result.report
    assert "Launching browser" not in result.stderr
    warehouse = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        assert warehouse.find("articles") == []
        run = warehouse.find("runs")[-1]
    finally:
        warehouse.close()
    assert run["totals"] == {"blocked": 1}


def offline_medium(tmp_path: Path) -> MediumSpider:
    """The medium spider built as a crawl builds it (warehouse, author), without starting the engine."""
    return offline_spider(MediumSpider, tmp_path, user="Jane Doe", handle="janedoe")


def feed_response(body: bytes | str) -> TextResponse:
    data = body.encode() if isinstance(body, str) else body
    return TextResponse("https://medium.com/feed/@janedoe", body=data, encoding="utf-8")


def test_feed_page_request_survives_a_queue(tmp_path: Path) -> None:
    """The page request of a snippet-only item carries the feed preview in meta; it must pickle (JOBDIR, Redis)."""
    spider = offline_medium(tmp_path)
    out = outputs(spider.parse_medium_feed(feed_response((FIX / "synthetic_feed_janedoe.xml").read_bytes())))
    requests = [o for o in out if isinstance(o, Request)]
    assert len(out) == 4 and len(requests) == 1
    restored = request_from_dict(pickle.loads(pickle.dumps(requests[0].to_dict(spider=spider))), spider=spider)
    assert restored.meta["twin_medium_preview"]["content"]["Content"] == "Index memory, re-embedding and the bill nobody budgets for."
    assert restored.url == "https://medium.com/@janedoe/the-hidden-cost-of-vector-databases-3c4d5e6f7081"


def test_unreadable_member_page_keeps_the_feed_preview_flagged(tmp_path: Path) -> None:
    spider = offline_medium(tmp_path)
    request = next(o for o in outputs(spider.parse_medium_feed(feed_response((FIX / "synthetic_feed_janedoe.xml").read_bytes())))
                   if isinstance(o, Request))
    page = HtmlResponse(request.url, body=b"<html><body><p>Something else entirely</p></body></html>", request=request)
    (item,) = outputs(spider.parse_medium_post(page))
    assert isinstance(item, Article) and item.is_paywalled and item.link == "https://medium.com/p/3c4d5e6f7081"
    assert item.content.Content == "Index memory, re-embedding and the bill nobody budgets for."


def test_publication_feed_keeps_only_the_authors_posts(tmp_path: Path) -> None:
    body = (FIX / "synthetic_feed_janedoe.xml").read_text(encoding="utf-8")
    body = body.replace("<title><![CDATA[Stories by Jane Doe on Medium]]></title>", "<title><![CDATA[Decoding Data - Medium]]></title>", 1)
    body = body.replace("<dc:creator><![CDATA[Jane Doe]]></dc:creator>", "<dc:creator><![CDATA[Someone Else]]></dc:creator>", 1)
    spider = offline_medium(tmp_path)
    out = outputs(spider.parse_medium_feed(feed_response(body)))
    assert {o.link for o in out if isinstance(o, Article)} == {"https://medium.com/p/4d5e6f708192", "https://medium.com/p/2b3c4d5e6f70"}
    assert spider.ledger.state("https://medium.com/p/1a2b3c4d5e6f") == "skipped"


def test_history_opt_in_reads_the_profile_page(tmp_path: Path) -> None:
    """history=1 adds the profile page; the post ids its Apollo cache holds for the handle become page requests."""
    spider = offline_spider(MediumSpider, tmp_path, user="Sean Larkin", handle="TheLarkInn", history="1")
    feed, profile = list(spider.discover_medium("TheLarkInn"))
    assert feed.url == "https://medium.com/feed/@TheLarkInn" and profile.url == "https://medium.com/@TheLarkInn"
    page = HtmlResponse(profile.url, body=(FIX / "metascraper_medium-webpack-3-release.html").read_bytes(), request=profile)
    (request,) = outputs(spider.parse_medium_profile(page))
    assert request.url == "https://medium.com/p/15fd2dd8f07b" and request.meta["twin_link"] == "https://medium.com/p/15fd2dd8f07b"
    assert outputs(spider.parse_medium_profile(page)) == []  # already registered: never requested twice
