"""Smoke test of the benchmark harness (benchmarks/): the corpus builds deterministically within its size bounds,
is served on loopback with its feed and sitemap, and one measurement (extraction cost) runs on it.

The benchmarks themselves are not tests (they time things); this only keeps the harness from rotting.
"""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level package of the checkout, not of the installed egg
    sys.path.insert(0, str(ROOT))

from benchmarks.convention import measure  # noqa: E402
from benchmarks.corpus import MAX_BYTES, MIN_BYTES, build  # noqa: E402
from benchmarks.extraction import one_pass  # noqa: E402
from benchmarks.measure import Summary, bracketed, ratios  # noqa: E402
from benchmarks.server import corpus_site  # noqa: E402


def test_corpus_is_deterministic_sized_and_linked() -> None:
    first, second = build(12, seed=3), build(12, seed=3)
    assert [p.body for p in first.pages] == [p.body for p in second.pages]
    assert all(MIN_BYTES <= len(p.body) <= MAX_BYTES for p in first.pages)
    assert len({p.title for p in first.pages}) == 12
    assert any(other.path.encode() in page.body for page in first.pages for other in first.pages if other is not page)


def test_corpus_is_served_with_feed_and_sitemap_and_extraction_is_measured() -> None:
    corpus = build(6, seed=5)
    with corpus_site(corpus) as site:
        with urllib.request.urlopen(site.origin + "/sitemap.xml", timeout=10) as response:
            sitemap = response.read()
        with urllib.request.urlopen(site.origin + "/feed.xml", timeout=10) as response:
            assert b"<rss" in response.read()
        with urllib.request.urlopen(site.origin + corpus.pages[0].path, timeout=10) as response:
            assert response.read() == corpus.pages[0].body
        rep = one_pass(corpus, site.origin, 0)
    assert sitemap.count(b"<loc>") == 6
    assert rep.pages == 6 and rep.articles == 6
    assert rep.direct > 0 and rep.ours > 0


def test_summary_median_and_spread() -> None:
    s = Summary([1.0, 2.0, 4.0])
    assert s.median == 2.0 and s.spread == 1.5
    assert ratios([2.0, 4.0], [1.0, 2.0]).values == [2.0, 2.0]
    assert bracketed([1.0, 3.0, 4.0]) == [2.0, 3.5]  # each repetition's baseline: the mean of the two around it


def test_text_convention_measurement_runs_on_the_fixtures() -> None:
    section = measure(1)
    assert [row[0] for row in section.rows] == ["substack", "medium", "linkedin pulse", "blogs (whole page)"]
    substack = section.rows[0]
    assert substack[7].endswith("→ 0 (0.0%)") and substack[8].endswith("→ 0")  # no URLs, no images in Content
