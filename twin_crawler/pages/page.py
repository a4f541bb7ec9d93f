"""The shape every page object has: web-poet's, without the framework.

A page is built from what a download gives, ``(url, body, headers)``; its fields are properties, each computed
once on first use; ``to_item(...)`` is the document the page holds (the caller adds only what the page cannot
know: whose crawl it is, the link it was asked for); ``next_urls()`` lists the pages it leads to. A page that is
not what its class reads raises that module's reason-carrying error from the first field that needs it. Nothing
here knows Scrapy: a parse-pool worker, a test or a benchmark builds a page from bytes exactly as a callback does.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from functools import cached_property
from typing import Self
from urllib.parse import urlsplit

import lxml.html
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom

from .html import parse_html, parse_utf8


def domain_of(url: str, missing: str = "-") -> str:
    """A URL's host without ``www.`` (``missing`` when it has none): the ``domain`` of documents and run reports."""
    return (urlsplit(url).hostname or missing).removeprefix("www.")


class Page:
    """One downloaded page: ``url``, ``body`` (bytes, or text already decoded), lower-cased ``headers``."""

    def __init__(self, url: str, body: bytes | str, headers: Mapping[str, str] | None = None, *,
                 encoding: str | None = None) -> None:
        self.url = url
        self.body = body
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.encoding = encoding
        """The response's encoding when the caller knows it (``TextResponse.encoding``); else the header's, else
        what the body declares (w3lib's rules, the ones Scrapy applies)."""

    @cached_property
    def text(self) -> str:
        """The body as text, decoded exactly as ``TextResponse.text`` decodes it."""
        if isinstance(self.body, str):
            return self.body
        content_type = f"charset={self.encoding}" if self.encoding else self.headers.get("content-type", "")
        return html_to_unicode(content_type, self.body)[1]

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The parsed document (``PageError`` when it is empty, not HTML, or too large). A body that ``text``
        would decode as UTF-8 is parsed from its bytes when that gives the same tree (``parse_utf8``)."""
        if isinstance(self.body, bytes) and "text" not in self.__dict__ and self._decodes_as_utf8():
            tree = parse_utf8(self.body)
            if tree is not None:
                return tree
        return parse_html(self.text)

    def _decodes_as_utf8(self) -> bool:
        """``text`` would decode the body as UTF-8: w3lib's choice in ``html_to_unicode`` (a byte-order mark, else
        the given or declared charset, else the body's ``<meta>``, else UTF-8), made without decoding."""
        assert isinstance(self.body, bytes)
        if read_bom(self.body)[0] is not None:
            return False
        content_type = f"charset={self.encoding}" if self.encoding else self.headers.get("content-type", "")
        encoding = http_content_type_encoding(content_type) or html_body_declared_encoding(self.body) or "utf-8"
        try:
            return codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            return False

    @property
    def domain(self) -> str:
        """The page's host without ``www.`` (``-`` when the URL has none)."""
        return domain_of(self.url)

    def read(self) -> Self:
        """The page, read now: a page that is not what its class reads raises its error here, where the caller
        handles it, rather than from the first field asked later."""
        self.validate()
        return self

    def validate(self) -> None:
        """Read what decides whether the page is one (the main text, by default)."""
        getattr(self, "content")  # noqa: B009 - every page with a text names it ``content``

    def next_urls(self) -> list[str]:
        """Pages this one leads to (none by default: an article page is a leaf)."""
        return []
