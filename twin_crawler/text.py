"""Text normalisation, content hashes and near-duplicate fingerprints (pure functions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[#*_`>\[\]|~-]+")
_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 5
# Keep 1 shingle in 8: ~120 samples for a 1,000-word article, enough to estimate Jaccard within a few points,
# small enough to store beside every document and compare an author's whole corpus in memory.
SAMPLE_MODULUS = 8
NEAR_DUPLICATE = 0.6


def normalise_text(text: str) -> str:
    """Unicode-normalised, markup-free, case-folded words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP.sub(" ", text)
    return " ".join(_WORD.findall(text.casefold()))


def content_hash(text: str) -> str:
    """sha256 of the normalised text: equal for the same words whatever the markup or spacing."""
    return hash_normalised(normalise_text(text))


def hash_normalised(normalised: str) -> str:
    """``content_hash`` of text that already went through ``normalise_text`` (callers normalise once)."""
    return hashlib.sha256(normalised.encode()).hexdigest()


def fingerprint(text: str) -> list[int]:
    """Sampled hashes of word 5-shingles (sorted, unique): a document's near-duplicate signature."""
    return fingerprint_normalised(normalise_text(text))


def fingerprint_normalised(normalised: str) -> list[int]:
    """``fingerprint`` of text that already went through ``normalise_text``.

    A shingle is sampled when the crc32 of its *first word* falls in 1 of ``SAMPLE_MODULUS`` buckets: the choice
    depends only on the shingle's content, so two copies of a text sample the same shingles (consistent sampling,
    as min-hash needs), and words are hashed once per distinct word instead of once per position. Only the
    sampled shingles are hashed in full: about 4x cheaper than hashing every shingle (benchmarks, measurement 1).
    """
    words = normalised.split(" ")
    if len(words) < SHINGLE:
        return []
    word_hash = {w: zlib.crc32(w.encode()) for w in set(words)}
    last = len(words) - SHINGLE + 1
    hashes = {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(last)
        if word_hash[words[i]] % SAMPLE_MODULUS == 0
    }
    return sorted(hashes)


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two fingerprints (0 when either is empty)."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def is_near_duplicate(a: list[int], b: list[int]) -> bool:
    """True when two fingerprints are the same article: cross-posts differ only in boilerplate and formatting."""
    # Fingerprints of very short texts are too small to compare reliably.
    return min(len(a), len(b)) >= 8 and similarity(a, b) >= NEAR_DUPLICATE


def collapse_blank_lines(text: str) -> str:
    """Strip trailing spaces on lines and keep at most one blank line between blocks."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
