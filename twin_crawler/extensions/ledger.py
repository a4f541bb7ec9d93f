"""The run's ledger as an extension: every component reaches it through ``ledger_of(crawler)``.

The spider is built before the extensions and registers its links from ``start()`` on; it keeps the instance on
``spider.ledger`` (a spider built without a crawl, in parser tests, has one too) and the extension adopts it, so a
crawl has exactly one ledger. Stats are attached when the extension is built (they exist from then on).
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from twin_crawler.ledger import Ledger


class LedgerExtension:
    """Owns the crawl's ledger: link states for the run report, the exit code and the resume log."""

    def __init__(self, crawler: Crawler) -> None:
        early = getattr(crawler.spider, "ledger", None)
        self.ledger: Ledger = early if isinstance(early, Ledger) else Ledger()
        self.ledger.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerExtension:
        return cls(crawler)


def ledger_of(crawler: Crawler | None) -> Ledger | None:
    """The crawl's ledger, or None when no crawl is running (a component built by hand in a test)."""
    if crawler is None:
        return None
    try:
        extension = crawler.get_extension(LedgerExtension)
    except RuntimeError:  # extensions not built yet: the spider's own instance, which the extension adopts
        extension = None
    if extension is not None:
        return extension.ledger
    early = getattr(crawler.spider, "ledger", None)
    return early if isinstance(early, Ledger) else None
