"""What the parse pool's workers run: module-level functions fed (url, body, encoding) and returning the page's
data (picklable by name; nothing of Scrapy crosses the process boundary).

The body is decoded here exactly as ``TextResponse.text`` decodes it (``html_to_unicode`` with the response's
encoding), so a page gives byte-identical content in a worker and in the crawl process.
"""

from __future__ import annotations

from w3lib.encoding import html_to_unicode

from twin_crawler.pages.article import ArticleData, parse_article


def decode(body: bytes, encoding: str) -> str:
    """``TextResponse.text`` for ``body`` with ``encoding`` (Scrapy's own decoding step)."""
    return html_to_unicode(f"charset={encoding}", body)[1]


def article(url: str, body: bytes, encoding: str, min_words: int) -> ArticleData:
    """The article parser on a raw body (raises ``NotAnArticle`` / ``PageError`` as in-process)."""
    return parse_article(url, decode(body, encoding), min_words=min_words)
