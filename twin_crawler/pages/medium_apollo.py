"""Medium's ``window.__APOLLO_STATE__``: the normalised GraphQL cache a post page embeds, and its paragraph model
rendered to markdown. Pure functions over the parsed JSON.

Two cache shapes exist in the wild: Apollo 3 (``{"__ref": "Paragraph:x"}``, 2021 fixture) and Apollo 2
(``{"type": "id", "id": "Paragraph:x"}`` plus ``$Post:...`` generated keys, 2017 fixture). ``resolve`` reads both.
"""

from __future__ import annotations

import json
import re
from typing import Any

APOLLO_START = re.compile(r"window\.__APOLLO_STATE__\s*=\s*")
IMAGE_URL = "https://miro.medium.com/v2/resize:fit:1400/"
HEADING = {"H1": "#", "H2": "##", "H3": "##", "H4": "###"}
MARKS = {"STRONG": ("**", "**"), "EM": ("*", "*"), "CODE": ("`", "`")}
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
