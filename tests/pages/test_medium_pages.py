"""Golden tests of the Medium page parser on every real fixture (tests/fixtures/medium, SOURCES.md), and units."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from twin_crawler.pages.html import PageError
from twin_crawler.pages.medium import NotAMediumPost, clean_title, parse_post_page
from twin_crawler.pages.sniff import sniff_platform

FIX = Path(__file__).parents[1] / "fixtures" / "medium"
# Page chrome around every post (header, sign-in, follow buttons, recommendations); none may reach stored text.
CHROME = ("Sign in", "Get started", "Open in app", "Follow", "min read", "Get unlimited access", "More from")

GOLDEN: dict[str, dict[str, Any]] = {
    "metascraper_medium-webpack-3-release.html": {
        "post_id": "15fd2dd8f07b", "title": "🍾🚀 webpack 3: Official Release!! 🚀🍾", "byline": "Sean T. Larkin",
        "published_at": datetime(2017, 6, 19, 17, 23, 28, 613000, tzinfo=UTC), "is_paywalled": False,
        "source": "apollo", "subtitle": "Now with Scope Hoisting, “magic comments”, and more!",
        "publication": "webpack", "tags": ["JavaScript", "Webpack", "Tech", "Technology", "Web Development"],
        "contains": [
            "It’s finally here. And it’s beautiful.",  # the caption stays as text, the image goes to ``images``
            "## What’s new?",  # H3 -> large heading
            "### 🔬 Scope Hoisting 🔬",  # H4 -> small heading
            "```\nmodule.exports = {  \n  plugins: [\n    new webpack.optimize.ModuleConcatenationPlugin()\n  ]\n};\n```",
            "the features that you voted for!",  # A markup -> its text; the target goes to ``links``
            "- Better Build Caching\n- ",  # consecutive ULI paragraphs form one list
            "in a ***faster***, ***more stable*** release cycle",  # STRONG+EM on one range
        ],
        "absent": ["🍾🚀 webpack 3: Official Release!! 🚀🍾", "twitter.com/tizmagik", "Better tree shaking with deep scope analysis"],
        "links": ["https://webpack.js.org/vote"],
        "images": [{"src": "https://miro.medium.com/v2/resize:fit:1400/1*Ac4K68j43uSbvHnKZKfXPw.jpeg", "alt": "",
                    "caption": "It’s finally here. And it’s beautiful."}],
    },
    "readability_medium-3_source.html": {
        "post_id": "d146a92473a1", "title": "Samantha and The Great Big Lie", "byline": "John C. Welch",
        "is_paywalled": False, "source": "apollo", "subtitle": "How to get shanked doing what people say they want",
        "contains": [
            "> don’t preach to me\n> Mr. integrity",  # BQ keeps its line break
            "1. With the release of Overcast 2.0, a product Samantha actually likes, Marco Arment moved to a "
            "patronage model that will probably be successful for him.",
            "\n2. ",  # OLI numbering continues
        ],
        "absent": ["How to get shanked doing what people say they want"],
        "links": ["http://www.marco.org/2015/10/09/overcast2"],
    },
    "postlight_medium.com--another.html": {
        "post_id": "ac4ec8aee7d1", "title": "Flag Attributes in Android — How to Use Them", "byline": "Jakob Ulbrich",
        # The DOM shows the first publication date; the meta tag carries the 2018 re-publication.
        "published_at": datetime(2016, 8, 8, tzinfo=UTC), "is_paywalled": False, "source": "dom", "subtitle": "",
        "contains": [
            "I’m sure you have seen something like the following line very often while writing the XML attributes",
            "## What Are Bit Flags?",
            "### Check If a Flag is Contained in The Set",
            "```\n0 = 0*2³ + 0*2² + 0*2¹ + 0*2⁰ = 0000\n1 = 0*2³",  # <br> inside <pre> are line breaks
            "- Every value has exactly one bit which is set to 1. All other bits are 0.",
            "You can find an official documentation here.",
        ],
        "links": ["https://developer.android.com/training/custom-views/create-view.html"],
        "images": [{"src": "https://miro.medium.com/max/1400/1*0MdHo7i3dNPY9QwQ7dT0jQ.png", "alt": "", "caption": ""}],
        "absent": ["Aug 8, 2016", "Jakob Ulbrich", "# Flag Attributes in Android"],
    },
    "postlight_medium.com.html": {
        "post_id": "e52ab9515573", "title": "WTF? What’s The Future?", "byline": "Tim O'Reilly",
        "published_at": datetime(2016, 10, 19, 14, 30, 56, 529000, tzinfo=UTC), "is_paywalled": False, "source": "dom",
        "subtitle": "My talk at the White House Frontiers Conference",
        "contains": [
            "Hearing that Bob Dylan just won the Nobel Prize for Literature, how could I not",
            "Source: Shutterstock",
            "We must return again and again to the perpetual challenge",
        ],
        # avatar, lazy-load placeholders, the video embed's caption, the header's author/date line
        "absent": ["fit/c/96/96", "?q=20", "Video of WTF?", "Oct 19, 2016", "My talk at the White House Frontiers Conference"],
        "links": ["http://www.nytimes.com/2016/10/14/arts/music/bob-dylan-nobel-prize-literature.html?_r=0"],
        "images": [{"src": "https://miro.medium.com/max/1084/1*lIq0-HIhqU3FHQdOsM9_oQ.png", "alt": "",
                    "caption": "Source: Shutterstock"}],
    },
    "synthetic_locked_post.html": {
        "post_id": "3c4d5e6f7081", "title": "The Hidden Cost of Vector Databases", "byline": "Jane Doe",
        "published_at": datetime(2023, 11, 9, 15, 30, tzinfo=UTC), "is_paywalled": True, "source": "apollo",
        "tags": ["Vector Database", "LLM"],
        "contains": [
            "vector database 🚀 **and ends with an invoice**.",  # offsets after an emoji count UTF-16 units
            "The index has to live in memory, and memory",
        ],
        "links": ["https://example.org/memory-pricing"],
        "absent": ["Member-only story", "Index memory, re-embedding"],
    },
}


def page(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_post_page_golden(name: str) -> None:
    expected = GOLDEN[name]
    html = page(name)
    post = parse_post_page("https://medium.com/p/x", html)
    for field in ("post_id", "title", "byline", "published_at", "is_paywalled", "source", "subtitle", "publication", "tags"):
        if field in expected:
            assert getattr(post, field) == expected[field], field
    assert post.kind == "article"
    for text in expected["contains"]:
        assert text in post.content, f"missing {text!r}"
    for link in expected.get("links", []):  # links beside the text (canonical), never inside it
        assert link in post.links, link
    for image in expected.get("images", []):
        assert image in post.images, image
    assert "](" not in post.content and "![" not in post.content and "utm_" not in " ".join(post.links)
    for text in [*expected["absent"], *CHROME]:
        assert text not in post.content, f"{text!r} leaked into the body"
    assert "<div" not in post.content and "<span" not in post.content and "{" not in post.content[:1]


def test_every_real_fixture_has_a_golden_case() -> None:
    real = {p.name for p in FIX.glob("*.html") if not p.name.startswith("synthetic_")}
    assert real <= set(GOLDEN)


def test_readability_expected_metadata_agrees() -> None:
    meta = json.loads(page("readability_medium-3_expected-metadata.json"))
    post = parse_post_page("https://medium.com/@johncwelch/x", page("readability_medium-3_source.html"))
    assert post.byline == meta["byline"] and post.language == meta["lang"]
    assert post.published_at == datetime.fromisoformat(meta["publishedTime"].replace("Z", "+00:00"))
    assert meta["title"].startswith(post.title)


def test_chrome_strings_really_are_on_the_pages() -> None:
    """The does-not-contain checks above mean something: the 2022 pages do carry that chrome."""
    html = page("postlight_medium.com--another.html")
    assert "Follow" in html and "7 min read" in html and "Get unlimited access" in html


def test_response_is_tagged() -> None:
    html = page("synthetic_locked_post.html").replace(
        '"inResponseToPostResult": null', '"inResponseToPostResult": {"__typename": "Post", "id": "0a1b2c3d4e5f"}'
    )
    assert parse_post_page("https://medium.com/p/3c4d5e6f7081", html).kind == "response"


def test_not_medium_and_unreadable_pages() -> None:
    with pytest.raises(NotAMediumPost, match="not-medium"):
        parse_post_page("https://blog.example.org/a", "<html><head><title>A blog</title></head><body><p>Hi</p></body></html>")
    shell = '<html><head><meta property="al:android:url" content="medium://p/0a1b2c3d4e5f"></head><body><div id="root"></div></body></html>'
    with pytest.raises(NotAMediumPost, match="no-text"):
        parse_post_page("https://medium.com/p/0a1b2c3d4e5f", shell)
    with pytest.raises(PageError):
        parse_post_page("https://medium.com/p/0a1b2c3d4e5f", "   ")


def test_broken_apollo_state_falls_back_to_the_dom() -> None:
    html = page("synthetic_locked_post.html").replace("window.__APOLLO_STATE__ = {", "window.__APOLLO_STATE__ = {{")
    with pytest.raises(NotAMediumPost, match="no-text"):  # "Member-only story" alone is furniture, not a text
        parse_post_page("https://medium.com/p/3c4d5e6f7081", html)
    html = html.replace("<p>Member-only story</p>", "<p>Member-only story</p><p>The preview paragraph.</p>")
    post = parse_post_page("https://medium.com/p/3c4d5e6f7081", html)
    assert post.source == "dom" and post.is_paywalled  # JSON-LD LockedPostSource still marks it member-only
    assert post.content == "The preview paragraph."


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.html")))
def test_sniff_recognises_medium_pages(name: str) -> None:
    assert sniff_platform({}, page(name)) == "medium"


def test_sniff_header_and_negative() -> None:
    assert sniff_platform({"Medium-Fulfilled-By": "lite/main"}, "<html></html>") == "medium"
    assert sniff_platform({}, '<meta property="al:android:url" content="intent://x">') is None


def test_clean_title() -> None:
    assert clean_title("Samantha and The Great Big Lie - John C. Welch - Medium") == "Samantha and The Great Big Lie"
    assert clean_title("Flag Attributes | by Jakob Ulbrich | Medium") == "Flag Attributes"
    assert clean_title("A - B") == "A - B"
