"""Medium's ``window.__APOLLO_STATE__``: the normalised GraphQL cache a post page embeds, and its paragraph model
rendered to HTML for the text convention (``pages/markdown.py``). Pure functions over the parsed JSON.

Two cache shapes exist in the wild: Apollo 3 (``{"__ref": "Paragraph:x"}``, 2021 fixture) and Apollo 2
(``{"type": "id", "id": "Paragraph:x"}`` plus ``$Post:...`` generated keys, 2017 fixture). ``resolve`` reads both.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

APOLLO_START = re.compile(r"window\.__APOLLO_STATE__\s*=\s*")
IMAGE_URL = "https://miro.medium.com/v2/resize:fit:1400/"
# Medium's large headings (H3; H1/H2 in old posts) start the body at ``##``, small ones (H4) are ``###``.
HEADING = {"H1": "h2", "H2": "h2", "H3": "h2", "H4": "h3"}
MARKS = {"STRONG": ("<strong>", "</strong>"), "EM": ("<em>", "</em>"), "CODE": ("<code>", "</code>")}
State = dict[str, Any]


def apollo_state(html: str) -> State | None:
    """The Apollo cache of a Medium page, or None when the page has none (or it is not valid JSON)."""
    match = APOLLO_START.search(html)
    if match is None:
        return None
    try:
        state, _ = json.JSONDecoder().raw_decode(html, match.end())
    except (json.JSONDecodeError, RecursionError):
        return None
    return state if isinstance(state, dict) else None


def resolve(state: State, value: Any) -> Any:
    """Follow a cache reference (either Apollo shape); anything else is returned unchanged."""
    if isinstance(value, dict):
        key = value.get("__ref") or (value.get("id") if value.get("type") == "id" else None)
        if isinstance(key, str):
            return state.get(key, {})
    return value


def post_node(state: State, post_id: str) -> dict[str, Any] | None:
    node = state.get(f"Post:{post_id}")
    return node if isinstance(node, dict) else None


def post_content(state: State, post: dict[str, Any]) -> dict[str, Any]:
    """The ``content(...)`` field of a post: its key carries query arguments that vary, so match by prefix."""
    for key, value in post.items():
        if key.startswith("content("):
            content = resolve(state, value)
            if isinstance(content, dict):
                return content
    return {}


def paragraphs(state: State, post: dict[str, Any]) -> list[dict[str, Any]]:
    body = resolve(state, post_content(state, post).get("bodyModel"))
    refs = body.get("paragraphs") if isinstance(body, dict) else None
    return [p for p in (resolve(state, r) for r in refs or []) if isinstance(p, dict)]


class _Identity(dict[int, int]):
    """The offset map of a text without astral characters: UTF-16 units and Python indexes agree."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = length

    def get(self, key: int, default: int | None = None) -> int | None:  # type: ignore[override]
        return key if 0 <= key <= self.length else default


ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _utf16_index(text: str) -> dict[int, int]:
    """Medium's markup offsets count UTF-16 code units (JavaScript strings); map them to Python indexes."""
    if not ASTRAL.search(text):
        return _Identity(len(text))  # the common case: no emoji, no map to build
    index, unit = {}, 0
    for i, ch in enumerate(text):
        index[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    index[unit] = len(text)
    return index


def render_text(state: State, paragraph: dict[str, Any]) -> str:
    """A paragraph's text with its markups (bold, italic, code, links) as inline HTML (escaped)."""
    text: str = paragraph.get("text") or ""
    index = _utf16_index(text)
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    markups = [m for m in (resolve(state, m) for m in paragraph.get("markups") or []) if isinstance(m, dict)]
    # Outer ranges open first, so that tags nest: (start, longest first).
    for markup in sorted(markups, key=lambda m: (m.get("start", 0), -m.get("end", 0))):
        kind = markup.get("type")
        start, end = index.get(markup.get("start", -1)), index.get(markup.get("end", -1))
        if start is None or end is None:
            continue
        # Emphasis must not start or end on a space (markdown would not read it): shrink the range to its words.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if kind == "A" and markup.get("href"):
            pair = (f'<a href="{escape(str(markup["href"]))}">', "</a>")
        elif kind in MARKS:
            pair = MARKS[kind]
        else:
            continue
        opens.setdefault(start, []).append(pair[0])
        closes.setdefault(end, []).insert(0, pair[1])
    out, last = [], 0
    for i in sorted({0, len(text), *opens, *closes}):  # escape whole runs between tag positions, not characters
        out.append(escape(text[last:i], quote=False).replace("\n", "<br>"))
        out.extend(closes.get(i, []))
        out.extend(opens.get(i, []))
        last = i
    return "".join(out)


def _image(state: State, paragraph: dict[str, Any], caption: str) -> str:
    meta = resolve(state, paragraph.get("metadata"))
    image_id = meta.get("id") if isinstance(meta, dict) else None
    alt = escape(str(meta.get("alt") or "")) if isinstance(meta, dict) else ""
    img = f'<img src="{IMAGE_URL}{escape(image_id)}" alt="{alt}">' if image_id else ""
    return f"<figure>{img}<figcaption>{caption}</figcaption></figure>" if img or caption else ""


def _block(state: State, p: dict[str, Any], kind: str, text: str) -> str:
    """One paragraph as an HTML block ("" for embeds: tweets, gists, videos are not the author's text)."""
    if kind == "IMG":
        return _image(state, p, text)
    if kind == "PRE":
        code = (p.get("text") or "").strip("\n")
        lang = (resolve(state, p.get("codeBlockMetadata")) or {}).get("lang") or ""
        return f'<pre><code data-lang="{escape(lang)}">{escape(code, quote=False)}</code></pre>' if code.strip() else ""
    if kind == "MIXTAPE_EMBED" and p.get("href"):
        return f'<p><a href="{escape(str(p["href"]))}"></a></p>'  # a link card: its target is kept, its blurb is not
    if not text.strip() or kind in ("IFRAME", "SECTION_CAPTION", "MIXTAPE_EMBED"):
        return ""
    if kind in HEADING:
        return f"<{HEADING[kind]}>{text}</{HEADING[kind]}>"
    if kind in ("BQ", "PQ"):
        return f"<blockquote><p>{text}</p></blockquote>"
    if kind in ("ULI", "OLI"):
        return f"<li>{text}</li>"
    return f"<p>{text}</p>"


def paragraphs_to_html(state: State, paras: list[dict[str, Any]]) -> str:
    """A post body as plain HTML (headings, lists, code with its language, quotes, links, figures) for the text
    convention's converter: one markdown dialect for every platform."""
    out: list[str] = []
    open_list = ""
    for p in paras:
        kind = p.get("type") or "P"
        block = _block(state, p, kind, render_text(state, p))
        wanted = {"ULI": "ul", "OLI": "ol"}.get(kind, "")
        if open_list and wanted != open_list:
            out.append(f"</{open_list}>")
            open_list = ""
        if wanted and not open_list:
            out.append(f"<{wanted}>")
            open_list = wanted
        out.append(block)
    if open_list:
        out.append(f"</{open_list}>")
    return "".join(out)


def tag_names(state: State, post: dict[str, Any]) -> list[str]:
    names = []
    for ref in post.get("tags") or []:
        tag = resolve(state, ref)
        name = tag.get("displayTitle") or tag.get("id") if isinstance(tag, dict) else None
        if name:
            names.append(str(name))
    return names


def profile_post_ids(html: str, handle: str) -> list[str]:
    """Ids of the posts by ``handle`` that a profile page embeds in its Apollo cache (newest first, as cached).

    Logged-out profile pages embed about the latest ten posts; anything older is only reachable through Medium's
    private GraphQL API, which this project does not call.
    """
    state = apollo_state(html) or {}
    wanted = handle.lstrip("@").casefold()
    ids: list[str] = []
    for key, node in state.items():
        if not key.startswith("Post:") or not isinstance(node, dict):
            continue
        creator = resolve(state, node.get("creator"))
        if isinstance(creator, dict) and str(creator.get("username") or "").casefold() == wanted:
            post_id = str(node.get("id") or key[5:])
            if re.fullmatch(r"[0-9a-f]{8,12}", post_id) and post_id not in ids:
                ids.append(post_id)
    return ids
