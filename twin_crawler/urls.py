"""Canonical links and routing by parsed host (never by prefix regex)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that only track who shared a link; dropping them makes one document one link (DESIGN.md, Dedup).
TRACKING_PARAMS = frozenset(
    {"r", "source", "ref", "ref_src", "sk", "triedredirect", "fbclid", "gclid", "mc_cid", "mc_eid", "s",
     "publication_id", "post_id", "isfreemail", "showwelcome", "trk", "trackingid", "lipi", "rcm", "_hsenc", "_hsmi"}
)
# DNS labels (RFC 1035: 1-63 characters); "_" appears in real subdomains, so it is accepted too.
HOST_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
BRACKETED = re.compile(r"\[([0-9a-f:.]+)\](?::[0-9]*)?", re.IGNORECASE)  # an IPv6 literal (no zone id), then only a port
MEDIUM_POST_ID = re.compile(r"(?:^|-)([0-9a-f]{10,12})$")
# Whitespace (str.isspace), controls (category Cc) and lone surrogates (Cs): the same set as testing each
# character's category, checked for every code point, in one regex scan instead of a Python call per character.
UNSAFE_CHARACTER = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
GITHUB_RESERVED = frozenset(
    {"about", "features", "pricing", "orgs", "settings", "marketplace", "explore", "topics", "collections", "login",
     "join", "sponsors", "notifications", "search", "trending", "enterprise", "security", "site", "apps", "issues",
     "pulls", "codespaces", "organizations", "readme", "team", "customer-stories", "new"}
)


class LinkError(ValueError):
    """A link that cannot be crawled; the message is one actionable line."""


@dataclass(frozen=True, slots=True)
class Route:
    """Where a link goes: the platform, what kind of page it is, and its canonical form."""

    platform: str
    kind: str
    link: str
    host: str
    key: str | None = None
    """Platform id when the URL carries one (Medium post id, GitHub ``owner/repo``, LinkedIn activity id, slug)."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def parse_web_url(url: str) -> tuple[str, str, int | None, str, str]:
    """Validate and split an http(s) URL: (scheme, host, port, path, query). Raises LinkError, and only that:
    every malformed link (bad IPv6 literal, bad port, control characters, over-long host) is one message."""
    text = url.strip()
    if not text:
        raise LinkError("empty link")
    if UNSAFE_CHARACTER.search(text):
        # Cs: lone surrogates, which is what undecodable bytes in a command-line argument become.
        raise LinkError(f"link {text[:80]!r} contains whitespace or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise LinkError(f"link {text[:80]!r} is malformed ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "no scheme"
        raise LinkError(f"link {text[:80]!r} has {shown}; only http:// and https:// links can be crawled")
    if port == 0:
        raise LinkError(f"link {text[:80]!r} is malformed (port 0)")
    return scheme, _valid_host(parts.netloc, parts.hostname or "", text), port, parts.path, parts.query


def _valid_host(netloc: str, hostname: str, text: str) -> str:
    """The host in ASCII (IDNA), or LinkError. urlsplit accepts hosts no resolver or browser would: text after
    ``[::1]``, ``[v1.x]`` (read as the name ``v1.x``), zone ids, ``a<b.com``, labels over 63 characters."""
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        literal = BRACKETED.fullmatch(hostport)
        try:
            ipaddress.IPv6Address(literal.group(1) if literal else "-")
        except ValueError:
            raise LinkError(f"link {text[:80]!r} is malformed (not an IPv6 address in brackets)") from None
        return hostname
    host = hostname.rstrip(".")
    try:
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or over-long label, or characters IDNA prohibits
        host = ""
    labels = host.split(".")
    if (len(host) > 253 or not all(HOST_LABEL.fullmatch(label) for label in labels)
            or len(labels) < 2 and host != "localhost"):
        raise LinkError(f"link {text[:80]!r} has no valid host name")
    return host


@lru_cache(maxsize=8192)  # pure; a site's navigation links are asked on every one of its pages (~8 per page)
def canonicalize(url: str) -> str:
    """One link per page: lower-case scheme/host (IDNA), default port, userinfo and fragment dropped, tracking
    parameters removed; then w3lib's ``canonicalize_url`` for what it does well: percent-encoding (``%7E`` = ``~``,
    ``café`` = ``caf%C3%A9``, ``%20`` = ``+`` in the query), dot segments, query sorted with blank values kept."""
    scheme, host, port, path, query = parse_web_url(url)
    host = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets, or the URL is unparseable
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    # Filtered on the raw pairs so w3lib sees the original bytes (parse_qsl would turn non-UTF-8 escapes into U+FFFD).
    kept = "&".join(p for p in query.split("&") if p and not _is_tracking(unquote_plus(p.partition("=")[0])))
    try:
        return canonicalize_url(urlunsplit((scheme, netloc, path or "/", kept, "")))
    except (ValueError, UnicodeError) as exc:  # LinkError is the only exception callers handle
        raise LinkError(f"link {url.strip()[:80]!r} is malformed ({exc})") from None


def _host_is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def medium_post_id(path: str) -> str | None:
    """The post id of a Medium URL path: ``/p/<id>`` or a slug ending ``-<10..12 hex>``."""
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 2 and segments[-2] == "p" and re.fullmatch(r"[0-9a-f]{10,12}", segments[-1]):
        return segments[-1]
    if segments:
        match = MEDIUM_POST_ID.search(segments[-1])
        if match and "-" in segments[-1]:
            return match.group(1)
    return None


def _route_medium(host: str, path: str, link: str) -> Route:
    post_id = medium_post_id(path)
    if post_id:
        return Route("medium", "post", f"https://medium.com/p/{post_id}", host, post_id)
    segments = [s for s in path.split("/") if s]
    if segments and segments[0].startswith("@"):
        return Route("medium", "profile", link, host, segments[0][1:])
    if host not in ("medium.com", "www.medium.com"):
        return Route("medium", "profile", link, host, host.split(".")[0])
    return Route("medium", "publication", link, host, segments[0] if segments else None)


def _route_substack(host: str, path: str, link: str) -> Route:
    segments = [s for s in path.split("/") if s]
    if host in ("substack.com", "www.substack.com"):
        if segments and segments[0].startswith("@"):
            return Route("substack", "profile", link, host, segments[0][1:])
        if len(segments) >= 3 and segments[:2] == ["home", "post"]:
            return Route("substack", "post", link, host, segments[2])
        return Route("substack", "other", link, host)
    if len(segments) >= 2 and segments[0] == "p":
        return Route("substack", "post", link, host, segments[1])
    return Route("substack", "publication", link, host, host.split(".")[0])


def _route_linkedin(host: str, path: str, link: str) -> Route:
    segments = [s for s in path.split("/") if s]
    first = segments[0] if segments else ""
    activity = re.search(r"(?:activity[:-]|urn:li:(?:activity|share|ugcPost):)(\d{16,20})", path)
    if first == "pulse":
        return Route("linkedin", "article", link, host, segments[1] if len(segments) > 1 else None)
    if first in ("posts", "feed", "embed") and activity:
        return Route("linkedin", "post", link, host, activity.group(1))
    if first == "in" and len(segments) > 1:
        return Route("linkedin", "profile", link, host, segments[1])
    return Route("linkedin", "other", link, host)


def _route_github(host: str, path: str, link: str) -> Route:
    segments = [s for s in path.split("/") if s]
    if host != "github.com" and host != "www.github.com" or not segments or segments[0].lower() in GITHUB_RESERVED:
        return Route("github", "other", link, host)
    owner = segments[0]
    if len(segments) == 1:
        return Route("github", "user", f"https://github.com/{owner}", host, owner)
    repo = segments[1].removesuffix(".git")
    return Route("github", "repository", f"https://github.com/{owner}/{repo}", host, f"{owner}/{repo}")


def route(url: str) -> Route:
    """Route a link by its parsed host. Raises LinkError for links that are not crawlable web URLs."""
    link = canonicalize(url)
    host = urlsplit(link).hostname or ""
    path = urlsplit(link).path
    if _host_is(host, "medium.com"):
        return _route_medium(host, path, link)
    if _host_is(host, "substack.com"):
        return _route_substack(host, path, link)
    if _host_is(host, "linkedin.com"):
        return _route_linkedin(host, path, link)
    if host in ("github.com", "www.github.com"):
        return _route_github(host, path, link)
    return Route("article", "page", link, host)
