"""Garbage-collector tuning for the crawl process (issue 14: a crawl's CPU per page).

By the time the engine starts, a crawl holds ~400,000 objects it will keep to the end: the modules of Scrapy,
Twisted, trafilatura, lxml, pydantic and pymongo, and the spider's settings and state. CPython's collector walks
all of them at every full collection, and a 2,000-page crawl triggered a dozen: 1.0 s of its CPU, with another
0.6 s in the younger generations (measured with ``gc.callbacks``; benchmarks/RESULTS.md, section 9). So, once the
engine is up, the extension collects once, moves what survives into the permanent generation (``gc.freeze()``,
which full collections skip), and raises the young generation's threshold from 700 to ``YOUNG_THRESHOLD``
allocations, so fewer collections run (cycles are still collected; at most that many more objects wait for it).
Both are undone when the engine stops, so a process that runs several crawls (the tests) ends as it began.
Disable it as any Scrapy extension: ``EXTENSIONS = {"twin_crawler.extensions.gcfreeze.GcFreeze": None}``.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler

YOUNG_THRESHOLD = 10_000


def tune() -> tuple[int, int, int]:
    """Freeze what lives now and raise the young generation's threshold; returns the thresholds it replaced."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, before[1], before[2])
    return before


class GcFreeze:
    """Tunes the collector from ``engine_started`` to ``engine_stopped``."""

    def __init__(self, crawler: Crawler) -> None:
        self._before: tuple[int, int, int] | None = None
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcFreeze:
        return cls(crawler)

    def engine_started(self) -> None:
        self._before = tune()

    def engine_stopped(self) -> None:
        if self._before is not None:
            gc.set_threshold(*self._before)
            gc.unfreeze()
            self._before = None
