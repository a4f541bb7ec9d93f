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


# The words ``normalise_text`` keeps once markup is gone: ``\w`` runs split at ``_`` (markup: emphasis, snake_case).
_WORD_PART = re.compile(r"[^\W_]+", re.UNICODE)
# ASCII text, lower-cased: letters and digits kept, every other byte a separator.
_ASCII_WORDS = bytes(c if c in b"0123456789abcdefghijklmnopqrstuvwxyz" else 32 for c in range(256))


def normalise_text(text: str) -> str:
    r"""Unicode-normalised, markup-free, case-folded words separated by single spaces.

    Markup (``_MARKUP``) is removed before words are found. Only its link and image alternatives ever remove a
    word (a link target, an image); every other markup character is a separator already, ``_`` included once it
    splits words. So text with no ``](`` needs no substitution: its words are the ``[^\W_]+`` runs, and ASCII
    text's are found by a byte translation (a tenth of the regex's cost on a 9,000-character article; the
    regular path is kept for text with links, and a property test holds both to it)."""
    text = unicodedata.normalize("NFKC", text)
    if "](" in text:
        return " ".join(_WORD.findall(_MARKUP.sub(" ", text).casefold()))
    if text.isascii():
        return b" ".join(text.lower().encode("ascii").translate(_ASCII_WORDS).split()).decode("ascii")
    return " ".join(_WORD_PART.findall(text.casefold()))


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
    crc32 = zlib.crc32
    sampled = {w for w in set(words) if crc32(w.encode()) % SAMPLE_MODULUS == 0}
    starts = words[: len(words) - SHINGLE + 1]
    return sorted({crc32(" ".join(words[i : i + SHINGLE]).encode()) for i, w in enumerate(starts) if w in sampled})


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
