"""The text convention as it was built before the direct writer: the prepared lxml tree serialised, re-parsed by
BeautifulSoup (lxml's HTML parser under it) and converted by markdownify 1.2 with the convention's options. Kept
here, in the tests only, as the reference the writer (twin_crawler/pages/markdown_writer.py) must equal byte for
byte (tests/pages/test_markdown_writer.py). beautifulsoup4 and markdownify are dev dependencies for this reason.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from twin_crawler.pages.markdown import (
    GENERIC,
    HEADING_PERMALINK,
    INNER_SPACES,
    LANGUAGE,
    MARKUP_LINK,
    SPLIT_EMPHASIS,
    Converted,
    Rules,
    prepare,
)


class ReferenceConverter(MarkdownConverter):
    """markdownify with the convention's choices: ATX headings, ``-`` bullets, no escaping, source line wrapping
    undone; links and images were taken out before."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False,
                         escape_misc=False, strip_document="strip", code_language_callback=reference_language,
                         wrap=True, wrap_width=None)  # wrap without a width: source line breaks become spaces

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return ""  # images were collected before conversion; an image left here is decoration


class _Tag(Tag):
    """A BeautifulSoup tag whose ``find_parent(name)`` walks the parents comparing names (the old path's speed-up;
    answers as bs4 does)."""

    def find_parent(self, name: Any = None, attrs: Any = None, **kwargs: Any) -> Any:
        if not isinstance(name, str) or attrs or kwargs:
            return super().find_parent(name, attrs, **kwargs)
        node = self.parent
        while node is not None and node.name != name:
            node = node.parent
        return node


def reference_language(el: Any) -> str | None:
    """The language a ``<pre>`` (or its ``<code>``) names, read from bs4 tags (``class`` is a list there)."""
    for node in (el, el.find("code")):
        if node is None:
            continue
        for attr in ("data-lang", "data-language", "data-code-block-lang", "lang"):
            if node.get(attr):
                return str(node.get(attr)).strip().lower() or None
        match = LANGUAGE.search(" ".join(node.get("class") or []))
        if match and match.group(1).lower() not in ("none", "plaintext", "text", "nohighlight"):
            return match.group(1).lower()
    return None


def reference_markdown(root: lxml.html.HtmlElement) -> str:
    """markdownify's markdown of a prepared tree, before ``tidy`` (what the writer's ``write`` must return)."""
    soup = BeautifulSoup(lxml.html.tostring(root, encoding="unicode"), "lxml", element_classes={Tag: _Tag})
    return str(ReferenceConverter().convert_soup(soup))


def reference_tidy(markdown: str, boilerplate: re.Pattern[str] | None = None) -> str:
    """``markdown.tidy`` as it was (the blank-line and link regexes ran on every text and line)."""
    out: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            line = line.replace("\xa0", " ").rstrip()
            if "*" in line:
                line = SPLIT_EMPHASIS.sub(" ", line)
            if line.startswith("#"):
                line = HEADING_PERMALINK.sub(r"\1", line)
            if "  " in line:
                line = INNER_SPACES.sub(" ", line)
            if boilerplate is not None and boilerplate.match(MARKUP_LINK.sub(r"\1", line).strip()):
                continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def reference_convert(body: lxml.html.HtmlElement | str, base_url: str = "", rules: Rules = GENERIC) -> Converted:
    """``markdown.convert`` as it was: the same tree preparation (``markdown.prepare``), then BeautifulSoup +
    markdownify, then ``tidy`` as it was."""
    root, links, images = prepare(body, base_url, rules)
    return Converted(reference_tidy(reference_markdown(root), rules.boilerplate), links, images)
