"""Links over Scrapy's URLLENGTH_LIMIT end ``failed/url-too-long`` (issue 15, point 4), given or discovered."""

from __future__ import annotations

from pathlib import Path

from conftest import LoopbackSite, assert_ok, crawl
from distributed_helpers import article_html

from twin_crawler.warehouse import open_warehouse

LIMIT = 2083  # Scrapy's default URLLENGTH_LIMIT


def test_too_long_links_given_and_discovered_end_failed_not_pending(site: LoopbackSite, tmp_path: Path) -> None:
    long_given = f"{site.url}/given?q={'g' * LIMIT}"
    long_found = f"{site.url}/posts/{'f' * LIMIT}"
    site.add("/", "<html><head><title>Blog</title><link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
                  "</head><body><h1>Blog</h1></body></html>")
    items = "".join(f"<item><title>P</title><link>{u}</link></item>" for u in (f"{site.url}/posts/ok", long_found))
    site.add("/feed.xml", f"<?xml version='1.0'?><rss version='2.0'><channel><title>B</title>{items}</channel></rss>",
             content_type="application/rss+xml")
    site.add("/posts/ok", article_html(1))
    data = tmp_path / "data"
    result = crawl("article", "-a", "user=Ada Lovelace", "-a", f"links={site.url}/,{long_given}",
                   env={"TWIN_DATA_DIR": str(data)})
    assert_ok(result, exit_code=1)  # two wanted links did not arrive: exit 1, and nothing pending
    w = open_warehouse(None, data_dir=data)
    try:
        run = max(w.find("runs"), key=lambda r: r["started_at"])
        assert [d["link"] for d in w.find("articles")] == [f"{site.url}/posts/ok"]
    finally:
        w.close()
    stats = run["stats"]
    assert stats["twin/failed/url-too-long"] == 2, {k: v for k, v in stats.items() if "links" in k or "failed" in k}
    assert "twin/links/pending" not in stats
    assert not any(path.startswith(("/given", "/posts/ff")) for path in site.hits)  # never requested
