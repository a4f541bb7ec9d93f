"""Issue 13.2: run state as components. The warehouse is the WarehouseExtension's (one per crawler, closed on
engine_stopped); the spider puts its author's id on items. In-process: crawlers from ``get_crawler``, a real
embedded warehouse under ``tmp_path``. (An unknown author created in a thread needs a running reactor: the
GitHub crawl, whose items name each repository's owner, covers that path.)"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from twin_crawler.authors import AuthorCache
from twin_crawler.extensions.warehouse import WarehouseExtension, for_crawler
from twin_crawler.items import Article, ArticleContent
from twin_crawler.pipelines.clean import CleanPipeline
from twin_crawler.spiders.callbacks import stamp_author
from twin_crawler.warehouse import WarehouseError

EXTENSION = {"twin_crawler.extensions.warehouse.WarehouseExtension": 0}


class Plain(Spider):
    name = "plain"


def crawler_for(tmp_path: Path, **settings: Any) -> Crawler:
    return get_crawler(Plain, {"TWIN_DATA_DIR": str(tmp_path), **settings})


def test_the_extension_owns_the_one_warehouse_and_closes_it_on_engine_stopped(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, EXTENSIONS=EXTENSION)
    extension = crawler.get_extension(WarehouseExtension)
    assert extension is not None
    warehouse = for_crawler(crawler)
    assert warehouse is extension.warehouse and for_crawler(crawler) is warehouse
    warehouse.get_or_create_user("Ada Lovelace")
    assert warehouse.count("users") == 1
    crawler.signals.send_catch_log(signals.engine_stopped)
    with pytest.raises((sqlite3.ProgrammingError, WarehouseError)):
        warehouse.count("users")


def test_the_instance_the_spider_opened_is_adopted(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)  # the extension not in EXTENSIONS: only the spider's instance exists
    crawler.spider = Plain()
    opened = WarehouseExtension(crawler)
    crawler.spider.warehouse_extension = opened  # type: ignore[attr-defined]  # what TwinBaseSpider.from_crawler does
    assert WarehouseExtension.from_crawler(crawler) is opened
    assert for_crawler(crawler) is opened.warehouse


def test_no_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="enable twin_crawler.extensions.warehouse.WarehouseExtension"):
        for_crawler(crawler_for(tmp_path))


# -- the author id comes from the spider (no user look-up on the reactor in CleanPipeline) --

def article(name: str, author_id: str | None = None) -> Article:
    return Article(link="https://blog.example/p", platform="article", author_full_name=name, author_id=author_id,
                   content=ArticleContent(Title="T", Content="word " * 50))


def test_the_spider_stamps_its_authors_id_on_items_named_for_them() -> None:
    ada = {"_id": "u-ada", "full_name": "Ada Lovelace"}
    named = article("  ada   LOVELACE ")
    stamp_author(named, ada)
    assert named.author_id == "u-ada"
    other = article("Grace Hopper")  # a platform naming someone else per item (a GitHub owner): left to the pipeline
    stamp_author(other, ada)
    assert other.author_id is None
    unresolved = article("Ada Lovelace")
    stamp_author(unresolved, {"full_name": "Ada Lovelace"})  # AuthorCache.known's placeholder has no id
    assert unresolved.author_id is None
    kept = article("Ada Lovelace", author_id="u-given")
    stamp_author(kept, ada)
    assert kept.author_id == "u-given"


class WithAuthors(Spider):
    name = "with_authors"

    def __init__(self) -> None:
        super().__init__()
        self.author_cache = AuthorCache()


def test_clean_pipeline_fallback_reads_the_spiders_author_cache(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)  # no warehouse at all: a look-up would raise WarehouseError
    crawler.spider = spider = WithAuthors()
    spider.author_cache.add({"_id": "u-grace", "full_name": "Grace Hopper"})
    item = asyncio.run(CleanPipeline(crawler).process_item(article("grace  hopper")))
    assert item.author_id == "u-grace"



def test_the_ledger_is_an_extension_that_adopts_the_spiders_instance(tmp_path: Path) -> None:
    from twin_crawler.extensions.ledger import LedgerExtension, ledger_of
    from twin_crawler.ledger import Ledger

    # A crawl builds the spider first, then the extensions (Crawler.crawl): the spider's ledger is adopted.
    crawler = crawler_for(tmp_path)
    crawler.spider = Plain()
    crawler.spider.ledger = early = Ledger()  # type: ignore[attr-defined]  # what TwinBaseSpider.__init__ does
    assert ledger_of(crawler) is early  # before the extensions exist: the spider's instance
    extension = LedgerExtension.from_crawler(crawler)
    assert extension.ledger is early and early.stats is crawler.stats
    # Enabled in EXTENSIONS, components find it through crawler.get_extension.
    enabled = crawler_for(tmp_path, EXTENSIONS={"twin_crawler.extensions.ledger.LedgerExtension": 0})
    found = ledger_of(enabled)
    assert found is not None and found is enabled.get_extension(LedgerExtension).ledger
    found.register("https://x.example/a", "article")
    found.record("https://x.example/a", "failed", platform="article", reason="http-500")
    assert found.exit_code() == 1
    assert ledger_of(None) is None
    bare = crawler_for(tmp_path)
    bare.spider = Plain()
    assert ledger_of(bare) is None  # no ledger anywhere: components skip their bookkeeping
