"""SSRF guard: address classification on literal IPs, the request middleware (redirect hops included), and the
resolver's check at resolution time (``localhost`` only: nothing here resolves or contacts a non-loopback host).
"""

from __future__ import annotations

import ipaddress

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from twisted.internet.defer import DeferredList
from twisted.internet.error import DNSLookupError
from twisted.internet.selectreactor import SelectReactor

from twin_crawler.middlewares.ssrf import (
    GuardedResolver,
    SSRFGuardMiddleware,
    address_kind,
    host_refusal,
    literal_address,
)


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("fd12:3456::1", "private"),
    ("100.64.0.1", "private"),  # carrier-grade NAT: not global
    ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"), ("100.100.100.200", "metadata"),
    ("169.254.10.10", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "unspecified"),
    ("93.184.215.14", None), ("2606:4700::6810:85e5", None), ("8.8.8.8", None),
])
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(("host", "value"), [
    ("0x7f.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("10.1", "10.0.0.1"),
    ("[::1]", "::1"), ("example.com", None), ("1.2.3.example", None),
])
def test_literal_addresses_in_every_spelling_without_dns(host: str, value: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == value


@pytest.mark.parametrize(("host", "allow", "reason"), [
    ("127.0.0.1", False, "ssrf-loopback"), ("127.0.0.1", True, None), ("localhost", False, "ssrf-loopback"),
    ("api.localhost", False, "ssrf-loopback"), ("LOCALHOST.", False, "ssrf-loopback"), ("localhost", True, None),
    ("10.0.0.7", False, "ssrf-private"), ("10.0.0.7", True, None),
    ("169.254.169.254", True, "ssrf-metadata"), ("169.254.1.1", True, "ssrf-link-local"),
    ("blog.example.org", False, None), ("8.8.8.8", False, None),
])
def test_host_refusal_policy(host: str, allow: bool, reason: str | None) -> None:
    assert host_refusal(host, allow) == reason


def middleware(allow: bool) -> SSRFGuardMiddleware:
    return SSRFGuardMiddleware.from_crawler(get_crawler(settings_dict={"TWIN_ALLOW_LOOPBACK": allow}))


def test_middleware_refuses_redirect_hops_to_internal_addresses() -> None:
    mw = middleware(allow=True)
    first = Request("http://127.0.0.1:8000/post", meta={"twin_link": "http://127.0.0.1:8000/post"})
    assert mw.process_request(first) is None  # loopback allowed (tests, local mirrors)
    hop = first.replace(url="http://169.254.169.254/latest/meta-data/iam",
                        meta={**first.meta, "redirect_urls": [first.url]})
    with pytest.raises(IgnoreRequest) as refused:
        mw.process_request(hop)
    assert refused.value.twin_reason == "ssrf-metadata"  # type: ignore[attr-defined]
    strict = middleware(allow=False)
    for url in ("http://127.0.0.1:8000/post", "http://[::1]/x", "http://0x7f.1/", "https://192.168.0.10/admin"):
        with pytest.raises(IgnoreRequest):
            strict.process_request(Request(url))
    assert strict.process_request(Request("https://blog.example.org/post")) is None  # a name: checked when resolved


def resolve(names: list[str], allow: bool) -> dict[str, object]:
    """Resolve ``names`` with the guarded resolver on a private reactor (not the global one)."""
    reactor = SelectReactor()
    resolver = GuardedResolver(reactor, cache_size=0, timeout=5.0)
    resolver.allow_loopback = allow
    out: dict[str, object] = {}

    def go() -> None:
        ds = []
        for name in names:
            d = resolver.getHostByName(name)
            d.addCallbacks(lambda ip, n=name: out.__setitem__(n, ip), lambda f, n=name: out.__setitem__(n, f.value))
            ds.append(d)
        DeferredList(ds).addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(go)
    reactor.run(installSignalHandlers=False)
    return out


def test_resolver_checks_the_address_a_name_resolves_to() -> None:
    refused = resolve(["localhost"], allow=False)["localhost"]
    assert isinstance(refused, DNSLookupError) and "ssrf-loopback" in str(refused)
    assert resolve(["localhost"], allow=True)["localhost"] == "127.0.0.1"
