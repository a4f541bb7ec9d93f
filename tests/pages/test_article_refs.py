"""``find_refs``' memoised furniture test keeps exactly the links and images the XPath definition keeps, and the
per-tree meta map answers as the per-name XPath did."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from twin_crawler.pages.article_refs import OUTSIDE_FURNITURE, Outside, find_refs
from twin_crawler.pages.html import meta, parse_html

BLOGS = sorted((Path(__file__).parents[1] / "fixtures" / "blogs").glob("*.html"))
# SYNTHETIC: furniture by tag, by class and by id, nested, and a link that is itself classed (only ancestors count).
SYNTHETIC = """<html><head><meta name="author" content=""><meta property="author" content="Jane"><meta itemprop="author" content="Other"><meta name="og:title" value="T"></head><body><header><a href="/h">home link in the header</a></header>
<article><p>Before <a href="/in">a link inside the text</a> after it.</p>
<div class="share-buttons"><a href="/s">share this on a network</a><img src="https://x.example/s.png"></div>
<p><a class="comment-link" href="/self">a classed link itself counts</a> here and there.</p>
<div id="related-posts"><div><p><a href="/r">a related post deep down</a></p></div></div>
<figure><img src="https://x.example/a.png"><figcaption>the caption of an image</figcaption></figure></article>
<aside><img src="https://x.example/side.png"></aside><footer><a href="/f">footer link goes here</a></footer></body></html>"""


@pytest.mark.parametrize("body", [SYNTHETIC.encode(), *(p.read_bytes() for p in BLOGS)],
                         ids=["synthetic", *(p.stem for p in BLOGS)])
def test_memoised_furniture_equals_the_xpath(body: bytes) -> None:
    tree = parse_html(body)
    outside = Outside()
    anchors = tree.xpath("//body//a[@href]")
    assert [a for a in anchors if outside(a)] == tree.xpath(f"//body//a[@href][{OUTSIDE_FURNITURE}]")
    definition = etree.XPath(f"self::*[{OUTSIDE_FURNITURE}]")
    for el in [*tree.iter("img"), *anchors[::-1]]:  # any order: the memo must not depend on it
        assert outside(el) == bool(definition(el)), el


@pytest.mark.parametrize("body", [SYNTHETIC.encode(), *(p.read_bytes() for p in BLOGS)],
                         ids=["synthetic", *(p.stem for p in BLOGS)])
def test_meta_map_answers_as_the_xpath_did(body: bytes) -> None:
    tree = parse_html(body)
    names = {n for el in tree.iter("meta") for a in ("property", "name", "itemprop") if (n := el.get(a))} | {"absent"}
    for name in names:
        expected = next((v for el in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]", n=name)
                         if (v := (el.get("content") or el.get("value") or "").strip())), None)
        assert meta(tree, name) == expected, name
    assert meta(tree, "absent", *sorted(names)) == meta(tree, *sorted(names - {"absent"}))


def test_furniture_links_and_images_are_not_candidates() -> None:
    refs = find_refs(parse_html(SYNTHETIC), "https://x.example/post")
    assert [href for href, _ in refs.links] == ["/in", "/self"]
    assert [image["src"] for image, _ in refs.images] == ["https://x.example/a.png"]


ALL_PAGES = sorted((Path(__file__).parents[1] / "fixtures").rglob("*.html"))


@pytest.mark.parametrize("path", ALL_PAGES, ids=[p.name for p in ALL_PAGES])
def test_candidate_links_are_those_of_the_xpath(path: Path) -> None:
    """find_refs walks the <body> for anchors (issue 14); the definition was ``//body//a[@href]``."""
    from twin_crawler.pages.article_refs import CONTEXT, plain
    from twin_crawler.pages.html import PageError

    try:
        tree = parse_html(path.read_bytes())
    except PageError:
        pytest.skip("not a readable page")
    expected = []
    definition = etree.XPath(f"//body//a[@href][{OUTSIDE_FURNITURE}]")
    for a in definition(tree):
        previous = a.getprevious()
        before = (previous.tail if previous is not None else a.getparent().text) or ""
        window = plain(before[-CONTEXT:] + a.text_content() + (a.tail or "")[:CONTEXT])
        if len(window.split()) >= 3:
            expected.append((str(a.get("href")), window))
    assert find_refs(tree, "https://x.example/post").links == expected
