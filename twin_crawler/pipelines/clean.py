"""Validate and clean every item; compute its content hash and near-duplicate fingerprint."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from twin_crawler.authors import AuthorCache
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.items import Article, Document, Post, normalise_name
from twin_crawler.pages.blocks import looks_blocked
from twin_crawler.sanitise import clean_line, garbled, strip_controls, trim_link_texts
from twin_crawler.secrets import scrub_query
from twin_crawler.text import collapse_blank_lines, fingerprint_normalised, hash_normalised, normalise_text

logger = logging.getLogger(__name__)


class Dropped(DropItem):
    """A drop with a machine-readable reason (``twin/dropped/<reason>``) for the run report."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, log_level="DEBUG")
        self.reason = reason


def drop(crawler: Crawler, item: Document, reason: str, message: str) -> Dropped:
    """Record ``item`` as dropped for ``reason`` and return the exception to raise."""
    ledger = ledger_of(crawler)
    if ledger is not None:
        ledger.record(item.link, "dropped", platform=item.platform, reason=reason)
    crawler.stats.inc_value(f"twin/dedup/dropped/{reason}")
    return Dropped(reason, f"{reason}: {item.link} ({message})")


def _set(model: Any, field: str, value: str) -> None:
    """Assign a cleaned string only when cleaning changed it: each assignment to a model re-validates it
    (``validate_assignment``), and most text arrives clean."""
    if getattr(model, field) != value:
        setattr(model, field, value)


class CleanPipeline:
    """Refuses what is not a typed document, normalises text fields, fills ``author_id`` and the hashes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._authors = AuthorCache()  # for a spider without one (components built in tests)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Document):
            raise DropItem(f"not a twin-crawler item: {type(item).__name__}")
        self._clean_text(item)
        self._mask_link(item)
        item.author_full_name = normalise_name(item.author_full_name)
        if not item.author_full_name:
            raise drop(self.crawler, item, "no-author", "the author's name is empty once cleaned")
        text = item.text_for_hash()
        if garbled(text):
            raise drop(self.crawler, item, "garbled-text", "text is mostly U+FFFD replacement characters")
        words = normalise_text(text)
        if not words:
            raise drop(self.crawler, item, "empty", "no text")
        if looks_blocked(text):
            raise drop(self.crawler, item, "block-page", "text is a block/challenge page")
        # Both from the normalised words above: normalising once instead of three times per item.
        item.content_hash = hash_normalised(words)
        item.fingerprint = fingerprint_normalised(words)
        if item.author_id is None:  # the spider stamps its author's id; this is for items naming someone else
            item.author_id = await self._author_id(item.author_full_name)
        return item

    def _mask_link(self, item: Document) -> None:
        """Secret query values (``?access_token=…``) never stored: the link keeps its shape with ``***``."""
        masked = scrub_query(item.link)
        if masked != item.link:
            ledger = ledger_of(self.crawler)
            if ledger is not None:
                ledger.alias(masked, item.link)  # the outcome is recorded on the link crawled
            item.link = masked
        item.also_published_at = [scrub_query(link) for link in item.also_published_at]

    @staticmethod
    def _clean_text(item: Document) -> None:
        if item.title is not None:
            _set(item, "title", clean_line(item.title))
        if isinstance(item, Article):
            _set(item.content, "Content", collapse_blank_lines(trim_link_texts(strip_controls(item.content.Content))))
            _set(item.content, "Title", clean_line(item.content.Title))
            _set(item.content, "Subtitle", clean_line(item.content.Subtitle))
            if item.byline is not None:
                _set(item, "byline", clean_line(item.byline))
        elif isinstance(item, Post):
            _set(item.content, "text", collapse_blank_lines(trim_link_texts(strip_controls(item.content.text))))
        # Repository text is stored byte-exact: never touched here.

    async def _author_id(self, full_name: str) -> str:
        # The spider's AuthorCache: an author it resolved already costs nothing; a new one is created in a thread
        # (AuthorCache.resolve uses concurrency.in_thread), never with a blocking call on the reactor.
        cache = getattr(self.crawler.spider, "author_cache", None)
        if not isinstance(cache, AuthorCache):
            cache = self._authors
        record = cache.known(full_name)
        if "_id" not in record:  # not resolved yet: get-or-create, and cached for the spider's later look-ups
            record = await cache.resolve(for_crawler(self.crawler), full_name)
        return str(record["_id"])
