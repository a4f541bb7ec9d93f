"""LinkedIn posts: guest (logged-out) post cards, logged-in activity-feed cards, activity ids and auth walls.

Pure functions from (url, html) to plain data; the spider turns them into items. Selectors: guest cards carry
``data-activity-urn`` and ``data-test-id="main-feed-activity-card__*"`` (real 2024 capture, PLATFORMS.md [L13]);
logged-in cards are ``div.feed-shared-update-v2[data-urn]`` with ``.update-components-text`` ([L3], [L5]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from .html import iter_ld, parse_datetime, parse_html, person_name

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


@dataclass
class PostData:
    """One post read from a card (or from JSON-LD)."""

    activity_id: str
    text: str
    image: str | None = None
    author_name: str | None = None
    author_url: str | None = None
    published_at: datetime | None = None
    is_repost: bool = False
    ids: tuple[str, ...] = ()
    """Every id the card carries (activity, share, ugcPost): a permalink may name any of them."""


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


def _guest_card(card: lxml.html.HtmlElement) -> PostData | None:
    ids = _ids(card)
    body = _first(card, ".//*[@data-test-id='main-feed-activity-card__commentary']")
    if not ids or body is None:
        return None
    actor = _first(card, ".//a[contains(@data-tracking-control-name, 'feed-actor-name')]")
    header = _first(card, ".//*[contains(@class, 'main-feed-activity-card__header')]")
    return PostData(
        activity_id=ids[0],
        text=_text(body),
        image=_image(card, ".//*[@data-test-id='feed-images-content']//img"),
        author_name=" ".join(actor.text_content().split()) if actor is not None else None,
        author_url=(actor.get("href") or "").split("?")[0] or None if actor is not None else None,
        published_at=_published(ids),
        is_repost=header is not None and bool(ACTIVITY_HEADER.search(header.text_content())),
        ids=tuple(ids),
    )


def parse_guest_posts(html: str | bytes) -> list[PostData]:
    """Every post card of a guest page (a public post page, a company page), in page order."""
    tree = parse_html(html)
    posts = [p for p in (_guest_card(c) for c in tree.xpath(GUEST_CARD)) if p is not None]
    if not posts:
        posts = _ld_posts(tree)
    return posts


def _ld_posts(tree: lxml.html.HtmlElement) -> list[PostData]:
    """Posts described only by JSON-LD ``SocialMediaPosting``/``DiscussionForumPosting`` (no card markup)."""
    posts = []
    for obj in iter_ld(tree, POST_LD_TYPES):
        ids = [m.group(1) for m in LINK_ID.finditer(" ".join(str(obj.get(k) or "") for k in ("@id", "url", "mainEntityOfPage")))]
        text = str(obj.get("articleBody") or obj.get("text") or "").strip()
        if not ids or not text:
            continue
        author: Any = obj.get("author")
        image = obj.get("image")
        image_url = image.get("url") if isinstance(image, dict) else image if isinstance(image, str) else None
        posts.append(PostData(
            activity_id=ids[0], text=text, image=image_url, author_name=person_name(author),
            author_url=author.get("url") if isinstance(author, dict) else None,
            published_at=activity_time(ids[0]) or parse_datetime(obj.get("datePublished")), ids=tuple(ids),
        ))
    return posts


def select_post(posts: list[PostData], key: str | None) -> PostData | None:
    """The post a permalink page is about: the card whose id is in the URL, else the page's first card (the
    main post comes first; the "more relevant posts" cards further down belong to other people)."""
    for post in posts:
        if key and key in (post.activity_id, *post.ids):
            return post
    return posts[0] if posts else None


def _feed_card(card: lxml.html.HtmlElement) -> PostData | None:
    ids = _ids(card)
    body = _first(card, ".//*[contains(@class, 'update-components-text')]//*[contains(@class, 'break-words')]"
                        " | .//*[contains(@class, 'feed-shared-update-v2__commentary')]")
    if not ids or body is None:
        return None
    actor = _first(card, ".//*[contains(@class, 'update-components-actor__title')]//*[@aria-hidden='true']"
                         " | .//*[contains(@class, 'update-components-actor__name')]")
    header = _first(card, ".//*[contains(@class, 'update-components-header')]")
    return PostData(
        activity_id=ids[0],
        text=_text(body),
        image=_image(card, ".//*[contains(@class, 'update-components-image')]//img"),
        author_name=" ".join(actor.text_content().split()) if actor is not None else None,
        published_at=_published(ids),
        is_repost=header is not None and bool(ACTIVITY_HEADER.search(header.text_content())),
        ids=tuple(ids),
    )


def parse_feed_posts(html: str | bytes) -> list[PostData]:
    """Posts of a logged-in activity feed (``/in/<vanity>/recent-activity/all/``), de-duplicated by id."""
    tree = parse_html(html)
    seen: dict[str, PostData] = {}
    for card in tree.xpath(FEED_CARD):
        post = _feed_card(card)
        if post is not None and post.activity_id not in seen:
            seen[post.activity_id] = post
    return list(seen.values())
