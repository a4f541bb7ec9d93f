"""Medium RSS feeds (``/feed/@user``, ``<user>.medium.com/feed``, ``/feed/<publication>``) -> posts.

The feed holds the latest 10 items. Free posts carry the whole body in ``content:encoded``; member-only ones may
carry only a ``medium-feed-snippet`` in ``description`` (a preview, never the complete text). Responses
(comments) are items too: short, untitled (the title is their own opening words), without tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml import etree

from twin_crawler.urls import medium_post_id

from . import medium_text
from .html import PageError, parse_datetime
from .markdown import convert
from .medium import MediumPost
from .medium_text import TRACKING_PIXEL

NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}
MAX_FEED_BYTES = 16 * 1024 * 1024
CHANNEL_TITLE = re.compile(r"^Stories by (.+?) on Medium$")
GUID_ID = re.compile(r"/p/([0-9a-f]{8,12})$")


@dataclass
class FeedEntry:
    """One feed item: the post (complete, or a preview when ``complete`` is False) and where it lives."""

    post: MediumPost
    url: str
    """The item's link without Medium's ``?source=rss-...`` tracking query."""
    creator: str | None
    complete: bool


@dataclass
class MediumFeed:
    """A parsed feed: whose it is and its items."""

    author: str | None
    is_medium: bool
    entries: list[FeedEntry] = field(default_factory=list)


def _xml(body: bytes | str) -> etree._Element:
    if len(body) > MAX_FEED_BYTES:
        raise PageError(f"feed larger than {MAX_FEED_BYTES} bytes")
    data = body.encode() if isinstance(body, str) else body
    # No entities, no network, no huge trees: a feed is untrusted input.
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise PageError(f"not XML: {exc}") from None
    if root is None or root.find("channel") is None:
        raise PageError("not an RSS feed (no <channel>)")
    return root


def _text(item: etree._Element, path: str) -> str:
    found = item.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def parse_feed(body: bytes | str) -> MediumFeed:
    """Every item of a Medium RSS feed whose post id can be read. Raises PageError for non-feeds."""
    channel = _xml(body).find("channel")
    assert channel is not None
    match = CHANNEL_TITLE.match(_text(channel, "title"))
    feed = MediumFeed(author=match.group(1) if match else None, is_medium=_text(channel, "generator") == "Medium")
    for item in channel.findall("item"):
        entry = _entry(item)
        if entry is not None:
            feed.entries.append(entry)
    return feed


def _entry(item: etree._Element) -> FeedEntry | None:
    url = strip_tracking(_text(item, "link"))
    guid = GUID_ID.search(_text(item, "guid"))
    post_id = guid.group(1) if guid else medium_post_id(urlsplit(url).path)
    if not post_id or not url:
        return None
    title = " ".join(_text(item, "title").split())
    tags = [(c.text or "").strip() for c in item.findall("category") if (c.text or "").strip()]
    html = _text(item, "content:encoded")
    body = _fragment(html) if html else None
    complete = body is not None and "Continue reading on" not in html
    publication, links, images = None, [], []
    if body is not None:
        publication = _remove_tracking(body)
        converted = convert(body, url, medium_text.FEED)
        content, links, images = _without_title(converted.markdown, title), converted.links, converted.images
    else:
        content = _snippet(_text(item, "description"))
    post = MediumPost(
        post_id=post_id,
        title=title,
        content=content,
        byline=_text(item, "dc:creator") or None,
        published_at=parse_datetime(_text(item, "pubDate")),
        modified_at=parse_datetime(_text(item, "atom:updated")),
        tags=tags,
        is_paywalled=not complete,
        url=url,
        publication=publication,
        source="feed",
        links=links,
        images=images,
    )
    if complete and not tags and body is not None and is_response(title, content, body):
        post.kind = "response"
    return FeedEntry(post=post, url=url, creator=post.byline, complete=complete and bool(content.strip()))


def _fragment(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def _remove_tracking(body: lxml.html.HtmlElement) -> str | None:
    """Drop the 1x1 view pixel and the '<hr><p>X was originally published in Y on Medium…</p>' footer; return
    the publication the footer names."""
    for img in list(body.iter("img")):
        if TRACKING_PIXEL in (img.get("src") or ""):
            img.drop_tree()
    for p in list(body.iter("p")):
        if "was originally published in" in p.text_content() and p.getnext() is None:
            links = p.findall("a")
            previous = p.getprevious()
            if previous is not None and previous.tag == "hr":
                previous.drop_tree()
            p.drop_tree()
            return " ".join(links[1].text_content().split()) or None if len(links) > 1 else None
    return None


def _snippet(description: str) -> str:
    """The preview text of a snippet-only item (``medium-feed-snippet``), without "Continue reading" links."""
    if not description:
        return ""
    body = _fragment(description)
    if body is None:
        return ""
    snippets = body.xpath(".//*[contains(@class, 'medium-feed-snippet')]")
    return " ".join(" ".join(s.text_content().split()) for s in snippets)


def _without_title(markdown: str, title: str) -> str:
    first, _, rest = markdown.partition("\n\n")
    if title and re.sub(r"^#+\s*", "", first).strip().casefold() == title.casefold():
        return rest.strip()
    return markdown


def is_response(title: str, content: str, body: lxml.html.HtmlElement) -> bool:
    """Responses have no headings or figures, and Medium titles them with their own opening words."""
    if body.xpath(".//h1 | .//h2 | .//h3 | .//h4 | .//figure"):
        return False
    head = _words(title)
    if title.rstrip().endswith(("…", "...")):
        head = head[:-1]  # the title was cut there, possibly inside a word
    return bool(head) and _words(content)[: len(head)] == head


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def preview_to_meta(post: MediumPost) -> dict[str, Any]:
    """A feed preview as plain data (request meta must pickle for JOBDIR/Redis queues)."""
    return {"post_id": post.post_id, "title": post.title, "content": post.content, "byline": post.byline,
            "published_at": post.published_at.isoformat() if post.published_at else None, "tags": post.tags,
            "url": post.url, "links": post.links, "images": post.images}


def preview_from_meta(data: dict[str, Any]) -> MediumPost:
    """The feed preview back from request meta: always flagged paywalled (it is not the complete text)."""
    return MediumPost(post_id=data["post_id"], title=data["title"], content=data["content"], byline=data["byline"],
                      published_at=parse_datetime(data["published_at"]), tags=list(data["tags"]), url=data["url"],
                      is_paywalled=True, source="feed", links=list(data.get("links") or []),
                      images=list(data.get("images") or []))
