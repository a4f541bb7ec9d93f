"""Recognise block, challenge, login-wall and empty JavaScript-shell pages (never stored as content)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from functools import lru_cache

CHALLENGE_TITLES = re.compile(
    r"<title>\s*(just a moment\.*|attention required!?|access denied|verify you are human|please wait\.*|"
    r"ddos-guard|one more step)\s*(\||-|</title>)",
    re.IGNORECASE,
)
CHALLENGE_MARKERS = (
    "cf-browser-verification", "challenge-platform", "cf_chl_opt", "__cf_chl_", "cf-challenge",
    "_Incapsula_Resource", "px-captcha",
)
BLOCK_TEXT = re.compile(
    r"^\s*(just a moment\.*|verify you are human.*|checking (if the site connection is secure|your browser).*|"
    r"enable javascript and cookies to continue|please enable (javascript|cookies).*|"
    r"this site requires javascript.*|you need to enable javascript to run this app\.?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
AUTHWALL_PATHS = ("/authwall", "/login", "/uas/login", "/checkpoint/", "/signup")
BLOCK_STATUSES = frozenset({403, 429, 999})


def header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def ascii_view(raw: bytes, encoding: str | None) -> bytes | None:
    """The raw body of a page decoded with ``encoding``, when that codec writes every ASCII character as its own
    byte (UTF-8, ASCII, the ISO-8859 and Windows code pages: nearly every page), else None. Then any ASCII text of
    the decoded page is in the raw body too, and a ``bytes`` search (several times faster than a ``str`` search of
    a page decoded to UCS-2) can rule out what the page does not contain."""
    return raw if encoding and _ascii_compatible(encoding) else None


@lru_cache(maxsize=64)
def _ascii_compatible(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name in ("utf-8", "ascii", "latin-1") or name.startswith(("iso8859-", "cp125"))


def block_reason(status: int, headers: Mapping[str, str], body: str, url: str = "",
                 raw: bytes | None = None) -> str | None:
    """Why a response is a block/challenge page, or None when it is real content. ``raw``: the page's
    ``ascii_view``, when it has one (the answer is the same; only faster)."""
    if header(headers, "cf-mitigated").lower() == "challenge":
        return "cloudflare-challenge"
    head = body[:20000]
    if CHALLENGE_TITLES.search(head) or any(m in head for m in CHALLENGE_MARKERS):
        return "challenge-page"
    if status == 999:
        return "status-999"
    path = re.sub(r"^[a-z]+://[^/]+", "", url.lower())
    if "linkedin.com" in url.lower() and path.startswith(AUTHWALL_PATHS):
        return "authwall"
    if status in BLOCK_STATUSES:
        return f"http-{status}"
    if is_empty_js_shell(body, raw):
        return "javascript-shell"
    return None


JS_NOTICE = re.compile(r"(?i)(enable|requires?) javascript")
_SPACE_JAVASCRIPT = re.compile(r"(?i) javascript")


def _has_js_notice(body: str) -> bool:
    """``JS_NOTICE.search(body)``, but only tried where " javascript" occurs: the alternation tried at every
    position of a 200 KB page cost ~5 ms per response (benchmarks/RESULTS.md, measurement 1)."""
    for found in _SPACE_JAVASCRIPT.finditer(body):
        # "requires" is the longest word the notice allows before " javascript".
        if JS_NOTICE.search(body, max(0, found.start() - 8), found.end()):
            return True
    return False


# What a notice needs in the raw body: " java" (no letter of it has a non-ASCII case variant), after "enable" (nor
# any of these) or "requ" + i + "re" + s, where ``(?i)`` also matches İ/ı for i and ſ for s: any non-ASCII bytes
# stand for those (one byte in a single-byte code page such as cp1254's İ, two in UTF-8).
_REQUIRES_JAVA = re.compile(rb"requ(?:i|[\x80-\xff]{1,2})re(?:s|[\x80-\xff]{1,2})? java")


def _may_have_js_notice(raw: bytes) -> bool:
    """False only when ``raw`` (an ``ascii_view``) cannot hold what ``JS_NOTICE`` matches in its decoded text."""
    lowered = raw.lower()  # ASCII letters only, which is all these tests compare without case
    return b" java" in lowered and (b"enable java" in lowered or _REQUIRES_JAVA.search(lowered) is not None)


def is_empty_js_shell(body: str, raw: bytes | None = None) -> bool:
    """A page whose visible text is only an 'enable JavaScript' notice (a client-rendered app shell)."""
    if len(body) > 200_000 or (raw is not None and not _may_have_js_notice(raw)) or not _has_js_notice(body):
        return False  # no notice: the text need not be counted
    text = re.sub(r"(?is)<(script|style|noscript|template)\b.*?</\1>", " ", body)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return len(text.split()) < 40


def looks_blocked(text: str) -> bool:
    """A safety net on extracted text: block-page sentences where an article should be."""
    head = text[:2000]
    return bool(BLOCK_TEXT.search(head)) and len(text.split()) < 200
