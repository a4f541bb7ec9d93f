"""The SSRF guard for what Chromium fetches (issue 15.3): Chromium resolves and connects on its own, so the
downloader's guard (``ssrf.py``) never sees the page's subresources, scripts' fetches or frames.

scrapy-playwright routes every request of a page (navigation and subresources) through ``page.route``; its
``PLAYWRIGHT_ABORT_REQUEST`` predicate is this guard. It applies the downloader's rules: literal internal addresses
and ``localhost`` names are refused at once, other names are resolved and refused when any address is internal
(``TWIN_ALLOW_LOOPBACK`` permits loopback and private ranges, never link-local/metadata). Schemes other than
http(s) are aborted, except the page-internal ``data:``/``blob:``/``about:``.

Limits: Chromium resolves the name again when it connects (a rebinding DNS server could answer differently), and
redirect hops inside Chromium are not routed; the navigation itself already passed the downloader's guard.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from .ssrf import address_refusal, host_refusal, is_reserved_invalid

logger = logging.getLogger(__name__)
PAGE_INTERNAL = frozenset({"data", "blob", "about"})


class BrowserGuard:
    """``PLAYWRIGHT_ABORT_REQUEST``: True (abort) for a request to an internal address."""

    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.refused: dict[str, str] = {}  # host -> reason, logged once per host

    def __deepcopy__(self, memo: dict[int, Any]) -> BrowserGuard:  # Scrapy copies settings; the guard is stateless
        return BrowserGuard(self.allow_loopback)

    async def __call__(self, request: Any) -> bool:
        parts = urlsplit(str(request.url))
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return parts.scheme not in PAGE_INTERNAL
        host = (parts.hostname or "").rstrip(".")
        reason = host_refusal(host, self.allow_loopback) or await self._resolved_refusal(host)
        if reason is None:
            return False
        if host not in self.refused:
            self.refused[host] = reason
            logger.warning("browser request to %s refused (%s): internal address", host, reason)
        return True

    async def _resolved_refusal(self, host: str) -> str | None:
        if not host or is_reserved_invalid(host):
            return None  # never resolves: Chromium fails it on its own
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return None  # unresolvable: Chromium's own lookup fails the same way
        for info in infos:
            reason = address_refusal(str(info[4][0]), self.allow_loopback)
            if reason:
                return reason
        return None
