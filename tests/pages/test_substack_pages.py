"""Golden tests of the Substack parsers on every real fixture (tests/fixtures/substack, SOURCES.md), and units."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from twin_crawler.pages.html import PageError
from twin_crawler.pages.sniff import sniff_platform
from twin_crawler.pages.substack import (
    SubstackError,
    byline_matches,
    name_token,
    parse_archive,
    parse_handle,
    parse_post,
    parse_profile,
    summary_link,
)
from twin_crawler.pages.substack_page import parse_post_page, preloads
from twin_crawler.pages.substack_text import body_to_markdown
from twin_crawler.text import normalise_text

FIX = Path(__file__).parents[1] / "fixtures" / "substack"
# Lines Substack adds around every post; none may reach stored text.
BOILERPLATE = ("Subscribe", "Share this post", "Leave a comment", "Sign in", "This site requires JavaScript",
               "Type your email", "Thanks for reading", "Only paid subscribers can comment")


def read(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


def assert_clean(markdown: str) -> None:
    for phrase in BOILERPLATE:
        assert phrase not in markdown, f"boilerplate {phrase!r} in stored text"
    assert not re.search(r"(?im)^\W*share\W*$", markdown)
    assert "<div" not in markdown and "<svg" not in markdown and "<form" not in markdown


def test_api_post_by_id_golden() -> None:
    data = json.loads(read("api_v1_posts_by-id_167180194.json"))
    post = parse_post(data, "https://substack.com/api/v1/posts/by-id/167180194")
    assert post.source_id == "167180194" and post.slug == "week-of-june-24-2025-build-saas-without"
    assert post.title == "Week of June 24, 2025: Build SaaS Without Code"
    assert post.subtitle == "The New Blueprint for Solopreneurs"
    assert post.link == "https://angelsant.substack.com/p/week-of-june-24-2025-build-saas-without"
    assert post.published_at == datetime(2025, 6, 30, 13, 56, 4, 688000, tzinfo=UTC)
    assert not post.is_paywalled and post.type == "newsletter"
    md = post.content
    assert md.startswith("This week’s content shatters the myth") and "![" not in md  # images beside the text
    assert post.images[0]["src"].startswith("https://substackcdn.com/image/fetch/") and post.images[0]["alt"] == "Header"
    assert "## TL;DR" in md and "## Quick Insights" in md  # headings without the ``**`` noise
    assert "- You don’t need to code to launch a scalable SaaS—just assemble the right tools." in md
    assert "**Read the full guide →**" in md and "](" not in md  # links reduced to their text ...
    assert "https://angelsant.substack.com/p/how-to-build-a-saas-with-n8n" in post.links  # ... and listed
    assert '> *"The future of reliable AI' in md  # quotes
    assert "*prompt engineering*" in md  # emphasis kept
    assert "Follow along for more automation content" not in md  # the subscribe widget's caption
    assert_clean(md)
    article = post.to_item("Angel Rodriguez Santiago")
    assert article.platform == "substack" and article.source_id == "167180194" and article.kind == "newsletter"
    assert article.byline == "Angel Rodriguez Santiago" and article.domain == "angelsant.substack.com"
    assert article.tags == ["tldr", *article.tags[1:]] and article.content.Subtitle == post.subtitle
    assert article.extra["audience"] == "everyone" and article.modified_at == "2025-07-01T00:17:16.196000+00:00"
    assert article.links == post.links and [i.src for i in article.images] == [i["src"] for i in post.images]


def test_api_profile_posts_listing_paywall_flags() -> None:
    """The author-centric listing: 15 posts, 6 paid; list items carry no body, so paid ones keep only a teaser."""
    posts = json.loads(read("api_v1_profile_posts_profile_user_id-27968736.json"))["posts"]
    parsed = [parse_post(p, "https://karozieminski.substack.com/api/v1/posts/x") for p in posts]
    assert len(parsed) == 15
    assert sum(p.is_paywalled for p in parsed) == 6
    for p in parsed:
        assert p.link.startswith("https://karozieminski.substack.com/p/") and p.source_id
        assert p.bylines[0]["handle"] == "karozieminski"
        if p.is_paywalled:
            assert p.content and len(p.content.split()) < 80  # a preview, never posing as the full text
        else:
            assert p.content == ""  # no body in list items: the spider always fetches /api/v1/posts/{slug}


def test_api_public_profile_golden() -> None:
    profile = parse_profile(read("api_v1_user_public_profile_jakubslys.json"))
    assert (profile.user_id, profile.handle) == (254824415, "jakubslys")
    assert [(p.subdomain, p.custom_domain) for p in profile.publications] == [("slys", "iam.slys.dev")]
    assert name_token(profile.name) == "jakub slys"  # the 🎖️ in the display name does not break matching


def test_custom_domain_page_with_preloads_golden() -> None:
    html = read("metascraper_substack-custom-domain-post.html")
    assert sniff_platform({}, html) == "substack"
    post = parse_post_page("https://map.simonsarris.com/p/the-most-precious-resource-is-agency", html)
    assert post is not None and post.source_id == "28170348"
    assert post.title == "The Most Precious Resource is Agency"
    assert post.link == "https://map.simonsarris.com/p/the-most-precious-resource-is-agency"
    assert post.published_at == datetime(2021, 7, 1, 0, 26, 54, 336000, tzinfo=UTC)
    assert post.bylines[0]["name"] == "Simon Sarris" and post.language == "en"
    # The free post's page carries the comment paywall modal; ``audience`` decides, not that markup.
    assert not post.is_paywalled
    md = post.content
    assert md.startswith("The world is a very malleable place.")
    assert "![" not in md and [i["src"][:38] for i in post.images] == ["https://substackcdn.com/image/fetch/w_"] * 2
    assert "*Final image: View of Florence, by Corot, 1840*" in md  # a caption is the author's words: kept
    assert_clean(md)


def test_custom_domain_page_without_scripts_matches_defuddle() -> None:
    """Scripts stripped (no ``_preloads``): the rendered body + JSON-LD, checked against defuddle's golden text."""
    html = read("defuddle_substack-custom-domain-12gramsofcarbon.html")
    assert sniff_platform({}, html) == "substack"
    post = parse_post_page("https://12gramsofcarbon.com/p/ilyas-30-papers-to-carmack-vlaes", html)
    assert post is not None
    assert post.title == "Ilya's Papers to Carmack: VLAEs" and post.bylines == [{"name": "theahura"}]
    assert post.published_at == datetime(2025, 3, 6, 12, 48, 40, tzinfo=UTC) and not post.is_paywalled
    assert post.link == "https://12gramsofcarbon.com/p/ilyas-30-papers-to-carmack-vlaes"
    expected = read("defuddle_substack-custom-domain-12gramsofcarbon.expected.md").split("```", 2)[2]
    ours = normalise_text(post.content)
    paragraphs = [p for p in expected.split("\n\n") if len(p) > 60 and not p.startswith(("![", "[^"))]
    missing = [p[:60] for p in paragraphs if normalise_text(p) not in ours]
    assert len(paragraphs) > 30 and len(missing) <= len(paragraphs) // 20, missing
    images = re.findall(r"images%2F([0-9a-f-]{36})", expected)
    # Images are beside the text, not in it; links are reduced to their text and listed in ``links``.
    assert images and all(any(i in img["src"] for img in post.images) for i in images) and "![" not in post.content
    assert "## Paper 18: Variational Lossy Autoencoder" in post.content
    assert "https://arxiv.org/pdf/1611.02731" in post.links
    assert "[^1]" in post.content and re.search(r"(?m)^\[\^6\]: Spoiler:", post.content)
    assert_clean(post.content)


def test_markdown_code_lists_and_boilerplate_lines() -> None:
    html = ("<p>Intro <a href='https://x.org'>link</a></p><pre><code>a = 1\n\nb = 2</code></pre>"
            "<ol><li><p>one</p></li><li><p>two</p></li></ol><p class='button-wrapper'><a class='button'>Share</a></p>"
            "<p>Subscribe</p><p><a href='https://jane.substack.com/subscribe'>Subscribe now</a></p>"
            "<p>This site requires JavaScript to run correctly.</p><p>Why I subscribe to three journals.</p>")
    converted = body_to_markdown(html)
    md = converted.markdown
    assert "```\na = 1\n\nb = 2\n```" in md and "1. one\n2. two" in md and "Intro link" in md
    assert converted.links == ["https://x.org/"]  # a call to action's target ("Subscribe now") is not a link
    assert "Why I subscribe to three journals." in md  # prose mentioning subscribing stays
    assert "Subscribe" not in md and "Share" not in md and "JavaScript" not in md
    assert body_to_markdown("<p>a</p><p><a href='https://x.example/s'>Share this post</a></p><p>Leave a comment</p>"
                            "<p>b</p>").markdown == "a\n\nb"


def test_bad_input_is_one_line_error() -> None:
    with pytest.raises(SubstackError, match="archive: response is not JSON"):
        parse_archive(b"<html>Just a moment...</html>")
    with pytest.raises(SubstackError, match="expected a JSON list"):
        parse_archive(b'{"posts": []}')
    with pytest.raises(SubstackError, match="not a Substack post object"):
        parse_post({"title": "no slug"}, "https://x.substack.com/api/v1/posts/x")
    with pytest.raises(PageError):
        body_to_markdown("   ")
    with pytest.raises(SubstackError, match="no valid link"):
        summary_link({"slug": "a b"}, "https://x.substack.com")
    assert summary_link({"slug": "a", "canonical_url": "https://x.substack.com/p/a?r=2x&utm_source=mail"}, "") \
        == "https://x.substack.com/p/a"
    assert parse_archive(b"[]") == []
    assert preloads('window._preloads = JSON.parse("{broken")') is None
    assert parse_post_page("https://x.org/p/a", "<html><body><p>not substack</p></body></html>") is None


def test_byline_matching() -> None:
    jane = [{"id": 1, "name": "Jane Doe 🎖️", "handle": "janed"}]
    assert byline_matches(jane, {1}, set(), set())
    assert byline_matches(jane, set(), {"janed"}, set())
    assert byline_matches(jane, set(), set(), {"jane doe"})
    assert not byline_matches([{"id": 2, "name": "Sam Guest", "handle": "sam"}], {1}, {"janed"}, {"jane doe"})
    assert byline_matches([], {1}, set(), set())  # no bylines: a single-author publication


def test_handles() -> None:
    for given in ("jane", "@jane", "https://substack.com/@jane", "https://jane.substack.com/", "jane.substack.com"):
        assert parse_handle(given) == "jane", given
    assert parse_handle("IAM.slys.dev") == "iam.slys.dev"  # a custom domain: its publication is walked
    for bad in ("", "a/b", "jane doe", "https://example.org/x/y", "x" * 81):
        with pytest.raises(SubstackError, match="is not a Substack handle"):
            parse_handle(bad)
