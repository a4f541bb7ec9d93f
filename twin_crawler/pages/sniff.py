"""Which platform serves a page on an unknown host (Medium and Substack custom domains)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .blocks import header

MEDIUM_APP_URL = re.compile(r"""<meta[^>]+(?:property|name)=["']al:android:url["'][^>]+(?:content|value)=["']medium://p/""", re.I)
MEDIUM_APP_NAME = re.compile(r"""<meta[^>]+(?:property|name)=["']al:(?:ios|android):app_name["'][^>]+(?:content|value)=["']Medium["']""", re.I)
SUBSTACK_PRECONNECT = re.compile(r"""<link[^>]+rel=["']preconnect["'][^>]+href=["']https://substackcdn\.com""", re.I)


def sniff_platform(headers: Mapping[str, str], body: str) -> str | None:
    """``medium``, ``substack`` or None, from one response of the host."""
    if header(headers, "medium-fulfilled-by") or header(headers, "x-medium-service"):
        return "medium"
    head = body[:300_000]
    if MEDIUM_APP_URL.search(head) or MEDIUM_APP_NAME.search(head):
        return "medium"
    if SUBSTACK_PRECONNECT.search(head) or "window._preloads" in head and "substackcdn.com" in head:
        return "substack"
    return None
