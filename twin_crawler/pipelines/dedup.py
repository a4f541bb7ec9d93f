"""Drop duplicates: the same canonical link twice in a run, the same text under two links, cross-posts."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from twin_crawler.concurrency import in_thread
from twin_crawler.items import Document
from twin_crawler.text import is_near_duplicate
from twin_crawler.warehouse import for_crawler

from .clean import drop

logger = logging.getLogger(__name__)
Entry = tuple[str | None, list[int], str | None]


class DedupPipeline:
    """Keeps one document per text per author.

    A near-duplicate of a document already stored under another link (a cross-post: the same article on Medium
    and Substack) is not stored again; its link is added to that document's ``also_published_at`` instead,
    whichever platform was crawled first.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._links: set[str] = set()
        # (collection, author_id) -> {link: (content_hash, fingerprint, canonical)} of stored and in-run documents;
        # ``canonical`` is set for links known as cross-posts of another document.
        self._corpus: dict[tuple[str, str], dict[str, Entry]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Document):
            return item
        if item.link in self._links:
            raise drop(self.crawler, item, "duplicate-link", "already seen in this run")
        self._links.add(item.link)
        corpus = await self._author_corpus(item)
        twin = self._find_twin(item, corpus)
        if twin is not None:
            # Queued with the batch that may still hold ``twin`` itself; written right after it.
            self.crawler.twin_writer.add_also_published(item.collection, twin, item.link)  # type: ignore[attr-defined]
            self.crawler.stats.inc_value("twin/dedup/cross_posts")
            raise drop(self.crawler, item, "cross-post", f"same text as {twin}")
        corpus[item.link] = (item.content_hash, item.fingerprint, None)
        return item

    @staticmethod
    def _find_twin(item: Document, corpus: dict[str, Entry]) -> str | None:
        if item.link in corpus:
            # Its own earlier version (an update, not a duplicate), or a link already known as a cross-post.
            return corpus[item.link][2]
        for link, (chash, fp, canonical) in corpus.items():
            if canonical is None and (chash == item.content_hash or is_near_duplicate(fp, item.fingerprint)):
                return link
        return None

    async def _author_corpus(self, item: Document) -> dict[str, Entry]:
        key = (item.collection, item.author_id or "")
        if key not in self._corpus:
            docs = await in_thread(for_crawler(self.crawler).find, item.collection, {"author_id": item.author_id})
            corpus: dict[str, Entry] = {}
            for doc in docs:
                corpus[doc["link"]] = (doc.get("content_hash"), doc.get("fingerprint") or [], None)
                for other in doc.get("also_published_at") or []:
                    corpus.setdefault(other, (None, [], doc["link"]))
            self._corpus[key] = corpus
        return self._corpus[key]
