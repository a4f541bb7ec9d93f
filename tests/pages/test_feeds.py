"""Feed entry links from the fixture feeds: RSS, Atom, and the three shapes that used to fail silently
(an unescaped ``&``, ``xml:base``, JSON Feed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from article_sites import POSTS, blog
from conftest import LoopbackSite, assert_ok, crawl

from twin_crawler.pages.discovery import is_feed_or_sitemap
from twin_crawler.pages.feeds import feed_entry_links, is_feed, is_json_feed, is_sitemap, sitemap_links
from twin_crawler.pages.html import PageError

BLOGS = Path(__file__).parents[1] / "fixtures" / "blogs"


@pytest.mark.parametrize(("name", "url", "expected"), [
    ("trafilatura_feed1.atom", "http://example.org/feed.atom", ["http://example.org/2003/12/13/atom03"]),
    ("trafilatura_feed2.rss", "http://www.example.com/feed", ["http://www.example.com/blog/post/1"]),
    ("synthetic_feed-unescaped-amp.rss", "https://blog.example.org/feed/",
     ["https://blog.example.org/?p=101&lang=en", "https://blog.example.org/?p=102&lang=en&ref=feed",
      "https://blog.example.org/2024/05/plain-link/"]),
    ("synthetic_feed-xml-base.atom", "https://notes.example.net/blog/atom.xml",
     ["https://notes.example.net/blog/2024/first-post/", "https://notes.example.net/archive/second-post.html"]),
    ("synthetic_feed.json", "https://json.example.com/feed.json",
     ["https://json.example.com/posts/first/", "https://json.example.com/posts/second/"]),
])
def test_entry_links_of_the_fixture_feeds(name: str, url: str, expected: list[str]) -> None:
    body = (BLOGS / name).read_bytes()
    assert is_feed(body) and not is_sitemap(body) and is_feed_or_sitemap(body)
    assert feed_entry_links(url, body) == expected


def test_escaped_and_cdata_ampersands_are_left_alone() -> None:
    body = ("<rss><channel><item><link>https://a.example/?x=1&amp;y=2</link></item>"
            "<item><link><![CDATA[https://a.example/?x=3&y=4]]></link></item>"
            "<item><link>https://a.example/?x=5&#38;y=6&z</link></item></channel></rss>")
    assert feed_entry_links("https://a.example/feed", body) == [
        "https://a.example/?x=1&y=2", "https://a.example/?x=3&y=4", "https://a.example/?x=5&y=6&z"]


def test_a_sitemap_with_an_unescaped_ampersand_keeps_its_links() -> None:
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/?p=1&c=2</loc></url></urlset>'
    assert sitemap_links(body) == (["https://a.example/?p=1&c=2"], [])


@pytest.mark.parametrize("body", [
    '{"version": "https://jsonfeed.org/version/1", "items": [{"url": "/a"}]}',
    '\ufeff  {"title": "t", "version": "http://jsonfeed.org/version/1.1", "items": []}',
])
def test_json_feeds_are_recognised(body: str) -> None:
    assert is_json_feed(body) and is_feed(body.encode()) and is_feed_or_sitemap(body.encode())


@pytest.mark.parametrize("body", ['{"version": "1.0", "items": [{"url": "/a"}]}', '["https://jsonfeed.org/version/1"]',
                                  '<html>{"version": "https://jsonfeed.org/version/1"}</html>'])
def test_other_json_is_not_a_feed(body: str) -> None:
    assert not is_json_feed(body)


@pytest.mark.parametrize("items", [None, "x", [1, None, {"url": 3}, {"url": " "}, {"id": "https://a.example/i"}]])
def test_json_feed_without_usable_items_has_no_links(items: object) -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    assert feed_entry_links("https://a.example/feed.json", body) == []


@pytest.mark.parametrize("body", ['{"version": "https://jsonfeed.org/version/1.1", "items": [',
                                  '{"version": "https://jsonfeed.org/version/1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"])
def test_broken_json_feed_is_a_page_error(body: str) -> None:
    with pytest.raises(PageError):
        feed_entry_links("https://a.example/feed.json", body)


def test_a_json_feed_is_followed_like_an_rss_feed(site: LoopbackSite, tmp_path: Path) -> None:
    """End to end: a blog whose only feed is a JSON Feed is discovered through it (not through its sitemap)."""
    root = blog(site, feed=False)
    items = [{"id": str(i), "url": p, "title": f"Post {i}"} for i, p in enumerate(POSTS)]
    site.add("/feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Jane", "items": items}),
             content_type="application/feed+json")
    site.add("/", f'<html><head><link rel="alternate" type="application/feed+json" href="/feed.json"></head>'
                  f'<body>{"".join(f"<article><a href={p!r}>Post</a></article>" for p in POSTS)}</body></html>')
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={root}", env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert_ok(result)
    assert site.hits["/feed.json"] == 1 and site.hits["/sitemap.xml"] == 0  # the feed answered: no sitemap
    assert all(site.hits[p] == 1 for p in POSTS)
    assert "new" in result.report
