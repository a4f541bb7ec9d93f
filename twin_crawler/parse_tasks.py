"""What the parse pool's workers run: module-level functions fed (url, body, encoding) and returning the page's
item (picklable by name; nothing of Scrapy crosses the process boundary).

The page object decodes the body exactly as ``TextResponse.text`` decodes it (``html_to_unicode`` with the
response's encoding), so a page gives byte-identical content in a worker and in the crawl process.
"""

from __future__ import annotations

from twin_crawler.items import Article
from twin_crawler.pages.article import ArticlePage


def article(url: str, body: bytes, encoding: str, min_words: int, author: str, link: str) -> Article:
    """The article of a raw body (raises ``NotAnArticle`` / ``PageError`` as in-process)."""
    return ArticlePage(url, body, encoding=encoding, min_words=min_words).to_item(author, link)
