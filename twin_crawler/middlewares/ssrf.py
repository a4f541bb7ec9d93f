"""SSRF guard: links (given or discovered, and every redirect hop) that reach loopback, private, link-local or
cloud-metadata addresses are refused unless ``TWIN_ALLOW_LOOPBACK``.

Two layers, because a hostname check alone is defeated by DNS (a public name resolving to 10.0.0.1, or a
rebinding name answering differently the second time):

- ``SSRFGuardMiddleware`` refuses literal addresses (``10.0.0.1``, ``[::1]``, ``0x7f.1``) and ``localhost``
  names before anything is sent; redirected requests pass through it again, so a redirect to the metadata
  service is refused too;
- ``GuardedResolver`` (``TWISTED_DNS_RESOLVER``) checks the address every hostname actually resolves to, at
  resolution time, i.e. the address the connection then uses.

``TWIN_ALLOW_LOOPBACK`` permits loopback and private ranges (local mirrors, tests). Link-local and metadata
addresses stay refused: no local mirror lives there, and they are what SSRF attacks on cloud hosts aim for.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred, fail
from twisted.internet.error import DNSLookupError

from twin_crawler import settings as defaults
from twin_crawler.exceptions import TwinError
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.meta import LINK, PLATFORM

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
ALLOWED_WITH_LOOPBACK = frozenset({"loopback", "private"})
# Hostnames refused by the resolver in this process -> reason; the retry middleware reads it so that a refused
# name is reported as ``ssrf-*`` instead of being retried as a DNS failure.
_REFUSED: dict[str, str] = {}


# NAT64 prefixes (RFC 6052 well-known, RFC 8215 local-use): a gateway translates them to the IPv4 address in the
# last 32 bits, so 64:ff9b::7f00:1 reaches 127.0.0.1. Python's ipaddress classes them global.
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries and is routed to: mapped ``::ffff:a.b.c.d``, the deprecated
    IPv4-compatible ``::a.b.c.d`` (``[::127.0.0.1]``), NAT64, 6to4; None for a plain IPv6 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in net for net in NAT64) or (ip.packed[:12] == bytes(12) and int(ip) > 1):  # not :: nor ::1
        return ipaddress.IPv4Address(ip.packed[12:])
    return ip.sixtofour


def address_kind(ip: IPAddress) -> str | None:
    """``metadata``, ``loopback``, ``link-local``, ``private`` (any non-global range), or None for public."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = embedded_ipv4(ip) or ip
    if ip in METADATA:
        return "metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified or ip.is_multicast:
        return "unspecified"
    if not ip.is_global:
        return "private"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host name spells literally (dotted, bracketed IPv6, or inet_aton shorthand), else None.
    Never uses the network."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}", host, re.IGNORECASE):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


@lru_cache(maxsize=4096)  # pure, and asked for every request: a crawl's few hosts are parsed once each
def host_refusal(host: str, allow_loopback: bool) -> str | None:
    """``ssrf-<kind>`` when ``host`` is refused without resolving it (literal address or localhost name)."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        kind: str | None = "loopback"
    else:
        ip = literal_address(host)
        kind = address_kind(ip) if ip is not None else None
    if kind is None or (allow_loopback and kind in ALLOWED_WITH_LOOPBACK):
        return None
    return f"ssrf-{kind}"


def address_refusal(address: str, allow_loopback: bool) -> str | None:
    """``ssrf-<kind>`` when a resolved address is refused."""
    kind = address_kind(ipaddress.ip_address(address))
    if kind is None or (allow_loopback and kind in ALLOWED_WITH_LOOPBACK):
        return None
    return f"ssrf-{kind}"


def is_reserved_invalid(host: str) -> bool:
    """A name under the reserved ``.invalid`` top-level domain, which by definition never resolves."""
    host = host.lower().rstrip(".")
    return host == "invalid" or host.endswith(".invalid")


def refused_reason(request: Request) -> str | None:
    """The reason the resolver refused this request's host, if it did."""
    return _REFUSED.get(urlparse_cached(request).hostname or "")


def refuse_user_links(links: Iterable[tuple[str, str]], allow_loopback: bool) -> str | None:
    """One actionable line for the first (link, host) the user gave that is refused outright, else None
    (preflight; no DNS: names are checked when they are resolved)."""
    for link, host in links:
        reason = host_refusal(host, allow_loopback) if host else None
        if reason:
            kind = reason.removeprefix("ssrf-")
            hint = "" if kind in ALLOWED_WITH_LOOPBACK else " (never allowed)"
            return (f"links: {link[:80]!r} points to a {kind} address; refused to prevent SSRF"
                    f"{hint or ' (set TWIN_ALLOW_LOOPBACK=True for local mirrors)'}")
    return None


class SSRFGuardMiddleware:
    """Refuses requests to literal internal addresses and localhost names, including redirect hops."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow_loopback = crawler.settings.getbool("TWIN_ALLOW_LOOPBACK", defaults.TWIN_ALLOW_LOOPBACK)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SSRFGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlparse_cached(request).hostname
        reason = host_refusal(host, self.allow_loopback) if host else None
        if reason is None:
            return
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"twin/ssrf/refused/{reason}")
        link = request.meta.get(LINK)
        ledger = ledger_of(self.crawler)
        if link and ledger is not None:
            ledger.record(link, "dropped", platform=request.meta.get(PLATFORM, "article"), reason=reason)
        logger.warning("refused %s: %s address (SSRF guard)", request.url, reason.removeprefix("ssrf-"))
        raise TwinError(reason, f"{reason}: {request.url}")


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to internal addresses (checked on every lookup,
    cached or not)."""

    allow_loopback = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_loopback = crawler.settings.getbool("TWIN_ALLOW_LOOPBACK", defaults.TWIN_ALLOW_LOOPBACK)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 - Twisted API
        if is_reserved_invalid(name):
            # RFC 6761 §6.4: resolvers should answer .invalid negatively at once; glibc sends the query anyway.
            return fail(DNSLookupError(f"{name}: .invalid names never resolve (RFC 6761)"))
        d = super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    def _check(self, address: str, name: str) -> str:
        reason = address_refusal(address, self.allow_loopback)
        if reason is None:
            return address
        _REFUSED[name] = reason
        logger.warning("refused %s: resolves to a %s address (SSRF guard)", name, reason.removeprefix("ssrf-"))
        raise DNSLookupError(f"{name}: {reason}")
