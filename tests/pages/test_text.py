"""Normalised text, content hashes and cross-post fingerprints."""

from __future__ import annotations

import unicodedata
import zlib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from twin_crawler.text import (
    _MARKUP,
    _WORD,
    SAMPLE_MODULUS,
    SHINGLE,
    collapse_blank_lines,
    content_hash,
    fingerprint,
    fingerprint_normalised,
    is_near_duplicate,
    normalise_text,
    similarity,
)

ARTICLE = " ".join(f"sentence number {i} talks about feature pipelines and streaming engines." for i in range(120))


def test_hash_ignores_markup_case_and_spacing() -> None:
    assert content_hash("# Hello,   **World**\n\nfoo") == content_hash("hello world foo")
    assert content_hash("hello world") != content_hash("hello worlds")


def test_cross_post_with_boilerplate_is_a_near_duplicate() -> None:
    medium = "# Title\n\n" + ARTICLE + "\n\nFollow me on Medium for more."
    substack = "Title\n" + ARTICLE.replace("streaming engines.", "streaming engines!") + "\nSubscribe now. Share this post."
    assert similarity(fingerprint(medium), fingerprint(substack)) > 0.6
    assert is_near_duplicate(fingerprint(medium), fingerprint(substack))


def test_different_articles_are_not_near_duplicates() -> None:
    other = " ".join(f"paragraph {i} explains vector databases and retrieval for llm twins." for i in range(120))
    assert not is_near_duplicate(fingerprint(ARTICLE), fingerprint(other))
    assert not is_near_duplicate(fingerprint("too short"), fingerprint("too short"))


def test_collapse_blank_lines() -> None:
    assert collapse_blank_lines("a  \r\n\n\n\nb\n") == "a\n\nb"


# The definitions the fast paths must equal (issue 14): the markup regex then ``\w`` runs; every position's shingle.
def reference_normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_WORD.findall(_MARKUP.sub(" ", text).casefold()))


def reference_fingerprint(normalised: str) -> list[int]:
    words = normalised.split(" ")
    if len(words) < SHINGLE:
        return []
    return sorted({zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)
                   if zlib.crc32(words[i].encode()) % SAMPLE_MODULUS == 0})


MARKDOWNISH = st.lists(st.sampled_from([*"ab Zé_ß-*#`>[]()|~!.\n\t0İ］（）", "](", "![x](y)", "snake_case"]),
                       max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(MARKDOWNISH, st.text(max_size=200)))
@example("[a link](https://x.example/p_q) and ![img](src) **bold** snake_case")
@example("fullwidth ］（link） brackets: NFKC makes them markup")
@example("a-](x) b_](y) ascii only")
def test_normalise_text_equals_its_definition(text: str) -> None:
    assert normalise_text(text) == reference_normalise(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["feature", "pipeline", "streams", "llm", "twin", "data", "vector", "x", "é"]), max_size=80))
def test_fingerprint_equals_its_definition(words: list[str]) -> None:
    normalised = " ".join(words)
    assert fingerprint_normalised(normalised) == reference_fingerprint(normalised)


def test_fingerprint_of_an_article_equals_its_definition() -> None:
    normalised = normalise_text(ARTICLE)
    assert fingerprint_normalised(normalised) == reference_fingerprint(normalised) != []
