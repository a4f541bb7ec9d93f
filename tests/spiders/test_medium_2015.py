"""Medium pages from 2015-2018 (issue 10, point 4b): their app links read ``medium:/p/<id>`` (one slash), and
they were dropped ``not-medium`` while only ``medium://p/<id>`` was read. The post id now comes from either
app-link form, and from the URL (``/p/<id>``, ``-<hex>`` slug) of a page that is Medium's.

Fixtures: SYNTHETIC rewrites of two recorded pages (tests/fixtures/medium/SOURCES.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import LoopbackSite, assert_ok, crawl
from scrapy.http import HtmlResponse, Request
from spider_helpers import offline_spider, outputs

from twin_crawler.items import Article
from twin_crawler.pages.medium import NotAMediumPost, parse_post_page
from twin_crawler.pages.sniff import sniff_platform
from twin_crawler.spiders.medium import MediumSpider
from twin_crawler.urls import route
from twin_crawler.warehouse import open_warehouse

FIX = Path(__file__).parents[1] / "fixtures" / "medium"
OLD_2015 = FIX / "synthetic_2015_app_links.html"  # medium.com/@johncwelch/..., post d146a92473a1
OLD_2016_CUSTOM = FIX / "synthetic_2016_custom_domain_app_links.html"  # wtfeconomy.com, post e52ab9515573
WELCH = "https://medium.com/@johncwelch/samantha-and-the-great-big-lie-d146a92473a1"
WTF_PATH = "/wtf-whats-the-future-e52ab9515573"
APP_LINKS = re.compile(r'<meta[^>]*(?:al:(?:android|ios):url|twitter:app:url:iphone)[^>]*>')
APP_NAMES = re.compile(r'<meta[^>]*al:(?:android|ios):app_name[^>]*>')


def html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_fixtures_carry_only_the_one_slash_form() -> None:
    """The fixtures reproduce the failure: no two-slash link and no other id source."""
    for path in (OLD_2015, OLD_2016_CUSTOM):
        text = html(path)
        assert "medium://" not in text and "parsely-post-id" not in text and '"identifier"' not in text
        assert len(APP_LINKS.findall(text)) == 3 and all("medium:/p/" in m for m in APP_LINKS.findall(text))


@pytest.mark.parametrize(("path", "url", "post_id", "byline"), [
    (OLD_2015, WELCH, "d146a92473a1", "John C. Welch"),
    (OLD_2015, "https://medium.com/p/d146a92473a1", "d146a92473a1", "John C. Welch"),
    (OLD_2016_CUSTOM, "https://wtfeconomy.com" + WTF_PATH, "e52ab9515573", "Tim O'Reilly"),
    (OLD_2016_CUSTOM, "http://127.0.0.1:8080/some/other/path", "e52ab9515573", "Tim O'Reilly"),  # id from the page
])
def test_one_slash_app_links_give_the_post(path: Path, url: str, post_id: str, byline: str) -> None:
    post = parse_post_page(url, html(path))
    assert post.post_id == post_id and post.byline == byline and len(post.content) > 5000


def test_the_rewrite_changes_nothing_else() -> None:
    """The 2015 page parses exactly as the recorded page it was made from."""
    old = parse_post_page(WELCH, html(OLD_2015))
    recorded = parse_post_page(WELCH, html(FIX / "readability_medium-3_source.html"))
    assert (old.post_id, old.title, old.content, old.published_at) == (recorded.post_id, recorded.title,
                                                                      recorded.content, recorded.published_at)


def test_each_app_link_tag_is_read_on_its_own() -> None:
    """2016 pages mixed the forms (ios one slash, android two): whichever tag holds a post id counts."""
    text = html(OLD_2015).replace('property="al:android:url" content="medium:/p/d146a92473a1"',
                                  'property="al:android:url" content="medium://x"')
    assert parse_post_page("https://blog.example.org/a", text).post_id == "d146a92473a1"


@pytest.mark.parametrize(("url", "post_id"), [
    ("https://medium.com/p/d146a92473a1", "d146a92473a1"),
    (WELCH, "d146a92473a1"),
    ("https://johncwelch.medium.com/samantha-and-the-great-big-lie-d146a92473a1", "d146a92473a1"),
    ("https://blog.example.org/samantha-and-the-great-big-lie-d146a92473a1", "d146a92473a1"),  # says it is Medium's
])
def test_without_app_links_the_url_names_the_post(url: str, post_id: str) -> None:
    text = APP_LINKS.sub("", html(OLD_2015))
    assert parse_post_page(url, text).post_id == post_id


def test_a_hex_slug_on_a_page_that_is_not_mediums_is_not_a_post() -> None:
    text = APP_NAMES.sub("", APP_LINKS.sub("", html(OLD_2015)))
    with pytest.raises(NotAMediumPost, match="not-medium"):
        parse_post_page("https://blog.example.org/samantha-and-the-great-big-lie-d146a92473a1", text)


def test_sniff_reads_the_one_slash_app_link_alone() -> None:
    """A custom domain is recognised by the app link even without the app-name tags."""
    text = APP_NAMES.sub("", html(OLD_2016_CUSTOM))
    assert sniff_platform({}, text) == "medium"
    assert sniff_platform({}, text.replace("medium:/p/", "intent:/p/")) is None


def test_medium_spider_stores_a_custom_domain_2016_page(tmp_path: Path) -> None:
    """The medium spider's path for an unknown host (no sniff: the page parser decides) keeps the post."""
    spider = offline_spider(MediumSpider, tmp_path, user="Tim O'Reilly", links="https://wtfeconomy.com" + WTF_PATH)
    (request,) = list(spider.seed_medium(route("https://wtfeconomy.com" + WTF_PATH)))
    assert isinstance(request, Request)
    (item,) = outputs(spider.parse_medium_post(HtmlResponse(request.url, body=OLD_2016_CUSTOM.read_bytes(), request=request)))
    assert isinstance(item, Article) and item.link == "https://medium.com/p/e52ab9515573" and item.domain == "wtfeconomy.com"


def test_twin_crawl_stores_both_old_pages(site: LoopbackSite, tmp_path: Path) -> None:
    """End to end through the router: a medium.com link of the 2015 page (TWIN_MEDIUM_BASE_URL) and a custom-domain
    link (the loopback host, sniffed) of the 2016 page are both stored; nothing is dropped."""
    site.add_file("/p/d146a92473a1", OLD_2015)
    custom = site.add_file(WTF_PATH, OLD_2016_CUSTOM)
    result = crawl("twin", "-a", "user=Jane Doe", "-a", f"links={WELCH},{custom}", "-s", f"TWIN_MEDIUM_BASE_URL={site.url}",
                   "-s", "TWIN_BROWSER=off", env={"TWIN_DATA_DIR": str(tmp_path)})
    assert_ok(result)
    assert "dropped" not in result.report, result.report
    warehouse = open_warehouse(None, data_dir=tmp_path)
    try:
        docs = {d["link"]: d for d in warehouse.find("articles")}
    finally:
        warehouse.close()
    assert set(docs) == {"https://medium.com/p/d146a92473a1", "https://medium.com/p/e52ab9515573"}
    assert {d["platform"] for d in docs.values()} == {"medium"}
    assert docs["https://medium.com/p/d146a92473a1"]["content"]["Title"] == "Samantha and The Great Big Lie"
