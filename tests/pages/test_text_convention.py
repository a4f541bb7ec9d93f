"""The one text convention (twin_crawler/pages/markdown.py) on every recorded Substack, Medium, LinkedIn Pulse and
blog fixture: golden files (regenerate with scripts/regen_golden.py after a reviewed change) plus contains /
does-not-contain checks for widget text, sign-in prompts, tracking parameters, image markup and the author's words."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from golden_cases import CASES, golden_paths

from twin_crawler.pages.markdown import convert, strip_repeats

URL_IN_TEXT = re.compile(r"\]\(|https?://\S+\.(png|jpe?g|gif|webp)|utm_|\?ref=|&ref=")
# Furniture of every platform; none of it may reach ``Content``.
FURNITURE = ("Subscribe for free", "Type your email", "Pledge your support", "Leave a comment", "Which editor do you",
             "128 votes", "Join Medium for free", "Remember me for faster sign in", "Sign up with", "2.4K Followers",
             "12 responses", "Written by", "To view or add a comment", "14 Comments", "87 reactions", "Restack", "↩")
AUTHOR = {  # some of the author's own paragraphs, per case (prose that looks like furniture included)
    "substack/synthetic_post_widgets.json": [
        "Thanks for reading this far: next week I subscribe the whole pipeline to the new event bus.",
        "My desk, where every draft starts.", "[^1]: The editor is this one."],
    "substack/api_v1_posts_by-id_167180194.json": ["## TL;DR"],
    "substack/defuddle_substack-custom-domain-12gramsofcarbon.html": ["## Paper 18: Variational Lossy Autoencoder"],
    "medium/synthetic_dom_signin-prompt.html": [
        "I clap for tools that let me leave.", "```\n$ grep -ri todo notes/\nnotes/2012.txt: todo buy milk\n```"],
    "medium/metascraper_medium-webpack-3-release.html": ["### 🔬 Scope Hoisting 🔬"],
    "linkedin/synthetic_pulse-counters.html": ["- A journal file per year", "## What I keep"],
    "linkedin/trafilatura_linkedin-pulse-de.html": ['> "Einwohnerzahl: Tendenz fallend"'],
    "blogs/readability_v8-blog_source.html": ["```c\n// add.c\n#include <emscripten.h>", "```lisp\n(func $add"],
    "blogs/readability_wordpress_source.html": ["> I wonder how many of these skills are no longer listed"],
    "blogs/trafilatura_lemire.me-wordpress-article.html": ["| file | simdjson | JSON for Modern C++ |"],
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return request.param, CASES[request.param]()


def test_golden_files(case: tuple[str, dict[str, object]]) -> None:
    name, out = case
    md, meta = golden_paths(name)
    assert out["content"] == md.read_text(encoding="utf-8").removesuffix("\n"), f"regenerate after review: {name}"
    assert {k: v for k, v in out.items() if k != "content"} == json.loads(meta.read_text(encoding="utf-8"))


def test_content_is_prose_only(case: tuple[str, dict[str, object]]) -> None:
    name, out = case
    content = str(out["content"])
    assert content.strip() and "![" not in content and not URL_IN_TEXT.search(content), name
    for phrase in FURNITURE:
        assert phrase not in content, f"{phrase!r} in {name}"
    for text in AUTHOR.get(name, []):
        assert text in content, f"author's text {text!r} missing in {name}"
    first = content.split("\n\n", 1)[0].lstrip("# ").casefold()
    assert first not in (str(out["title"]).casefold(), str(out["subtitle"]).casefold()), "title/subtitle repeated"


def test_links_and_images_are_clean(case: tuple[str, dict[str, object]]) -> None:
    _, out = case
    links = list(out["links"])  # type: ignore[call-overload]
    assert len(links) == len(set(links))
    for link in links:
        assert link.startswith(("http://", "https://")) and "#" not in link
        assert not re.search(r"[?&](utm_\w+|ref|trk|source)=", link), link
    for image in out["images"]:  # type: ignore[attr-defined]
        assert set(image) == {"src", "alt", "caption"} and image["src"].startswith(("http://", "https://"))
        assert "." in (urlsplit(image["src"]).hostname or ""), image  # a placeholder (``//:0``) is not an image
        assert "q=20" not in image["src"] and "/_/stat" not in image["src"]


def test_furniture_really_is_in_the_synthetic_fixtures() -> None:
    """The does-not-contain checks above mean something: the raw fixtures carry that furniture."""
    from golden_cases import FIXTURES

    raw = "".join((FIXTURES / n).read_text(encoding="utf-8") for n in (
        "substack/synthetic_post_widgets.json", "medium/synthetic_dom_signin-prompt.html",
        "linkedin/synthetic_pulse-counters.html"))
    for phrase in ("Subscribe for free", "Pledge your support", "Which editor do you", "Join Medium for free",
                   "Remember me for faster sign in", "2.4K Followers", "12 responses", "14 Comments", "87 reactions",
                   "utm_source", "To view or add a comment"):
        assert phrase in raw, phrase


def test_converter_units() -> None:
    out = convert("<h1>T</h1><p>See <a href='/a?utm_source=x&amp;b=1#top'>this</a> and <a href='#n'>that</a>"
                  "<a href='/a?b=1'>again</a>.</p><pre class='language-python'><code>x = 1</code></pre>"
                  "<p>line one<br>Line two<br>continued</p><img src='data:image/gif;base64,R0'>"
                  "<img src='/i.png' alt='Alt'><h2>Step <a href='#step'>#</a></h2><p>*a* and <em>b</em> <em>c</em></p>",
                  "https://blog.example/post")
    assert out.links == ["https://blog.example/a?b=1"]  # absolute, canonical, deduplicated; in-page anchors skipped
    assert out.images == [{"src": "https://blog.example/i.png", "alt": "Alt", "caption": ""}]
    assert out.markdown.startswith("## T\n\nSee this and thatagain.") and "```python\nx = 1\n```" in out.markdown
    assert "line one\nLine two continued" in out.markdown and "## Step\n" in out.markdown
    assert "*b c*" in out.markdown
    assert strip_repeats("# T\n\nSub\n\nBody", "T", "Sub") == "Body"
    assert strip_repeats("Body\n\nSub", "T", "Sub") == "Body\n\nSub"  # only leading repeats
