"""A page decoded as UTF-8 is parsed from its bytes (issue 14) only where that gives the tree of its text: on
every fixture and on generated bodies (invalid UTF-8, byte-order marks, NULs, other charsets, no markup) the tree
of ``Page.tree`` equals ``parse_html(page.text)``, or both refuse the page alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from twin_crawler.pages.html import PageError, parse_html, parse_utf8
from twin_crawler.pages.page import Page

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = sorted(FIXTURES.rglob("*.html"))


def outcome(make: object) -> bytes | str:
    try:
        return etree.tostring(make())  # type: ignore[operator]
    except PageError as exc:
        return f"PageError: {exc}"


def same_as_text(body: bytes, encoding: str | None, headers: dict[str, str] | None = None) -> None:
    expected = outcome(lambda: parse_html(Page("https://x.example/", body, headers, encoding=encoding).text))
    assert outcome(lambda: Page("https://x.example/", body, headers, encoding=encoding).tree) == expected


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(FIXTURES)) for p in PAGES])
def test_every_fixture_gives_the_tree_of_its_text(path: Path) -> None:
    body = path.read_bytes()
    same_as_text(body, "utf-8")
    same_as_text(body, None, {"Content-Type": "text/html"})  # the page's own <meta charset>, else UTF-8


def test_utf8_pages_take_the_bytes_path_and_others_do_not() -> None:
    body = "<html><body><p>caf\u00e9 \u2014 ok</p></body></html>".encode()
    assert parse_utf8(body) is not None
    for refused in (b"\xef\xbb\xbf" + body, body.replace(b"ok", b"\x00"), b"no markup", body.replace(b"ok", b"\xff")):
        assert parse_utf8(refused) is None


PIECES = [b"<p>", b"</p>", b"<html>", b"<body>", b"<meta charset=\"latin-1\">", b"<title>t</title>", b"caf\xc3\xa9",
          b"\xe2\x80\x94", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\xfe\xff", b"text ", b"&amp;",
          b"<!-- c -->", b"<script>x<y</script>", b" ", b"\n", b"\xf0\x9f\x98\x80", b"<div", b">"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map(b"".join),
       st.sampled_from(["utf-8", None, "latin-1", "cp1252", "utf-16"]))
@example(b"\xef\xbb\xbf<p>bom</p>", "utf-8")
@example(b"<p>bad \xff byte</p>", "utf-8")
def test_generated_bodies_give_the_tree_of_their_text(body: bytes, encoding: str | None) -> None:
    same_as_text(body, encoding, {"Content-Type": "text/html"})
