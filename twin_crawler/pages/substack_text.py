"""Substack's furniture rules for the text convention (``pages/markdown.py``), and its footnotes.

The body Substack serves (API ``body_html``, ``_preloads``, ``div.body.markup``) embeds subscribe forms, share,
comment and "captioned" buttons, polls, image toolbars and header anchors: widgets, never the author's text. They
are recognised by class (or ``data-component-name``), never by their wording, so an author's own paragraph that
says "Thanks for reading … subscribe" stays. Class names are from the recorded bodies (tests/fixtures/substack).
"""

from __future__ import annotations

import re

import lxml.html

from .markdown import Converted, Rules, convert, parse_fragment

DROP_CLASSES = frozenset({
    "subscription-widget-wrap", "subscription-widget-wrap-editor", "subscribe-widget", "subscription-widget",
    "button-wrapper", "captioned-button-wrap", "captioned-button", "share-dialog", "paywall", "paywall-jump",
    "image-link-expand", "header-anchor-parent", "install-substack-app-embed", "community-chat", "poll-embed",
    "poll-wrap", "tweet", "embedded-post-wrap", "embedded-publication-wrap", "digest-post-embed",
    "apple-podcast-container", "spotify-wrap", "audio-embed", "native-audio-embed", "visibility-check",
    "post-footer", "comments-section", "post-ufi", "post-ufi-button", "like-button-container", "restack-image",
    "view-image", "youtube-wrap", "vimeo-wrap", "file-embed-wrapper", "directMessage",
})
DROP_XPATH = (".//*[@data-component-name='SubscribeWidgetToDOM' or @data-component-name='ButtonCreateButton' or "
              "@data-component-name='PollToDOM' or @data-component-name='CaptionedButtonToDOM' or "
              "@data-component-name='SubscribeWidget' or @data-component-name='InstallSubstackAppToDOM']")
# Button labels that arrive as lines of their own (a button rendered as a plain link): a safety net only.
BOILERPLATE = re.compile(
    r"^\W*(subscribe( now| for free)?|share( this post| \S+)?|leave a comment|sign in|restack|upgrade to paid|"
    r"give a gift subscription|get \d+% off.*|type your email…?|already (a paid subscriber|have an account)\?( sign in)?|"
    r"this site requires javascript.*|discover more from .*|continue reading|keep reading with a 7-day free trial.*)\W*$",
    re.IGNORECASE,
)
RULES = Rules(drop_classes=DROP_CLASSES, drop_xpath=DROP_XPATH, boilerplate=BOILERPLATE)


def _replace_with_text(el: lxml.html.HtmlElement, text: str, tag: str = "span") -> None:
    new = lxml.html.Element(tag)
    new.text, new.tail = text, el.tail
    el.getparent().replace(el, new)


def mark_footnotes(root: lxml.html.HtmlElement) -> None:
    """Substack footnotes -> markdown footnotes (``[^1]`` in the text, ``[^1]: ...`` at the end); the number
    link that leads back to the reference (the "back-arrow") is not kept."""
    for anchor in root.xpath(".//a[contains(@class,'footnote-anchor')]"):
        _replace_with_text(anchor, f"[^{anchor.text_content().strip()}]")
    for note in root.xpath(".//div[contains(concat(' ',@class,' '),' footnote ')]"):
        number = "".join(note.xpath(".//*[contains(@class,'footnote-number')]//text()")).strip()
        content = note.xpath(".//*[contains(@class,'footnote-content')]")
        text = " ".join(content[0].text_content().split()) if content else ""
        _replace_with_text(note, f"[^{number}]: {text}", tag="p")


def body_to_markdown(html: str | lxml.html.HtmlElement, base_url: str = "") -> Converted:
    """The convention's text of a Substack body, its links and its images."""
    root = parse_fragment(html) if isinstance(html, str) else html
    mark_footnotes(root)  # before conversion: the footnote number links are in-page anchors
    return convert(root, base_url, RULES)
