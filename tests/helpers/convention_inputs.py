"""What the text convention is given on the recorded fixtures and on the benchmark corpus: every ``convert(body,
base_url, rules)`` call the platform page objects make, captured at their call sites (the body copied as it was
handed over), plus the bodies the page objects skip but the convention must still handle (the Medium ``pw-*`` DOM of
a page whose Apollo state has the text). Used by the writer's differential test and its timing script."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import lxml.html

from twin_crawler.pages import article_text, linkedin_pulse, medium, medium_feed, medium_text, substack_text
from twin_crawler.pages.markdown import GENERIC, Rules, convert

FIXTURES = Path(__file__).parents[1] / "fixtures"
CALL_SITES = (article_text, linkedin_pulse, medium, medium_feed, substack_text)


@dataclass
class Input:
    """One ``convert`` call: where it came from and its arguments."""

    source: str
    body: lxml.html.HtmlElement | str
    base_url: str
    rules: Rules


@contextmanager
def captured(source: str, into: list[Input]) -> Iterator[None]:
    """Record every ``convert`` call of the platform modules into ``into`` (the real conversion still runs)."""

    def record(body: Any, base_url: str = "", rules: Rules = GENERIC) -> Any:
        into.append(Input(source, body if isinstance(body, str) else copy.deepcopy(body), base_url, rules))
        return convert(body, base_url, rules)

    with ExitStack() as stack:
        for module in CALL_SITES:
            stack.enter_context(mock.patch.object(module, "convert", record))
        yield


def _try(run: Callable[[], Any]) -> None:
    try:
        run()
    except ValueError:  # NotAnArticle, NotAMediumPost, NotAPulseArticle, SubstackError, PageError: inputs still seen
        pass


def fixture_inputs() -> list[Input]:
    """Every body the page objects convert from tests/fixtures (substack, medium, linkedin, blogs)."""
    from twin_crawler.pages.article import parse_article
    from twin_crawler.pages.linkedin_pulse import parse_pulse
    from twin_crawler.pages.medium import parse_post_page as medium_page
    from twin_crawler.pages.medium_feed import parse_feed
    from twin_crawler.pages.substack import parse_post
    from twin_crawler.pages.substack_page import parse_post_page as substack_page

    out: list[Input] = []
    for path in sorted((FIXTURES / "substack").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        posts = data if isinstance(data, list) else [data]
        with captured(f"substack/{path.name}", out):
            for post in posts:
                if isinstance(post, dict) and ("body_html" in post or "body_html" in (post.get("post") or {})):
                    _try(lambda p=post: parse_post(p, "https://jane.substack.com/p/x"))
    for path in sorted((FIXTURES / "substack").glob("*.html")):
        with captured(f"substack/{path.name}", out):
            _try(lambda p=path: substack_page("https://jane.substack.com/p/x", p.read_text(encoding="utf-8")))
    for path in sorted((FIXTURES / "medium").glob("*.html")):
        with captured(f"medium/{path.name}", out):
            _try(lambda p=path: medium_page("https://medium.com/p/x", p.read_bytes()))
        page = medium.MediumPostPage("https://medium.com/p/x", path.read_bytes())
        dom = page._dom_root
        if dom is not None:  # the DOM path even where the Apollo state has the text
            out.append(Input(f"medium/{path.name} (dom)", copy.deepcopy(dom), "https://medium.com/p/x",
                             medium_text.DOM))
    for path in sorted((FIXTURES / "medium").glob("*.xml")):
        with captured(f"medium/{path.name}", out):
            _try(lambda p=path: parse_feed(p.read_bytes()).entries)
    for path in sorted((FIXTURES / "linkedin").glob("*.html")):
        with captured(f"linkedin/{path.name}", out):
            _try(lambda p=path: parse_pulse("https://www.linkedin.com/pulse/x", p.read_bytes()))
    for path in sorted((FIXTURES / "blogs").glob("*.html")):
        with captured(f"blogs/{path.name}", out):
            _try(lambda p=path: parse_article("https://blog.example/2024/post", p.read_bytes()))
    return out


def corpus_inputs(pages: int = 200) -> list[Input]:
    """The generic path's input on the first ``pages`` pages of the benchmark corpus: trafilatura's main content of
    each page as ``article_text.extract_main`` hands it to ``convert``."""
    from benchmarks.corpus import build
    from twin_crawler.pages.article_text import extract, to_html
    from twin_crawler.pages.html import parse_html

    out: list[Input] = []
    for page in build(pages).pages:
        url = f"https://blog.example{page.path}"
        document = extract(parse_html(page.body), url)
        if document is not None and document.body is not None and len(document.body):
            out.append(Input(f"corpus{page.path}", to_html(document.body), url, GENERIC))
    return out
