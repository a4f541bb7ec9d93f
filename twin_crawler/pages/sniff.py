"""Which platform serves a page on an unknown host (Medium and Substack custom domains)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .blocks import header

# ``medium://p/<id>``, or ``medium:/p/<id>`` on 2015-2018 pages (pages/medium.py APP_URL).
MEDIUM_APP_URL = re.compile(r"""<meta[^>]+(?:property|name)=["']al:android:url["'][^>]+(?:content|value)=["']medium:/{1,2}p/""", re.I)
MEDIUM_APP_NAME = re.compile(r"""<meta[^>]+(?:property|name)=["']al:(?:ios|android):app_name["'][^>]+(?:content|value)=["']Medium["']""", re.I)
# The same two tags with the value before the name (attribute order is free; Postlight's captures write it so).
MEDIUM_APP_URL_REVERSED = re.compile(r"""<meta[^>]+(?:content|value)=["']medium:/{1,2}p/[0-9a-f]+["'][^>]+(?:property|name)=["']al:(?:android|ios):url["']""", re.I)
MEDIUM_APP_NAME_REVERSED = re.compile(r"""<meta[^>]+(?:content|value)=["']Medium["'][^>]+(?:property|name)=["']al:(?:ios|android):app_name["']""", re.I)
SUBSTACK_PRECONNECT = re.compile(r"""<link[^>]+rel=["']preconnect["'][^>]+href=["']https://substackcdn\.com""", re.I)


def sniff_platform(headers: Mapping[str, str], body: str) -> str | None:
    """``medium``, ``substack`` or None, from one response of the host."""
    if header(headers, "medium-fulfilled-by") or header(headers, "x-medium-service"):
        return "medium"
    head = body[:300_000]
    # Literal pre-checks first: the regexes below cost ~1 ms on a large page that has none of these tokens, and
    # every page of an unknown host is sniffed (benchmarks, measurement 1). App-link property names and CDN hosts
    # are lower case in practice; lower-casing a 300 KB page just to be sure cost as much as the regexes.
    medium_patterns = (MEDIUM_APP_URL, MEDIUM_APP_NAME, MEDIUM_APP_URL_REVERSED, MEDIUM_APP_NAME_REVERSED)
    if ("al:android:" in head or "al:ios:" in head) and any(p.search(head) for p in medium_patterns):
        return "medium"
    if "substackcdn.com" in head and (SUBSTACK_PRECONNECT.search(head) or "window._preloads" in head):
        return "substack"
    return None
