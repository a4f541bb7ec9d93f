"""Feed and sitemap discovery, parsed from bodies Scrapy fetched (no library fetches on its own)."""

from __future__ import annotations

import re
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


def _xml(body: bytes | str) -> etree._Element:
    if len(body) > MAX_XML_BYTES:
        raise PageError(f"XML larger than {MAX_XML_BYTES} bytes")
    data = body.encode() if isinstance(body, str) else body
    # resolve_entities/no_network/huge_tree off: no XXE, no billion laughs, no fetching.
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise PageError(f"not XML: {exc}") from None
    if root is None:
        raise PageError("not XML")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def is_feed(body: bytes | str) -> bool:
    head = (body[:2000].decode("utf-8", "replace") if isinstance(body, bytes) else body[:2000]).lower()
    return "<rss" in head or "<feed" in head or "<rdf:rdf" in head


def is_sitemap(body: bytes | str) -> bool:
    head = (body[:2000].decode("utf-8", "replace") if isinstance(body, bytes) else body[:2000]).lower()
    return "<urlset" in head or "<sitemapindex" in head


def feed_entry_links(base_url: str, body: bytes | str) -> list[str]:
    """Entry permalinks of an RSS 2.0 / RSS 1.0 / Atom feed, in feed order."""
    root = _xml(body)
    links: list[str] = []
    for entry in root.iter():
        name = _local(entry.tag)
        if name not in ("item", "entry"):
            continue
        url = None
        for child in entry:
            cname = _local(child.tag)
            if cname == "link":
                rel = child.get("rel", "alternate")
                candidate = child.get("href") or (child.text or "").strip()
                if candidate and rel == "alternate":
                    url = candidate
                    break
            elif cname == "guid" and child.get("isPermaLink", "true") != "false" and (child.text or "").startswith("http"):
                url = url or child.text.strip()  # type: ignore[union-attr]
        if url:
            absolute = urljoin(base_url, url)
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
