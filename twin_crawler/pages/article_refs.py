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
from lxml import etree

from .markdown import Image, canonical_link
from .markdown_tree import default_src, is_web_url

# Links and images in navigation, headers, footers, sidebars and comment threads are never the article's own.
FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside"})
FURNITURE_WORDS = ("comment", "sidebar", "menu", "footer", "share", "related", "breadcrumb", "avatar")
_FURNITURE = " or ".join(f"contains(@class,'{c}') or contains(@id,'{c}')" for c in FURNITURE_WORDS)
OUTSIDE_FURNITURE = f"not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside or ancestor::*[{_FURNITURE}])"
"""The definition ``Outside`` computes (the XPath evaluated per element repeats the test on every ancestor)."""
_BODY_ANCHORS = etree.XPath("//body//a[@href]")


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
    """Every candidate link and image of the page (read before trafilatura prunes the tree)."""
    refs = Refs()
    outside = Outside()
    for a in (a for a in _BODY_ANCHORS(tree) if outside(a)):
        previous = a.getprevious()
        before = (previous.tail if previous is not None else a.getparent().text) or ""
        window = plain(before[-CONTEXT:] + a.text_content() + (a.tail or "")[:CONTEXT])
        if len(window.split()) >= 3:  # a lone word ("Python", "Mercurial") is a tag link
            refs.links.append((str(a.get("href")), window))
    refs.images = _images(tree, url, outside)
    return refs


def _images(tree: lxml.html.HtmlElement, url: str, outside: Outside) -> list[tuple[Image, str]]:
    """Images outside furniture, each twice at most: placed by its caption, else by the end of the text block
    before it and by the start of the block after it (a lead image stands between the headline and the text).
    A block's text is read only when an image needs it: most blocks of a page have no image beside them."""
    found: list[tuple[Image, str]] = []
    waiting: list[Image] = []
    last = ""
    unread: list[lxml.html.HtmlElement] = []  # text blocks since ``last`` was brought up to date
    body = tree.find("body")
    for el in body.iter("img", *TEXT_BLOCKS) if body is not None else []:
        if el.tag != "img":
            if not waiting:
                unread.append(el)
                continue
            text = _block_text(el)
            if text:
                last, unread = text[-40:].lstrip(), []
                found.extend((i, text[:40].rstrip()) for i in waiting)
                waiting = []
            continue
        image = _image(el, url, outside)
        if image is None:
            continue
        for block in reversed(unread):  # the last block of three words or more before this image
            text = _block_text(block)
            if text:
                last = text[-40:].lstrip()
                break
        unread = []
        if image["caption"]:
            found.append((image, plain(image["caption"])))
            continue
        if last:
            found.append((image, last))
        waiting.append(image)
    return found


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
