"""The one-pass furniture test of ``find_refs`` keeps exactly the links and images the XPath definition keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from twin_crawler.pages.article_refs import ANCHORS, OUTSIDE_FURNITURE, Furniture, find_refs
from twin_crawler.pages.html import parse_html

BLOGS = sorted((Path(__file__).parents[1] / "fixtures" / "blogs").glob("*.html"))
# SYNTHETIC: furniture by tag, by class and by id, nested, and a link that is itself classed (only ancestors count).
SYNTHETIC = """<html><body><header><a href="/h">home link in the header</a></header>
<article><p>Before <a href="/in">a link inside the text</a> after it.</p>
<div class="share-buttons"><a href="/s">share this on a network</a><img src="https://x.example/s.png"></div>
<p><a class="comment-link" href="/self">a classed link itself counts</a> here and there.</p>
<div id="related-posts"><div><p><a href="/r">a related post deep down</a></p></div></div>
<figure><img src="https://x.example/a.png"><figcaption>the caption of an image</figcaption></figure></article>
<aside><img src="https://x.example/side.png"></aside><footer><a href="/f">footer link goes here</a></footer></body></html>"""


@pytest.mark.parametrize("body", [SYNTHETIC.encode(), *(p.read_bytes() for p in BLOGS)],
                         ids=["synthetic", *(p.stem for p in BLOGS)])
def test_one_pass_furniture_equals_the_xpath(body: bytes) -> None:
    tree = parse_html(body)
    furniture = Furniture(tree)
    assert [a for a in tree.xpath("//body//a[@href]") if furniture.outside(a)] == etree.XPath(ANCHORS)(tree)
    outside = etree.XPath(f"self::*[{OUTSIDE_FURNITURE}]")
    assert [bool(outside(i)) for i in tree.iter("img")] == [furniture.outside(i) for i in tree.iter("img")]


def test_furniture_links_and_images_are_not_candidates() -> None:
    refs = find_refs(parse_html(SYNTHETIC), "https://x.example/post")
    assert [href for href, _ in refs.links] == ["/in", "/self"]
    assert [image["src"] for image, _ in refs.images] == ["https://x.example/a.png"]
