"""The crawl's parse pool as an extension: built in ``from_crawler``, workers started on first use, stopped on
``engine_stopped`` (after the last callback). Callbacks reach it through ``pool_of(crawler)``."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from twin_crawler import settings as defaults
from twin_crawler.arguments import ArgumentError
from twin_crawler.parsepool import ParsePool, default_workers

IN_PROCESS = ParsePool(0)  # for a spider run without the extension (parser tests, scrapy parse without settings)


def workers_setting(settings: Any) -> int:
    """``TWIN_PARSE_WORKERS``: unset/empty -> CPU count − 1; a whole number ≥ 0 otherwise (else an ArgumentError)."""
    value = settings.get("TWIN_PARSE_WORKERS")
    if value is None or str(value).strip() == "":
        return default_workers()
    try:
        workers = int(value)
    except (TypeError, ValueError):
        workers = -1
    if workers < 0:
        raise ArgumentError(f"TWIN_PARSE_WORKERS={value!r}: give a whole number of parser processes (0 = parse in the crawl process)")
    return workers


class ParsePoolExtension:
    """Owns the crawl's ``ParsePool``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pool = ParsePool(workers_setting(crawler.settings), share=crawler.settings.getbool("TWIN_PARSE_SHARE", defaults.TWIN_PARSE_SHARE))
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePoolExtension:
        return cls(crawler)

    def engine_stopped(self) -> None:
        self.pool.close()
        if self.pool.shared and self.crawler.stats is not None:
            self.crawler.stats.set_value("twin/parse_pool/in_crawl", self.pool.shared)


def pool_of(crawler: Crawler | None) -> ParsePool:
    """The crawl's pool, or an in-process one when the extension is not enabled."""
    extension = None
    if crawler is not None:
        try:
            extension = crawler.get_extension(ParsePoolExtension)
        except RuntimeError:  # extensions not built yet
            extension = None
    return extension.pool if extension is not None else IN_PROCESS
