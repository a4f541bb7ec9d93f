"""Raw archive on loopback: archive a crawl, stop the site, reprocess from the archive, get the same documents."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from blog_helpers import Blog, Post, article_html
from conftest import CrawlResult, LoopbackSite, crawl

from twin_crawler.warehouse import open_warehouse

VOLATILE = {"_id", "first_seen_at", "last_crawled_at", "author_id"}
# Scrapy's cookie middleware asks tldextract about Set-Cookie domains, and tldextract's shared cache logs a
# traceback when parallel processes race on it; cookies play no part here (the archive sees headers first).
NO_COOKIES = ("-s", "COOKIES_ENABLED=False")


def ok(result: CrawlResult, exit_code: int = 0) -> CrawlResult:
    assert result.returncode == exit_code, result.stderr[-3000:]
    at = result.stderr.find("Traceback")
    assert at < 0, result.stderr[max(0, at - 500):at + 2500]
    return result


def documents(data: Path) -> list[dict[str, Any]]:
    w = open_warehouse(None, data_dir=data)
    try:
        docs = [{k: v for k, v in d.items() if k not in VOLATILE} for d in w.find("articles")]
        return sorted(docs, key=lambda d: d["link"])
    finally:
        w.close()


def last_totals(data: Path) -> dict[str, int]:
    w = open_warehouse(None, data_dir=data)
    try:
        return dict(max(w.find("runs"), key=lambda r: r["started_at"])["totals"])
    finally:
        w.close()


def records(archive: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(archive.glob("records/*/*.jsonl")) for line in path.read_text().splitlines()]


def make_site(site: LoopbackSite) -> Callable[[], None]:
    blog = Blog(site)
    blog.add("/p/plain", Post(article_html("Plain post", 21), etag='"p1"'))
    zipped = gzip.compress(article_html("Compressed post", 22).encode())
    blog.paths.append("/p/zipped")
    site.add("/p/zipped", zipped, headers={"Content-Encoding": "gzip", "Set-Cookie": "session=s3cr3t-value; HttpOnly"})
    site.add("/old", b"", status=301, headers={"Location": "/p/moved"})
    site.add("/p/moved", article_html("Moved post", 23), headers={"Authorization": "Bearer leaked-token"})
    return site.close


def test_reprocess_from_the_archive_gives_the_same_documents(site: LoopbackSite, tmp_path: Path) -> None:
    stop_site = make_site(site)
    archive = tmp_path / "archive"
    links = f"links={site.url}/,{site.url}/old"
    first = {"TWIN_DATA_DIR": str(tmp_path / "d1"), "TWIN_RAW_ARCHIVE": archive.as_uri()}  # a file:// storage URI
    ok(crawl("article", "-a", "user=Jane Doe", "-a", links, *NO_COOKIES, env=first))
    crawled = documents(tmp_path / "d1")
    assert [d["title"] for d in crawled] == ["Moved post", "Plain post", "Compressed post"]  # by link

    # Content-addressed, headers kept minus secrets, redirects kept as fetched.
    recs = {r["url"]: r for r in records(archive)}
    for rec in recs.values():
        body = (archive / "bodies" / rec["body_sha256"][:2] / rec["body_sha256"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == rec["body_sha256"] and len(body) == rec["body_size"]
    zipped = recs[f"{site.url}/p/zipped"]
    assert zipped["headers"]["Content-Encoding"] == ["gzip"] and "Set-Cookie" not in zipped["headers"]
    assert "Authorization" not in recs[f"{site.url}/p/moved"]["headers"]
    assert recs[f"{site.url}/old"]["status"] == 301
    raw = b"".join(p.read_bytes() for p in archive.glob("records/*/*.jsonl"))
    assert b"s3cr3t-value" not in raw and b"leaked-token" not in raw

    stop_site()
    other = LoopbackSite()  # live, but never archived: reprocessing must not touch it
    try:
        again = {"TWIN_DATA_DIR": str(tmp_path / "d2"), "TWIN_RAW_ARCHIVE": str(archive)}
        result = ok(crawl("article", "-a", "user=Jane Doe", "-a", f"{links},{other.url}/new", "-a", "reprocess=1", *NO_COOKIES,
                         env=again), exit_code=1)  # the link never archived fails (not-archived): exit 1
        assert not other.hits
    finally:
        other.close()
    assert documents(tmp_path / "d2") == crawled
    w = open_warehouse(None, data_dir=tmp_path / "d2")
    run = w.find("runs")[0]
    w.close()
    assert run["totals"]["failed"] == 1 and run["stats"]["twin/archive/refused"] == 1  # the link not archived
    assert "failed" in result.report

    # Reprocessing into the warehouse it came from rewrites nothing.
    first_again = {**first, "TWIN_RAW_ARCHIVE": str(archive)}
    ok(crawl("article", "-a", "user=Jane Doe", "-a", links, "-a", "reprocess=1", *NO_COOKIES, env=first_again))
    assert last_totals(tmp_path / "d1").get("unchanged") == 3
    assert documents(tmp_path / "d1") == crawled


def test_identical_bodies_are_stored_once(site: LoopbackSite, tmp_path: Path) -> None:
    make_site(site)
    archive = tmp_path / "archive"
    env = {"TWIN_DATA_DIR": str(tmp_path / "d"), "TWIN_RAW_ARCHIVE": str(archive)}
    for _ in range(2):
        ok(crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/", *NO_COOKIES, env=env))
    recs = records(archive)
    assert len({r["fingerprint"] for r in recs}) * 2 == len(recs)  # every fetch recorded, in both runs
    bodies = list(archive.glob("bodies/*/*"))
    assert len(bodies) == len({r["body_sha256"] for r in recs}) < len(recs)


def test_reprocess_needs_an_archive(tmp_path: Path) -> None:
    for env in ({}, {"TWIN_RAW_ARCHIVE": str(tmp_path / "nothing-here")}):
        result = crawl("article", "-a", "user=Jane Doe", "-a", "links=http://127.0.0.1:9/x", "-a", "reprocess=1",
                       env={"TWIN_DATA_DIR": str(tmp_path / "d"), **env})
        assert result.returncode == 2 and "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "TWIN_RAW_ARCHIVE" in errors[0]
