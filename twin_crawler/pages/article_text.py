"""Generic articles: trafilatura chooses the main content, the text convention (``pages/markdown.py``) writes it.

trafilatura's own markdown drops code-fence languages and ``>`` quotes and keeps link targets inline, so its
element tree (TEI-like: ``head``, ``list/item``, ``quote``, ``code``, ``hi``, ``ref``, ``graphic``, ``row/cell``)
is renamed back to HTML and converted like every other platform's body.
"""

from __future__ import annotations

import copy
import re
from html import escape

import lxml.html
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Document

from .markdown import Converted, convert

HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
RENAME = {"quote": "blockquote", "item": "li", "row": "tr", "lb": "br", "del": "del", "graphic": "img", "ref": "a",
          "body": "div", "doc": "div", "note": "div", "figure": "figure", "cell": "td", "hi": "span"}
# Links in navigation, headers, footers, sidebars and comment threads are never the article's own links.
_FURNITURE = "|".join(f"contains(@class,'{c}') or contains(@id,'{c}')" for c in
                      ("comment", "sidebar", "menu", "footer", "share", "related", "breadcrumb"))
NAV_FREE_ANCHORS = f"//body//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside \
or ancestor::*[{_FURNITURE.replace('|', ' or ')}])]"
CONTEXT = 12  # characters of text kept on each side of a link to recognise it in the extracted text
MARKS = re.compile(r"[*_`|#>]")
INLINE_PARENTS = frozenset({"p", "item", "cell", "hi", "head", "ref", "quote", "code", "del"})


Anchors = list[tuple[str, str]]


def extract_main(tree: lxml.html.HtmlElement, url: str) -> tuple[Document | None, Converted, Anchors]:
    """trafilatura's document (metadata), the convention's text of its main content, and the page's candidate
    links for ``main_links``. trafilatura is given the parsed tree, never a URL, so it fetches nothing."""
    anchors = _anchors(tree)  # before extraction: trafilatura prunes the tree it is given
    # Without ``include_links``: with it, trafilatura splits paragraphs around links on some markups (Blogger).
    document = bare_extraction(tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
                               include_images=True, include_links=False, include_formatting=True)
    if not isinstance(document, Document) or document.body is None or not len(document.body):
        return None, Converted(""), anchors
    return document, convert(to_html(document.body), url), anchors


def main_links(markdown: str, anchors: Anchors, url: str) -> list[str]:
    """The links of the final text (after furniture and title lines are gone): canonical, deduplicated."""
    text = _plain(markdown)
    html = "".join(f'<a href="{escape(href)}">x</a>' for href, window in anchors if window in text)
    return convert(html, url).links if html else []


def _plain(text: str) -> str:
    return " ".join(MARKS.sub("", text).split()).casefold()


def _anchors(tree: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """(href, the link text with a few characters either side) of the page's links outside navigation, in
    document order. A link belongs to the main text when that window occurs in it: the window, not the bare
    link text, so a category link "Python" is not taken for the word in a sentence."""
    found: list[tuple[str, str]] = []
    for a in tree.xpath(NAV_FREE_ANCHORS):
        text = a.text_content()
        previous = a.getprevious()
        before = (previous.tail if previous is not None else a.getparent().text) or ""
        window = _plain(before[-CONTEXT:] + text + (a.tail or "")[:CONTEXT])
        if len(window.split()) >= 3 and a.get("href"):  # a lone word ("Python", "Mercurial") is a tag link
            found.append((str(a.get("href")), window))
    return found


def to_html(body: etree._Element) -> lxml.html.HtmlElement:
    """trafilatura's output tree as HTML elements (a new tree; the document is left as it is). Renamed before
    it is parsed as HTML: an HTML parser would move ``<head>`` out of the body."""
    root = copy.deepcopy(body)
    for code in [c for c in root.iter("code") if _is_block(c)]:
        _make_pre(code)
    for el in list(root.iter()):
        if isinstance(el.tag, str):
            _rename(el)
    return lxml.html.fragment_fromstring(etree.tostring(root, encoding="unicode"), create_parent="div")


def _is_block(code: lxml.html.HtmlElement) -> bool:
    """A code block: not inside a paragraph-like element or another code, or spanning several lines."""
    parent = code.getparent()
    if parent is None or parent.tag == "code":
        return False
    return parent.tag not in INLINE_PARENTS or "\n" in "".join(code.itertext()) or code.find("lb") is not None


def _make_pre(code: lxml.html.HtmlElement) -> None:
    """``<code>`` block -> ``<pre><code class=...>`` (the class, kept by trafilatura, names the language)."""
    inner = code[0] if len(code) and code[0].tag == "code" else None
    code.tag = "pre"
    if inner is None:
        inner = etree.Element("code", {"class": code.get("class") or ""})
        inner.text, code.text = code.text, None
        for child in list(code):
            inner.append(child)
        code.append(inner)


def _rename(el: lxml.html.HtmlElement) -> None:
    tag, rend = el.tag, el.get("rend") or ""
    if tag == "head":
        el.tag = rend if rend in ("h1", "h2", "h3", "h4", "h5", "h6") else "h2"
    elif tag == "list":
        el.tag = "ol" if rend == "ol" else "ul"
    elif tag == "hi":
        el.tag = HI_TAGS.get(rend, "span")
    elif tag == "ref":
        el.tag, el.attrib["href"] = "a", el.attrib.pop("target", "")
    elif tag == "cell" and el.get("role") == "head":
        el.tag = "th"
    elif tag in RENAME:
        el.tag = RENAME[tag]
    if el.tag != "img":
        el.attrib.pop("rend", None)
