"""Garbage-collector tuning for the crawl process (issue 14: a crawl's CPU per page).

By the time the engine starts, a crawl holds ~400,000 objects it will keep to the end: the modules of Scrapy,
Twisted, trafilatura, lxml, pydantic and pymongo, and the spider's settings and state. CPython's collector walks
all of them at every full collection, and a 2,000-page crawl triggered a dozen: 1.0 s of its CPU, with another
0.6 s in the younger generations (measured with ``gc.callbacks``; benchmarks/RESULTS.md, section 9). So, once the
engine is up, the extension collects once, moves what survives into the permanent generation (``gc.freeze()``,
which full collections skip), and raises the young generation's threshold from 700 to
``gctune.YOUNG_THRESHOLD`` allocations, so fewer collections run (``gctune.tune``, which the parse workers run
too). Both are undone when the engine stops, so a process that runs several crawls (the tests) ends as it began;
objects someone else froze before the engine started stay frozen (``gc`` cannot unfreeze only some).
Disable it as any Scrapy extension: ``EXTENSIONS = {"twin_crawler.extensions.gcfreeze.GcFreeze": None}``.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler

from twin_crawler.gctune import tune


class GcFreeze:
    """Tunes the collector from ``engine_started`` to ``engine_stopped``."""

    def __init__(self, crawler: Crawler) -> None:
        self._before: tuple[int, int, int] | None = None
        self._unfreeze = False  # nothing was frozen before the engine started: stop unfreezes
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcFreeze:
        return cls(crawler)

    def engine_started(self) -> None:
        self._unfreeze = gc.get_freeze_count() == 0  # else someone froze first: gc cannot unfreeze only ours
        self._before = tune()

    def engine_stopped(self) -> None:
        if self._before is not None:
            gc.set_threshold(*self._before)
            if self._unfreeze:
                gc.unfreeze()
            self._before = None
