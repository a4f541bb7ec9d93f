"""Medium RSS feeds (``/feed/@user``, ``<user>.medium.com/feed``, ``/feed/<publication>``) -> posts.

The feed holds the latest 10 items. Free posts carry the whole body in ``content:encoded``; member-only ones may
carry only a ``medium-feed-snippet`` in ``description`` (a preview, never the complete text). Responses
(comments) are items too: short, untitled (the title is their own opening words), without tags.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml import etree

from twin_crawler.items import Article
from twin_crawler.urls import medium_post_id

from . import medium_text
from .html import PageError, parse_datetime
from .markdown import convert, parse_fragment
from .medium import MediumFields
from .medium_text import TRACKING_PIXEL
from .page import Page, domain_of

NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}
MAX_FEED_BYTES = 16 * 1024 * 1024
CHANNEL_TITLE = re.compile(r"^Stories by (.+?) on Medium$")
GUID_ID = re.compile(r"/p/([0-9a-f]{8,12})$")


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


class MediumFeedItem(MediumFields):
    """One ``<item>`` of a Medium feed read as a post: complete, or a preview (``complete`` False: member-only or
    cut short, flagged paywalled; the page may hold more)."""

    source = "feed"
    language = None
    subtitle = ""
    description = None

    def __init__(self, item: etree._Element, url: str, post_id: str) -> None:
        self.url, self.post_id = url, post_id
        """``url`` is the item's link without Medium's ``?source=rss-...`` tracking query."""
        self.medium_url = url
        self.title = " ".join(_text(item, "title").split())
        self.tags = [(c.text or "").strip() for c in item.findall("category") if (c.text or "").strip()]
        self.byline = _text(item, "dc:creator") or None
        self.published_at = parse_datetime(_text(item, "pubDate"))
        self.modified_at = parse_datetime(_text(item, "atom:updated"))
        html = _text(item, "content:encoded")
        body = _fragment(html) if html else None
        complete = body is not None and "Continue reading on" not in html
        self.publication, self.links, self.images = None, [], []
        if body is not None:
            self.publication = _remove_tracking(body)
            converted = convert(body, url, medium_text.FEED)
            self.content, self.links, self.images = _without_title(converted.markdown, self.title), converted.links, converted.images
        else:
            self.content = _snippet(_text(item, "description"))
        self.is_paywalled = not complete
        self.kind = "response" if complete and not self.tags and body is not None and is_response(self.title, self.content, body) else "article"
        self.complete = complete and bool(self.content.strip())

    @property
    def creator(self) -> str | None:
        """The item's ``dc:creator``: on a publication feed, who wrote it."""
        return self.byline


class MediumFeedPage(Page):
    """A Medium RSS feed: whose it is (``Stories by X on Medium``) and every item whose post id can be read.
    ``PageError`` from the fields for a body that is no RSS feed."""

    @cached_property
    def _channel(self) -> etree._Element:
        channel = _xml(self.body).find("channel")
        assert channel is not None  # _xml refuses a feed without one
        return channel

    @property
    def author(self) -> str | None:
        match = CHANNEL_TITLE.match(_text(self._channel, "title"))
        return match.group(1) if match else None

    @property
    def is_medium(self) -> bool:
        return _text(self._channel, "generator") == "Medium"

    def validate(self) -> None:
        self.entries  # noqa: B018 - a body that is no RSS feed fails here

    @cached_property
    def entries(self) -> list[MediumFeedItem]:
        return [entry for entry in map(_entry, self._channel.findall("item")) if entry is not None]

    def next_urls(self) -> list[str]:
        return [entry.url for entry in self.entries]


def parse_feed(body: bytes | str) -> MediumFeedPage:
    """A Medium RSS feed, read (PageError for non-feeds)."""
    return MediumFeedPage("", body).read()


def _entry(item: etree._Element) -> MediumFeedItem | None:
    url = strip_tracking(_text(item, "link"))
    guid = GUID_ID.search(_text(item, "guid"))
    post_id = guid.group(1) if guid else medium_post_id(urlsplit(url).path)
    if not post_id or not url:
        return None
    return MediumFeedItem(item, url, post_id)


def _fragment(html: str) -> lxml.html.HtmlElement | None:
    try:
        return parse_fragment(html)
    except PageError:
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


def preview_to_meta(preview: Article) -> dict[str, Any]:
    """A feed preview's article as plain JSON data (request meta must pickle for JOBDIR/Redis queues)."""
    return preview.model_dump(mode="json")


def preview_from_meta(data: dict[str, Any], url: str) -> Article:
    """The feed preview back from request meta, as read at ``url``: always flagged paywalled (it is not the
    complete text)."""
    return Article.model_validate({**data, "is_paywalled": True, "domain": domain_of(url)})
