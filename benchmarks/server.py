"""Loopback HTTP servers for the benchmarks: the corpus site, and a "big" site whose sitemaps list 100,000 URLs."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from .corpus import Corpus, TextModel

Answer = tuple[int, str, bytes]
NOT_FOUND: Answer = (404, "text/plain", b"not found")


class Site:
    """A threaded HTTP/1.1 server on 127.0.0.1:<free port>; ``answer(path)`` gives (status, type, body)."""

    def __init__(self, answer: Callable[[str], Answer]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers: Scrapy reuses connections

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                status, ctype, body = answer(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # one line per request would cost more than serving it

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def corpus_site(corpus: Corpus) -> Site:
    """Serve the corpus pages, ``/`` (an index page naming the feed), ``/feed.xml`` and ``/sitemap.xml``."""
    pages = {p.path: p.body for p in corpus.pages}
    fixed: dict[str, Answer] = {}

    def answer(path: str) -> Answer:
        if path in pages:
            return 200, "text/html; charset=utf-8", pages[path]
        return fixed.get(path, NOT_FOUND)

    site = Site(answer)
    fixed["/"] = (200, "text/html; charset=utf-8", corpus.index())
    fixed["/feed.xml"] = (200, "application/rss+xml", corpus.feed(site.origin))
    fixed["/sitemap.xml"] = (200, "application/xml", corpus.sitemap(site.origin))
    return site


def big_site(model: TextModel, children: int = 50, per_child: int = 2000) -> Site:
    """A site whose sitemap index lists ``children`` sitemaps of ``per_child`` URLs each (the frontier).

    Pages are small distinct articles generated on request (100,000 stored pages would only cost memory here).
    """
    holder: dict[str, str] = {}

    def answer(path: str) -> Answer:
        origin = holder["origin"]
        if path == "/":
            teasers = "".join(f'<article><h2><a href="/p/0-{j}/">Post {j}</a></h2></article>' for j in range(5))
            return 200, "text/html; charset=utf-8", f"<html><head><title>Big</title></head><body>{teasers}</body></html>".encode()
        if path == "/sitemap.xml":
            locs = "".join(f"<sitemap><loc>{origin}/sitemap-{k}.xml</loc></sitemap>" for k in range(children))
            return 200, "application/xml", f'<?xml version="1.0"?><sitemapindex>{locs}</sitemapindex>'.encode()
        if path.startswith("/sitemap-") and path.endswith(".xml"):
            k = int(path[len("/sitemap-") : -4])
            locs = "".join(f"<url><loc>{origin}/p/{k}-{j}/</loc></url>" for j in range(per_child))
            return 200, "application/xml", f'<?xml version="1.0"?><urlset>{locs}</urlset>'.encode()
        if path.startswith("/p/"):
            rng = random.Random(path)
            title = model.paragraph(rng, 6).rstrip(".")
            body = "".join(f"<p>{model.paragraph(rng, 60)}</p>" for _ in range(6))
            html = (f"<html lang='en'><head><title>{title}</title><meta property='og:type' content='article'></head>"
                    f"<body><nav>Home About</nav><article><h1>{title}</h1>{body}</article></body></html>")
            return 200, "text/html; charset=utf-8", html.encode()
        return NOT_FOUND

    site = Site(answer)
    holder["origin"] = site.origin
    return site
