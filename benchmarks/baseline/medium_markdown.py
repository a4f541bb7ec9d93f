"""Medium HTML (feed ``content:encoded``, the rendered ``pw-*`` DOM) -> markdown. Pure: lxml only.

Medium's markup is a small, regular subset (p, h1-h4, pre, blockquote, ul/ol, figure, inline strong/em/code/a),
so a dedicated walker keeps code blocks, captions and links exactly, where a generic converter would pull in
buttons, avatars and lazy-loading placeholder images.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

from lxml.html import HtmlElement

# Medium uses two heading sizes: large (h3 in feeds, h1 in the DOM) and small (h4 in feeds, h2 in the DOM).
HEADINGS = {"h1": "##", "h2": "###", "h3": "##", "h4": "###", "h5": "####", "h6": "####"}
SKIP_TAGS = frozenset({"script", "style", "button", "svg", "iframe", "form", "nav", "footer", "template", "input"})
BLOCK_TAGS = frozenset({"p", "div", "pre", "ul", "ol", "figure", "blockquote", "section", *HEADINGS})
INLINE_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
TRACKING_PIXEL = "/_/stat?event=post.clientViewed"
# Lazy-loading placeholders are 60px, low-quality copies (``/max/60/...?q=20``) of the real image beside them.
# Avatars are square crops (``/fit/c/96/96/...``): the author's face, not part of the post.
PLACEHOLDER = re.compile(r"/max/60/|[?&]q=20\b|/fit/c/\d+/\d+/")
WIDTH = re.compile(r"/(?:max|fit/c)/(\d+)/|resize:fit:(\d+)")
Skip = Callable[[HtmlElement], bool]


def _tag(el: HtmlElement) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _squash(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\v]+", " ", text)


def best_image(el: HtmlElement, base_url: str = "") -> str | None:
    """The full-size image of a figure (or an img): the widest real ``src``, else the last ``srcset`` entry."""
    candidates: list[tuple[int, str]] = []
    imgs = [el] if _tag(el) == "img" else el.iter("img", "source")
    for img in imgs:
        for src in [img.get("src") or "", *[p.strip().split(" ")[0] for p in (img.get("srcset") or "").split(",")]]:
            if not src or src.startswith("data:") or PLACEHOLDER.search(src) or TRACKING_PIXEL in src:
                continue
            match = WIDTH.search(src)
            candidates.append((int(next(g for g in match.groups() if g)) if match else 1000, urljoin(base_url, src)))
    return max(candidates)[1] if candidates else None


def inline(el: HtmlElement, base_url: str = "", skip: Skip | None = None) -> str:
    """Markdown of an element's inline content (text, emphasis, code, links, line breaks)."""
    parts = [_squash(el.text or "")]
    for child in el:
        parts.append(_inline_child(child, base_url, skip))
        parts.append(_squash(child.tail or ""))
    return "".join(parts)


def _wrap(mark: str, text: str, end: str | None = None) -> str:
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{lead}{mark}{core}{mark if end is None else end}{trail}"


def _inline_child(child: HtmlElement, base_url: str, skip: Skip | None) -> str:
    tag = _tag(child)
    if not tag or tag in SKIP_TAGS or (skip is not None and skip(child)):
        return ""
    if tag == "br":
        return "\n"
    if tag == "img":
        src = best_image(child, base_url)
        return f"![{_squash(child.get('alt') or '').strip()}]({src})" if src else ""
    inner = inline(child, base_url, skip)
    if tag in INLINE_MARKS:
        return _wrap(INLINE_MARKS[tag], inner)
    if tag == "code":
        return _wrap("`", child.text_content())
    if tag == "a" and child.get("href") and not child.get("href", "").startswith(("#", "javascript:")):
        return _wrap("[", inner, f"]({urljoin(base_url, child.get('href', ''))})")
    return inner


def blocks(root: HtmlElement, base_url: str = "", skip: Skip | None = None, loose_text: bool = True) -> list[str]:
    """Markdown blocks of ``root``'s block-level content, in document order."""
    out: list[str] = []
    if loose_text and _squash(root.text or "").strip():
        out.append(_squash(root.text or "").strip())
    for child in root:
        out.extend(_block(child, base_url, skip, loose_text))
        if loose_text and _squash(child.tail or "").strip():
            out.append(_squash(child.tail or "").strip())
    return [b for b in out if b.strip()]


def _block(el: HtmlElement, base_url: str, skip: Skip | None, loose_text: bool) -> list[str]:
    tag = _tag(el)
    if not tag or tag in SKIP_TAGS or (skip is not None and skip(el)):
        return []
    if tag in HEADINGS:
        text = inline(el, base_url, skip).strip()
        return [f"{HEADINGS[tag]} {text}"] if text else []
    if tag == "p":
        return [_lines(inline(el, base_url, skip))]
    if tag == "pre":
        code = _pre_text(el)
        return [f"```\n{code.strip(chr(10))}\n```"] if code.strip() else []
    if tag == "blockquote":
        nested = any(_tag(c) in BLOCK_TAGS for c in el)
        inner = blocks(el, base_url, skip, True) if nested else [_lines(inline(el, base_url, skip))]
        return ["\n".join(f"> {line}".rstrip() for line in "\n\n".join(inner).strip().split("\n"))]
    if tag in ("ul", "ol"):
        items = [_lines(inline(li, base_url, skip)) for li in el if _tag(li) == "li"]
        marks = [f"{i}." for i in range(1, len(items) + 1)] if tag == "ol" else ["-"] * len(items)
        return ["\n".join(f"{m} {t}" for m, t in zip(marks, items, strict=True) if t)]
    if tag in ("figure", "img"):
        return _figure(el, base_url)
    if tag == "hr":
        return ["---"]
    return blocks(el, base_url, skip, loose_text)


def _figure(el: HtmlElement, base_url: str) -> list[str]:
    src = best_image(el, base_url)
    caption_el = next(iter(el.iter("figcaption")), None) if _tag(el) == "figure" else None
    caption = _lines(inline(caption_el, base_url)) if caption_el is not None else ""
    if not src:
        return []  # a caption without an image belongs to an embed (video, tweet): not the author's text
    return [f"![{caption.replace(']', '')}]({src})"]


def _pre_text(el: HtmlElement) -> str:
    """Code inside ``<pre>`` whose lines are separated by ``<br>`` (the 2022 DOM does that)."""
    parts = [el.text or ""]
    for child in el:
        parts.append("\n" if _tag(child) == "br" else _pre_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def to_markdown(root: HtmlElement, base_url: str = "", skip: Skip | None = None, loose_text: bool = True) -> str:
    """The markdown of ``root``: blocks separated by blank lines."""
    return "\n\n".join(blocks(root, base_url, skip, loose_text)).strip()
