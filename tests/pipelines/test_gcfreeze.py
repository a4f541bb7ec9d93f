"""The GC extension (issue 14): from engine start to engine stop, what lived at start is frozen out of full
collections and young collections run less often; both are undone at stop."""

from __future__ import annotations

import gc
from types import SimpleNamespace
from typing import Any

from scrapy import signals
from scrapy.signalmanager import SignalManager

from twin_crawler.extensions.gcfreeze import GcFreeze
from twin_crawler.gctune import YOUNG_THRESHOLD


def new_crawler() -> Any:
    """What the extension uses of a crawler: its signals (Scrapy's own SignalManager)."""
    return SimpleNamespace(signals=SignalManager())


def test_frozen_from_engine_start_to_engine_stop() -> None:
    crawler = new_crawler()
    extension = GcFreeze.from_crawler(crawler)  # noqa: F841 - signal handlers are weak references: kept alive here
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    survivor = [[i] for i in range(100)]  # alive at engine start: frozen with the rest
    try:
        crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() >= frozen_before + len(survivor)
        assert not any(o is survivor for o in gc.get_objects())  # out of every generation a collection walks
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_stop_without_a_start_changes_nothing() -> None:
    crawler = new_crawler()
    extension = GcFreeze.from_crawler(crawler)  # noqa: F841 - signal handlers are weak references: kept alive here
    before = gc.get_threshold()
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == before


def test_what_someone_else_froze_before_the_start_stays_frozen() -> None:
    crawler = new_crawler()
    extension = GcFreeze.from_crawler(crawler)  # noqa: F841 - signal handlers are weak references: kept alive here
    gc.freeze()  # a process that froze its own start-up (a fork server) before the engine started
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        crawler.signals.send_catch_log(signals.engine_started)
        crawler.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_freeze_count() >= frozen  # not unfrozen under it
    finally:
        gc.unfreeze()
