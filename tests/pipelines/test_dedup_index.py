"""``AuthorCorpus.candidates`` finds exactly the links a full scan would (issue 14: the prefix filter reads only the
rarest postings, so it must still find every link sharing enough samples, and no other)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from twin_crawler.pipelines.dedup import AuthorCorpus
from twin_crawler.text import NEAR_DUPLICATE

# Samples from a small universe, so documents share many of them (boilerplate), plus a few hashes.
FINGERPRINT = st.lists(st.integers(0, 40), max_size=30).map(lambda xs: sorted(set(xs)))
ENTRY = st.tuples(st.sampled_from(["h1", "h2", "h3", None]), FINGERPRINT)


def full_scan(corpus: dict[str, tuple[str | None, list[int]]], content_hash: str | None, fp: list[int]) -> list[str]:
    """The definition: same hash, or (with 8 samples or more) at least NEAR_DUPLICATE of fp's samples shared."""
    samples = set(fp)
    return [link for link, (h, other) in corpus.items()
            if h == content_hash or (len(fp) >= 8 and len(samples & set(other)) >= NEAR_DUPLICATE * len(samples) - 1e-9)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([f"https://b.example/{i}" for i in range(12)]), ENTRY), max_size=30),
       ENTRY)
def test_candidates_equal_a_full_scan(writes: list[tuple[str, tuple[str | None, list[int]]]],
                                      query: tuple[str | None, list[int]]) -> None:
    corpus = AuthorCorpus()
    plain: dict[str, tuple[str | None, list[int]]] = {}
    for link, (content_hash, fp) in writes:  # rewriting a link replaces its postings
        corpus[link] = (content_hash, fp, None)
        plain[link] = (content_hash, fp)
    assert corpus.candidates(*query) == full_scan(plain, *query)


def test_a_shared_boilerplate_sample_alone_makes_no_candidate() -> None:
    corpus = AuthorCorpus()
    boilerplate = [1000, 1001]
    for i in range(50):
        corpus[f"https://b.example/{i}"] = (f"h{i}", sorted(boilerplate + list(range(i * 10, i * 10 + 10))), None)
    twin = list(range(70, 80))  # document 7's own samples
    assert corpus.candidates(None, sorted(boilerplate + twin)) == ["https://b.example/7"]


def test_a_twin_sharing_only_the_commonest_samples_is_found() -> None:
    """The prefix filter's edge: 10 samples need 6 shared; the twin shares exactly the 6 commonest, so it is found
    only through the 5th-rarest posting (one fewer posting read would miss it)."""
    query = list(range(10))
    corpus = AuthorCorpus()
    for i in range(4):  # other documents make samples 4..9 common (each shares 5 of them: not enough)
        corpus[f"https://b.example/other-{i}"] = (None, sorted({4, 5, 6, 7, 8, 9} - {4 + i} | {100 + i}), None)
    corpus["https://b.example/twin"] = (None, [4, 5, 6, 7, 8, 9, 200, 201], None)
    assert corpus.candidates("h", query) == ["https://b.example/twin"]
