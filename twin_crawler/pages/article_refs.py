"""The links and images of a generic article's main text, found on the page trafilatura was given.

trafilatura is run without ``include_links`` and ``include_images``: with links it splits paragraphs around them
on some markups (Blogger), with images it changes what it takes for the main text (newspaper4k's CNN index page
grows from 146 to 801 words and passes for an article). So both are read from the page before extraction, each
with a little of the text around it, and kept when that text occurs in the final ``Content``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html

from .markdown import Image, canonical_link
from .markdown_tree import default_src, is_web_url

# Links and images in navigation, headers, footers, sidebars and comment threads are never the article's own.
FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside"})
FURNITURE_WORDS = ("comment", "sidebar", "menu", "footer", "share", "related", "breadcrumb", "avatar")
_FURNITURE = " or ".join(f"contains(@class,'{c}') or contains(@id,'{c}')" for c in FURNITURE_WORDS)
OUTSIDE_FURNITURE = f"not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside or ancestor::*[{_FURNITURE}])"
"""The definition ``Outside`` computes (the XPath evaluated per element repeats the test on every ancestor)."""


class Outside:
    """``OUTSIDE_FURNITURE`` with each ancestor judged once per page: links and images share their ancestors, so
    the page's few hundred ancestors are tested instead of every ancestor of every link and image."""

    def __init__(self) -> None:
        self.clean: dict[lxml.html.HtmlElement, bool] = {}
        """element -> neither it nor any of its ancestors is furniture (lxml keeps one proxy per referenced node)."""

    def __call__(self, el: lxml.html.HtmlElement) -> bool:
        chain = []
        node = el.getparent()
        result = True
        while node is not None:
            known = self.clean.get(node)
            if known is not None:
                result = known
                break
            chain.append(node)
            node = node.getparent()
        for node in reversed(chain):
            result = result and not _is_furniture(node)
            self.clean[node] = result
        return result


def _is_furniture(el: lxml.html.HtmlElement) -> bool:
    if el.tag in FURNITURE_TAGS:
        return True
    cls, ident = el.get("class") or "", el.get("id") or ""
    return any(w in cls or w in ident for w in FURNITURE_WORDS)
CONTEXT = 12  # characters of text kept on each side of a link to recognise it in the extracted text
TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "td", "dd"})
MARKS = re.compile(r"[*_`|#>]")


def plain(text: str) -> str:
    """Text compared without markdown marks, case or spacing."""
    return " ".join(MARKS.sub("", text).split()).casefold()


@dataclass
class Refs:
    """Candidate links and images of a page, each with the text that places it."""

    links: list[tuple[str, str]] = field(default_factory=list)
    images: list[tuple[Image, str]] = field(default_factory=list)

    def select(self, markdown: str, url: str) -> tuple[list[str], list[Image]]:
        """The links (canonical, deduplicated) and images whose surrounding text is in ``markdown``."""
        text = plain(markdown)
        # The text convention's link rule (canonical, deduplicated, never the page itself), applied directly: a
        # fragment of the kept anchors used to go through the whole converter just for its ``links``.
        seen = {canonical_link(url, "")} if url else set()
        links: list[str] = []
        for href, window in self.links:
            link = canonical_link(url, href) if window in text else None
            if link and link not in seen:
                seen.add(link)
                links.append(link)
        images: dict[str, Image] = {}
        for image, window in self.images:
            if window in text:
                images.setdefault(image["src"], image)
        return links, list(images.values())


def find_refs(tree: lxml.html.HtmlElement, url: str) -> Refs:
    """Every candidate link and image of the page (read before trafilatura prunes the tree), in one walk of the
    ``<body>`` (lxml's HTML parser puts the one ``<body>`` under ``<html>``)."""
    refs = Refs()
    body = tree.find("body")
    if body is None:
        return refs
    outside = Outside()
    images = _Images(url, outside)
    for el in body.iter("a", "img", *TEXT_BLOCKS):
        if el.tag != "a":
            images.see(el)
        elif el.get("href") is not None and outside(el):
            previous = el.getprevious()
            before = (previous.tail if previous is not None else el.getparent().text) or ""
            window = plain(before[-CONTEXT:] + el.text_content() + (el.tail or "")[:CONTEXT])
            if len(window.split()) >= 3:  # a lone word ("Python", "Mercurial") is a tag link
                refs.links.append((str(el.get("href")), window))
    refs.images = images.found
    return refs


class _Images:
    """Images outside furniture, each twice at most: placed by its caption, else by the end of the text block
    before it and by the start of the block after it (a lead image stands between the headline and the text).
    Fed the body's images and text blocks in document order; a block's text is read only when an image needs it:
    most blocks of a page have no image beside them."""

    def __init__(self, url: str, outside: Outside) -> None:
        self.url, self.outside = url, outside
        self.found: list[tuple[Image, str]] = []
        self.waiting: list[Image] = []
        self.last = ""
        self.unread: list[lxml.html.HtmlElement] = []  # text blocks since ``last`` was brought up to date

    def see(self, el: lxml.html.HtmlElement) -> None:
        if el.tag != "img":
            if not self.waiting:
                self.unread.append(el)
                return
            text = _block_text(el)
            if text:
                self.last, self.unread = text[-40:].lstrip(), []
                self.found.extend((i, text[:40].rstrip()) for i in self.waiting)
                self.waiting = []
            return
        image = _image(el, self.url, self.outside)
        if image is None:
            return
        for block in reversed(self.unread):  # the last block of three words or more before this image
            text = _block_text(block)
            if text:
                self.last = text[-40:].lstrip()
                break
        self.unread = []
        if image["caption"]:
            self.found.append((image, plain(image["caption"])))
            return
        if self.last:
            self.found.append((image, self.last))
        self.waiting.append(image)


def _block_text(block: lxml.html.HtmlElement) -> str:
    """The plain text of a text block that can place an image (three words or more), else ``""``."""
    text = plain(block.text_content())
    return text if len(text.split()) >= 3 else ""


def _image(img: lxml.html.HtmlElement, url: str, outside: Outside) -> Image | None:
    src = default_src(img, url)
    if not src or not is_web_url(src) or not outside(img):
        return None
    figure = next(img.iterancestors("figure"), None)
    caption = " ".join(" ".join(c.text_content().split()) for c in figure.iter("figcaption")) if figure is not None else ""
    return {"src": src, "alt": " ".join((img.get("alt") or "").split()), "caption": caption}
