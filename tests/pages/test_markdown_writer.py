"""The text convention's reference: the BeautifulSoup + markdownify path of ``markdown.convert``, kept in
tests/helpers/markdown_reference.py, equals ``convert`` on every body the platform page objects convert from the
recorded fixtures and on a sample of the benchmark corpus.
"""

from __future__ import annotations

from collections import Counter

import pytest
from convention_inputs import Input, corpus_inputs, fixture_inputs
from markdown_reference import reference_convert

from twin_crawler.pages import linkedin_pulse, medium_text, substack_text
from twin_crawler.pages.markdown import GENERIC, convert

RULES = {"generic": GENERIC, "substack": substack_text.RULES, "medium-apollo": medium_text.APOLLO,
         "medium-dom": medium_text.DOM, "medium-feed": medium_text.FEED, "linkedin": linkedin_pulse.RULES}


def differences(inputs: list[Input]) -> list[str]:
    """The inputs whose ``Converted`` differs from the reference's."""
    return [item.source for item in inputs
            if convert(item.body, item.base_url, item.rules) != reference_convert(item.body, item.base_url, item.rules)]


@pytest.fixture(scope="module")
def fixture_bodies() -> list[Input]:
    return fixture_inputs()


def test_fixture_bodies_cover_every_platform_and_rules(fixture_bodies: list[Input]) -> None:
    platforms = Counter(item.source.split("/")[0] for item in fixture_bodies)
    assert platforms["substack"] >= 9 and platforms["medium"] >= 19 and platforms["linkedin"] >= 4
    assert platforms["blogs"] >= 15
    assert {id(item.rules) for item in fixture_bodies} >= {id(r) for r in RULES.values()}


def test_fixture_bodies_equal_the_reference(fixture_bodies: list[Input]) -> None:
    assert differences(fixture_bodies) == []


def test_corpus_bodies_equal_the_reference() -> None:
    bodies = corpus_inputs(200)
    assert len(bodies) >= 190  # trafilatura finds the main content of (nearly) every corpus page
    assert differences(bodies) == []
