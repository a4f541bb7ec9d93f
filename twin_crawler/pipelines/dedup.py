"""Drop duplicates: the same canonical link twice in a run, the same text under two links, cross-posts."""

from __future__ import annotations

import logging
import math
from typing import Any

from scrapy.crawler import Crawler

from twin_crawler.concurrency import in_thread
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.items import Document
from twin_crawler.text import NEAR_DUPLICATE, is_near_duplicate

from .clean import drop
from .warehouse import writer_of

logger = logging.getLogger(__name__)
Entry = tuple[str | None, list[int], str | None]


class AuthorCorpus(dict[str, Entry]):
    """link -> Entry (insertion order kept), indexed by content hash and by fingerprint sample.

    A near-duplicate shares at least one fingerprint sample, so finding a twin only has to look at documents
    sharing a sample or the hash: scanning the whole corpus per item made a crawl O(n²) (benchmarks/RESULTS.md).
    """

    def __init__(self) -> None:
        super().__init__()
        self._order: dict[str, int] = {}
        self._by_hash: dict[str | None, set[str]] = {}
        self._by_sample: dict[int, set[str]] = {}

    def __setitem__(self, link: str, entry: Entry) -> None:
        old = self.get(link)
        if old is not None:
            self._by_hash.get(old[0], set()).discard(link)
            for h in old[1]:
                self._by_sample.get(h, set()).discard(link)
        self._order.setdefault(link, len(self._order))
        super().__setitem__(link, entry)
        self._by_hash.setdefault(entry[0], set()).add(link)
        for h in entry[1]:
            self._by_sample.setdefault(h, set()).add(link)

    def setdefault(self, link: str, entry: Entry) -> Entry:  # type: ignore[override]
        if link not in self:
            self[link] = entry
        return self[link]

    def candidates(self, content_hash: str | None, fp: list[int]) -> list[str]:
        """Links that can be twins of (content_hash, fp), in insertion order (the order a full scan would see):
        those with the same hash, and those sharing at least ``NEAR_DUPLICATE × |samples|`` samples with ``fp``
        (Jaccard >= t needs |A & B| >= t * |A | B| >= t * |A|)."""
        found = set(self._by_hash.get(content_hash, ()))
        samples = set(fp)
        if len(fp) >= 8:  # is_near_duplicate needs 8 samples on both sides
            least = math.ceil(NEAR_DUPLICATE * len(samples) - 1e-9)
            # Prefix filter: a link sharing `least` samples has one among any len(samples) - least + 1 of them, so
            # only the postings of that many samples, the rarest, are read; each link found is then counted exactly.
            # Boilerplate shared by every post of a blog puts most documents in a few postings: counting every
            # posting (a Counter over all of them) cost 0.4 ms per item at 2,000 documents, growing with the corpus.
            postings = sorted((self._by_sample.get(h, ()) for h in samples), key=len)
            seen: set[str] = set()
            for posting in postings[: len(samples) - least + 1]:
                seen.update(posting)
            found.update(link for link in seen - found if len(samples.intersection(self[link][1])) >= least)
        return sorted(found, key=self._order.__getitem__)


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
        self._corpus: dict[tuple[str, str], AuthorCorpus] = {}

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
            writer = writer_of(self.crawler)
            assert writer is not None, "DedupPipeline needs WarehousePipeline in ITEM_PIPELINES"
            writer.add_also_published(item.collection, twin, item.link)
            self.crawler.stats.inc_value("twin/dedup/cross_posts")
            raise drop(self.crawler, item, "cross-post", f"same text as {twin}")
        corpus[item.link] = (item.content_hash, item.fingerprint, None)
        return item

    @staticmethod
    def _find_twin(item: Document, corpus: AuthorCorpus) -> str | None:
        if item.link in corpus:
            # Its own earlier version (an update, not a duplicate), or a link already known as a cross-post.
            return corpus[item.link][2]
        for link in corpus.candidates(item.content_hash, item.fingerprint):
            chash, fp, canonical = corpus[link]
            # Repositories of one author legitimately share most of their text (templates, forks of one's own
            # work): only an exact copy counts there. Articles and posts also match near-duplicates (cross-posts).
            near = item.collection != "repositories" and is_near_duplicate(fp, item.fingerprint)
            if canonical is None and (chash == item.content_hash or near):
                return link
        return None

    async def _author_corpus(self, item: Document) -> AuthorCorpus:
        key = (item.collection, item.author_id or "")
        if key not in self._corpus:
            docs = await in_thread(for_crawler(self.crawler).find, item.collection, {"author_id": item.author_id})
            corpus = AuthorCorpus()
            for doc in docs:
                corpus[doc["link"]] = (doc.get("content_hash"), doc.get("fingerprint") or [], None)
                for other in doc.get("also_published_at") or []:
                    corpus.setdefault(other, (None, [], doc["link"]))
            # Items are processed concurrently: another one may have loaded this corpus (and added its own
            # link) while this one awaited; replacing it would lose that link and miss an in-run cross-post.
            self._corpus.setdefault(key, corpus)
        return self._corpus[key]
