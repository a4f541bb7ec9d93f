"""The markdown of a prepared body tree, written directly from lxml: markdownify 1.2's algorithm, ported.

The convention used to serialise the prepared tree, re-parse it with BeautifulSoup (lxml's HTML parser under it)
and run markdownify (``heading_style="ATX"``, ``bullets="-"``, no escaping, ``strip_document="strip"``,
``wrap=True`` without a width, images written as nothing, the code language from a callback). ``Writer.write``
returns what that returned, byte for byte (tests/pages/test_markdown_writer.py holds it to the old path, kept in
tests/helpers/markdown_reference.py), for a fraction of the cost: no BeautifulSoup tree, no per-tag ``set`` of
parent names, no ``find_parent`` walks, no regex over every space.

Two things of the old path are kept on purpose:

- The re-parse (``reparse``). libxml2 restructures what the tree preparation can leave invalid (a ``<p>`` or
  ``<div>`` inside a ``<p>``: a figure renamed ``div``, a layout table's cells renamed ``p``), and markdownify saw
  the re-parsed tree. The writer walks the same tree, built by libxml2 itself (no Python per node).
- markdownify's text model. BeautifulSoup has no text/tail: an element's children are strings, tags and comments,
  in order. ``Writer._element`` reads an lxml element's children that way (its text, then each child and its
  tail), and every rule reads a string's neighbours as markdownify did.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html
from lxml import etree

# markdownify's parent_tags, reduced to the four entries its conversions read (as bits of an int), and where
# BeautifulSoup kept strings as parsed (inside <pre> or <textarea>; elsewhere a blank string became " " or "\n").
PRE, INLINE, NOFORMAT, LI, PRESERVE = 1, 2, 4, 8, 16

ALL_WHITESPACE = re.compile(r"[\t \r\n]+")
# The runs ALL_WHITESPACE changes (a lone space is replaced by itself): the same result without a replacement per
# space (that was half the writer's time on prose); most strings have no such run and skip the regex altogether.
WHITESPACE_TO_SPACE = re.compile(r"[\t\r\n][\t \r\n]*| [\t \r\n]+")
BACKTICKS = re.compile(r"`+")
HEADING = re.compile(r"h(\d+)")  # markdownify's re_html_heading: a match at the start (``h7``, ``h1x`` too)
PRE_LSTRIP = re.compile(r"^[ \n]*\n")
PRE_RSTRIP = re.compile(r"[ \n]*$")
# should_remove_whitespace_inside (plus every name HEADING matches)
BLOCK_INSIDE = frozenset(("p", "blockquote", "article", "div", "section", "ol", "ul", "li", "dl", "dt", "dd",
                          "table", "thead", "tbody", "tfoot", "tr", "td", "th"))

Language = Callable[[etree._Element], str | None]


def reparse(root: lxml.html.HtmlElement) -> etree._Element:
    """The tree markdownify used to see: ``root`` serialised (with its tail, as ``lxml.html.tostring`` writes it)
    and parsed again by lxml's HTML parser with BeautifulSoup's options, fed as BeautifulSoup fed it (the whole
    string, then ``close``): ``<html><body>`` around it, invalid nesting restructured by libxml2. BeautifulSoup
    listened to the parser's events; libxml2 building the tree itself gives the same tree (with ``keepBlanks``,
    blank text is reported as text either way) for a quarter of the cost (tests/pages/test_markdown_writer.py
    compares the two trees on every generated fragment)."""
    parser = etree.HTMLParser(recover=True, huge_tree=False)
    parser.feed(lxml.html.tostring(root, encoding="unicode"))
    return parser.close()  # type: ignore[no-any-return]


class Writer:
    """markdownify's ``process_tag``/``process_text`` and ``convert_*`` over an lxml tree (see the module doc)."""

    def __init__(self, language: Language) -> None:
        self.language = language
        # per tag name: (whitespace removed inside, whitespace removed outside, flags added for children, convert)
        self._kinds: dict[str, Kind] = {}

    def write(self, root: lxml.html.HtmlElement) -> str:
        """The markdown of ``root`` (before ``tidy``), as markdownify wrote it from the re-parsed tree."""
        html = reparse(root)
        return self._element(html, 0, self._kind("html")).strip("\n")  # strip_document="strip"

    def _kind(self, name: str) -> Kind:
        """What markdownify does with a tag name: (whitespace removed inside, whitespace removed outside, flags
        added for its children, its convert function)."""
        kind = self._kinds.get(name)
        if kind is None:
            heading = HEADING.match(name)
            inside = heading is not None or name in BLOCK_INSIDE
            flags = (PRE | PRESERVE if name == "pre" else 0) | (LI if name == "li" else 0)
            if name == "textarea":
                flags |= PRESERVE
            if heading is not None or name in ("td", "th"):
                flags |= INLINE
            if name in ("pre", "code", "kbd", "samp"):
                flags |= NOFORMAT
            convert = CONVERT.get(name)
            if convert is None and heading is not None:
                convert = _heading(int(heading.group(1)))
            kind = self._kinds[name] = (inside, inside or name == "pre", flags, convert)
        return kind

    def _element(self, el: etree._Element, flags: int, kind: Kind) -> str:
        """process_tag: the children's strings (whitespace-only strings dropped where markdownify ignores them),
        newlines collapsed at their boundaries (not in <pre>), then the tag's convert function."""
        inside, _, add, convert = kind
        inner = flags | add
        kinds = self._kinds
        strings: list[str] = []
        # A string is written once the node after it is known: its neighbours decide what is stripped.
        pending = el.text
        out_before, first = False, True  # the node before ``pending``: removes whitespace outside / is none
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                child_kind = kinds.get(tag) or self._kind(tag)
                out_after, last = child_kind[1], False
            else:  # a comment: no block, and a sibling unless BeautifulSoup kept it empty (so false)
                out_after, last = False, bool(inner & PRESERVE) and not child.text
            if pending:
                strings.append(_text(pending, inner, inside, out_before, first, out_after, last))
            if isinstance(tag, str):
                strings.append(self._element(child, inner, child_kind))
            pending = child.tail
            out_before, first = out_after, last
        if pending:
            strings.append(_text(pending, inner, inside, out_before, first, False, True))
        if len(strings) == 1:
            text = strings[0]  # nothing to collapse
        elif inner & PRE:
            text = "".join(strings)
        else:
            text = _collapse(strings)
        return convert(self, el, text, flags) if convert is not None else text


Kind = tuple[bool, bool, int, "Convert | None"]


def _text(text: str, flags: int, inside: bool, out_before: bool, first: bool, out_after: bool, last: bool) -> str:
    """process_text of one string: ``out_before``/``out_after`` when the sibling before/after it is a block (or
    <pre>), ``first``/``last`` when there is no sibling there (markdownify's ``not el.previous_sibling``). A
    whitespace-only string process_tag ignores gives ''."""
    if not text.strip():
        if inside and (first or last):
            return ""
        if out_before or out_after:
            return ""
    if not flags & PRE and ("\n" in text or "  " in text or "\t" in text or "\r" in text):
        text = WHITESPACE_TO_SPACE.sub(" ", text)
    if out_before or (inside and first):
        text = text.lstrip(" \t\r\n")
    if out_after or (inside and last):
        text = text.rstrip()
    return text


Convert = Callable[[Writer, etree._Element, str, int], str]


def _collapse(strings: list[str]) -> str:
    """process_tag's newline collapse at child boundaries: where one child's trailing newlines meet the next's
    leading ones, keep the larger count, at most two. Empty strings are skipped, as markdownify drops them."""
    out: list[str] = []
    trailing = ""  # the trailing newlines of the last string kept (markdownify's updated_child_strings[-1])
    for string in strings:
        if not string:
            continue
        if string[0] != "\n" and string[-1] != "\n":
            out.append(string)
            trailing = ""
            continue
        content = string.lstrip("\n")
        leading = string[: len(string) - len(content)]
        if content:
            stripped = content.rstrip("\n")
            tail = content[len(stripped):]
            content = stripped
        else:
            tail = ""
        if trailing and leading:
            out.pop()
            leading = "\n" * min(2, max(len(trailing), len(leading)))
        out.append(leading)
        out.append(content)
        out.append(tail)
        trailing = tail
    return "".join(out)


def _chomped(write: Callable[[etree._Element, str, str, str], str]) -> Convert:
    """markdownify's inline conversions (``chomp``): inside <pre>/<code> the text as it is, nothing for blank text,
    else ``write(el, prefix, text, suffix)`` of the stripped text and the one space it had at each end."""
    def convert(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
        if flags & NOFORMAT:
            return text
        prefix = " " if text and text[0] == " " else ""
        suffix = " " if text and text[-1] == " " else ""
        text = text.strip()
        return write(el, prefix, text, suffix) if text else ""
    return convert


def _inline(markup: str) -> Convert:
    return _chomped(lambda el, prefix, text, suffix: prefix + markup + text + markup + suffix)


@_chomped
def _a(el: etree._Element, prefix: str, text: str, suffix: str) -> str:
    href = el.get("href")
    title = el.get("title")
    if text.replace(r"\_", "_") == href and not title:
        return f"<{href}>"
    title_part = ' "' + title.replace('"', r"\"") + '"' if title else ""
    return f"{prefix}[{text}]({href}{title_part}){suffix}" if href else text


def _blockquote(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    text = text.strip(" \t\r\n")
    if flags & INLINE:
        return " " + text + " "
    if not text:
        return "\n"
    return "\n" + "\n".join("> " + line if line else ">" for line in text.split("\n")) + "\n\n"


def _br(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    if flags & INLINE:
        return text + " " if text else " "
    return "  \n" + text


@_chomped
def _code(el: etree._Element, prefix: str, text: str, suffix: str) -> str:
    ticks = max((len(run) for run in BACKTICKS.findall(text)), default=0)
    if ticks > 0:
        text = " " + text + " "
    delimiter = "`" * (ticks + 1)
    return prefix + delimiter + text + delimiter + suffix


def _div(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    if flags & INLINE:
        return " " + text.strip() + " "
    text = text.strip()
    return "\n\n" + text + "\n\n" if text else ""


def _dd(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    text = text.strip()
    if flags & INLINE:
        return " " + text + " "
    if not text:
        return "\n"
    text = "\n".join("    " + line if line else "" for line in text.split("\n"))
    return ":" + text[1:] + "\n"


def _dt(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    text = ALL_WHITESPACE.sub(" ", text.strip())
    if flags & INLINE:
        return " " + text + " "
    if not text:
        return "\n"
    return "\n\n" + text + "\n"


def _heading(level: int) -> Convert:
    hashes = "#" * max(1, min(6, level))

    def convert(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
        if flags & INLINE:
            return text
        return "\n\n" + hashes + " " + ALL_WHITESPACE.sub(" ", text.strip()) + "\n\n"
    return convert


def _hr(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return "\n\n---\n\n"


def _nothing(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return ""  # img (collected before conversion), script, style


def _next_content(el: etree._Element) -> etree._Element | str | None:
    """_next_block_content_sibling: the next element, or the next string with non-whitespace text."""
    tail = el.tail
    if tail and tail.strip():
        return tail
    for sibling in el.itersiblings():
        if isinstance(sibling.tag, str):
            return sibling
        tail = sibling.tail  # after a comment
        if tail and tail.strip():
            return tail
    return None


def _list(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    if flags & LI:
        return "\n" + text.rstrip()
    after = _next_content(el)
    before_paragraph = after is not None and (isinstance(after, str) or after.tag not in ("ul", "ol"))
    return "\n\n" + text + ("\n" if before_paragraph else "")


def _li(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    text = text.strip()
    if not text:
        return "\n"
    parent = el.getparent()
    if parent is not None and parent.tag == "ol":
        start = parent.get("start")
        first = int(start) if start and start.isnumeric() else 1
        bullet = f"{first + sum(1 for _ in el.itersiblings('li', preceding=True))}. "
    else:
        bullet = "- "
    indent = " " * len(bullet)
    text = "\n".join(indent + line if line else "" for line in text.split("\n"))
    return bullet + text[len(bullet):] + "\n"


def _p(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    if flags & INLINE:
        return " " + text.strip(" \t\r\n") + " "
    text = text.strip(" \t\r\n")
    return "\n\n" + text + "\n\n" if text else ""


def _pre(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    if not text:
        return ""
    language = writer.language(el) or ""
    text = PRE_RSTRIP.sub("", PRE_LSTRIP.sub("", text))
    return "\n\n```" + language + "\n" + text + "\n```\n\n"


def _q(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return '"' + text + '"'


def _table(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return "\n\n" + text.strip() + "\n\n"


def _caption(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return text.strip() + "\n\n"


def _figcaption(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return "\n\n" + text.strip() + "\n\n"


def _colspan(cell: etree._Element) -> int:
    value = cell.get("colspan")
    return max(1, min(1000, int(value))) if value is not None and value.isdigit() else 1


def _cell(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    return " " + text.strip().replace("\n", " ") + " |" * _colspan(el)


def _previous_element(el: etree._Element) -> etree._Element | None:
    """find_previous_sibling(): the previous sibling that is an element (comments and text skipped)."""
    for sibling in el.itersiblings(preceding=True):
        if isinstance(sibling.tag, str):
            return sibling
    return None


def _tr(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    cells = list(el.iterdescendants("td", "th"))
    parent = el.getparent()
    assert parent is not None  # a re-parsed tree's <tr> is at least inside <body>
    first_row = _previous_element(el) is None
    head_row = all(cell.tag == "th" for cell in cells) or (
        parent.tag == "thead" and sum(1 for _ in parent.iterdescendants("tr")) == 1)
    grandparent = parent.getparent()
    head_row_missing = first_row and (parent.tag != "tbody" or (
        grandparent is not None and next(grandparent.iterdescendants("thead"), None) is None))
    columns = sum(_colspan(cell) for cell in cells)
    overline = underline = ""
    if head_row and first_row:
        underline = "| " + " | ".join(["---"] * columns) + " |\n"
    elif head_row_missing or (first_row and (parent.tag == "table" or (
            parent.tag == "tbody" and _previous_element(parent) is None))):
        overline = "| " + " | ".join([""] * columns) + " |\n" + "| " + " | ".join(["---"] * columns) + " |\n"
    return overline + "|" + text + "\n" + underline


def _video(writer: Writer, el: etree._Element, text: str, flags: int) -> str:
    if flags & INLINE:
        return text
    src = el.get("src") or ""
    if not src:
        source = next((s for s in el.iterdescendants("source") if s.get("src") is not None), None)
        src = (source.get("src") or "") if source is not None else ""
    poster = el.get("poster") or ""
    if src and poster:
        return f"[![{text}]({poster})]({src})"
    if src:
        return f"[{text}]({src})"
    if poster:
        return f"![{text}]({poster})"
    return text


# markdownify's convert_<name> methods (``list`` is one too: markdownify looks methods up by tag name).
CONVERT: dict[str, Convert] = {
    "a": _a, "b": _inline("**"), "strong": _inline("**"), "em": _inline("*"), "i": _inline("*"),
    "del": _inline("~~"), "s": _inline("~~"), "sub": _inline(""), "sup": _inline(""),
    "code": _code, "kbd": _code, "samp": _code, "blockquote": _blockquote, "br": _br,
    "div": _div, "article": _div, "section": _div, "dl": _div, "dd": _dd, "dt": _dt, "hr": _hr,
    "img": _nothing, "script": _nothing, "style": _nothing, "video": _video,
    "ul": _list, "ol": _list, "list": _list, "li": _li, "p": _p, "pre": _pre, "q": _q,
    "table": _table, "caption": _caption, "figcaption": _figcaption, "td": _cell, "th": _cell, "tr": _tr,
}
