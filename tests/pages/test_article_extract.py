"""``article_text.extract`` drives trafilatura on our tree without the work nothing reads (issue 14): every field we
read, and the body, equal what ``bare_extraction`` with the same options gives, on every HTML fixture; the date and
author searches are skipped only when the page's own markup answers them; the tree it prunes is not reused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.metadata import extract_catstags

from twin_crawler.pages import article_text
from twin_crawler.pages.article import ArticlePage
from twin_crawler.pages.article_text import Needs, extract, page_tags
from twin_crawler.pages.html import PageError, parse_html

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*.html"))
FIELDS = ("title", "author", "sitename", "description", "tags", "date")
# SYNTHETIC: no JSON-LD, no date or author <meta>: trafilatura's own searches must run and find them in the text.
BARE = b"""<html><head><title>A plain post - Plain Blog</title></head><body><main><article>
<h1>A plain post</h1><p class="byline">By Jane Doe</p><p class="date">Published 2021-03-04</p>
""" + b"".join(b"<p>Paragraph %d says something about parsers, trees and the cost of copying them twice.</p>" % i
              for i in range(12)) + b"</article></main></body></html>"
# SYNTHETIC: the same page whose JSON-LD gives the date and the author.
LD = BARE.replace(b"</head>", b'<script type="application/ld+json">{"@type": "BlogPosting", "headline": "A plain post",'
                  b' "datePublished": "2021-03-04T10:00:00Z", "author": {"@type": "Person", "name": "Jane Doe"}}</script></head>')


def reference(html: bytes, url: str) -> Any:
    return bare_extraction(parse_html(html), url=url, with_metadata=True, include_comments=False, include_tables=True,
                           include_images=False, include_links=False, include_formatting=True)


def readable(path: Path) -> bytes:
    body = path.read_bytes()
    try:
        parse_html(body)
    except PageError:
        pytest.skip(f"{path.name} is not a readable page")  # none of the fixtures, today
    return body


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(FIXTURES)) for p in PAGES])
def test_fields_and_body_equal_bare_extraction(path: Path) -> None:
    body = readable(path)
    url = f"https://example.com/{path.stem}/"
    expected, got = reference(body, url), extract(parse_html(body), url)
    assert (expected is None) == (got is None)
    if expected is None:
        return
    assert {f: getattr(got, f) for f in FIELDS} == {f: getattr(expected, f) for f in FIELDS}
    assert etree.tostring(got.body) == etree.tostring(expected.body)


@pytest.mark.parametrize("html", [BARE, LD], ids=["no-markup", "json-ld"])
def test_skipping_the_searches_changes_only_what_is_skipped(html: bytes) -> None:
    url = "https://plain.example/posts/a-plain-post/"
    full, lean = extract(parse_html(html), url), extract(parse_html(html), url, Needs(date=False, author=False))
    assert full is not None and lean is not None
    assert lean.date is None
    assert etree.tostring(lean.body) == etree.tostring(full.body)
    assert [getattr(lean, f) for f in ("title", "sitename", "description", "tags")] == \
        [getattr(full, f) for f in ("title", "sitename", "description", "tags")]


def spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(article_text, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(article_text, name, counting)
    return calls


def test_the_page_searches_only_for_what_its_markup_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    dates, authors = spy(monkeypatch, "find_date"), spy(monkeypatch, "extract_author")
    bare = ArticlePage("https://plain.example/posts/a-plain-post/", BARE, min_words=30).read()
    assert (len(dates), len(authors)) == (1, 1)
    assert bare.published_at is not None and bare.published_at.date().isoformat() == "2021-03-04"  # found in the text
    with_ld = ArticlePage("https://plain.example/posts/a-plain-post/", LD, min_words=30).read()
    assert (len(dates), len(authors)) == (1, 1)  # JSON-LD answered both: neither search ran again
    assert with_ld.published_at is not None and with_ld.published_at.isoformat() == "2021-03-04T10:00:00+00:00"
    assert with_ld.byline == "Jane Doe"
    assert with_ld.content == bare.content


def test_the_pruned_tree_is_not_the_page_tree() -> None:
    html = (FIXTURES / "blogs" / "readability_wordpress_source.html").read_bytes()
    page = ArticlePage("https://wptavern.com/post", html, min_words=30).read()
    scripts = len(parse_html(html).xpath("//script"))
    assert scripts > 0
    assert len(page.tree.xpath("//script")) == scripts  # parsed again, not the tree trafilatura pruned


# SYNTHETIC: every rule of trafilatura's TAGS_XPATHS, nested and repeated containers, a first rule whose links are
# not tag pages (the next rule answers), class values that only start or only contain the words.
TAG_PAGES = {
    "div.tags": '<div class="tags"><a href="/tag/python/">Python</a><a href="/tag/llm/">LLM</a></div>',
    "p.entry-tags": '<p class="entry-tags-list"><a href="/tags/rust">Rust</a></p>',
    "div.meta-nested": '<div class="meta-info"><div class="tagcloud"><a href="/tag/a/">A</a></div><a href="/tag/a/">A</a>'
                       '<a href="/tag/b/">B</a></div>',
    "row then topics": '<div class="row"><a href="/about/">About</a></div><span class="post-topics">'
                       '<a href="/tag/data/">Data</a></span>',
    "entry-meta": '<footer class="entry-meta"><a href="/category/x/">X</a><a href="/tagies/y/">Y</a></footer>',
    "tags-links": '<span class="cat tags-links"><a href="/tag/z/">Z</a><a>no href</a></span>',
    "not a rule": '<div class="Tags"><a href="/tag/no/">No</a></div><div class="x-tags"><a href="/tag/no2/">No</a></div>',
    "none": "<p>no tags at all</p>",
}


@pytest.mark.parametrize("html", list(TAG_PAGES.values()), ids=list(TAG_PAGES))
def test_page_tags_equal_trafilaturas_on_synthetic_pages(html: str) -> None:
    tree = parse_html(f"<html><body><article><p>Some text.</p>{html}</article></body></html>")
    assert page_tags(tree) == extract_catstags("tag", tree)


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(FIXTURES)) for p in PAGES])
def test_page_tags_equal_trafilaturas_on_fixtures(path: Path) -> None:
    tree = parse_html(readable(path))
    assert page_tags(tree) == extract_catstags("tag", tree)


def test_synthetic_tag_pages_find_tags() -> None:
    """The synthetic pages are not vacuous: most have tags, in trafilatura's order."""
    found = {name: page_tags(parse_html(f"<html><body>{html}</body></html>")) for name, html in TAG_PAGES.items()}
    assert found["div.tags"] == ["Python", "LLM"] and found["row then topics"] == ["Data"]
    assert found["div.meta-nested"] == ["A", "B"] and found["not a rule"] == [] and found["none"] == []
