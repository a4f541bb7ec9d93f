"""The page objects' shared contract: built from (url, body, headers), decoded as Scrapy decodes, returning items,
and nothing under ``twin_crawler/pages`` knows Scrapy (a worker of the parse pool imports only this)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from twin_crawler.items import Article, Post
from twin_crawler.pages.article import ArticlePage
from twin_crawler.pages.linkedin import LinkedinPostsPage
from twin_crawler.pages.linkedin_pulse import PulsePage
from twin_crawler.pages.medium import MediumPostPage
from twin_crawler.pages.medium_feed import MediumFeedPage
from twin_crawler.pages.page import Page
from twin_crawler.pages.substack import SubstackPostPage
from twin_crawler.pages.substack_page import SubstackHtmlPage

PAGES = Path(__file__).parents[2] / "twin_crawler" / "pages"
FIXTURES = Path(__file__).parents[1] / "fixtures"
FORBIDDEN = ("scrapy", "twisted", "scrapy_redis", "scrapy_playwright")


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_under_pages_imports_scrapy() -> None:
    modules = sorted(PAGES.glob("*.py"))
    assert len(modules) > 10
    offenders = {m.name: sorted(imported_roots(m) & set(FORBIDDEN)) for m in modules if imported_roots(m) & set(FORBIDDEN)}
    assert offenders == {}


def test_importing_every_page_module_loads_no_scrapy_at_all() -> None:
    """Transitively too: what pages/ imports (items, urls, text) must not pull Scrapy or Twisted in."""
    code = ("import importlib, json, pkgutil, sys, twin_crawler.pages as p\n"
            "for m in pkgutil.iter_modules(p.__path__): importlib.import_module('twin_crawler.pages.' + m.name)\n"
            f"print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in {FORBIDDEN!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout) == []


def test_a_page_decodes_its_body_exactly_as_scrapy_does() -> None:
    body = "<html><head><title>Caf\xe9</title></head><body><p>na\xefve \u2014 r\xe9sum\xe9</p></body></html>"
    cases = [
        ({"Content-Type": "text/html; charset=iso-8859-1"}, body.replace("\u2014", "-").encode("latin-1")),
        ({"Content-Type": "text/html"}, body.encode("utf-8")),
        ({}, b'<meta charset="windows-1252">' + body.replace("\u2014", "\x97").encode("latin-1")),
        ({}, b"\xef\xbb\xbf" + body.encode("utf-8")),  # a BOM wins over everything
    ]
    for headers, raw in cases:
        response = HtmlResponse("https://x.example/a", body=raw, headers=headers)
        assert Page("https://x.example/a", raw, headers).text == response.text, headers
        assert Page("https://x.example/a", raw, encoding=response.encoding).text == response.text


def test_every_page_class_is_a_page_with_to_item() -> None:
    for cls in (ArticlePage, PulsePage, MediumPostPage, MediumFeedPage, SubstackPostPage, SubstackHtmlPage, LinkedinPostsPage):
        assert issubclass(cls, Page), cls
    for cls in (ArticlePage, PulsePage, MediumPostPage, SubstackPostPage, SubstackHtmlPage, LinkedinPostsPage):
        assert callable(getattr(cls, "to_item", None)), cls


@pytest.mark.parametrize(("build", "author", "kind"), [
    (lambda: ArticlePage("https://v8.dev/blog/emscripten-standalone-wasm",
                         (FIXTURES / "blogs" / "readability_v8-blog_source.html").read_bytes(),
                         {"content-type": "text/html; charset=utf-8"}), "Alon Zakai", Article),
    (lambda: PulsePage("https://www.linkedin.com/pulse/x", (FIXTURES / "linkedin" / "postlight_linkedin-pulse.html").read_bytes()),
     "Jane Doe", Article),
    (lambda: SubstackPostPage("https://substack.com/api/v1/posts/by-id/167180194",
                              (FIXTURES / "substack" / "api_v1_posts_by-id_167180194.json").read_bytes()), "Angel Rodriguez Santiago", Article),
    (lambda: MediumPostPage("https://medium.com/p/x", (FIXTURES / "medium" / "readability_medium-3_source.html").read_bytes()),
     "Jane Doe", Article),
])
def test_a_page_built_from_a_download_gives_its_item(build: object, author: str, kind: type) -> None:
    page = build()  # type: ignore[operator]
    item = page.to_item(author)
    assert isinstance(item, kind) and item.author_full_name == author
    assert item.content.Content == page.content and item.content.Content.strip()
    assert item.title == (page.title or None) and item.links == page.links


def test_feed_page_leads_to_its_items() -> None:
    feed = MediumFeedPage("https://medium.com/feed/@janedoe", (FIXTURES / "medium" / "synthetic_feed_janedoe.xml").read_bytes())
    assert feed.next_urls() == [e.url for e in feed.entries] and len(feed.entries) == 4
    items = [e.to_item("Jane Doe") for e in feed.entries]
    assert [i.link for i in items] == [f"https://medium.com/p/{e.post_id}" for e in feed.entries]
    assert [i.is_paywalled for i in items] == [not e.complete for e in feed.entries]


def test_linkedin_page_posts_are_post_items() -> None:
    page = LinkedinPostsPage("https://www.linkedin.com/company/x",
                             (FIXTURES / "linkedin" / "metascraper_linkedin-company-guest-2024.html").read_bytes())
    posts = page.to_items("Jane Doe", via="guest")
    assert len(posts) == len(page) == 10 and all(isinstance(p, Post) for p in posts)


def test_an_articles_canonical_link_resolves_as_scrapy_resolves_it() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    html = ('<html><head><base href="https://blog.example/en/"><link rel="canonical" href="posts/one">'
            f'<meta property="og:type" content="article"></head><body><article><h1>One</h1><p>{text}</p></article></body></html>')
    response = HtmlResponse("https://blog.example/p?id=1", body=html.encode())
    page = ArticlePage(response.url, html, min_words=30)
    assert page.link("https://blog.example/p?id=1") == response.urljoin("posts/one") == "https://blog.example/en/posts/one"
    offsite = ArticlePage(response.url, html.replace("posts/one", "https://elsewhere.example/x"), min_words=30)
    assert offsite.link("https://blog.example/p?id=1") == "https://blog.example/p?id=1"  # another site's canonical
