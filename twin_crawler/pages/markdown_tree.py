"""Tree work of the text convention before its markdown is written: furniture removal and image collection (lxml)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import lxml.html

# Never the author's text, on any platform. Not ``source``: libxml2's HTML4 parser does not know it is void and
# nests the following ``img`` inside it.
# ``noscript`` goes only after the images are taken: lazy-loading pages keep the real ``img`` in it.
DROP_TAGS = ("script", "style", "form", "button", "input", "select", "textarea", "svg", "iframe",
             "template", "nav", "dialog", "object", "embed", "video", "audio")
BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol", "figure", "table", "hr")
# Lazy-loading placeholders, avatars, tracking pixels: never a document's image.
NOT_AN_IMAGE = re.compile(r"^data:|/_/stat\?|[?&]q=20\b|/fit/c/\d+/\d+/|/max/60/|pixel|1x1\.gif|spacer\.gif")
BACK_ARROW = ("reversefootnote", "footnote-backref", "footnote-back-ref")
ImageSrc = Callable[[lxml.html.HtmlElement, str], str | None]


def has_class(el: lxml.html.HtmlElement, names: frozenset[str] | tuple[str, ...]) -> bool:
    """True when one of the element's classes is in ``names``."""
    classes = (el.get("class") or "").split()
    return any(name in names for name in classes)


def clean_tree(root: lxml.html.HtmlElement, classes: frozenset[str], xpath: str, headings: dict[str, str]) -> None:
    """Remove furniture in place: dropped tags and classes, the rules' XPath, back-arrows; rename headings."""
    for el in list(root.iter(*DROP_TAGS)):
        _drop(el)
    if classes:
        for el in root.xpath(".//*[@class]"):
            if has_class(el, classes) and el.getparent() is not None:
                _drop(el)
    for el in root.xpath(xpath) if xpath else []:
        if el.getparent() is not None:
            _drop(el)
    for el in root.xpath(".//a[starts-with(@href,'#fnref') or starts-with(@href,'#footnote-anchor')]"):
        if has_class(el, BACK_ARROW) or len((el.text_content() or "").strip()) <= 2:
            _drop(el)  # a footnote's way back to its reference
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        for inner in el.iter("strong", "b"):
            inner.drop_tag()  # headings are already emphasised; ``## **X**`` is noise
        el.tag = headings.get(el.tag, el.tag)
    for inline in list(root.iter("strong", "em", "b", "i", "span")):
        if len(inline) == 0 and not (inline.text or "").strip() and inline.getparent() is not None:
            inline.drop_tag()  # ``<strong> </strong>`` between words: markdownify's rules would drop the space with it
    for br in list(root.iter("br")):
        if any(a.tag == "pre" for a in br.iterancestors()):
            br.tail = "\n" + (br.tail or "")
            br.drop_tag()  # line breaks inside code are newlines, not markdown hard breaks
        elif (br.tail or "").lstrip()[:1].islower():
            br.tail = " " + (br.tail or "")
            br.drop_tag()  # a break inside a sentence is the source's line wrapping, not the author's


def _drop(el: lxml.html.HtmlElement) -> None:
    """Remove an element and its content, keeping the text after it."""
    el.drop_tree()


def default_src(el: lxml.html.HtmlElement, base_url: str) -> str | None:
    """The first real image of ``el`` (an ``img`` or a figure): ``src``, a lazy-loading ``data-src`` or the last
    ``srcset`` entry, absolute; None when there is only a placeholder or a tracking pixel."""
    for img in [el] if el.tag == "img" else el.iter("img"):
        srcset = [p.strip().split(" ")[0] for p in (img.get("srcset") or img.get("data-srcset") or "").split(",")]
        # LinkedIn writes ``src="//:0"`` and the real image in ``data-li-src`` / ``data-delayed-url``.
        lazy = (img.get("data-li-src"), img.get("data-delayed-url"), img.get("data-src"))
        for src in (*lazy, img.get("src"), srcset[-1]):
            if src and src.strip() and not NOT_AN_IMAGE.search(src):
                return urljoin(base_url, src.strip())
    return None


def is_web_url(src: str) -> bool:
    """An absolute http(s) URL with a host (what the item's ``src`` accepts); broken sources are skipped."""
    try:
        parts = urlsplit(src)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in src
    except ValueError:
        return False


def _alt(el: lxml.html.HtmlElement) -> str:
    imgs = [el] if el.tag == "img" else list(el.iter("img"))
    return next((" ".join(i.get("alt", "").split()) for i in imgs if (i.get("alt") or "").strip()), "")


def take_images(root: lxml.html.HtmlElement, base_url: str, image_src: ImageSrc | None) -> list[dict[str, str]]:
    """Collect every image (src, alt, caption) and remove it; a figure's caption stays as a paragraph."""
    pick = image_src or default_src
    images: list[dict[str, str]] = []
    seen: set[str] = set()

    def record(el: lxml.html.HtmlElement, caption: str) -> None:
        src = pick(el, base_url)
        if src and is_web_url(src) and src not in seen:
            seen.add(src)
            images.append({"src": src, "alt": _alt(el), "caption": caption})

    for anchor in root.xpath(".//a[.//img]"):
        if not anchor.text_content().strip():
            anchor.drop_tag()  # a link around an image is the lightbox (or a banner), not a reference
    for figure in list(root.iter("figure")):
        if next(figure.iter("img", "source"), None) is not None:
            record(figure, " ".join(" ".join(c.text_content().split()) for c in figure.iter("figcaption")).strip())
        for el in list(figure.iter("img", "picture", "source")):
            el.drop_tree()
        for caption in figure.iter("figcaption"):
            caption.tag = "p"  # the author's words about the image: kept as text
        figure.tag = "div"
    for img in list(root.iter("img")):
        record(img, "")
        img.drop_tree()
    for el in list(root.iter("picture", "source", "noscript")):
        el.drop_tree()
    return images


def flatten_layout_tables(root: lxml.html.HtmlElement) -> None:
    """A table of one column (a layout table around an image and its caption) is paragraphs, not a table."""
    for table in list(root.iter("table")):
        rows = table.xpath(".//tr")
        if rows and all(len(row.xpath("./td|./th")) <= 1 for row in rows):
            for cell in table.xpath(".//td|.//th"):
                cell.tag = "p"
            for el in table.xpath(".//tr|.//tbody|.//thead|.//tfoot"):
                el.drop_tag()
            table.tag = "div"


def merge_inline(root: lxml.html.HtmlElement) -> None:
    """``<em>a</em> <em>b</em>`` -> ``<em>a b</em>``: emphasis split by a link (now its text) or by the editor
    would come out as ``*a* *b*``, or ``*a**b*`` when nothing separates them."""
    for el in list(root.iter("em", "i", "strong", "b")):
        nxt = el.getnext()
        while nxt is not None and el.getparent() is not None and nxt.tag == el.tag and not (el.tail or "").strip():
            gap = el.tail or ""
            if len(el):
                el[-1].tail = (el[-1].tail or "") + gap + (nxt.text or "")
            else:
                el.text = (el.text or "") + gap + (nxt.text or "")
            for child in list(nxt):
                el.append(child)
            el.tail = nxt.tail
            el.getparent().remove(nxt)
            nxt = el.getnext()
