"""Garbage-collector tuning shared by the crawl process (``extensions.gcfreeze``) and the parse workers
(``parse_worker``); no Scrapy here, so a worker can import it.

A long-lived process's start-up objects (modules, settings) are walked by every full collection; ``gc.freeze()``
moves them to the permanent generation, which collections skip. Most of a page's objects die by reference count,
so a young generation of ``YOUNG_THRESHOLD`` allocations (default 700) collects far less often for the same work
(cycles are still collected; at most that many more objects wait for it).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def tune() -> tuple[int, int, int]:
    """Freeze what lives now and raise the young generation's threshold; returns the thresholds it replaced."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, before[1], before[2])
    return before
