"""The Medium RSS parser on the synthetic feed (marked synthetic in SOURCES.md), handles, history ids, markdown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from twin_crawler.arguments import ArgumentError
from twin_crawler.pages import medium_text
from twin_crawler.pages.html import PageError
from twin_crawler.pages.markdown import convert
from twin_crawler.pages.medium_apollo import profile_post_ids
from twin_crawler.pages.medium_feed import parse_feed
from twin_crawler.spiders.medium import feed_url

FIX = Path(__file__).parents[1] / "fixtures" / "medium"
FEED = FIX / "synthetic_feed_janedoe.xml"  # SYNTHETIC: see tests/fixtures/medium/SOURCES.md


def test_feed_channel_and_items() -> None:
    feed = parse_feed(FEED.read_bytes())
    assert feed.author == "Jane Doe" and feed.is_medium
    assert [e.post_id for e in feed.entries] == ["1a2b3c4d5e6f", "3c4d5e6f7081", "4d5e6f708192", "2b3c4d5e6f70"]
    assert all("?" not in e.url for e in feed.entries)  # ?source=rss-... tracking dropped


def test_full_item_is_clean_markdown() -> None:
    entry = parse_feed(FEED.read_bytes()).entries[0]
    post = entry
    assert entry.complete and not post.is_paywalled and post.kind == "article"
    assert post.title == "Building a Feature Store in a Weekend" and post.byline == "Jane Doe"
    assert post.published_at == datetime(2023, 11, 14, 10, 1, 2, tzinfo=UTC)
    assert post.modified_at == datetime(2023, 11, 14, 10, 5, 0, 123000, tzinfo=UTC)
    assert post.tags == ["mlops", "python"] and post.publication == "Decoding Data"
    md = post.content
    assert md.startswith("The whole architecture on one page\n\n")  # the caption is text, the image is beside it
    assert post.images[0]["src"].startswith("https://cdn-images-1.medium.com/max/1024/")
    assert post.images[0]["caption"] == "The whole architecture on one page" and "![" not in md
    assert "## Why not buy one" in md and "### What I would change next time" in md
    assert "served with **low latency**" in md and "*plain Postgres*" in md
    assert "reference design" in md and "https://example.org/feature-store-docs" in post.links and "](" not in md
    assert '```\ndef materialize(table: str, as_of: str) -> int:\n    return run_sql(f"INSERT' in md
    assert "> Start with the boring database you already operate." in md
    assert "- point-in-time correct joins\n- a backfill command" in md
    assert "1. partition the history table by month\n2. write the backfill" in md
    # the tracking pixel, the "originally published in" footer and the repeated title are gone
    for junk in ("_/stat", "clientViewed", "originally published", "---", "# Building a Feature Store"):
        assert junk not in md, junk
    assert md.endswith("that was the whole point of the exercise.")


def test_snippet_only_member_item_is_a_flagged_preview() -> None:
    entry = parse_feed(FEED.read_bytes()).entries[1]
    assert not entry.complete and entry.is_paywalled
    assert entry.content == "Index memory, re-embedding and the bill nobody budgets for."
    assert "Continue reading" not in entry.content
    assert entry.url == "https://medium.com/@janedoe/the-hidden-cost-of-vector-databases-3c4d5e6f7081"


def test_response_item_is_tagged() -> None:
    by_id = {e.post_id: e for e in parse_feed(FEED.read_bytes()).entries}
    assert by_id["4d5e6f708192"].kind == "response" and by_id["4d5e6f708192"].complete  # type: ignore[union-attr]
    assert by_id["2b3c4d5e6f70"].kind == "article"  # type: ignore[union-attr]


def test_not_a_feed() -> None:
    with pytest.raises(PageError):
        parse_feed(b"<html><body>Just a moment...</body></html>")
    with pytest.raises(PageError):
        parse_feed(b"")


def test_truncated_content_is_not_complete() -> None:
    body = FEED.read_text(encoding="utf-8").replace(
        "that was the whole point of the exercise.</p>",
        'that was</p><p><a href="https://medium.com/p/1a2b3c4d5e6f">Continue reading on Medium »</a></p>',
    )
    entry = parse_feed(body).entries[0]
    assert not entry.complete and entry.is_paywalled


@pytest.mark.parametrize(("handle", "url"), [
    ("janedoe", "http://base/feed/@janedoe"),
    ("@janedoe", "http://base/feed/@janedoe"),
    ("janedoe.medium.com", "https://janedoe.medium.com/feed"),
    ("https://medium.com/@janedoe", "http://base/feed/@janedoe"),
    ("https://medium.com/decoding-data", "http://base/feed/decoding-data"),
    ("https://blog.janedoe.dev/", "https://blog.janedoe.dev/feed"),
])
def test_feed_url(handle: str, url: str) -> None:
    assert feed_url(handle, "http://base") == url


@pytest.mark.parametrize("handle", ["jane doe", "../etc", "https://medium.com/", ""])
def test_bad_handles_are_one_line_errors(handle: str) -> None:
    with pytest.raises(ArgumentError, match="handle"):
        feed_url(handle, "https://medium.com")


def test_profile_post_ids_keep_only_the_authors_posts() -> None:
    html = (FIX / "metascraper_medium-webpack-3-release.html").read_text(encoding="utf-8")
    assert profile_post_ids(html, "@TheLarkInn") == ["15fd2dd8f07b"]  # the 8 recommended posts are by others
    assert profile_post_ids(html, "someone-else") == []
    assert profile_post_ids("<html>no state</html>", "x") == []


def test_markdown_inline_edges() -> None:
    root = lxml.html.fragment_fromstring(
        "<p>a <strong>bold </strong>word, <code>x = 1</code>, <a href='/rel'>rel link</a><br>Next line<br>wrapped</p>"
        "<figure><img src='https://miro.medium.com/max/60/1*a.png?q=20'><img src='https://miro.medium.com/max/1400/1*a.png'>"
        "<figcaption>Cap</figcaption></figure><blockquote><p>q1</p><p>q2</p></blockquote>",
        create_parent="div",
    )
    converted = convert(root, "https://jane.example/post", medium_text.FEED)
    md = converted.markdown
    assert "a **bold** word, `x = 1`, rel link\nNext line wrapped" in md and converted.links == ["https://jane.example/rel"]
    assert converted.images == [{"src": "https://miro.medium.com/max/1400/1*a.png", "alt": "", "caption": "Cap"}]
    assert "Cap" in md and "q=20" not in md
    assert "> q1\n>\n> q2" in md
