"""Where discovery from a listing looks, and how far it may go: pure state carried in request meta.

A listing (a blog root, ``/blog/``, a tag page) is followed through its feed first and, only when no feed answers
or the feed is visibly shorter than the listing, through the sitemap (``robots.txt`` ``Sitemap:`` lines, else
``/sitemap.xml``). Candidates are tried one at a time, so a site with a feed never sees a sitemap request, and a
missing candidate is not an error. Sitemap pages must lie under the listing's path: a ``/blog/`` root never
harvests ``/docs/`` or the rest of the site from a site-wide sitemap. Feed entries only need the listing's host:
a feed lists posts (not docs), and a WordPress "posts page" at ``/blog/`` has its posts at ``/2020/01/…``.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from twin_crawler.urls import LinkError, canonicalize

from .article import NAVIGATION_PATH, PAGINATION_QUERY
from .feeds import feed_links, is_feed, is_sitemap, same_site
from .html import PageError, parse_html

MAX_POSTS_SEEN = 200  # post links of the listing page kept to tell a truncated feed (bounded request meta)
MAX_CHILD_SITEMAPS = 50
SITEMAP_DEPTH = 2
PAGE_PATH = re.compile(r"/page/([2-9]|\d{2,})(/|$)")
FEED_GUESSES = ("feed", "index.xml", "atom.xml")  # WordPress/Ghost, Hugo/Quarto, Jekyll — tried only when none is declared


def is_feed_or_sitemap(body: bytes) -> bool:
    return body[:2] == b"\x1f\x8b" or is_feed(body) or is_sitemap(body)


def listing_scope(url: str) -> str:
    """The path prefix a listing's posts live under: ``/blog/tag/python/`` -> ``/blog/``, ``/blog`` -> ``/blog/``,
    ``/tag/x`` -> ``/``, ``/blog/index.html`` -> ``/blog/``."""
    path = urlsplit(url).path or "/"
    match = NAVIGATION_PATH.search(path)
    if match:
        path = path[: match.start() + 1]
    head, _, last = path.rpartition("/")
    if "." in last:
        path = head + "/"
    return path if path.endswith("/") else path + "/"


def sitemap_scope(url: str) -> str:
    """A sitemap or feed the user gave covers its own folder: ``/blog/sitemap.xml`` -> ``/blog/``."""
    return (urlsplit(url).path or "/").rpartition("/")[0] + "/"


def _canonical(url: str) -> str | None:
    with contextlib.suppress(LinkError):
        return canonicalize(url)
    return None


@dataclass
class Discovery:
    """One discovery in progress (plain fields: it rides in request meta through JOBDIR and Redis queues)."""

    listing: str
    scope: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] | None = None  # None: robots.txt not read yet
    posts: list[str] = field(default_factory=list)
    paginated: bool = False
    answered: bool = False
    depth: int = 0

    @classmethod
    def for_listing(cls, url: str, html: str, scope: str) -> Discovery:
        try:
            tree = parse_html(html)
            feeds = [f for f in feed_links(url, html) if same_site(f, url)][:2]
        except PageError:
            return cls(url, scope)
        root = urljoin(url, "/")
        if not feeds:
            feeds = list(dict.fromkeys(urljoin(root, scope.lstrip("/") + guess) for guess in FEED_GUESSES))
        posts: list[str] = []
        for href in tree.xpath("//h1//a/@href | //h2//a/@href | //h3//a/@href | //h4//a/@href"):
            target = _canonical(urljoin(url, str(href)))
            if target and same_site(target, url) and target != _canonical(url) and not NAVIGATION_PATH.search(urlsplit(target).path):
                posts.append(target)
        hrefs = [urlsplit(urljoin(url, str(h))) for h in tree.xpath("//a/@href")]
        paginated = bool(tree.xpath("//link[@rel='next'] | //a[@rel='next']")) or any(
            PAGE_PATH.search(h.path) or PAGINATION_QUERY.search(h.query) for h in hrefs
        )
        return cls(url, scope, feeds, None, list(dict.fromkeys(posts))[:MAX_POSTS_SEEN], paginated)

    @classmethod
    def for_file(cls, url: str) -> Discovery:
        """A feed or sitemap the user gave: read it, nothing else to try."""
        return cls(url, sitemap_scope(url), sitemaps=[])

    @classmethod
    def from_meta(cls, data: dict[str, Any]) -> Discovery:
        return cls(**data)

    def to_meta(self) -> dict[str, Any]:
        return asdict(self)

    def scope_url(self) -> str:
        return urljoin(self.listing, self.scope)

    def next_candidate(self) -> tuple[str, str | None]:
        """(step, url) of the next thing to try: a feed, robots.txt, a sitemap; (``""``, None) when done."""
        if self.feeds:
            return "feed", self.feeds.pop(0)
        if self.sitemaps is None:
            return "robots", urljoin(self.listing, "/robots.txt")
        if self.sitemaps:
            return "sitemap", self.sitemaps.pop(0)
        return "", None

    def robots_read(self, sitemaps: list[str]) -> None:
        self.sitemaps = sitemaps or [urljoin(self.listing, "/sitemap.xml")]

    def skip_feeds(self) -> None:
        self.feeds = []

    def feed_truncated(self, entries: list[str]) -> bool:
        """The listing is paginated, or shows posts the feed does not carry."""
        if self.sitemaps is not None and not self.sitemaps:
            return False  # a file the user gave: nothing more to read
        have = {_canonical(e) for e in entries}
        return self.paginated or any(p not in have for p in self.posts)

    def in_sitemap_scope(self, url: str) -> bool:
        path = urlsplit(url).path or "/"
        return same_site(url, self.listing) and path.startswith(self.scope) and not NAVIGATION_PATH.search(path)

    def child_sitemaps(self, children: list[str]) -> list[tuple[str, Discovery]]:
        """Sitemaps an index lists, each read on its own (no fallback chain), two levels deep at most."""
        if self.depth >= SITEMAP_DEPTH:
            return []
        return [(c, Discovery(self.listing, self.scope, sitemaps=[], answered=True, depth=self.depth + 1))
                for c in children[:MAX_CHILD_SITEMAPS]]
