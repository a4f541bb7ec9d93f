"""The crawl's one warehouse, as an extension: opened in ``from_crawler``, closed on ``engine_stopped``.

The spider, pipelines, middlewares and the other extensions reach it through ``for_crawler`` (this module),
which is ``crawler.get_extension(WarehouseExtension).warehouse``. Scrapy builds the spider before the extensions
(``Crawler.crawl``: spider, then settings and extensions, then the engine), and the spider needs the warehouse to
resolve its author; so the spider opens the extension itself (``spider.warehouse_extension``) and ``from_crawler``
adopts that instance: one warehouse per crawler either way.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from twin_crawler.warehouse import Warehouse, WarehouseError, from_settings

SPIDER_ATTR = "warehouse_extension"


class WarehouseExtension:
    """Owns the crawler's warehouse connection for the whole crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.warehouse: Warehouse = from_settings(crawler.settings)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarehouseExtension:
        return cls.opened_by_spider(crawler) or cls(crawler)

    @classmethod
    def opened_by_spider(cls, crawler: Crawler) -> WarehouseExtension | None:
        """The instance the spider opened in its ``from_crawler`` (before the extensions exist), if any."""
        early = getattr(crawler.spider, SPIDER_ATTR, None)
        return early if isinstance(early, cls) else None

    def engine_stopped(self) -> None:
        # After spider_closed: the run report and the dead letters have used the warehouse by now.
        self.warehouse.close()


def for_crawler(crawler: Crawler) -> Warehouse:
    """The crawler's one warehouse, shared by the spider, pipelines and extensions: the ``WarehouseExtension``'s."""
    try:
        extension = crawler.get_extension(WarehouseExtension)
    except RuntimeError:  # the extensions are built after the spider, which opened the warehouse itself
        extension = None
    if extension is None:
        extension = WarehouseExtension.opened_by_spider(crawler)
    if extension is None:
        raise WarehouseError("no warehouse for this crawler: enable twin_crawler.extensions.warehouse.WarehouseExtension in EXTENSIONS")
    return extension.warehouse
