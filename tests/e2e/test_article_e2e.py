"""End to end on loopback: blog root -> feed/sitemap -> articles -> pipelines -> both warehouse backends, twice."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from article_sites import BLOGS, POSTS, blog, post
from conftest import LoopbackSite, assert_ok, crawl, stored


def test_blog_root_crawled_twice_is_identical(site: LoopbackSite, backend_env: dict[str, str],
                                              open_backend: Callable[[], Any], tmp_path: Path) -> None:
    root = blog(site)
    out = tmp_path / "out.jsonl"
    first = crawl("article", "-a", "user=Jane  Doe", "-a", f"links={root}", "-O", str(out), env=backend_env)
    assert_ok(first)
    docs = stored(open_backend, "articles")
    assert [d["link"] for d in docs] == sorted(site.url + p for p in POSTS)
    assert all(d["platform"] == "article" and d["author_full_name"] == "Jane Doe" for d in docs)
    assert site.hits["/comments/feed.xml"] == 0  # comment feeds are never followed
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(e["link"] for e in exported) == [d["link"] for d in docs]
    assert "new" in first.report and "index-page" in first.report

    second = crawl("article", "-a", "user=jane doe", "-a", f"links={root}", env=backend_env)
    assert_ok(second)
    assert stored(open_backend, "articles") == docs  # byte-for-byte the same documents: nothing rewritten
    w = open_backend()
    runs = sorted(w.find("runs"), key=lambda r: r["started_at"])
    users = w.find("users")
    w.close()
    assert len(users) == 1
    assert [r["totals"].get("unchanged", 0) for r in runs] == [0, 3]
    assert [r["totals"].get("new", 0) for r in runs] == [3, 0]


def test_sitemap_is_used_when_there_is_no_feed(site: LoopbackSite, tmp_path: Path) -> None:
    root = blog(site, feed=False)
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={root}", env=env)
    assert_ok(result)
    assert site.hits["/sitemap.xml"] == 1
    assert all(site.hits[p] == 1 for p in POSTS)
    assert "new" in result.report


def test_index_page_given_directly_is_not_stored(site: LoopbackSite, tmp_path: Path) -> None:
    url = site.add_file("/news/index.html", BLOGS / "newspaper4k_cnn_main_site_INDEX.html")
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={url}", env=env)
    assert_ok(result)
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path / "data")
    assert w.find("articles") == []
    w.close()
    assert "dropped/index-page" in result.report


def test_same_text_under_two_links_is_stored_once(site: LoopbackSite, embedded_env: dict[str, str],
                                                  open_embedded: Callable[[], Any]) -> None:
    """A cross-post (same article on two sites) is one document; the other link is kept in also_published_at."""
    html = (BLOGS / "readability_v8-blog_source.html").read_text(encoding="utf-8")
    first = site.add("/blog/2019/standalone-wasm.html", html)
    mirror = site.add("/mirror/2019/standalone-wasm.html",
                      html.replace("Please file bugs, and as always help is welcome!", "Thanks for reading my mirror."))
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={first}", "-s", "CONCURRENT_REQUESTS=1", env=embedded_env)
    assert_ok(result)
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={mirror},{first}", env=embedded_env)
    assert_ok(result)
    docs = stored(open_embedded, "articles")
    assert [d["link"] for d in docs] == [first]
    assert docs[0]["also_published_at"] == [mirror]
    assert "dropped/cross-post" in result.report


def test_a_short_feed_is_completed_from_the_listing_pages_not_the_sitemap(site: LoopbackSite, tmp_path: Path) -> None:
    """Feeds carry the latest posts; the listing's "Older posts" pages carry the rest. The site-root sitemap is
    not read once a feed answered (it lists /docs/ too)."""
    posts = {f"/2024/0{i}/post-{i}/": i for i in range(1, 7)}
    for path, i in posts.items():
        site.add(path, post(f"Post {i}", "Jane Doe", 200 + i))
    paths = list(posts)

    def listing(page_paths: list[str], older: str | None) -> str:
        cards = "".join(f'<article><h2><a href="{p}">P</a></h2></article>' for p in page_paths)
        more = f'<a href="{older}">Older posts</a>' if older else ""
        return (f'<html><head><link rel="alternate" type="application/rss+xml" href="/feed/"></head>'
                f"<body><main>{cards}{more}</main></body></html>")

    site.add("/", listing(paths[:3], "/page/2/"))
    site.add("/page/2/", listing(paths[3:5], "/page/3/"))
    site.add("/page/3/", listing(paths[5:], None))
    items = "".join(f"<item><link>{site.url}{p}</link></item>" for p in paths[:2])
    site.add("/feed/", f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>',
             content_type="application/rss+xml")
    site.add("/sitemap.xml", "<urlset><url><loc>/docs/manual.html</loc></url></urlset>", content_type="application/xml")
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/", env={"TWIN_DATA_DIR": str(tmp_path)})
    assert_ok(result)
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path)
    assert sorted(d["link"] for d in w.find("articles")) == sorted(site.url + p for p in paths)
    w.close()
    assert site.hits["/page/3/"] == 1 and site.hits["/sitemap.xml"] == 0 and site.hits["/robots.txt"] == 0


def test_the_parse_pool_stores_the_same_documents_as_in_process_parsing(site: LoopbackSite, tmp_path: Path) -> None:
    """Issue 14: TWIN_PARSE_WORKERS=1 (a worker process parses) and 0 (the crawl process parses) store the same."""
    root = blog(site)
    kept: dict[str, list[dict[str, Any]]] = {}
    for workers in ("1", "0"):
        data = tmp_path / f"w{workers}"
        result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={root}",
                       env={"TWIN_DATA_DIR": str(data), "TWIN_PARSE_WORKERS": workers})
        assert_ok(result)
        pooled = re.search(r"'twin/parse_pool/pages': (\d+)", result.stderr)
        assert (int(pooled.group(1)) >= len(POSTS) if pooled else 0) == (workers == "1")  # the pool parsed them
        from twin_crawler.warehouse import open_warehouse

        w = open_warehouse(None, data_dir=data)
        kept[workers] = [{k: d[k] for k in ("link", "title", "content", "published_at", "links", "images", "byline")}
                         for d in sorted(w.find("articles"), key=lambda d: d["link"])]
        w.close()
    assert len(kept["1"]) == len(POSTS) and kept["1"] == kept["0"]
