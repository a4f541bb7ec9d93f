"""Medium's furniture rules for the text convention (``pages/markdown.py``): the feed's ``content:encoded``, the
rendered ``pw-*`` DOM and the Apollo paragraphs (rendered to HTML by ``medium_apollo``) all end there.

Medium pages wrap a post in sign-in and membership prompts ("Join Medium for free … Remember me for faster sign
in"), clap and response counters, "Follow" blocks and the author card; lazy-loading placeholders sit beside every
real image. None of it is the author's text.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from .markdown import Rules

TRACKING_PIXEL = "/_/stat?event=post.clientViewed"
# Lazy-loading placeholders are 60px, low-quality copies (``/max/60/...?q=20``) of the real image beside them.
# Avatars are square crops (``/fit/c/96/96/...``): the author's face, not part of the post.
PLACEHOLDER = re.compile(r"/max/60/|[?&]q=20\b|/fit/c/\d+/\d+/")
WIDTH = re.compile(r"/(?:max|fit/c)/(\d+)/|resize:fit:(\d+)")
DROP_CLASSES = frozenset({
    "pw-author", "pw-published-date", "pw-reading-time", "speechify", "pw-responses", "pw-multi-vote-count",
    "pw-responses-count", "pw-follow-button", "pw-post-body-footer", "pw-author-name", "metabar",
    "js-postMetaLockup", "js-actionMultirecommend", "js-postShareWidget", "u-hide",
})
# Prompts, counters and author cards, found by the attributes Medium gives them (the classes are hashed).
DROP_XPATH = (".//*[@data-testid='headerClapButton' or @data-testid='footerClapButton' or @data-testid='authorName'"
              " or @data-testid='headerSocialShareButton' or @data-testid='audioPlayButton' or @aria-label='responses'"
              " or @role='dialog' or @aria-modal='true'] | .//figure[not(.//img)]")
# Lines that are Medium's furniture whatever element they came in (whole lines only: prose about clapping stays).
BOILERPLATE = re.compile(
    r"(?i)^\W*(join medium for free.*|remember me for faster sign in\W*|sign (in|up)( with \w+| to .*)?|"
    r"get started|open in app|get the medium app|member-only story|follow|following|listen|share|"
    r"written by .{1,80}|\d[\d.,]*\s*[km]?\s*(followers?|claps?|responses?)|\d[\d.,]*\s*[km]?|--|"
    r"(more|recommended) from .{1,80}|see all from .{1,80}|get .{1,60}’s stories in your inbox|"
    r"medium’s? (?:free|membership).*|already have an account\? sign in|become a member.*|"
    r"sign up to discover human stories.*|forgot your password\?|no responses yet|what are your thoughts\?)\W*$"
)


def best_image(el: HtmlElement, base_url: str = "") -> str | None:
    """The full-size image of a figure (or an img): the widest real ``src``, else the last ``srcset`` entry."""
    candidates: list[tuple[int, str]] = []
    imgs = [el] if el.tag == "img" else el.iter("img", "source")
    for img in imgs:
        for src in [img.get("src") or "", *[p.strip().split(" ")[0] for p in (img.get("srcset") or "").split(",")]]:
            if not src or src.startswith("data:") or PLACEHOLDER.search(src) or TRACKING_PIXEL in src:
                continue
            match = WIDTH.search(src)
            candidates.append((int(next(g for g in match.groups() if g)) if match else 1000, urljoin(base_url, src)))
    return max(candidates)[1] if candidates else None


# The feed writes large headings as h3 and small ones as h4; the rendered DOM uses h1 and h2.
FEED = Rules(drop_classes=DROP_CLASSES, drop_xpath=DROP_XPATH, boilerplate=BOILERPLATE,
             headings={"h1": "h2", "h3": "h2", "h4": "h3"}, image_src=best_image)
# Loose text in the DOM's layout <div>s is chrome (author name, "Follow", dates): only real blocks count.
DOM = dataclasses.replace(FEED, headings={"h1": "h2", "h2": "h3"}, blocks_only=True)
APOLLO = dataclasses.replace(FEED, headings={})
