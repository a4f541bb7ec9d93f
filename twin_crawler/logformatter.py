"""Log lines for items name the document, never dump it (a repository can be 10 MB of text)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.http import Response
from twisted.python.failure import Failure


def _describe(item: Any) -> str:
    link = getattr(item, "link", None)
    return f"{type(item).__name__} {link}" if link else type(item).__name__


class TwinLogFormatter(logformatter.LogFormatter):
    """Scrapy's formatter with items shown as ``<Type> <link>``; a scraped item is one INFO line."""

    def scraped(self, item: Any, response: Response | Failure | None, spider: Any) -> logformatter.LogFormatterResult:
        result = super().scraped(item, response, spider)
        # Scrapy logs items at DEBUG over two lines ("Scraped from <200 url>" + the item): at the project's INFO
        # level a user saw nothing of what was collected. One line per document is short enough to keep.
        result["level"] = logging.INFO
        result["msg"] = "%(item)s"
        result["args"] = {**dict(result["args"]), "item": _describe(item)}  # type: ignore[arg-type]
        return result

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Any) -> logformatter.LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        result["args"] = {**dict(result["args"]), "item": _describe(item)}  # type: ignore[arg-type]
        return result

    def item_error(self, item: Any, exception: BaseException, response: Response | Failure | None,
                   spider: Any) -> logformatter.LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        result["args"] = {**dict(result["args"]), "item": _describe(item)}  # type: ignore[arg-type]
        return result
