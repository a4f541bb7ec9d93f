"""Junk that must not reach the warehouse: terminal escapes and control characters in names and titles,
megabyte-long link texts, and text garbled into U+FFFD replacement characters (issue 15, point 7).

Pure functions (no Scrapy): the clean pipeline and ``normalise_name`` apply them.
"""

from __future__ import annotations

import re

# ANSI/VT escape sequences (CSI ``ESC [ … final``, OSC ``ESC ] … BEL|ESC \``, two-byte ``ESC x``): a name or title
# carrying them rewrites the terminal of whoever prints it (twin-show, the run report, a log tail).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
# C0/C1 controls except tab/newline/CR, DEL, and the bidi overrides/isolates (U+202A-E, U+2066-9) that make a
# name display reversed ("Trojan source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A markdown link whose text is longer than MAX_LINK_TEXT: the match is linear (no nested brackets).
MAX_LINK_TEXT = 300
_LONG_LINK = re.compile(rf"\[([^\[\]\n]{{{MAX_LINK_TEXT + 1},}})\]\(")
MAX_LINE = 500  # names, titles, subtitles: longer is not a title but a page swallowed by a selector
# Share of U+FFFD among non-space characters above which text is garbled, not a stray mis-decoded quote.
GARBLED_SHARE = 0.01
REPLACEMENT = "\ufffd"


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences and control/bidi-override characters (tab, LF, CR kept)."""
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def clean_line(text: str, limit: int = MAX_LINE) -> str:
    """A one-line field: no controls nor U+FFFD (a name or title never needs one), whitespace collapsed, at most
    ``limit`` characters (cut at a space)."""
    line = " ".join(strip_controls(text).replace(REPLACEMENT, "").split())
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", 0, limit)
    return line[: cut if cut > limit // 2 else limit].rstrip() + "…"


def trim_link_texts(markdown: str) -> str:
    """Markdown links keep their target; a text over MAX_LINK_TEXT characters is cut to it."""
    if len(markdown) <= MAX_LINK_TEXT:
        return markdown
    return _LONG_LINK.sub(lambda m: "[" + clean_line(m.group(1), MAX_LINK_TEXT) + "](", markdown)


def garbled(text: str) -> bool:
    """True when more than GARBLED_SHARE of the non-space characters are U+FFFD (a wrongly decoded page)."""
    junk = text.count(REPLACEMENT)
    if not junk:
        return False
    visible = len(text) - sum(text.count(c) for c in " \n\t\r")
    return junk > GARBLED_SHARE * max(visible, 1)
