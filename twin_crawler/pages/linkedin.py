"""LinkedIn posts: guest (logged-out) post cards, logged-in activity-feed cards, activity ids and auth walls.

``LinkedinPostsPage`` reads a page's posts into ``Post`` items. Selectors: guest cards carry
``data-activity-urn`` and ``data-test-id="main-feed-activity-card__*"`` (real 2024 capture, PLATFORMS.md [L13]);
logged-in cards are ``div.feed-shared-update-v2[data-urn]`` with ``.update-components-text`` ([L3], [L5]).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeAlias
from urllib.parse import urlsplit

import lxml.html

from twin_crawler.items import DocumentImage, Post, PostContent

from .html import iter_ld, parse_datetime, person_name
from .page import Page

ACTIVITY_URN = re.compile(r"urn:li:(activity|share|ugcPost):(\d{16,20})")
# LinkedIn launched in 2003; an id whose top 41 bits decode outside 2003..2100 is not a time-based activity id.
MIN_MS, MAX_MS = 1_041_379_200_000, 4_102_444_800_000
LINK_ID = re.compile(r"(?:urn:li:(?:activity|share|ugcPost):|[-_]activity-)(\d{16,20})")
POST_LD_TYPES = {"SocialMediaPosting", "DiscussionForumPosting"}
GUEST_CARD = "//*[@data-activity-urn or @data-id='main-feed-card']"
FEED_CARD = "//*[starts-with(@data-urn, 'urn:li:activity:') or starts-with(@data-id, 'urn:li:activity:')]"
# Header lines of cards that surface someone else's post in the author's activity ("X reposted this").
ACTIVITY_HEADER = re.compile(r"(?i)\b(reposted|likes?|liked|commented on|celebrates|supports|finds this|loves)\b")
AUTHWALL_PATHS = ("/authwall", "/login", "/uas/login", "/checkpoint", "/signup")
# The guest wall is served as a redirect, or as a 200 page whose script sends the browser to /authwall.
AUTHWALL_REDIRECT = re.compile(r"""(?i)(location(\.href)?\s*=|location\.(replace|assign)\(|http-equiv=["']?refresh[^>]*url=)\s*["']?[^"'\s>]*/(authwall|uas/login|login)\b""")
LOGIN_FORM = re.compile(r"""name=["']session_(key|password)["']""")


def activity_time(activity_id: str | int | None) -> datetime | None:
    """Publication time encoded in a LinkedIn activity/share id: its top 41 bits are Unix milliseconds."""
    try:
        ms = int(str(activity_id)) >> 22
    except (TypeError, ValueError):
        return None
    if not MIN_MS <= ms <= MAX_MS:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC)


def permalink(activity_id: str, base_url: str = "https://www.linkedin.com") -> str:
    """The one canonical link of a post: the id-based form both guest pages and the feed can produce."""
    return f"{base_url.rstrip('/')}/feed/update/urn:li:activity:{activity_id}/"


def authwall_reason(url: str, html: str, *, has_content: bool = False) -> str | None:
    """``authwall`` when the page is LinkedIn's sign-in wall or a login redirect, else None.

    A page with content is judged by its URL only: real pages carry sign-in forms and scripts that *can* send the
    browser to the wall, so those count only on a page that has nothing else."""
    path = urlsplit(url).path.lower()
    if path.startswith(AUTHWALL_PATHS):
        return "authwall"
    if has_content:
        return None
    if AUTHWALL_REDIRECT.search(html[:200_000]):
        return "authwall-redirect"
    if has_login_form(html):
        return "authwall"
    return None


def has_login_form(html: str) -> bool:
    """The page asks for a LinkedIn password (meaningful only on a page with no content of its own)."""
    return LOGIN_FORM.search(html) is not None


def _text(el: lxml.html.HtmlElement) -> str:
    """Visible text with line breaks kept (post text is ``white-space: pre-wrap``)."""
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [" ".join(line.split()) for line in el.text_content().replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def _first(el: lxml.html.HtmlElement, xpath: str) -> lxml.html.HtmlElement | None:
    found = el.xpath(xpath)
    return found[0] if found else None


def _image(card: lxml.html.HtmlElement, xpath: str) -> str | None:
    for img in card.xpath(xpath):
        src = (img.get("src") or img.get("data-delayed-url") or "").strip()
        if src.startswith(("http://", "https://")):
            return src
    return None


def _ids(card: lxml.html.HtmlElement) -> list[str]:
    attrs = ("data-activity-urn", "data-featured-activity-urn", "data-attributed-urn", "data-urn", "data-id")
    return [m.group(2) for a in attrs if (m := ACTIVITY_URN.search(card.get(a) or ""))]


def _published(ids: list[str]) -> datetime | None:
    """Time of the content itself: a repost's activity id is the time of the repost, its shared/ugcPost id (the
    attributed urn, listed after the activity ids) the time the author posted."""
    return activity_time(ids[-1]) or activity_time(ids[0]) if ids else None


GUEST_BODY = ".//*[@data-test-id='main-feed-activity-card__commentary']"
FEED_BODY = (".//*[contains(@class, 'update-components-text')]//*[contains(@class, 'break-words')]"
             " | .//*[contains(@class, 'feed-shared-update-v2__commentary')]")
Source: TypeAlias = "lxml.html.HtmlElement | dict[str, Any]"
"""Where one post is read from: its card, or a JSON-LD posting object."""


class LinkedinPostsPage(Page):
    """The posts of a LinkedIn page, in page order: the cards of a guest page (a public post page, a company page;
    its JSON-LD postings when it has no card markup) or, with ``feed=True``, of the logged-in activity feed
    (``/in/<vanity>/recent-activity/all/``, de-duplicated by id). Each post is a ``Post`` keyed by its id-based
    permalink under ``base_url``, so a link and the feed produce the same document."""

    def __init__(self, url: str, body: bytes | str, headers: Mapping[str, str] | None = None, *,
                 encoding: str | None = None, feed: bool = False, base_url: str = "https://www.linkedin.com") -> None:
        super().__init__(url, body, headers, encoding=encoding)
        self.feed, self.base_url = feed, base_url

    @cached_property
    def _sources(self) -> list[tuple[list[str], Source]]:
        """Every post's ids (activity, share, ugcPost: a permalink may name any of them) and where it is read."""
        body = FEED_BODY if self.feed else GUEST_BODY
        cards: list[tuple[list[str], Source]] = []
        seen: set[str] = set()
        for card in self.tree.xpath(FEED_CARD if self.feed else GUEST_CARD):
            ids = _ids(card)
            if ids and _first(card, body) is not None and not (self.feed and ids[0] in seen):
                seen.add(ids[0])
                cards.append((ids, card))
        if cards or self.feed:
            return cards
        for obj in iter_ld(self.tree, POST_LD_TYPES):
            ids = [m.group(1) for m in LINK_ID.finditer(" ".join(str(obj.get(k) or "") for k in ("@id", "url", "mainEntityOfPage")))]
            if ids and str(obj.get("articleBody") or obj.get("text") or "").strip():
                cards.append((ids, obj))
        return cards

    def __len__(self) -> int:
        return len(self._sources)

    def validate(self) -> None:
        self._sources  # noqa: B018 - a body that is no HTML page fails here

    def to_items(self, author_full_name: str, *, via: str) -> list[Post]:
        """Every post of the page, reposts included (``extra.repost`` says which)."""
        return [self._item(ids, source, author_full_name, via) for ids, source in self._sources]

    def to_item(self, author_full_name: str, *, key: str | None = None, share_url: str | None = None) -> Post | None:
        """The post a permalink page is about: the card whose ids hold ``key``, else the page's first card (the
        main post comes first; the "more relevant posts" cards further down belong to other people)."""
        chosen = next(((ids, s) for ids, s in self._sources if key and key in ids), None) or next(iter(self._sources), None)
        return self._item(*chosen, author_full_name, "guest", share_url) if chosen else None

    def _item(self, ids: list[str], source: Source, author: str, via: str, share_url: str | None = None) -> Post:
        if isinstance(source, dict):
            text = str(source.get("articleBody") or source.get("text") or "").strip()
            image = source.get("image")
            image_url = image.get("url") if isinstance(image, dict) else image if isinstance(image, str) else None
            byline, is_repost = person_name(source.get("author")), False
            published = activity_time(ids[0]) or parse_datetime(source.get("datePublished"))
        else:
            text = _text(_first(source, FEED_BODY if self.feed else GUEST_BODY))  # type: ignore[arg-type]
            image_url = _image(source, ".//*[contains(@class, 'update-components-image')]//img" if self.feed
                               else ".//*[@data-test-id='feed-images-content']//img")
            actor = _first(source, ".//*[contains(@class, 'update-components-actor__title')]//*[@aria-hidden='true']"
                                   " | .//*[contains(@class, 'update-components-actor__name')]" if self.feed
                           else ".//a[contains(@data-tracking-control-name, 'feed-actor-name')]")
            header = _first(source, ".//*[contains(@class, 'update-components-header')]" if self.feed
                            else ".//*[contains(@class, 'main-feed-activity-card__header')]")
            byline = " ".join(actor.text_content().split()) if actor is not None else None
            is_repost = header is not None and bool(ACTIVITY_HEADER.search(header.text_content()))
            published = _published(ids)
        link = permalink(ids[0], self.base_url)
        extra: dict[str, Any] = {"via": via, "byline": byline, "repost": is_repost}
        if share_url and share_url != link:
            extra["share_url"] = share_url
        return Post(
            link=link, platform="linkedin", author_full_name=author, published_at=published, source_id=ids[0],
            domain="linkedin.com", extra=extra, content=PostContent(text=text, image=image_url),
            images=[DocumentImage(src=image_url)] if image_url and image_url.startswith(("http://", "https://")) else [],
        )
