"""Terminal rendering for ``scrapy twin-show``: the summary table, and one document."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .query import word_count
from .summary import PlatformSummary, Summary

HEADER = ("author", "platform", "documents", "words", "oldest", "newest", "paywalled", "blocked")
# Shown first for one document, in this order; every other stored field follows, except the bulky ones.
FIRST_FIELDS = ("link", "collection", "platform", "title", "author_full_name", "published_at", "language",
                "is_paywalled", "kind", "name", "first_seen_at", "last_crawled_at", "also_published_at")
HIDDEN_FIELDS = frozenset({"content", "fingerprint"})
# Titles and text come from the web: control characters (terminal escape sequences) are not printed as such.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: object) -> str:
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text))


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "-"


def _cells(author: str, platform: str, s: PlatformSummary) -> list[str]:
    return [safe(author), safe(platform), str(s.documents), f"{s.words:,}", _day(s.oldest), _day(s.newest),
            str(s.paywalled), str(s.blocked)]


def render_summary(summary: Summary) -> str:
    """A fixed-width table: per author one row per platform, and an ``all`` row when there are several."""
    if not summary:
        return "no documents in the warehouse yet"
    rows: list[list[str]] = []
    for author in sorted(summary, key=str.casefold):
        platforms = summary[author]
        total = PlatformSummary()
        for i, platform in enumerate(sorted(platforms)):
            rows.append(_cells(author if i == 0 else "", platform, platforms[platform]))
            total.merge(platforms[platform])
        if len(platforms) > 1:
            rows.append(_cells("", "all", total))
    widths = [max(len(r[i]) for r in [list(HEADER), *rows]) for i in range(len(HEADER))]
    numeric = {2, 3, 6, 7}
    lines = ["  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [list(HEADER), *rows]]
    return "\n".join(line.rstrip() for line in lines)


def _value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(safe(v) for v in value) or "-"
    return safe(value)


def document_text(doc: dict[str, Any]) -> list[str]:
    """The content as lines: an article's markdown, a post's text, a repository's files under their paths."""
    content = doc.get("content") or {}
    if "Content" in content:
        return str(content.get("Content") or "").splitlines()
    if set(content) <= {"text", "image"}:
        return str(content.get("text") or "").splitlines()
    lines: list[str] = []
    for path, text in content.items():
        lines += [f"==> {path} <==", *str(text).splitlines()]
    return lines


def render_document(collection: str, doc: dict[str, Any], *, lines: int = 20) -> str:
    """Metadata (one field a line) and the first ``lines`` lines of the content."""
    record = {"collection": collection, **doc, "words": word_count(doc)}
    keys = [k for k in FIRST_FIELDS if k in record] + ["words"]
    keys += sorted(k for k in record if k not in keys and k not in HIDDEN_FIELDS)
    width = max(len(k) for k in keys)
    out = [f"{k.ljust(width)}  {_value(record[k])}" for k in keys if record[k] not in (None, "", {}, [])]
    text = document_text(doc)
    shown = text[:lines]
    out.append(f"--- content: first {len(shown)} of {len(text)} line(s) ---")
    out += [safe(line) for line in shown]
    if len(text) > lines:
        out.append("...")
    return "\n".join(out)
