"""The raw-body prefilter of block detection (issue 14) never changes an answer: for a page in an ASCII-compatible
encoding, ``block_reason`` gives with ``raw`` what it gives without it; other encodings get no raw view."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from twin_crawler.pages.blocks import ascii_view, block_reason, is_empty_js_shell

PIECES = ["<p>", "</p>", "<script>x</script>", " ", "enable", "Enable", " javascript", " JavaScript", " javaſcript",
          " javascrİpt", "requires", "requıres", "require", "request", " java", "please ", "to continue", "words here",
          "<title>Just a moment...</title>", "cf-challenge", "é", "—", "İ", "ß", "\u2028"]
PAGES = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "cp1252", "latin-1", "ascii", "iso-8859-2", "cp1254", "iso-8859-9"])


def as_fetched(text: str, encoding: str) -> tuple[str, bytes]:
    """What a response holds: the body bytes, and the text Scrapy decodes from them."""
    raw = text.encode(encoding, errors="replace")
    return raw.decode(encoding, errors="replace"), raw


@settings(max_examples=500, deadline=None)
@given(PAGES, ENCODINGS)
@example("<p>Please enable JavaScript to continue.</p>", "utf-8")
@example("<p>This app requıres javaſcript.</p>", "utf-8")
@example("<p>This app requıres javascript.</p>", "cp1254")  # ı is one byte (0xFD) in the Turkish code page
def test_block_reason_is_the_same_with_the_raw_view(text: str, encoding: str) -> None:
    body, raw = as_fetched(text, encoding)
    view = ascii_view(raw, encoding)
    assert view is not None
    assert is_empty_js_shell(body, view) == is_empty_js_shell(body)
    assert block_reason(200, {}, body, "https://x.example/", view) == block_reason(200, {}, body, "https://x.example/")


def test_notices_are_still_found_through_the_raw_view() -> None:
    for notice in ("Please enable JavaScript to continue.", "This app requıres javaſcript."):
        body, raw = as_fetched(f"<html><body><p>{notice}</p></body></html>", "utf-8")
        assert block_reason(200, {}, body, "https://x.example/", ascii_view(raw, "utf-8")) == "javascript-shell"


def test_only_ascii_compatible_encodings_get_a_raw_view() -> None:
    assert ascii_view(b"x", "UTF-8") == b"x" and ascii_view(b"x", "windows-1252") == b"x"
    assert ascii_view(b"x", "utf-16") is None and ascii_view(b"x", "shift_jis") is None
    assert ascii_view(b"x", None) is None and ascii_view(b"x", "no-such-codec") is None
