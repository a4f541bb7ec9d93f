"""Golden tests of the generic article parser on real blog pages (tests/fixtures/blogs, see SOURCES.md).

Contains / does-not-contain checks in the style of trafilatura's realworld tests: the author's text is there,
navigation, comment sections and footers are not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from twin_crawler.pages.article import NotAnArticle, parse_article

BLOGS = Path(__file__).parents[1] / "fixtures" / "blogs"

GOLDEN = {
    "readability_wordpress_source.html": dict(
        url="https://wptavern.com/stack-overflow-jobs-data-shows-reactjs-skills-in-high-demand-wordpress-market-oversaturated-with-developers",
        title="Stack Overflow Jobs Data Shows ReactJS Skills in High Demand, WordPress Market Oversaturated with Developers",
        byline="Sarah Gooding", published=datetime(2017, 3, 9, 23, 16, 2, tzinfo=UTC), language="en",
        contains=["Stack Overflow published its analysis of 2017 hiring trends", "These are both highly portable skills"],
        absent=["Leave a Reply", "Powered by", "Copyright", "Related Posts", "Search for:"],
    ),
    "readability_blogger_source.html": dict(
        url="http://siliconexposed.blogspot.com/2016/05/open-verilog-flow-for-silego-greenpak4.html",
        title="Open Verilog flow for Silego GreenPak4 programmable logic devices", byline="Andrew Zonenberg",
        published=datetime(2016, 5, 8, tzinfo=UTC), language=None,
        contains=["I've written a couple of posts in the past few months", "first modern programmable logic vendor"],
        absent=["Post a Comment", "Newer Post", "Older Post", "Subscribe to:", "Blog Archive"],
    ),
    "readability_v8-blog_source.html": dict(
        url="https://v8.dev/blog/emscripten-standalone-wasm",
        title="Outside the web: standalone WebAssembly binaries using Emscripten", byline=None,
        published=datetime(2019, 11, 21, tzinfo=UTC), language="en",
        contains=["Emscripten has always focused first and foremost on compiling to the Web",
                  "Please file bugs, and as always help is welcome!"],
        absent=["Branding", "Terms", "Except as otherwise noted"],
    ),
    "trafilatura_blog.python.org-blogger-article.html": dict(
        url="http://blog.python.org/2016/12/python-360-is-now-available.html",
        title="Python 3.6.0 is now available!", byline="Ned Deily",
        published=datetime(2016, 12, 23, tzinfo=UTC), language=None,
        contains=["Python 3.6.0 is the newest major release of the Python language"],
        absent=["Post a Comment", "Newer Post", "Older Post", "Blog Archive", "Subscribe to"],
    ),
    "trafilatura_gregoryszorc-personal-blog-article.html": dict(
        url="https://gregoryszorc.com/blog/2020/01/13/mercurial's-journey-to-and-reflections-on-python-3/",
        title="Mercurial's Journey to and Reflections on Python 3", byline=None,
        published=datetime(2020, 1, 13, tzinfo=UTC), language=None,
        contains=["Mercurial 5.2 was released on November 5, 2019", "grow stronger by taking the time to do so"],
        absent=["View Comments", "Please enable JavaScript to view the comments", "Gregory Szorc's Digital Home\n"],
    ),
    "trafilatura_lemire.me-wordpress-article.html": dict(
        url="https://lemire.me/blog/2019/08/02/json-parsing-simdjson-vs-json-for-modern-c/",
        title="JSON parsing: simdjson vs. JSON for Modern C++", byline="Daniel Lemire",
        published=datetime(2019, 8, 2, tzinfo=UTC), language="en",
        contains=["JSON is the ubiquitous data format on the Internet", "about 20x slower"],
        absent=["Leave a Reply", "Subscribe", "Proudly powered by", "Recent Posts", "Your email address will not be published"],
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_blog_article(name: str) -> None:
    case = GOLDEN[name]
    article = parse_article(str(case["url"]), (BLOGS / name).read_bytes())
    assert article.title == case["title"]
    assert article.byline == case["byline"]
    assert article.published_at == case["published"]
    assert article.language == case["language"]
    for text in case["contains"]:  # type: ignore[attr-defined]
        assert text in article.content, text
    for text in case["absent"]:  # type: ignore[attr-defined]
        assert text not in article.content, text
    assert article.content.split("\n")[0].strip("# ") != case["title"]  # the title lives in Title, not twice


def test_index_page_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle) as info:
        parse_article("http://edition.cnn.com/", (BLOGS / "newspaper4k_cnn_main_site_INDEX.html").read_bytes())
    assert info.value.reason == "index-page"


def test_index_page_at_a_deep_url_is_not_an_article() -> None:
    # The same home page served under an article-looking path: its many teasers still give it away.
    with pytest.raises(NotAnArticle):
        parse_article("http://edition.cnn.com/2014/07/24/world/some-story/index.html",
                      (BLOGS / "newspaper4k_cnn_main_site_INDEX.html").read_bytes())


def test_short_stub_is_not_an_article() -> None:
    html = "<html><head><title>Hi</title></head><body><article><h1>Hi</h1><p>Just a short note.</p></article></body></html>"
    with pytest.raises(NotAnArticle) as info:
        parse_article("https://blog.example/2024/01/01/hi", html)
    assert info.value.reason in ("too-short", "no-main-text")
