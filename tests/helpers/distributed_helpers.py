"""Helpers for the distributed tests: a 300-article loopback blog, worker processes, warehouse snapshots."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pymongo
from conftest import ROOT, VENV_BIN, LoopbackSite, scrapy_run

WORDS = ["model", "data", "training", "pipeline", "crawler", "author", "article", "embedding", "vector", "token", "retrieval", "prompt", "latency", "dataset", "feature", "evaluation", "batch", "warehouse", "index", "query", "cache", "python", "spider", "request", "response", "markdown", "inference", "quantization", "adapter", "gradient", "checkpoint", "benchmark", "notebook", "cluster", "deployment", "schedule", "frontier", "lease", "worker", "redis", "replica", "shard", "queue", "heartbeat", "expiry", "outcome", "upsert", "ledger"]
VOLATILE = {"_id", "author_id", "first_seen_at", "last_crawled_at"}


def article_html(i: int, author: str = "Ada Lovelace") -> str:
    """A distinct article of ~230 words in five paragraphs, bylined ``author``."""
    rnd = random.Random(i)
    paragraphs = []
    for p in range(5):
        words = [rnd.choice(WORDS) for _ in range(45)]
        paragraphs.append(f"<p>Part {p} of post {i}: {' '.join(words)}.</p>")
    return (f"<!doctype html><html lang='en'><head><title>Post {i} about {WORDS[i % len(WORDS)]}</title>"
            f"<meta name='author' content='{author}'></head><body><header><nav><a href='/'>Home</a></nav></header>"
            f"<main><article><h1>Post {i} about {WORDS[i % len(WORDS)]}</h1>{''.join(paragraphs)}</article></main>"
            f"<footer>Subscribe to the newsletter</footer></body></html>")


def build_blog(site: LoopbackSite, pages: int = 300, delay: float = 0.0, author: str = "Ada Lovelace") -> list[str]:
    """``author``'s blog: an index page linking its RSS feed, the feed and a sitemap (both list every post), the posts."""
    paths = [f"/posts/{i}.html" for i in range(pages)]
    site.add("/", "<html><head><title>Blog</title><link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
                  "</head><body><h1>Blog</h1><p>Welcome.</p></body></html>")
    items = "".join(f"<item><title>Post {i}</title><link>{site.url}{p}</link></item>" for i, p in enumerate(paths))
    site.add("/feed.xml", f"<?xml version='1.0'?><rss version='2.0'><channel><title>Blog</title>{items}</channel></rss>",
             content_type="application/rss+xml")
    urls = "".join(f"<url><loc>{site.url}{p}</loc></url>" for p in paths)
    site.add("/sitemap.xml", f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>",
             content_type="application/xml")
    for i, path in enumerate(paths):
        body = article_html(i, author)
        if delay:
            site.add(path, _slow(body, delay))
        else:
            site.add(path, body)
    return paths


def _slow(body: str, delay: float) -> Any:
    from conftest import Reply

    def reply(_: Any) -> Reply:
        time.sleep(delay)
        return Reply(body)

    return reply


def loopback_settings(prefix: str, **extra: Any) -> list[str]:
    """``-s`` options: loopback allowed, no politeness delays, quick leases and ticks, a private Redis prefix."""
    values = {"TWIN_ALLOW_LOOPBACK": "True", "ROBOTSTXT_OBEY": "False", "AUTOTHROTTLE_ENABLED": "False",
              "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "TELNETCONSOLE_ENABLED": "False",
              "RETRY_TIMES": "1", "TWIN_REDIS_PREFIX": prefix, "TWIN_SEED_POLL_SECONDS": "0.2",
              "TWIN_LEASE_TICK_SECONDS": "0.2", "LOG_LEVEL": "INFO", **{k: str(v) for k, v in extra.items()}}
    return [arg for key, value in values.items() for arg in ("-s", f"{key}={value}")]


def scrapy_env(redis_url: str, mongo_uri: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.distributed", "PYTHONPATH": str(ROOT),
                "REDIS_URL": redis_url, "TWIN_RECRAWL_AFTER": "0", "PYTHONWARNINGS": "default"})
    if mongo_uri:
        env["TWIN_MONGODB_URI"] = mongo_uri
    return env


def scrapy(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return scrapy_run(["scrapy", *args], env=env, cwd=cwd, timeout=120)


class Worker:
    """A ``scrapy crawl <spider>`` worker process; output goes to files (a full pipe would stall it)."""

    def __init__(self, spider: str, settings: list[str], env: dict[str, str], workdir: Path, name: str) -> None:
        self.log = workdir / f"{name}.log"
        self.out = workdir / f"{name}.out"
        with self.log.open("w") as err, self.out.open("w") as out:
            self.proc = subprocess.Popen([str(VENV_BIN / "scrapy"), "crawl", spider, *settings], env=env, cwd=workdir,
                                         stdout=out, stderr=err)

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"worker did not finish in {timeout}s; log tail:\n{self.stderr()[-3000:]}") from None

    def signal(self, sig: signal.Signals) -> None:
        self.proc.send_signal(sig)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def unique_prefix() -> str:
    return "t" + uuid.uuid4().hex[:10]


def snapshot(mongo_uri: str, collection: str = "articles") -> dict[str, dict[str, Any]]:
    """link -> document without the fields that differ between runs by design (ids, timestamps)."""
    database = mongo_uri.rsplit("/", 1)[1]
    with pymongo.MongoClient(mongo_uri.rsplit("/", 1)[0], serverSelectionTimeoutMS=5000) as client:
        docs = list(client[database][collection].find())
    return {doc["link"]: {k: v for k, v in doc.items() if k not in VOLATILE} for doc in docs}


def page_hits(site: LoopbackSite) -> dict[str, int]:
    return {path: count for path, count in site.hits.items() if path.startswith("/posts/")}
