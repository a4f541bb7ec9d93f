"""The one text convention: HTML -> prose markdown, with the document's links and images beside it.

Every platform parser ends here (Substack ``body_html``, Medium Apollo paragraphs rendered to HTML and the
``pw-*`` DOM, LinkedIn Pulse bodies, generic articles after trafilatura chose the main content). ``Content`` is
headings, paragraphs, lists, emphasis, blockquotes, fenced code (with its language when the source names it) and
tables. Links are reduced to their text and collected into ``links``; images are removed and collected into
``images``; a caption, being the author's words, stays as a paragraph. Platform furniture is described by a
``Rules`` value that lives beside each platform's parser. The dialect is markdownify's rather than trafilatura's
own markdown: only markdownify kept code-fence languages and ``>`` quotes (benchmarks, measurement 7). It was first
built on BeautifulSoup + markdownify; ``markdown_writer`` now writes the same markdown, byte for byte, straight from
the prepared lxml tree (tests/pages/test_markdown_writer.py holds it to that path, kept in the tests): ``convert``
costs a quarter of what it did on the benchmark corpus (``python -m benchmarks.convention --writer``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from twin_crawler.urls import LinkError, canonicalize

from .html import FRAGMENT_PARSER, PageError
from .markdown_tree import BLOCKS, clean_tree, flatten_layout_tables, has_class, merge_inline, take_images
from .markdown_writer import Writer

Image = dict[str, str]
# Header permalinks and footnote back-arrows: decorations that repeat nothing of the author's text.
DECORATION_TEXT = re.compile(r"^\s*(#|¶|§|🔗|↩|↩︎|↑|⤴|\^)\s*$")
LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang|highlight|brush:?)-?([A-Za-z0-9_+#.-]{1,30})(?:\s|$)")
CLASS_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Rules:
    """What one platform adds to the convention: furniture to drop before conversion and lines to drop after."""

    drop_classes: frozenset[str] = frozenset()
    """Elements carrying one of these classes are removed with their content."""
    drop_xpath: str = ""
    """Further elements to remove (an XPath union evaluated on the body)."""
    boilerplate: re.Pattern[str] | None = None
    """Whole lines (link text already reduced) that are a call to action, not prose."""
    headings: dict[str, str] = field(default_factory=lambda: {"h1": "h2"})
    """Heading renames: the page title is the only level-1 heading, bodies start at ``##``."""
    blocks_only: bool = False
    """Keep only block elements (loose text in layout ``<div>``s is chrome on the Medium DOM)."""
    image_src: Callable[[lxml.html.HtmlElement, str], str | None] | None = None
    """The real source of an image (placeholders and tracking pixels answer None)."""


GENERIC = Rules()


@dataclass
class Converted:
    """The markdown of a body and what was taken out of it."""

    markdown: str
    links: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


def take_links(root: lxml.html.HtmlElement, base_url: str, boilerplate: re.Pattern[str] | None) -> list[str]:
    """Collect the outbound links (canonical, deduplicated, in order) and reduce every link to its text.
    Permalink and back-arrow anchors go entirely; a call to action's target is furniture, not a link."""
    links: list[str] = []
    seen = {canonical_link(base_url, "")} if base_url else set()
    for a in list(root.iter("a")):
        text = " ".join(a.text_content().split())
        link = canonical_link(base_url, a.get("href") or "")
        if link and link not in seen and not (boilerplate is not None and boilerplate.match(text)):
            seen.add(link)
            links.append(link)
        if DECORATION_TEXT.match(text) and text:
            a.drop_tree()
        else:
            a.drop_tag()
    return links


def canonical_link(base_url: str, href: str) -> str | None:
    """The canonical absolute link of ``href`` on ``base_url``; None for in-page, script, mail and data links."""
    href = href.strip()
    if not base_url and not href:
        return None
    if href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        return canonicalize(urljoin(base_url, href))
    except (LinkError, ValueError):
        return None


def _language(el: etree._Element) -> str | None:
    """The language a ``<pre>`` (or its first ``<code>``) names: ``data-lang``-like attributes, ``language-x``/
    ``lang-x`` classes (the class read as BeautifulSoup split it, tokens joined by one space)."""
    for node in (el, next(el.iterdescendants("code"), None)):
        if node is None:
            continue
        for attr in ("data-lang", "data-language", "data-code-block-lang", "lang"):
            if node.get(attr):
                return str(node.get(attr)).strip().lower() or None
        match = LANGUAGE.search(" ".join(CLASS_TOKEN.findall(node.get("class") or "")))
        if match and match.group(1).lower() not in ("none", "plaintext", "text", "nohighlight"):
            return match.group(1).lower()
    return None


WRITER = Writer(_language)


def parse_fragment(html: str) -> lxml.html.HtmlElement:
    """A body fragment as one ``<div>``; PageError when it is empty or not HTML."""
    if not html or not html.strip():
        raise PageError("empty body")
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div", parser=FRAGMENT_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"body is not HTML: {exc}") from None
    except AssertionError:  # lxml asserts one <body>: a doctype and <html> with nothing in it has none
        raise PageError("body is not an HTML fragment (a document without a body)") from None


def convert(body: lxml.html.HtmlElement | str, base_url: str = "", rules: Rules = GENERIC) -> Converted:
    """The convention's markdown of ``body`` (an element, copied first, or an HTML fragment)."""
    root, links, images = prepare(body, base_url, rules)
    return Converted(tidy(WRITER.write(root), rules.boilerplate), links, images)


def prepare(body: lxml.html.HtmlElement | str, base_url: str = "", rules: Rules = GENERIC
            ) -> tuple[lxml.html.HtmlElement, list[str], list[Image]]:
    """The tree ``convert`` writes its markdown from (furniture gone, links reduced to their text, images taken
    out), with the links and the images."""
    root = parse_fragment(body) if isinstance(body, str) else copy.deepcopy(body)
    clean_tree(root, rules.drop_classes, rules.drop_xpath, rules.headings)
    if rules.blocks_only:
        root = _blocks_only(root)
    images = take_images(root, base_url, rules.image_src)
    flatten_layout_tables(root)
    links = take_links(root, base_url, rules.boilerplate)
    merge_inline(root)
    return root, links, images


def _blocks_only(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A new root holding only the outermost block elements of ``root``, in document order."""
    kept = lxml.html.Element("div")
    for el in root.iter(*BLOCKS):
        if not any(a.tag in BLOCKS for a in el.iterancestors() if a is not root and root in a.iterancestors()):
            copied = copy.deepcopy(el)
            copied.tail = None
            kept.append(copied)
    return kept


MARKUP_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Two emphasis runs separated by a space (``*a* *b*``, a link between them was reduced to its text): one run.
HEADING_PERMALINK = re.compile(r"^(#{1,6} .*?)\s+[#¶§🔗]$")
INNER_SPACES = re.compile(r"(?<=\S) {2,}")
SPLIT_EMPHASIS = re.compile(r"(?<=\S)(\*{1,2}) \1(?=\S)")
BLANK_LINES = re.compile(r"\n{3,}")


def tidy(markdown: str, boilerplate: re.Pattern[str] | None = None) -> str:
    """Drop boilerplate lines, trailing spaces and runs of blank lines (code blocks are kept as they are)."""
    out: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            line = line.replace("\xa0", " ").rstrip()
            # Each pattern needs its character: the guards skip ~3 regex calls on most lines.
            if "*" in line:
                line = SPLIT_EMPHASIS.sub(" ", line)
            if line.startswith("#"):
                line = HEADING_PERMALINK.sub(r"\1", line)
            if "  " in line:
                line = INNER_SPACES.sub(" ", line)
            if boilerplate is not None and boilerplate.match(
                    (MARKUP_LINK.sub(r"\1", line) if "](" in line else line).strip()):
                continue
        out.append(line)
    text = "\n".join(out)
    # Only when there is a run to shorten: the regex tries every position of the text (70% of tidy's time on prose).
    return (BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip()


def _plain(text: str) -> str:
    return " ".join(re.sub(r"^#+\s*|[*_`>]", "", text).split()).casefold()


def strip_repeats(markdown: str, title: str, subtitle: str = "") -> str:
    """Drop leading blocks that repeat the title or the subtitle (both are stored in their own fields)."""
    blocks = markdown.split("\n\n")
    wanted = [w for w in (_plain(title), _plain(subtitle)) if w]
    while blocks and wanted and _plain(blocks[0]) in wanted:
        wanted.remove(_plain(blocks.pop(0)))
    return "\n\n".join(blocks).strip()


__all__ = ["GENERIC", "Converted", "Image", "Rules", "convert", "has_class", "parse_fragment", "strip_repeats", "tidy"]
