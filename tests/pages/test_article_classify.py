"""Article vs listing vs stub on real and synthetic pages (issue 10 §2), bylines, titles and discovery scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin_crawler.pages.article import NotAnArticle, parse_article, strip_title_suffix
from twin_crawler.pages.byline import names_someone_else
from twin_crawler.pages.discovery import Discovery, listing_scope, sitemap_scope

BLOGS = Path(__file__).parents[1] / "fixtures" / "blogs"
LINK_FLOOR, DISCOVERED_FLOOR = 30, 120  # TWIN_MIN_LINK_WORDS, TWIN_MIN_ARTICLE_WORDS
REAL_ARTICLES = [p.name for p in sorted(BLOGS.glob("*.html")) if not p.name.startswith(("synthetic_", "newspaper4k_"))]
# Real-page causes of false "index-page" verdicts, rebuilt synthetically (tests/fixtures/blogs/make_synthetic.py).
FALSE_INDEX = ["synthetic_article-related-carousel.html", "synthetic_article-sidebar-teasers-no-markup.html",
               "synthetic_article-ogtype-website.html", "synthetic_article-no-markup.html"]
SHORT = ["synthetic_news-brief.html", "synthetic_short-post.html"]
LISTINGS = ["newspaper4k_cnn_main_site_INDEX.html", "synthetic_blog-listing.html", "synthetic_tag-page.html"]
URLS = ["https://example.org/2021/04/a-post.html", "https://example.org/story?id=3&page=1"]


def verdict(name: str, url: str, floor: int) -> str:
    try:
        parse_article(url, (BLOGS / name).read_bytes(), min_words=floor)
    except NotAnArticle as exc:
        return exc.reason
    return "article"


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("name", REAL_ARTICLES + FALSE_INDEX)
def test_articles_are_articles(name: str, url: str) -> None:
    assert verdict(name, url, LINK_FLOOR) == "article"
    assert verdict(name, url, DISCOVERED_FLOOR) == "article"


@pytest.mark.parametrize("name", SHORT)
def test_short_articles_pass_the_link_floor_and_say_too_short_below_the_discovery_floor(name: str) -> None:
    assert verdict(name, URLS[0], LINK_FLOOR) == "article"
    assert verdict(name, URLS[0], DISCOVERED_FLOOR) == "too-short"  # the true reason, not "index-page"


@pytest.mark.parametrize("floor", [LINK_FLOOR, DISCOVERED_FLOOR])
@pytest.mark.parametrize("name", LISTINGS)
def test_listings_stay_listings(name: str, floor: int) -> None:
    assert verdict(name, "https://example.org/blog/", floor) == "index-page"
    assert verdict(name, "https://example.org/tag/python/", floor) == "index-page"


def test_a_site_root_is_a_listing_even_with_little_text() -> None:
    html = '<html><head><title>Jane</title></head><body><article><h2><a href="/p1">One</a></h2></article></body></html>'
    with pytest.raises(NotAnArticle) as exc:
        parse_article("https://example.org/", html, min_words=LINK_FLOOR)
    assert exc.value.reason == "index-page"


def test_a_stub_with_no_listing_hints_is_too_short() -> None:
    html = "<html><head><title>Hi</title></head><body><main><p>Just a few words here.</p></main></body></html>"
    assert pytest.raises(NotAnArticle, parse_article, "https://example.org/hi.html", html).value.reason in (
        "too-short", "no-main-text")


@pytest.mark.parametrize(("title", "names", "expected"), [
    ("Why caches lie | Jane's Notes", ["Jane's Notes"], "Why caches lie"),
    ("Why caches lie - by Jane Doe", ["Jane Doe"], "Why caches lie"),
    ("Why caches lie – Example", ["example.org"], "Why caches lie"),
    ("Pros - and cons | Notes", ["Notes"], "Pros - and cons"),
    ("Rust vs. Go - a comparison", ["Jane Doe", "example.org"], "Rust vs. Go - a comparison"),  # not a site name
    ("Plain title", ["Plain title"], "Plain title"),
])
def test_title_suffix(title: str, names: list[str], expected: str) -> None:
    assert strip_title_suffix(title, names) == expected


def test_real_title_suffixes_are_removed() -> None:
    html = (BLOGS / "synthetic_article-no-markup.html").read_text()
    assert parse_article(URLS[0], html).title == "A field guide to flaky tests"  # "<title>… | Example Site"


@pytest.mark.parametrize(("byline", "other"), [
    (None, False), ("", False), ("Jane Doe", False), ("jane doe", False), ("By Jane A. Doe", False),
    ("Olivia Larsen", True), ("Olivia Larsen and Jane Doe", False), ("Olivia Larsen, Tom Reyes", True),
    ("admin", False), ("Editorial Team", False), ("janedoe", False), ("Jakob Ulbrich Follow", True),
    ("Jane Doe Follow", False), ("https://example.org/about", False), ("Doe", False),
    ("Jane-Marie Doe", False), ("John Doe", True), ("Doe Jane", False), ("Jané Doé", False),
])
def test_byline_names_someone_else(byline: str | None, other: bool) -> None:
    assert names_someone_else(byline, "Jane Doe") is other


def test_short_forms_of_the_authors_name_are_the_author() -> None:
    assert not names_someone_else("Max Labonne", "Maxime Labonne")
    assert not names_someone_else("Paul-Emil Iusztin", "Paul Iusztin")
    assert names_someone_else("Maxime Durand", "Maxime Labonne")


@pytest.mark.parametrize(("url", "scope"), [
    ("https://x.org/", "/"), ("https://x.org/blog/", "/blog/"), ("https://x.org/blog", "/blog/"),
    ("https://x.org/blog/index.html", "/blog/"), ("https://x.org/blog/tag/python/", "/blog/"),
    ("https://x.org/tag/python", "/"), ("https://x.org/blog/page/3/", "/blog/"), ("https://x.org/author/jane/", "/"),
])
def test_listing_scope(url: str, scope: str) -> None:
    assert listing_scope(url) == scope


def test_sitemap_scope_and_in_scope() -> None:
    assert sitemap_scope("https://x.org/blog/sitemap.xml") == "/blog/"
    d = Discovery("https://x.org/blog/", "/blog/")
    assert d.in_sitemap_scope("https://x.org/blog/2020/post.html")
    assert d.in_sitemap_scope("https://www.x.org/blog/post")
    assert not d.in_sitemap_scope("https://x.org/docs/manual.html")
    assert not d.in_sitemap_scope("https://other.org/blog/post")
    assert not d.in_sitemap_scope("https://x.org/blog/tag/python/")


def test_discovery_order_feed_robots_sitemap() -> None:
    html = (BLOGS / "synthetic_blog-listing.html").read_text()
    d = Discovery.for_listing("https://x.org/blog/", html, "/blog/")
    assert d.next_page == "https://x.org/blog/page/2/" and len(d.posts) == 8
    assert [d.next_candidate() for _ in range(3)] == [
        ("feed", "https://x.org/blog/feed"), ("feed", "https://x.org/blog/index.xml"), ("feed", "https://x.org/blog/atom.xml")]
    assert d.next_candidate() == ("robots", "https://x.org/robots.txt")
    d.robots_read([])
    assert d.next_candidate() == ("sitemap", "https://x.org/sitemap.xml")
    assert d.next_candidate() == ("", None)
    assert Discovery.from_meta(d.to_meta()) == d


def test_a_feed_is_truncated_when_the_listing_shows_posts_it_lacks() -> None:
    d = Discovery("https://x.org/", "/", posts=["https://x.org/a", "https://x.org/b"])
    assert not d.feed_truncated(["https://x.org/a", "https://x.org/b?utm_source=rss"])
    assert d.feed_truncated(["https://x.org/a"])
    assert Discovery("https://x.org/", "/", next_page="https://x.org/page/2/").feed_truncated(["https://x.org/a"])


def test_listing_pages_give_their_posts_and_the_next_page() -> None:
    from twin_crawler.pages.discovery import read_listing_page

    html = ('<html><body><h2><a href="/2021/a/">A</a></h2><h2><a href="/tag/x/">tag</a></h2>'
            '<a href="/page/1/">Newer</a><a href="/page/3/">Older</a></body></html>')
    page = read_listing_page("https://x.org/page/2/", html)
    assert page.posts == ["https://x.org/2021/a/"] and page.next_page == "https://x.org/page/3/"
    assert read_listing_page("https://x.org/page/3/", "<html><body><p>end</p></body></html>").next_page is None
    assert not Discovery.for_file("https://x.org/feed.xml").feed_truncated([])
