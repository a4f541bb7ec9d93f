"""``html.head`` reads in one walk what the XPath definitions read in several (issue 14): on every HTML fixture and
on synthetic edge cases, its canonical, base, meta map and JSON-LD equal theirs, from the root or any element."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from twin_crawler.pages.article import LINKED_HEADING, Blocks, read_signals
from twin_crawler.pages.html import PageError, head, parse_html

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = sorted(FIXTURES.rglob("*.html"))
# SYNTHETIC: repeated and empty canonicals, a <base> without href before one with, metas named three ways,
# broken, listed and @graph JSON-LD, a script of another type.
EDGES = b"""<html><head><base target="_blank"><base href=" /root/ "><link rel="canonical"><link rel="Canonical" href="/no">
<link rel="canonical" href="  /first  "><link rel="canonical" href="/second">
<meta name="a" content=""><meta property="a" content="x"><meta itemprop="a" content="y"><meta name="b" value="v">
<script type="application/ld+json">{broken</script><script type="application/ld+json">[{"@type":"A"},{"@graph":[{"@type":"B"},3]}]</script>
<script type="text/javascript">var a = 1;</script></head><body><div id="deep"><p>x</p></div>
<script type="application/ld+json">{"@type": "Late"}</script><meta name="late" content="z"></body></html>"""


def definitions(tree: Any) -> dict[str, Any]:
    hrefs = tree.xpath("//link[@rel='canonical']/@href")
    base = tree.xpath("(//base/@href)[1]")
    metas: dict[str, str] = {}
    for el in tree.xpath("//meta"):
        value = (el.get("content") or el.get("value") or "").strip()
        for attr in ("property", "name", "itemprop"):
            if value and el.get(attr) is not None:
                metas.setdefault(el.get(attr), value)
    ld: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError:
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict):
                ld.append(obj)
                graph = obj.get("@graph")
                if isinstance(graph, list):
                    ld.extend(g for g in graph if isinstance(g, dict))
    return {"canonical": str(hrefs[0]).strip() if hrefs else None, "base": str(base[0]) if base else None,
            "metas": metas, "ld": ld}


def read(tree: Any) -> dict[str, Any]:
    found = head(tree)
    return {"canonical": found.canonical, "base": found.base, "metas": found.metas, "ld": found.ld}


@pytest.mark.parametrize("body", [EDGES, *(p.read_bytes() for p in PAGES)],
                         ids=["synthetic-edges", *(str(p.relative_to(FIXTURES)) for p in PAGES)])
def test_one_walk_reads_what_the_xpaths_read(body: bytes) -> None:
    try:
        tree = parse_html(body)
    except PageError:
        pytest.skip("not a readable page")
    assert read(tree) == definitions(tree)


def test_from_an_element_it_reads_the_whole_document_as_xpath_does() -> None:
    tree = parse_html(EDGES)
    inner = tree.get_element_by_id("deep")
    assert read(inner) == definitions(inner) == definitions(tree)
    assert read(tree)["canonical"] == "/first" and read(tree)["base"] == " /root/ "
    assert [o.get("@type") for o in read(tree)["ld"]] == ["A", None, "B", "Late"]


def reference_blocks(tree: Any, main: Any) -> Blocks:
    """The XPath definition ``read_signals`` replaced (issue 14): teasers and linked h2-h4 headings outside main."""
    def outside(el: Any) -> bool:
        return main is None or not (el is main or main in el.iterancestors() or el in main.iterancestors())

    teasers = [a for a in tree.iter("article") if outside(a) and a.xpath(LINKED_HEADING)]
    links = [a for a in tree.xpath("//h2//a[@href] | //h3//a[@href] | //h4//a[@href]")
             if not a.get("href", "").startswith("#") and (main is None or main not in a.iterancestors())]
    return Blocks(len(teasers), sum(len(a.text_content().split()) for a in teasers), len(links))


@pytest.mark.parametrize("body", [*(p.read_bytes() for p in PAGES)], ids=[str(p.relative_to(FIXTURES)) for p in PAGES])
def test_signals_count_what_the_xpaths_count(body: bytes) -> None:
    try:
        tree = parse_html(body)
    except PageError:
        pytest.skip("not a readable page")
    signals = read_signals(tree)
    articles = [(a, len(a.text_content().split())) for a in tree.iter("article")]
    main = max(articles, key=lambda pair: pair[1])[0] if articles else None
    assert signals.everywhere == reference_blocks(tree, None)
    assert signals.outside_main == reference_blocks(tree, main)
