"""Each item pipeline as a component: built with ``build_from_crawler`` on a crawler whose warehouse extension opens
an embedded warehouse in ``tmp``, fed with ``await process_item``. In-process, no crawl and no network.

The dedup and warehouse pipelines await work in Twisted's thread pool (``concurrency.in_thread``), so these tests
run as ``twisted.trial`` test cases: trial spins the reactor a test's Deferred needs, whichever reactor the
pytest worker has installed (``deferred_from_coro`` drives the coroutine on either).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred
from twisted.trial import unittest

from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.items import Article, ArticleContent, Post, PostContent
from twin_crawler.pipelines.clean import CleanPipeline, Dropped
from twin_crawler.pipelines.dedup import DedupPipeline
from twin_crawler.pipelines.warehouse import WarehousePipeline

EXTENSIONS = {"twin_crawler.extensions.warehouse.WarehouseExtension": 0}
TEXT = ("Retrieval quality depends on how documents are split, embedded and ranked; this essay measures each step "
        "on a frozen question set and reports recall, faithfulness and latency for every configuration tried. ") * 3


class Plain(Spider):
    name = "plain"


def article(link: str = "https://blog.example/p/one", text: str = TEXT, heading: str = "One", **fields: Any) -> Article:
    return Article(link=link, platform="article", author_full_name="Jane Doe",
                   content=ArticleContent(Title=heading, Content=text), **fields)


def coro_test(fn: Callable[[Any], Coroutine[Any, Any, None]]) -> Callable[[Any], Deferred[Any]]:
    def run(self: Any) -> Deferred[Any]:
        return deferred_from_coro(fn(self))
    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


class PipelineTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="twin-pipelines-"))
        self.crawler: Crawler = get_crawler(Plain, {"TWIN_DATA_DIR": str(self.tmp), "EXTENSIONS": EXTENSIONS,
                                                    "TWIN_WAREHOUSE_BATCH": 1})

    def tearDown(self) -> None:
        for_crawler(self.crawler).close()

    async def rejected(self, pipeline: Any, item: Any) -> DropItem:
        try:
            await pipeline.process_item(item)
        except DropItem as exc:
            return exc
        raise AssertionError(f"{item!r} was not dropped")


class CleanPipelineTest(PipelineTest):
    @coro_test
    async def test_cleans_text_hashes_it_and_gives_the_author_an_id(self) -> None:
        pipeline = build_from_crawler(CleanPipeline, self.crawler)
        item = await pipeline.process_item(article(title="  One \x00 ", text="  " + TEXT + "\x07\n\n\n\nEnd.",
                                                   link="https://blog.example/p/one?access_token=s3cret"))
        assert item.title == "One" and "\x07" not in item.content.Content and "\n\n\n" not in item.content.Content
        assert item.content_hash and item.fingerprint
        assert item.link == "https://blog.example/p/one?access_token=***"  # a secret query value is never stored
        [user] = for_crawler(self.crawler).find("users")
        assert item.author_id == str(user["_id"]) and user["full_name"] == "Jane Doe"
        again = await pipeline.process_item(article())
        assert again.author_id == item.author_id and for_crawler(self.crawler).count("users") == 1

    @coro_test
    async def test_drops_what_is_not_an_authors_text(self) -> None:
        pipeline = build_from_crawler(CleanPipeline, self.crawler)
        assert "not a twin-crawler item" in str(await self.rejected(pipeline, {"link": "x"}))
        titled = await pipeline.process_item(article(text=" \n\t "))  # a title alone is still text
        assert titled.content_hash
        empty = await self.rejected(pipeline, article(text=" \n\t ", heading=" "))
        assert isinstance(empty, Dropped) and empty.reason == "empty"
        blocked = await self.rejected(pipeline, article(text="Just a moment...\n\nEnable JavaScript and cookies to continue"))
        assert isinstance(blocked, Dropped) and blocked.reason == "block-page"
        assert self.crawler.stats.get_value("twin/dedup/dropped/empty") == 1


class DedupPipelineTest(PipelineTest):
    @coro_test
    async def test_one_document_per_link_per_run(self) -> None:
        clean, dedup = build_from_crawler(CleanPipeline, self.crawler), build_from_crawler(DedupPipeline, self.crawler)
        first = await dedup.process_item(await clean.process_item(article()))
        assert first.link == "https://blog.example/p/one"
        dropped = await self.rejected(dedup, await clean.process_item(article(text=TEXT + " Edited.")))
        assert isinstance(dropped, Dropped) and dropped.reason == "duplicate-link"
        other = await dedup.process_item(await clean.process_item(article("https://blog.example/p/two", "Different. " * 40)))
        assert other.link == "https://blog.example/p/two"

    @coro_test
    async def test_a_stored_documents_new_version_is_an_update_not_a_duplicate(self) -> None:
        clean = build_from_crawler(CleanPipeline, self.crawler)
        stored = await clean.process_item(article())
        writer = build_from_crawler(WarehousePipeline, self.crawler)
        await writer.process_item(stored)
        await writer.close_spider()
        dedup = build_from_crawler(DedupPipeline, self.crawler)  # the next run: its corpus comes from the warehouse
        item = await dedup.process_item(await clean.process_item(article(text=TEXT + " A paragraph added.")))
        assert item.link == stored.link
        post = await dedup.process_item(await clean.process_item(Post(
            link="https://www.linkedin.com/feed/update/urn:li:activity:7247945789950353408/", platform="linkedin",
            author_full_name="Jane Doe", content=PostContent(text=TEXT))))
        assert post.collection == "posts"  # the same text in another collection is not a cross-post of an article


class WarehousePipelineTest(PipelineTest):
    @coro_test
    async def test_upserts_once_and_counts_each_outcome(self) -> None:
        clean = build_from_crawler(CleanPipeline, self.crawler)
        pipeline = build_from_crawler(WarehousePipeline, self.crawler)
        item = await clean.process_item(article())
        assert await pipeline.process_item(item) is item  # batch of 1: flushed in a thread at once
        assert [d["link"] for d in for_crawler(self.crawler).find("articles")] == [item.link]
        await pipeline.process_item(await clean.process_item(article()))
        await pipeline.process_item(await clean.process_item(article(text=TEXT + " Revised.")))
        await pipeline.close_spider()
        stats = self.crawler.stats
        assert (stats.get_value("twin/warehouse/new"), stats.get_value("twin/warehouse/unchanged"),
                stats.get_value("twin/warehouse/updated")) == (1, 1, 1)
        [doc] = for_crawler(self.crawler).find("articles")
        assert doc["content"]["Content"].endswith("Revised.") and doc["first_seen_at"]
        assert await pipeline.process_item({"not": "a document"}) == {"not": "a document"}  # passed on untouched
