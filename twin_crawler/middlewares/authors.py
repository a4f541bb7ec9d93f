"""Carries a link's author from request to request, and onto the documents (multi-author configs, workers)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from twin_crawler.authors import SEED_AUTHOR, SEED_USER_META
from twin_crawler.items import Document

logger = logging.getLogger(__name__)


class AuthorMiddleware(BaseSpiderMiddleware):
    """A crawl may serve many authors at once, so the author travels in ``meta["twin_user"]``: child requests
    inherit it from their response, and documents the spider named ``SEED_AUTHOR`` get the real name."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is not None and SEED_USER_META in response.meta:
            request.meta.setdefault(SEED_USER_META, response.meta[SEED_USER_META])
        return request

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if isinstance(item, Document) and item.author_full_name == SEED_AUTHOR:
            user = response.meta.get(SEED_USER_META) if response is not None else None
            if not user:  # a request that lost its seed's meta: never store a document under a placeholder
                logger.error("no seed author for %s; document dropped", item.link)
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("twin/distributed/no_author")
                return None
            item.author_full_name = user
        return item
