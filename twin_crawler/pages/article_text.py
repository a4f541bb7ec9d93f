"""Generic articles: trafilatura chooses the main content, the text convention (``pages/markdown.py``) writes it.

trafilatura's own markdown drops code-fence languages and ``>`` quotes and keeps link targets inline, so its
element tree (TEI-like: ``head``, ``list/item``, ``quote``, ``code``, ``hi``, ``ref``, ``graphic``, ``row/cell``)
is renamed back to HTML and converted like every other platform's body; links and images come from
``article_refs``.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree
from trafilatura.baseline import block_text
from trafilatura.core import trafilatura_sequence
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
    find_date,
)
from trafilatura.settings import Document, Extractor
from trafilatura.utils import line_processing

from .article_refs import Refs, find_refs
from .markdown import Converted, convert, parse_fragment

logger = logging.getLogger(__name__)
HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
RENAME = {"quote": "blockquote", "item": "li", "row": "tr", "lb": "br", "del": "del", "graphic": "img", "ref": "a",
          "body": "div", "doc": "div", "note": "div", "figure": "figure", "cell": "td", "hi": "span"}
INLINE_PARENTS = frozenset({"p", "item", "cell", "hi", "head", "ref", "quote", "code", "del"})


@dataclass(frozen=True)
class Needs:
    """The trafilatura metadata a page still needs after its own markup was read: its date when neither JSON-LD
    nor a ``<meta>`` gives one, its author when JSON-LD names none (title, site name, description and tags are
    always read: they are asked first or always)."""

    date: bool = True
    author: bool = True


def extract_main(tree: lxml.html.HtmlElement, url: str, needs: Needs = Needs()) -> tuple[Document | None, Converted, Refs]:
    """trafilatura's document (metadata), the convention's text of its main content, and the page's candidate
    links and images (``Refs.select`` keeps those of the final text). trafilatura is given the parsed tree,
    never a URL, so it fetches nothing. The tree is consumed: extraction prunes it."""
    refs = find_refs(tree, url)  # before extraction: trafilatura prunes the tree it is given
    document = extract(tree, url, needs)
    if document is None or document.body is None or not len(document.body):
        return None, Converted(""), refs
    return document, convert(to_html(document.body), url), refs


def _options(url: str) -> Extractor:
    """The options ``bare_extraction`` builds from the arguments we drive it with."""
    return Extractor(output_format="python", fast=False, comments=False, formatting=True, links=False, images=False,
                     tables=True, url=url, with_metadata=True)


def extract(tree: lxml.html.HtmlElement, url: str, needs: Needs = Needs()) -> Document | None:
    """What ``bare_extraction(tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
    include_images=False, include_links=False, include_formatting=True)`` returns, for the fields we read
    (``body``, ``title``, ``author``, ``sitename``, ``description``, ``tags``, ``date``), without its work that
    nothing here reads: the defensive copy of the tree (``tree`` is ours and read before extraction), the text
    rendering of the body (``document.text``: the text convention writes the body), categories, licence and
    hostname, and the date and author searches when ``needs`` says the page's markup already gave them (each
    deep-copies the tree). The same trafilatura functions run in the same order on the same tree; a differential
    test holds the fields to ``bare_extraction``'s on every fixture and a corpus sample. trafilatura is pinned to
    2.3.* (``trafilatura_sequence`` is internal)."""
    options = _options(url)
    try:
        document = _metadata(tree, url, options, needs)
        body, text, _comments, comments_text = trafilatura_sequence(tree, options, url)
        if options.max_tree_size and len(body) > options.max_tree_size:
            return None  # bare_extraction strips <hi> first; no page of ours comes near its default (unset)
        if len(text) < options.min_output_size and len(comments_text) < options.min_output_comm_size:
            return None
    except (TypeError, ValueError):  # as bare_extraction: "discarding data"
        return None
    document.body = body
    return document


def _metadata(tree: lxml.html.HtmlElement, url: str, options: Extractor, needs: Needs) -> Document:
    """``trafilatura.metadata.extract_metadata(tree, url, options.date_params, options.fast)`` minus the fields nothing reads."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as exc:  # noqa: BLE001 - as trafilatura: bugs in its JSON metadata reader are not fatal
        logger.debug("error in JSON metadata extraction: %s", exc)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author and needs.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if needs.date:
        date_config = {**options.date_params, "url": metadata.url}
        metadata.date = find_date(tree, **date_config)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    if not metadata.tags:
        metadata.tags = page_tags(tree)
    metadata.clean_and_trim()
    return metadata


# trafilatura's TAGS_XPATHS (xpaths.py, 2.3), as tests on a class attribute's value and its element's tag: tag links
# live in a <div class=tags>, a <p class=entry-tags...>, a <div class=row|jp-relatedposts|entry-utility|tag...|
# postmeta...|meta...>, or any element whose class is entry-meta or holds topics / tags-links.
_CLASSES = etree.XPath("//@class")
_META_CLASS = re.compile(r"^(?:tag|postmeta|meta)")
_TAG_LINK = re.compile(r"/tag(?:y|ies|s)?/")


_RULE_STARTS = ("tag", "entry-tags", "row", "jp-relatedposts", "entry-utility", "postmeta", "meta", "entry-meta")
"""What a class value starts with when one of the rules below can hold (else only ``topics``/``tags-links`` in it)."""


def _tag_rules(value: str, tag: str) -> tuple[bool, bool, bool, bool]:
    return (tag == "div" and value == "tags",
            tag == "p" and value.startswith("entry-tags"),
            tag == "div" and (value in ("row", "jp-relatedposts", "entry-utility") or _META_CLASS.search(value) is not None),
            value == "entry-meta" or "topics" in value or "tags-links" in value)


def page_tags(tree: lxml.html.HtmlElement) -> list[str]:
    """``trafilatura.metadata.extract_catstags("tag", tree)``, reading the document's class attributes once instead
    of walking the whole tree with each of its four XPaths (0.78 -> 0.32 ms a corpus page): the first rule whose
    containers hold a link to a tag page gives the tags. A test holds it to trafilatura's on every fixture."""
    containers: tuple[list[Any], ...] = ([], [], [], [])
    for value in _CLASSES(tree):
        text = str(value)
        if not (text.startswith(_RULE_STARTS) or "topics" in text or "tags-links" in text):
            continue  # no rule can hold (most of a page's classes): the element is not even looked at
        element = value.getparent()
        for rule, hit in zip(containers, _tag_rules(text, element.tag), strict=True):
            if hit:
                rule.append(element)
    results: list[str] = []
    for rule in containers:
        anchors: dict[Any, None] = {}  # ``//x//a[@href]``: document order, each once
        for element in rule:
            for a in element.iter("a"):
                if a.get("href") is not None:
                    anchors[a] = None
        results.extend(block_text(a) for a in anchors if _TAG_LINK.search(a.attrib["href"]))
        if results:
            break
    return [r for r in dict.fromkeys(line_processing(x) for x in results if x) if r]


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
