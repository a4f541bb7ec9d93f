"""Feed and sitemap discovery, parsed from bodies Scrapy fetched (no library fetches on its own)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .html import PageError, parse_html

FEED_TYPES = {
    "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json+feed",
    "application/rdf+xml", "application/xml", "text/xml", "application/x.atom+xml", "application/x-atom+xml",
}
# trafilatura feeds.py excludes comment feeds the same way (BLACKLIST = r"\bcomments\b").
COMMENTS = re.compile(r"\bcomments\b", re.IGNORECASE)
MAX_XML_BYTES = 16 * 1024 * 1024
# An "&" that starts no entity or character reference (``?p=1&lang=en`` as blog engines write it). libxml2's
# recovery drops it with the word after it (``?p=1=en``); escaped, the link survives. CDATA is matched first and
# kept as is: an "&" there is already literal.
BARE = rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)"
BARE_AMPERSAND = re.compile(rb"(<!\[CDATA\[.*?\]\]>)|" + BARE, re.DOTALL)
ANY_BARE_AMPERSAND = re.compile(BARE)  # the cheap test first: most feeds have none, and CDATA scanning costs
JSON_FEED = re.compile(r'^\s*\{.*"version"\s*:\s*"https?://jsonfeed\.org/version/', re.DOTALL)


def feed_links(base_url: str, html: str | bytes) -> list[str]:
    """Absolute URLs of the page's ``<link rel=alternate>`` feeds, comment feeds excluded, in page order."""
    tree = parse_html(html)
    found: list[str] = []
    for link in tree.xpath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"):
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = link.get("href", "").strip()
        if kind in FEED_TYPES and href and not COMMENTS.search(href) and not COMMENTS.search(link.get("title", "")):
            url = urljoin(base_url, href)
            if url not in found:
                found.append(url)
    return found


def _xml(body: bytes | str, base_url: str | None = None) -> etree._Element:
    if len(body) > MAX_XML_BYTES:
        raise PageError(f"XML larger than {MAX_XML_BYTES} bytes")
    data = body.encode() if isinstance(body, str) else body
    if ANY_BARE_AMPERSAND.search(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: not ASCII bytes
        data = BARE_AMPERSAND.sub(lambda m: m.group(1) or b"&amp;", data)
    # resolve_entities/no_network/huge_tree off: no XXE, no billion laughs, no fetching.
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        # base_url: the document's URL, so that element.base resolves xml:base attributes against it.
        root = etree.fromstring(data.strip(), parser=parser, base_url=base_url)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise PageError(f"not XML: {exc}") from None
    if root is None:
        raise PageError("not XML")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _head(body: bytes | str) -> str:
    return (body[:2000].decode("utf-8", "replace") if isinstance(body, bytes) else body[:2000]).lower()


def is_json_feed(body: bytes | str) -> bool:
    """A JSON Feed (https://jsonfeed.org/version/1.1): an object whose ``version`` is a jsonfeed.org URL."""
    return bool(JSON_FEED.match(_head(body).lstrip("\ufeff")))


def is_feed(body: bytes | str) -> bool:
    """An RSS, Atom, RSS 1.0 (RDF) or JSON feed, judged from the first 2000 characters."""
    head = _head(body)
    return "<rss" in head or "<feed" in head or "<rdf:rdf" in head or is_json_feed(body)


def is_sitemap(body: bytes | str) -> bool:
    head = _head(body)
    return "<urlset" in head or "<sitemapindex" in head


def feed_entry_links(base_url: str, body: bytes | str) -> list[str]:
    """Entry permalinks of an RSS 2.0 / RSS 1.0 / Atom / JSON feed, in feed order, absolute (``xml:base`` and
    relative links resolved)."""
    if is_json_feed(body):
        return _json_feed_links(base_url, body)
    root = _xml(body, base_url)
    links: list[str] = []
    for entry in root.iter():
        if _local(entry.tag) not in ("item", "entry"):
            continue
        url, element = _entry_link(entry)
        if url:
            absolute = urljoin(element.base or base_url, url)
            if absolute not in links:
                links.append(absolute)
    return links


def _entry_link(entry: etree._Element) -> tuple[str | None, etree._Element]:
    """An entry's ``link`` (rel=alternate, the default), else its permalink ``guid``, and the element it is on."""
    url, where = None, entry
    for child in entry:
        cname = _local(child.tag)
        if cname == "link":
            candidate = child.get("href") or (child.text or "").strip()
            if candidate and child.get("rel", "alternate") == "alternate":
                return candidate, child
        elif (cname == "guid" and url is None and child.get("isPermaLink", "true") != "false"
              and (child.text or "").startswith("http")):
            url, where = (child.text or "").strip(), child
    return url, where


def _json_feed_links(base_url: str, body: bytes | str) -> list[str]:
    """``items[].url`` of a JSON Feed: the permalink (``external_url`` is the page a link post points at, and an
    ``id`` that looks like a URL is not promised to be one)."""
    if len(body) > MAX_XML_BYTES:
        raise PageError(f"JSON feed larger than {MAX_XML_BYTES} bytes")
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError; RecursionError: deep nesting
        raise PageError(f"not a JSON feed: {exc}") from None
    items = data.get("items") if isinstance(data, dict) else None
    links: list[str] = []
    for item in items if isinstance(items, list) else []:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.strip():
            absolute = urljoin(base_url, url.strip())
            if absolute not in links:
                links.append(absolute)
    return links


def sitemap_links(body: bytes | str) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index."""
    root = _xml(body)
    pages: list[str] = []
    children: list[str] = []
    kind = _local(root.tag)
    for loc in root.iter():
        if _local(loc.tag) != "loc" or not (loc.text or "").strip():
            continue
        parent = _local(loc.getparent().tag) if loc.getparent() is not None else ""
        target = children if kind == "sitemapindex" or parent == "sitemap" else pages
        target.append(loc.text.strip())  # type: ignore[union-attr]
    return pages, children


def robots_sitemaps(robots_txt: str) -> list[str]:
    """``Sitemap:`` lines of a robots.txt."""
    return [m.group(1).strip() for m in re.finditer(r"(?im)^\s*sitemap\s*:\s*(\S+)", robots_txt)]


def same_site(url: str, base_url: str) -> bool:
    """True when ``url`` is on the host of ``base_url`` (``www.`` ignored)."""
    a = (urlsplit(url).hostname or "").removeprefix("www.")
    b = (urlsplit(base_url).hostname or "").removeprefix("www.")
    return bool(a) and a == b


def guess_feed_urls(base_url: str) -> list[str]:
    """Common feed paths of blog engines (WordPress, Ghost, Hugo, Jekyll, Blogger), tried when the page names none."""
    root = f"{urlsplit(base_url).scheme}://{urlsplit(base_url).netloc}"
    return [root + p for p in ("/feed", "/rss", "/index.xml", "/feed.xml", "/atom.xml", "/feeds/posts/default")]
