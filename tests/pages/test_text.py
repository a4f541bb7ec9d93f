"""Normalised text, content hashes and cross-post fingerprints."""

from __future__ import annotations

from twin_crawler.text import collapse_blank_lines, content_hash, fingerprint, is_near_duplicate, similarity

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
