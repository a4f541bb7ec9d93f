"""Custom-domain sniffing is cached per host (issue 14): a platform from the first page that shows one; no
platform once PLAIN_PAGES pages of the host in a row showed none, after which its pages are not searched again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from spider_helpers import offline_spider

from twin_crawler.meta import LINK
from twin_crawler.spiders import article
from twin_crawler.spiders.twin import TwinSpider

FIXTURES = Path(__file__).parents[1] / "fixtures"
SUBSTACK_PAGE = FIXTURES / "substack" / "defuddle_substack-custom-domain-12gramsofcarbon.html"
PLAIN = (FIXTURES / "blogs" / "readability_wordpress_source.html").read_bytes()


def page(url: str, body: bytes) -> HtmlResponse:
    return HtmlResponse(url, body=body, request=Request(url, meta={LINK: url}), headers={"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def sniffs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = article.sniff_platform

    def counting(headers: Any, text: str) -> str | None:
        calls.append(text[:20])
        return real(headers, text)

    monkeypatch.setattr(article, "sniff_platform", counting)
    return calls


def test_a_plain_host_is_sniffed_until_its_pages_agree(tmp_path: Path, sniffs: list[str]) -> None:
    spider = offline_spider(TwinSpider, tmp_path, user="Jane Doe", links="https://plain.example/")
    for i in range(article.PLAIN_PAGES + 3):
        assert spider._article_sniff(page(f"https://plain.example/p/{i}", PLAIN)) is None
    assert len(sniffs) == article.PLAIN_PAGES
    assert spider.host_platforms == {"plain.example": "article"}


def test_a_platform_page_after_plain_ones_is_still_recognised(tmp_path: Path, sniffs: list[str]) -> None:
    spider = offline_spider(TwinSpider, tmp_path, user="Jane Doe", links="https://custom.example/")
    for i in range(article.PLAIN_PAGES - 1):  # e.g. an about page and a tag page that carry no platform marker
        assert spider._article_sniff(page(f"https://custom.example/x/{i}", PLAIN)) is None
    assert spider._article_sniff(page("https://custom.example/p/post", SUBSTACK_PAGE.read_bytes())) is not None
    assert spider.host_platforms["custom.example"] == "substack"
    assert spider._article_sniff(page("https://custom.example/p/other", PLAIN)) is not None  # the host is Substack's
    assert len(sniffs) == article.PLAIN_PAGES  # the last page was not searched: the host's verdict is known
