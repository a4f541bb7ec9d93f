"""Generic articles: trafilatura chooses the main content, the text convention (``pages/markdown.py``) writes it.

trafilatura's own markdown drops code-fence languages and ``>`` quotes and keeps link targets inline, so its
element tree (TEI-like: ``head``, ``list/item``, ``quote``, ``code``, ``hi``, ``ref``, ``graphic``, ``row/cell``)
is renamed back to HTML and converted like every other platform's body; links and images come from
``article_refs``.
"""

from __future__ import annotations

import copy

import lxml.html
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Document

from .article_refs import Refs, find_refs
from .markdown import Converted, convert, parse_fragment

HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
RENAME = {"quote": "blockquote", "item": "li", "row": "tr", "lb": "br", "del": "del", "graphic": "img", "ref": "a",
          "body": "div", "doc": "div", "note": "div", "figure": "figure", "cell": "td", "hi": "span"}
INLINE_PARENTS = frozenset({"p", "item", "cell", "hi", "head", "ref", "quote", "code", "del"})


def extract_main(tree: lxml.html.HtmlElement, url: str) -> tuple[Document | None, Converted, Refs]:
    """trafilatura's document (metadata), the convention's text of its main content, and the page's candidate
    links and images (``Refs.select`` keeps those of the final text). trafilatura is given the parsed tree,
    never a URL, so it fetches nothing."""
    refs = find_refs(tree, url)  # before extraction: trafilatura prunes the tree it is given
    document = bare_extraction(tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
                               include_images=False, include_links=False, include_formatting=True)
    if not isinstance(document, Document) or document.body is None or not len(document.body):
        return None, Converted(""), refs
    return document, convert(to_html(document.body), url), refs


def to_html(body: etree._Element) -> lxml.html.HtmlElement:
    """trafilatura's output tree as HTML elements (a new tree; the document is left as it is). Renamed before
    it is parsed as HTML: an HTML parser would move ``<head>`` out of the body."""
    root = copy.deepcopy(body)
    for code in [c for c in root.iter("code") if _is_block(c)]:
        _make_pre(code)
    for el in list(root.iter()):
        if isinstance(el.tag, str):
            _rename(el)
    return parse_fragment(etree.tostring(root, encoding="unicode"))


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
