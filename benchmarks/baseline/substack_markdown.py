"""Substack ``body_html`` -> clean markdown: the author's text, without Substack's widgets and calls to action.

The body Substack serves (API ``body_html``, ``_preloads``, ``div.body.markup``) embeds subscribe forms, share and
comment buttons, image toolbars and header anchors. They are removed from the tree first, then markdownify turns
what is left into markdown; a last line filter catches boilerplate that arrives as plain paragraphs.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from markdownify import MarkdownConverter

from twin_crawler.pages.html import PageError

# Elements that are never the author's text. Class names are from the recorded bodies (fixtures/substack).
DROP_CLASSES = (
    "subscription-widget-wrap", "subscription-widget-wrap-editor", "subscribe-widget", "subscription-widget",
    "button-wrapper", "captioned-button-wrap", "share-dialog", "paywall", "paywall-jump", "image-link-expand",
    "header-anchor-parent", "install-substack-app-embed", "community-chat", "poll-embed", "tweet",
    "embedded-post-wrap", "embedded-publication-wrap", "digest-post-embed", "apple-podcast-container",
    "spotify-wrap", "audio-embed", "native-audio-embed", "visibility-check", "post-footer", "comments-section",
)
# Not ``source``: libxml2's HTML4 parser does not know it is void and nests the following ``img`` inside it.
DROP_TAGS = ("script", "style", "noscript", "form", "button", "input", "svg", "iframe", "template")
# Lines that are boilerplate whatever element they came in (link text included: "[Share](...)").
BOILERPLATE_LINE = re.compile(
    r"^\W*(subscribe( now| for free)?|share( this post)?|leave a comment|sign in|restack|upgrade to paid|"
    r"give a gift subscription|type your email…?|already (a paid subscriber|have an account)\?( sign in)?|"
    r"thanks for reading .{0,120}subscribe.*|this site requires javascript.*|"
    r"discover more from .*|continue reading|keep reading with a 7-day free trial.*)\W*$",
    re.IGNORECASE,
)
MARKDOWN_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


class _Converter(MarkdownConverter):
    """markdownify with the project's choices: ATX headings, ``-`` bullets, no escaping of ``_``/``*`` (text
    for a language model reads better unescaped; the fingerprints ignore markup anyway)."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False,
                         escape_misc=False, strip_document="strip")


def _has_class(el: etree._Element, names: tuple[str, ...]) -> bool:
    classes = set((el.get("class") or "").split())
    return any(name in classes for name in names)


def _replace_with_text(el: lxml.html.HtmlElement, text: str, tag: str = "span") -> None:
    new = lxml.html.Element(tag)
    new.text = text
    new.tail = el.tail
    el.getparent().replace(el, new)


def _clean_images(root: lxml.html.HtmlElement) -> None:
    """``figure > a.image-link > picture > img`` + caption -> a plain image paragraph and a caption paragraph."""
    for figure in list(root.iter("figure")):
        imgs = figure.xpath(".//img[@src]")
        captions = [c.text_content().strip() for c in figure.xpath(".//figcaption")]
        replacement = lxml.html.Element("div")
        if imgs:
            para = etree.SubElement(replacement, "p")
            etree.SubElement(para, "img", src=imgs[0].get("src", ""), alt=(imgs[0].get("alt") or "").strip())
        for caption in filter(None, captions):
            etree.SubElement(replacement, "p").text = caption
        replacement.tail = figure.tail
        figure.getparent().replace(figure, replacement)
    for anchor in root.xpath(".//a[.//img]"):
        if _has_class(anchor, ("image-link",)) or not anchor.text_content().strip():
            anchor.drop_tag()  # a link around an image is the lightbox, not a reference


def _clean_footnotes(root: lxml.html.HtmlElement) -> None:
    """Substack footnotes -> markdown footnotes (``[^1]`` in the text, ``[^1]: ...`` at the end)."""
    for anchor in root.xpath(".//a[contains(@class,'footnote-anchor')]"):
        _replace_with_text(anchor, f"[^{anchor.text_content().strip()}]")
    for note in root.xpath(".//div[contains(concat(' ',@class,' '),' footnote ')]"):
        number = "".join(note.xpath(".//*[contains(@class,'footnote-number')]//text()")).strip()
        content = note.xpath(".//*[contains(@class,'footnote-content')]")
        text = " ".join(content[0].text_content().split()) if content else ""
        _replace_with_text(note, f"[^{number}]: {text}", tag="p")


def clean_body(html: str) -> lxml.html.HtmlElement:
    """The body tree without widgets, buttons and decorations."""
    if not html or not html.strip():
        raise PageError("empty body")
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"body is not HTML: {exc}") from None
    for el in list(root.iter(*DROP_TAGS)):
        el.drop_tree()
    for el in root.xpath(".//*[@class]"):
        if el.getparent() is not None and _has_class(el, DROP_CLASSES):
            el.drop_tree()
    for el in root.xpath(".//*[@data-component-name='SubscribeWidgetToDOM' or @data-component-name='ButtonCreateButton']"):
        el.drop_tree()
    for strong in root.xpath(".//h1//strong|.//h2//strong|.//h3//strong|.//h4//strong|.//h5//b|.//h6//b"):
        strong.drop_tag()  # headings are already emphasised; ``## **X**`` is noise
    for inline in list(root.iter("strong", "em", "b", "i", "span")):
        if len(inline) == 0 and not (inline.text or "").strip():
            inline.drop_tag()  # ``<strong> </strong>`` between words: markdownify would drop the space with it
    for h1 in root.iter("h1"):
        h1.tag = "h2"  # the page title is the only level-1 heading
    _clean_images(root)
    _clean_footnotes(root)
    return root


def drop_boilerplate_lines(markdown: str) -> str:
    """Remove lines that are only a Substack call to action."""
    kept = [line for line in markdown.split("\n") if not BOILERPLATE_LINE.match(MARKDOWN_LINK_TEXT.sub(r"\1", line))]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def body_to_markdown(html: str) -> str:
    """Markdown of a Substack body: headings, lists, code, quotes, links, images as ``![alt](src)``."""
    root = clean_body(html)
    markdown = _Converter().convert(lxml.html.tostring(root, encoding="unicode"))
    return drop_boilerplate_lines(markdown)
