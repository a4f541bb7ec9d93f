"""``scrapy parse --spider=NAME URL`` with no other flags runs the crawl's own handling and prints the item
(issue 12). A subprocess: the command line is the point."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from blog_helpers import article_html
from conftest import ROOT, LoopbackSite, scrapy_run


def scrapy(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    full_env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.local", "PYTHONPATH": str(ROOT), **env})
    return scrapy_run(["scrapy", *args], env=full_env, cwd=ROOT, timeout=120)


def test_parse_prints_the_article_a_crawl_would_store(site: LoopbackSite, tmp_path: Path) -> None:
    page = site.add("/2024/01/parsed-post", article_html("Parsed Post", 11))
    data = tmp_path / "data"
    result = scrapy("parse", "--spider=article", page, env={"TWIN_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "error:" not in result.stderr, result.stderr[-3000:]
    assert "WARNING" not in result.stderr, result.stderr[-3000:]  # not even Scrapy's deprecation of its own command
    scraped = result.stdout.split("# Scraped Items", 1)[1].split("# Requests", 1)[0]
    assert "'title': 'Parsed Post'" in scraped and f"'link': '{page}'" in scraped, result.stdout
    assert "'platform': 'article'" in scraped and "'author_full_name': 'Unknown Author'" in scraped
    assert not data.exists()  # nothing written to the user's warehouse


def test_parse_of_a_blog_root_lists_the_feed_request(site: LoopbackSite, tmp_path: Path) -> None:
    # SYNTHETIC index page: too short to be an article, with a feed link, so the crawl would follow the feed.
    root = site.add("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
                         "</head><body><a href='/2024/01/a'>A</a></body></html>")
    result = scrapy("parse", "--spider=article", "-a", "user=Jane Doe", root,
                    env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 0, result.stderr[-3000:]
    requests = result.stdout.split("# Requests", 1)[1]
    assert f"{site.url}/feed.xml" in requests, result.stdout
    # --depth 2 follows it through the same wrappers: the feed's post is parsed too.
    site.add("/feed.xml", f"<rss version='2.0'><channel><title>B</title><item><link>{site.url}/2024/01/a</link>"
                          "</item></channel></rss>", content_type="application/rss+xml")
    site.add("/2024/01/a", article_html("Followed Post", 12))
    deeper = scrapy("parse", "--spider=article", "-a", "user=Jane Doe", "--depth=3", root,
                    env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert deeper.returncode == 0 and "Deprecat" not in deeper.stderr, deeper.stderr[-3000:]
    assert "'title': 'Followed Post'" in deeper.stdout and "'author_full_name': 'Jane Doe'" in deeper.stdout


def test_parse_with_a_bad_argument_is_one_error_line(tmp_path: Path) -> None:
    result = scrapy("parse", "--spider=article", "-a", "bogus=1", "http://127.0.0.1:9/x",
                    env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stdout == ""  # no empty result tables after the refusal
    assert [line for line in result.stderr.splitlines() if "error:" in line] == [
        "error: unknown argument 'bogus'; this spider accepts: config, force, handle, links, reprocess, user"]
