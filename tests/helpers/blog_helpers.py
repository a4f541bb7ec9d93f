"""A loopback blog for re-crawl tests: articles whose text differs per seed, posts that answer conditional
requests as a real server does, and an index page with its RSS feed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from conftest import LoopbackSite, Reply

WORDS = (
    "model", "data", "training", "pipeline", "crawler", "author", "article", "embedding", "vector",
    "token", "retrieval", "prompt", "latency", "dataset", "feature", "evaluation", "batch", "warehouse",
    "index", "query", "cache", "python", "spider", "request", "response", "markdown", "inference",
    "quantization", "adapter", "gradient", "checkpoint", "benchmark", "notebook", "cluster", "deployment",
    "schedule",
)


def article_html(title: str, seed: int) -> str:
    """A ~250-word article whose text differs per seed (so posts are never near-duplicates of each other)."""
    rnd = random.Random(seed)
    paras = []
    for _ in range(6):
        sentences = [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 14))).capitalize() + "." for _ in range(4)]
        paras.append("<p>" + " ".join(sentences) + "</p>")
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{''.join(paras)}</article></body></html>"


@dataclass
class Post:
    """A post that answers conditional requests the way a real server does."""

    html: str
    etag: str | None = None
    last_modified: str | None = None

    def __call__(self, handler: BaseHTTPRequestHandler) -> Reply:
        if self.etag and handler.headers.get("If-None-Match") == self.etag:
            return Reply(b"", status=304, headers={"ETag": self.etag})
        if self.last_modified and not self.etag and handler.headers.get("If-Modified-Since") == self.last_modified:
            return Reply(b"", status=304)
        headers = {k: v for k, v in (("ETag", self.etag), ("Last-Modified", self.last_modified)) if v}
        return Reply(self.html, headers=headers)


class Blog:
    """An index page, its RSS feed, and posts; ``add`` also lists a post in the feed."""

    def __init__(self, site: LoopbackSite) -> None:
        self.site = site
        self.paths: list[str] = []
        site.add("/", '<html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" '
                      'href="/feed.xml"></head><body><p>Posts</p></body></html>')
        site.add("/feed.xml", self._feed)

    def _feed(self, handler: BaseHTTPRequestHandler) -> Reply:
        items = "".join(f"<item><title>t</title><link>{self.site.url}{p}</link></item>" for p in self.paths)
        return Reply(f'<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>{items}</channel></rss>',
                     content_type="application/rss+xml")

    def add(self, path: str, post: Post) -> Post:
        self.paths.append(path)
        self.site.add(path, post)
        return post
