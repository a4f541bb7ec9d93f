"""Baseline copy (benchmarks only) of the Apollo paragraph renderer as it was before issue 11."""

from __future__ import annotations

from typing import Any

from twin_crawler.pages.medium_apollo import State, resolve

IMAGE_URL = "https://miro.medium.com/v2/resize:fit:1400/"
HEADING = {"H1": "#", "H2": "##", "H3": "##", "H4": "###"}
MARKS = {"STRONG": ("**", "**"), "EM": ("*", "*"), "CODE": ("`", "`")}


def _utf16_index(text: str) -> dict[int, int]:
    """Medium's markup offsets count UTF-16 code units (JavaScript strings); map them to Python indexes."""
    index, unit = {}, 0
    for i, ch in enumerate(text):
        index[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    index[unit] = len(text)
    return index


def render_text(state: State, paragraph: dict[str, Any]) -> str:
    """A paragraph's text with its markups (bold, italic, code, links) as inline markdown."""
    text: str = paragraph.get("text") or ""
    index = _utf16_index(text)
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    markups = [m for m in (resolve(state, m) for m in paragraph.get("markups") or []) if isinstance(m, dict)]
    # Outer ranges open first, so that markers nest: (start, longest first).
    for markup in sorted(markups, key=lambda m: (m.get("start", 0), -m.get("end", 0))):
        kind = markup.get("type")
        start, end = index.get(markup.get("start", -1)), index.get(markup.get("end", -1))
        if start is None or end is None:
            continue
        # Markdown emphasis must not start or end on a space: shrink the range to its words.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if kind == "A" and markup.get("href"):
            pair = ("[", f"]({markup['href']})")
        elif kind in MARKS:
            pair = MARKS[kind]
        else:
            continue
        opens.setdefault(start, []).append(pair[0])
        closes.setdefault(end, []).insert(0, pair[1])
    out = []
    for i in range(len(text) + 1):
        out.extend(closes.get(i, []))
        out.extend(opens.get(i, []))
        if i < len(text):
            out.append(text[i])
    return "".join(out)


def _image(state: State, paragraph: dict[str, Any], caption: str) -> str:
    meta = resolve(state, paragraph.get("metadata"))
    image_id = meta.get("id") if isinstance(meta, dict) else None
    if not image_id:
        return f"*{caption}*" if caption else ""
    return f"![{caption.replace(']', '')}]({IMAGE_URL}{image_id})"


def paragraphs_to_markdown(state: State, paras: list[dict[str, Any]]) -> str:
    """Markdown of a post body: headings, lists, code blocks, quotes, links, images with their captions."""
    out: list[str] = []
    number = 0
    previous = ""
    for p in paras:
        kind = p.get("type") or "P"
        text = render_text(state, p).strip()
        number = number + 1 if kind == "OLI" and previous == "OLI" else 1
        joined = kind in ("ULI", "OLI") and previous == kind  # list items continue the previous block
        previous = kind
        if kind == "IMG":
            block = _image(state, p, text)
        elif kind == "PRE":
            code = (p.get("text") or "").strip("\n")
            lang = (resolve(state, p.get("codeBlockMetadata")) or {}).get("lang") or ""
            block = f"```{lang}\n{code}\n```" if code.strip() else ""
        elif not text or kind in ("IFRAME", "SECTION_CAPTION"):
            continue  # embeds (tweets, gists, videos) are not the author's text
        elif kind in HEADING:
            block = f"{HEADING[kind]} {text}"
        elif kind in ("BQ", "PQ"):
            block = "\n".join(f"> {line}".rstrip() for line in text.split("\n"))
        elif kind == "ULI":
            block = f"- {text}"
        elif kind == "OLI":
            block = f"{number}. {text}"
        elif kind == "MIXTAPE_EMBED" and p.get("href"):
            block = f"[{text}]({p['href']})"
        else:
            block = text
        if not block:
            continue
        if joined and out:
            out[-1] += "\n" + block
        else:
            out.append(block)
    return "\n\n".join(out)
