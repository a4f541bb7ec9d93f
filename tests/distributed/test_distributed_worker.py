"""The worker layer: any spider becomes a worker, requests survive Redis, each seed keeps its own author."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pymongo
from conftest import LoopbackSite, NxServer, unique_db
from distributed_helpers import (
    Worker,
    build_blog,
    loopback_settings,
    scrapy,
    scrapy_env,
    snapshot,
    unique_prefix,
)
from scrapy.utils.request import request_from_dict

from twin_crawler.authors import CURRENT_AUTHOR, in_author_context
from twin_crawler.distributed.worker import WorkerMixin, worker_class
from twin_crawler.spiders.article import ArticleSpider
from twin_crawler.spiders.twin import TwinSpider
from twin_crawler.warehouse import open_warehouse


def test_every_spider_class_becomes_one_worker_class() -> None:
    cls = worker_class(ArticleSpider)
    assert issubclass(cls, WorkerMixin) and issubclass(cls, ArticleSpider)
    assert cls.name == "article" and cls.__doc__ == ArticleSpider.__doc__
    assert worker_class(ArticleSpider) is cls and worker_class(cls) is cls
    assert worker_class(TwinSpider).name == "twin"
    assert worker_class(str) is str


def test_worker_requests_survive_the_redis_queue() -> None:
    spider = worker_class(ArticleSpider)()  # no -a user: a worker's authors come from its seeds
    request = spider.request("https://example.com/p", "article", spider.parse_article_page, link="https://example.com/p",
                             meta={"twin_user": "Ada Lovelace"})
    restored = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider)
    assert restored.callback == spider.parse_article_page and restored.errback == spider.on_error
    assert restored.meta["twin_user"] == "Ada Lovelace"


def test_interleaved_callbacks_each_see_their_own_author() -> None:
    async def callback(tag: str) -> AsyncIterator[Any]:
        for step in range(3):
            await asyncio.sleep(0.01 * (step + (tag == "b")))  # the two interleave at every await
            current = CURRENT_AUTHOR.get()
            yield (tag, current["full_name"] if current else None)

    async def consume(tag: str, name: str) -> list[Any]:
        return [out async for out in in_author_context(callback(tag), {"full_name": name})]

    async def main() -> list[list[Any]]:
        results = await asyncio.gather(consume("a", "Ada"), consume("b", "Grace"))
        assert CURRENT_AUTHOR.get() is None  # nothing leaks out of the callbacks
        return list(results)

    a, b = asyncio.run(main())
    assert a == [("a", "Ada")] * 3 and b == [("b", "Grace")] * 3


def test_one_worker_serves_two_authors_at_once(redis_url: str, nx_server: NxServer, tmp_path: Path) -> None:
    sites = [LoopbackSite(), LoopbackSite()]
    try:
        for site, author in zip(sites, ["Ada Lovelace", "Grace Hopper"], strict=True):
            build_blog(site, 25, author=author)
        prefix, uri = unique_prefix(), nx_server.uri(unique_db())
        env = scrapy_env(redis_url, uri)
        for site, user in zip(sites, ["Ada Lovelace", "grace  hopper"], strict=True):
            pushed = scrapy("seed", "twin", "--user", user, f"{site.url}/", "-s", f"TWIN_REDIS_PREFIX={prefix}",
                            env=env, cwd=tmp_path)
            assert pushed.returncode == 0, pushed.stderr
        warehouse = open_warehouse(uri)  # an earlier run stored the name capitalised: the seed's spelling is not
        grace_id = warehouse.get_or_create_user("Grace Hopper")["_id"]
        warehouse.close()
        worker = Worker("twin", loopback_settings(prefix, TWIN_WORKER_IDLE_CLOSE=2), env, tmp_path, "w")
        assert worker.wait(120) == 0, worker.stderr()[-3000:]
        docs = snapshot(uri)
        with pymongo.MongoClient(uri.rsplit("/", 1)[0]) as client:
            articles = list(client[uri.rsplit("/", 1)[1]]["articles"].find({}, {"link": 1, "author_id": 1}))
            users = {u["full_name"]: u["_id"] for u in client[uri.rsplit("/", 1)[1]]["users"].find()}
        assert len(docs) == 50
        for article in articles:
            name = "Ada Lovelace" if article["link"].startswith(sites[0].url) else "Grace Hopper"
            assert docs[article["link"]]["author_full_name"] == name
            assert article["author_id"] == users[name]
        assert users["Grace Hopper"] == grace_id and len(users) == 2
    finally:
        for site in sites:
            site.close()
