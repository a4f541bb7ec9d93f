"""Measurement 4, one side per process: N article items written to a fresh nx-27017 database.

    python -m benchmarks.warehouse_child {pipeline|raw-upsert|raw-insert} URI N

``pipeline`` drives the real ``WarehousePipeline`` (pydantic item -> document, BatchWriter, upserts in
Twisted's thread pool, flush on close) on a running reactor. ``raw-*`` hands the same documents, already as
dicts, to pymongo ``bulk_write`` in batches of the same size. Prints one JSON line: {"seconds", "docs"}.
Only the writing is timed: imports, item generation and index creation are not.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

from scrapy.utils.reactor import install_reactor

from twin_crawler.items import Article, ArticleContent
from twin_crawler.text import content_hash, fingerprint

BATCH = 100  # TWIN_WAREHOUSE_BATCH's default
WORDS = ["the", "crawler", "stores", "every", "article", "once", "python", "data", "model", "twin", "warehouse", "upsert", "batch", "index", "text", "engineer", "author", "feature", "pipeline", "document", "link", "hash", "sample", "markdown"]


def items(n: int, author_id: str) -> list[Article]:
    """``n`` distinct cleaned items (what reaches the warehouse pipeline), ~2 KB of text each."""
    rng = random.Random(4)
    out = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(300)) + f" item {i}"
        out.append(Article(
            link=f"https://blog.example/posts/{i:06d}", platform="article", author_full_name="Jane Doe",
            author_id=author_id, title=f"Post {i}", language="en", domain="blog.example",
            content=ArticleContent(Title=f"Post {i}", Subtitle="", Content=text, language="en"),
            content_hash=content_hash(text), fingerprint=fingerprint(text),
        ))
    return out


def run_pipeline(uri: str, batch: list[Article]) -> float:
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.utils.defer import deferred_from_coro
    from scrapy.utils.test import get_crawler
    from twisted.internet import reactor

    from twin_crawler.extensions.warehouse import for_crawler
    from twin_crawler.pipelines.warehouse import WarehousePipeline

    crawler = get_crawler(settings_dict={"TWIN_MONGODB_URI": uri, "TWIN_WAREHOUSE_BATCH": BATCH,
                                       "EXTENSIONS": {"twin_crawler.extensions.warehouse.WarehouseExtension": 0}})
    crawler.stats.open_spider()
    pipeline = WarehousePipeline.from_crawler(crawler)
    for_crawler(crawler).ping()  # connected and indexed before the clock starts
    elapsed: list[float] = []

    async def main() -> None:
        start = time.perf_counter()
        for item in batch:
            await pipeline.process_item(item)
        await pipeline.close_spider()
        elapsed.append(time.perf_counter() - start)

    def stop(result: object) -> object:
        reactor.stop()  # type: ignore[attr-defined, misc]
        return result

    deferred_from_coro(main()).addBoth(stop)
    reactor.run()  # type: ignore[attr-defined, misc]
    if not elapsed:
        raise SystemExit("pipeline run failed")
    return elapsed[0]


def run_raw(uri: str, docs: list[dict[str, Any]], upsert: bool) -> float:
    from pymongo import InsertOne, MongoClient, UpdateOne

    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    coll = client.get_default_database()["articles"]
    coll.create_index("link", unique=True, name="link_unique")  # the same unique index the warehouse keeps
    coll.create_index("author_id", name="author")
    start = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        chunk = docs[i : i + BATCH]
        ops: list[Any] = ([UpdateOne({"link": d["link"]}, {"$set": d}, upsert=True) for d in chunk] if upsert
                          else [InsertOne(d) for d in chunk])
        coll.bulk_write(ops, ordered=False)
    elapsed = time.perf_counter() - start
    client.close()
    return elapsed


def main(mode: str, uri: str, n: int) -> None:
    batch = items(n, author_id="00000000-0000-4000-8000-000000000000")
    if mode == "pipeline":
        seconds = run_pipeline(uri, batch)
    else:
        docs = [item.model_dump(mode="python") for item in batch]
        seconds = run_raw(uri, docs, upsert=mode == "raw-upsert")
    print(json.dumps({"seconds": seconds, "docs": n}))


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
