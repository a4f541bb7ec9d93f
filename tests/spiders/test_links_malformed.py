"""Malformed links (issue 10, point 5): LinkError is the only exception the link parser lets out, and the
preflight turns it into one ``error:`` line (exit 2) for every spider, never a traceback.

Hypothesis builds URL-like strings (scheme + host characters incl. brackets, colons, unicode and controls + port
+ path); the named cases are the ones seen failing before (``http://[::1`` through the GitHub router).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import crawl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.settings import Settings

from twin_crawler.arguments import ArgumentError
from twin_crawler.spiders.article import ArticleSpider
from twin_crawler.spiders.base import TwinBaseSpider
from twin_crawler.spiders.github import GithubSpider
from twin_crawler.spiders.linkedin import LinkedinSpider
from twin_crawler.spiders.medium import MediumSpider
from twin_crawler.spiders.substack import SubstackSpider
from twin_crawler.spiders.twin import TwinSpider
from twin_crawler.urls import LinkError, canonicalize, route
from twin_crawler.warehouse import Warehouse, open_warehouse

MALFORMED = [
    "http://[::1", "http://[::1]x/", "http://[v1.fe]/", "http://[1.2.3.4]/", "http://[fe80::1%25eth0]/",
    "http://a]b.com/", "https://example.com:99999/", "https://example.com:0/", "https://example.com:+80/",
    "https://example.com:8o/", "http://exa\x01mple.com/", "http://example.com/\x7f", "http://example.com/\udcff",
    "http://" + "a" * 64 + ".com/", "http://" + "ä" * 64 + ".com/", "http://" + "a." * 127 + "com/",
    "http://a<b.com/", "http://:80/", "http://@/", "http://./", "https://ex ample.com/", "http://\u3000.com/",
]
ODD_CHARS = ["[", "]", ":", "@", "%", "<", "\\", "\x00", "\x7f", "\u200b", "\ufb01", "\uff0e", "\udcff", "\u3002", " "]
HOST_CHARS = st.sampled_from(list("abcz09-_.") + ["ä", "ß", "٠"]) | st.sampled_from(ODD_CHARS)
LABEL = st.text(st.sampled_from(list("abcxyz019-_ä")), min_size=1, max_size=70)
SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "http:/", "http:", "ftp://", "", "javascript:", "//"])
PATH = st.text(st.sampled_from(list("/abc-_.?&=%#+~") + ["é", "\x01", " ", "\udcff"]), max_size=20)


@st.composite
def url_like(draw: Any) -> str:
    """scheme + optional userinfo + host + optional port + path, each part free to be wrong."""
    host = draw(st.lists(LABEL, min_size=1, max_size=5).map(".".join) | st.text(HOST_CHARS, max_size=30)
                | st.sampled_from(["example.com", "[::1]", "[", "xn--nda.com", "localhost", "[2001:db8::1]"]))
    if draw(st.integers(0, 3)) == 0:
        host = f"[{host}]" if draw(st.booleans()) else host * draw(st.integers(2, 40))  # brackets, over-long names
    port = draw(st.none() | st.integers(-5, 100_000).map(str) | st.text(st.sampled_from("09a:+-\u0663 "), max_size=6))
    user = draw(st.sampled_from(["", "", "user@", "u:p@", "@"]))
    scheme = draw(SCHEMES)
    return f"{scheme}{user}{host}{'' if port is None else ':' + port}{'/' if draw(st.booleans()) else ''}{draw(PATH)}"


FUZZ = settings(max_examples=300, deadline=timedelta(seconds=2), database=None,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_links_are_link_errors(url: str) -> None:
    with pytest.raises(LinkError):
        canonicalize(url)
    with pytest.raises(LinkError):
        route(url)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://Bücher.example/x", "https://xn--bcher-kva.example/x"),
    ("http://[::A]:8080/p", "http://[::a]:8080/p"),
    ("https://user:secret@example.com./a", "https://example.com/a"),
    ("https://my_blog.example.com/", "https://my_blog.example.com/"),
])
def test_well_formed_edge_links_still_work(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical


@FUZZ
@given(url=url_like())
@example(url="http://[::1")
def test_only_link_error_escapes_the_parser(url: str) -> None:
    try:
        canonical = canonicalize(url)
    except LinkError:
        with pytest.raises(LinkError):
            route(url)
        return
    # A link that parses is one the crawl can use: stable, routable, and a valid Scrapy request.
    assert canonicalize(canonical) == canonical
    assert route(url).link == route(canonical).link
    Request(route(url).link)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    w = open_warehouse(None, data_dir=tmp_path_factory.mktemp("links-fuzz"))
    yield w
    w.close()


def project_settings() -> Settings:
    s = Settings()
    s.setmodule("twin_crawler.settings")
    return s


SPIDERS: list[type[TwinBaseSpider]] = [TwinSpider, ArticleSpider, GithubSpider, MediumSpider, SubstackSpider, LinkedinSpider]
SETTINGS = project_settings()


# No deadline here: a preflight builds a spider and writes the author (SQLite); its time on a loaded machine is
# not what this test checks.
@settings(FUZZ, deadline=None)
@given(url=url_like(), spider=st.sampled_from(SPIDERS))
@example(url="http://[::1", spider=TwinSpider)
@example(url="http://[::1", spider=GithubSpider)
@example(url="file://[::1/x", spider=GithubSpider)
@example(url="@\x00", spider=TwinSpider)  # a links file name with a NUL: pathlib's ValueError escaped
def test_preflight_refuses_malformed_links_with_an_argument_error(url: str, spider: type[TwinBaseSpider],
                                                                  warehouse: Warehouse) -> None:
    """What the crawl command runs before the engine: only ArgumentError (one ``error:`` line) may come out."""
    try:
        spider.preflight({"user": "Jane Doe", "links": url}, SETTINGS, warehouse)
    except ArgumentError as exc:
        assert "\n" not in str(exc)


def test_preflight_malformed_ipv6_names_the_link(warehouse: Warehouse) -> None:
    for spider in SPIDERS:
        with pytest.raises(ArgumentError, match=r"links: link 'http://\[::1' is malformed"):
            spider.preflight({"user": "Jane Doe", "links": "http://[::1"}, SETTINGS, warehouse)


@pytest.mark.parametrize(("links", "message"), [
    ("@~nosuchuser/links.txt", "links: file '~nosuchuser/links.txt' does not exist (no such home directory)"),
    ("@links\x00.txt", "links: 'links\\x00.txt' is not a file name"),
])
def test_unreadable_links_file_names_are_argument_errors(links: str, message: str, warehouse: Warehouse) -> None:
    """``-a links=@~nosuchuser/...`` ended in pathlib's RuntimeError traceback."""
    with pytest.raises(ArgumentError) as refused:
        ArticleSpider.preflight({"user": "Jane Doe", "links": links}, SETTINGS, warehouse)
    assert str(refused.value) == message


def test_twin_crawl_with_malformed_ipv6_is_one_line_exit_2(tmp_path: Path) -> None:
    """The CLI case of the issue: ``scrapy crawl twin -a links=http://[::1`` used to end in a traceback."""
    result = crawl("twin", "-a", "user=Jane Doe", "-a", "links=http://[::1", env={"TWIN_DATA_DIR": str(tmp_path)})
    output = result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and "Traceback" not in output, output[-3000:]
    assert errors == ["error: links: link 'http://[::1' is malformed (Invalid IPv6 URL)"]


def test_the_unsafe_character_set_is_whitespace_controls_and_surrogates() -> None:
    """``urls.UNSAFE_CHARACTER`` (one regex) refuses exactly what ``str.isspace`` or the Unicode categories Cc and
    Cs name, on every code point of the Basic Multilingual Plane and the planes' edges."""
    import sys
    import unicodedata

    from twin_crawler.urls import UNSAFE_CHARACTER

    points = [*range(0x10000), *range(0x10000, sys.maxunicode + 1, 0x7FF), sys.maxunicode]
    differ = [hex(cp) for cp in points
              if (UNSAFE_CHARACTER.search(chr(cp)) is not None)
              != (chr(cp).isspace() or unicodedata.category(chr(cp)) in ("Cc", "Cs"))]
    assert differ == []
    with pytest.raises(LinkError, match="whitespace or control"):
        canonicalize("https://example.org/a\u2028b")  # a line separator: whitespace, not Cc
