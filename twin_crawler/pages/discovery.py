"""Where discovery from a listing looks, and how far it may go: pure state carried in request meta.

A listing (a blog root, ``/blog/``, a tag page) is followed through its feed first; a feed visibly shorter than
the listing (posts it lacks, "Older posts" pages) is completed from the listing's own pages; only when no feed
answers is the sitemap read (``robots.txt`` ``Sitemap:`` lines, else ``/sitemap.xml``). Candidates are tried one at a time, so a site with a feed never sees a sitemap request, and a
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
MAX_LISTING_PAGES = 200  # "Older posts" pages read when a feed is shorter than its listing
SITEMAP_DEPTH = 2
PAGE_PATH = re.compile(r"/page/(\d+)(?=/|$)")
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


@dataclass
class ListingPage:
    """What one page of a listing shows: its post links (linked headings) and its next page."""

    posts: list[str]
    next_page: str | None


def page_number(url: str) -> int:
    parts = urlsplit(url)
    match = PAGE_PATH.search(parts.path) or PAGINATION_QUERY.search(parts.query)
    return int(re.sub(r"\D", "", match.group(0))) if match else 1


def read_listing_page(url: str, html: str) -> ListingPage:
    """Post links (headings that link to another page of the site, navigation excluded) and the next page: a
    ``rel=next`` link, else the pagination link to page N+1 (``/page/3/``, ``?page=3``). Raises PageError."""
    tree = parse_html(html)
    here = _canonical(url)
    posts: list[str] = []
    for href in tree.xpath("//h1//a/@href | //h2//a/@href | //h3//a/@href | //h4//a/@href"):
        target = _canonical(urljoin(url, str(href)))
        if target and target != here and same_site(target, url) and not NAVIGATION_PATH.search(urlsplit(target).path):
            posts.append(target)
    nexts = [str(h) for h in tree.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href")]
    wanted = page_number(url) + 1
    nexts += [str(h) for h in tree.xpath("//a/@href") if page_number(urljoin(url, str(h))) == wanted]
    found = next((u for u in (urljoin(url, h) for h in nexts) if same_site(u, url) and _canonical(u) != here), None)
    return ListingPage(list(dict.fromkeys(posts))[:MAX_POSTS_SEEN], found)


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
    next_page: str | None = None  # the listing's next page ("Older posts"), when it is paginated
    answered: bool = False
    depth: int = 0
    pages_read: int = 1

    @classmethod
    def for_listing(cls, url: str, html: str, scope: str) -> Discovery:
        try:
            feeds = [f for f in feed_links(url, html) if same_site(f, url)][:2]
            page = read_listing_page(url, html)
        except PageError:
            return cls(url, scope)
        if not feeds:
            feeds = list(dict.fromkeys(urljoin(url, "/" + scope.lstrip("/") + guess) for guess in FEED_GUESSES))
        return cls(url, scope, feeds, None, page.posts, page.next_page)

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

    def feed_truncated(self, entries: list[str]) -> bool:
        """The listing is paginated, or shows posts the feed does not carry (feeds hold the latest 10-20)."""
        if self.sitemaps is not None and not self.sitemaps:
            return False  # a file the user gave: nothing more to read
        have = {_canonical(e) for e in entries}
        return self.next_page is not None or any(p not in have for p in self.posts)

    def next_listing_page(self, page: ListingPage) -> Discovery | None:
        """The state for reading ``page.next_page``, or None at the end (or past ``MAX_LISTING_PAGES``)."""
        if page.next_page is None or self.pages_read >= MAX_LISTING_PAGES:
            return None
        return Discovery(self.listing, self.scope, sitemaps=[], next_page=page.next_page, answered=True,
                         pages_read=self.pages_read + 1)

    def in_sitemap_scope(self, url: str) -> bool:
        path = urlsplit(url).path or "/"
        return same_site(url, self.listing) and path.startswith(self.scope) and not NAVIGATION_PATH.search(path)

    def child_sitemaps(self, children: list[str]) -> list[tuple[str, Discovery]]:
        """Sitemaps an index lists, each read on its own (no fallback chain), two levels deep at most."""
        if self.depth >= SITEMAP_DEPTH:
            return []
        return [(c, Discovery(self.listing, self.scope, sitemaps=[], answered=True, depth=self.depth + 1))
                for c in children[:MAX_CHILD_SITEMAPS]]
