"""Scrapy extensions: the run report, JOBDIR resume, dead letters, the log secret guard (and, optionally, Prometheus metrics)."""

from __future__ import annotations

from typing import Any


def engine_scheduler(crawler: Any) -> Any:
    """The crawl's scheduler (Scrapy's ``crawler.engine.scheduler``, public since 2.19), or None before the crawl
    has an engine (``crawler.engine`` raises until then) or the engine has opened the spider."""
    try:
        return crawler.engine.scheduler
    except RuntimeError:
        return None
