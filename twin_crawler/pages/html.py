"""Shared, safe HTML helpers for page parsers: parsing, meta tags, JSON-LD, dates."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lxml.html
from lxml import etree

MAX_HTML_BYTES = 8 * 1024 * 1024  # parsers refuse larger documents (a page is never that big; a bomb may be)


class PageError(ValueError):
    """A page the parser cannot read (not HTML, empty, too large)."""


# lxml.html's parser finds each element's Python class with a Python callback (``HtmlElementClassLookup.lookup``,
# which gives <form>, <input>, <select>, <textarea> and <label> their own subclasses): one call per element proxy,
# ~2,000 per page of trafilatura's walk over our tree. No parser here uses those form classes, so every element is
# a plain ``HtmlElement`` found by lxml's C-level default lookup: the same tree, the same methods, no callback.
_CLASSES = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                           pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def html_parser(**options: Any) -> lxml.html.HTMLParser:
    """An ``lxml.html.HTMLParser`` (``options`` as its) whose elements are ``HtmlElement``s by the C lookup."""
    parser = lxml.html.HTMLParser(**options)
    parser.set_element_class_lookup(_CLASSES)
    return parser


FRAGMENT_PARSER = html_parser()
"""lxml.html's default parser with the C lookup, for ``markdown.parse_fragment`` (the one place fragments are parsed)."""
_DOCUMENT_PARSER = html_parser(remove_comments=True, no_network=True, huge_tree=False)  # one for every page, as lxml's own


_UTF8_PARSER = html_parser(remove_comments=True, no_network=True, huge_tree=False, encoding="utf-8")
# What libxml2 reports for bytes that are not the encoding it was told: the bytes path then gives way to the text.
_ENCODING_ERRORS = frozenset({"ERR_INVALID_ENCODING", "ERR_INVALID_CHAR", "ERR_UNSUPPORTED_ENCODING",
                              "ERR_UNKNOWN_ENCODING"})


def parse_utf8(body: bytes) -> lxml.html.HtmlElement | None:
    """``parse_html(body.decode("utf-8", "replace"))``, parsed from the bytes: no decode to a Python string, and no
    conversion of that string back by lxml (0.22 ms of a 146 KB page). None when the shortcut cannot promise the
    same tree, and the caller parses the text: a byte-order mark, a NUL byte, no markup at all, past the size cap,
    or bytes libxml2 finds are not UTF-8 (the text path's replacement characters are then what counts)."""
    if len(body) > MAX_HTML_BYTES or b"<" not in body or b"\x00" in body or body.startswith(codecs.BOM_UTF8):
        return None
    try:
        tree = lxml.html.document_fromstring(body, parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError):
        return None
    if tree is None or any(e.domain_name == "I18N" or e.type_name in _ENCODING_ERRORS for e in _UTF8_PARSER.error_log):
        return None
    return tree


def parse_html(html: str | bytes) -> lxml.html.HtmlElement:
    """Parse HTML leniently, refusing empty and oversized input; no network, no entities."""
    if len(html) > MAX_HTML_BYTES:
        raise PageError(f"page larger than {MAX_HTML_BYTES} bytes")
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    html = html.replace("\x00", "")
    if not html.strip():
        raise PageError("empty page")
    try:
        tree = lxml.html.document_fromstring(html, parser=_DOCUMENT_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"not HTML: {exc}") from None
    if tree is None:
        raise PageError("not HTML")
    return tree


@dataclass
class Head:
    """What pages read from a document's ``<meta>``, ``<link rel=canonical>``, ``<base>``, JSON-LD scripts,
    ``<article>``s and h2-h4 headings, gathered in one walk over the tree (each XPath ``//x`` asked separately
    walked the whole document: eight such walks cost ~0.8 ms of a blog page)."""

    metas: dict[str, str] = field(default_factory=dict)
    """name/property/itemprop -> the first non-empty value (``content=`` or ``value=``) carrying it, in order."""
    canonical: str | None = None
    """``//link[@rel='canonical']/@href`` (the first), stripped."""
    base: str | None = None
    """``string((//base/@href)[1])``, as written."""
    ld: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON-LD object, ``@graph`` members flattened; broken blocks skipped."""
    articles: list[lxml.html.HtmlElement] = field(default_factory=list)
    """Every ``<article>``, in document order."""
    headings: list[lxml.html.HtmlElement] = field(default_factory=list)
    """Every ``<h2>``, ``<h3>`` and ``<h4>``, in document order."""


_last_head: tuple[lxml.html.HtmlElement | None, Head] = (None, Head())


def head(tree: lxml.html.HtmlElement) -> Head:
    """The tree's ``Head``, read once (the last tree's is kept: a parser reads one page at a time, and reads it
    before anything prunes the tree)."""
    global _last_head
    root = tree.getroottree().getroot()  # as ``//x`` from any element: the whole document
    if _last_head[0] is root:
        return _last_head[1]
    found = Head()
    metas = found.metas
    for el in root.iter("meta", "link", "base", "script", "article", "h2", "h3", "h4"):
        tag = el.tag
        if tag in ("h2", "h3", "h4"):
            found.headings.append(el)
        elif tag == "article":
            found.articles.append(el)
        elif tag == "meta":
            value = (el.get("content") or el.get("value") or "").strip()
            if value:
                for attr in ("property", "name", "itemprop"):
                    key = el.get(attr)
                    if key is not None and key not in metas:
                        metas[key] = value
        elif tag == "link":
            if found.canonical is None and el.get("rel") == "canonical" and (href := el.get("href")) is not None:
                found.canonical = href.strip()
        elif tag == "base":
            if found.base is None and (href := el.get("href")) is not None:
                found.base = href
        elif el.get("type") == "application/ld+json":
            found.ld.extend(_ld_objects(el.text or ""))
    _last_head = (root, found)
    return found


def metas(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """name/property/itemprop -> the first non-empty value (``content=`` or ``value=``) of a ``<meta>`` carrying
    it, in document order."""
    return head(tree).metas


def meta(tree: lxml.html.HtmlElement, *names: str) -> str | None:
    """The first non-empty ``<meta name|property=...>`` value (``content=`` or ``value=``) among ``names``."""
    found = metas(tree)
    return next((found[name] for name in names if name in found), None)


def _ld_objects(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return []
    objects: list[dict[str, Any]] = []
    for obj in data if isinstance(data, list) else [data]:
        if isinstance(obj, dict):
            objects.append(obj)
            graph = obj.get("@graph")
            if isinstance(graph, list):
                objects.extend(g for g in graph if isinstance(g, dict))
    return objects


def json_ld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` members flattened; broken blocks are skipped."""
    return head(tree).ld


def ld_types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v) for v in values if v}


def iter_ld(tree: lxml.html.HtmlElement, types: set[str]) -> Iterator[dict[str, Any]]:
    for obj in json_ld(tree):
        if ld_types(obj) & types:
            yield obj


def person_name(value: Any) -> str | None:
    """Name from a JSON-LD ``author`` (string, Person, or list of them)."""
    if isinstance(value, list):
        names = [n for n in (person_name(v) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        name = value.get("name")
        return str(name).strip() if name else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 (with or without time/zone), epoch seconds or milliseconds -> aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if re.fullmatch(r"\d{10,13}", text):
        return parse_datetime(int(text))
    text = re.sub(r"Z$", "+00:00", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            parsed = parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def html_language(tree: lxml.html.HtmlElement) -> str | None:
    """Two-letter language from ``<html lang>``, ``og:locale`` or ``content-language``."""
    candidates = [tree.get("lang"), tree.get("xml:lang"), meta(tree, "og:locale", "content-language", "language")]
    for value in candidates:
        if value:
            match = re.match(r"([A-Za-z]{2,3})\b", value.strip())
            if match:
                return match.group(1).lower()
    return None


def canonical_url(tree: lxml.html.HtmlElement) -> str | None:
    return head(tree).canonical
