"""GitHub REST API responses and github.com links, parsed without scrapy: repository listings, the ``Link``
header, rate-limit headers, user profiles, and the ref of ``/tree/<ref>``/``/blob/<ref>`` links."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

# One ``<url>; rel="next"`` element of an RFC 8288 Link header (GitHub quotes rel; some servers don't).
LINK_ELEMENT = re.compile(r'<([^>]*)>\s*((?:;\s*[A-Za-z*]+\s*=\s*(?:"[^"]*"|[^;,\s]*)\s*)*)')
LINK_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))', re.IGNORECASE)
# GitHub account and repository names: letters, digits, '.', '_', '-'; never starting with '-' (an option to git).
NAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}")


class ApiError(ValueError):
    """An API body that is not what the endpoint documents; the message is one line."""


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """One repository of a listing (the fields the crawl uses; GitHub documents many more)."""

    full_name: str
    owner: str
    name: str
    html_url: str
    fork: bool
    default_branch: str | None = None
    created_at: datetime | None = None
    pushed_at: str | None = None
    language: str | None = None
    archived: bool = False
    size_kb: int | None = None
    description: str | None = None


def parse_link_header(value: str) -> dict[str, str]:
    """``rel -> URL`` from a ``Link`` header, URLs kept verbatim (GitHub may switch to ``/user/<id>/repos``)."""
    links: dict[str, str] = {}
    for match in LINK_ELEMENT.finditer(value or ""):
        for rel in LINK_REL.finditer(match.group(2)):
            for name in (rel.group(1) or rel.group(2) or "").split():
                links.setdefault(name.lower(), match.group(1).strip())
    return links


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _repo(entry: Any) -> RepoInfo | None:
    if not isinstance(entry, Mapping):
        return None
    full_name, owner = entry.get("full_name"), entry.get("owner")
    login = owner.get("login") if isinstance(owner, Mapping) else None
    if not isinstance(full_name, str) or full_name.count("/") != 1 or not isinstance(login, str):
        return None
    owner_name, name = full_name.split("/")
    if not (NAME.fullmatch(owner_name) and NAME.fullmatch(name)):
        return None
    size = entry.get("size")
    return RepoInfo(
        full_name=full_name,
        owner=login,
        name=name,
        html_url=str(entry.get("html_url") or f"https://github.com/{full_name}"),
        fork=bool(entry.get("fork")),
        default_branch=entry.get("default_branch") if isinstance(entry.get("default_branch"), str) else None,
        created_at=_time(entry.get("created_at")),
        pushed_at=entry.get("pushed_at") if isinstance(entry.get("pushed_at"), str) else None,
        language=entry.get("language") if isinstance(entry.get("language"), str) else None,
        archived=bool(entry.get("archived")),
        size_kb=size if isinstance(size, int) else None,
        description=entry.get("description") if isinstance(entry.get("description"), str) else None,
    )


def parse_repo_listing(body: bytes | str) -> list[RepoInfo]:
    """Repositories of one ``/users/{u}/repos`` page (a JSON array). Entries without a valid ``full_name``/owner
    are left out; a body that is not a JSON array raises ApiError."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(f"repository listing is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, list):
        message = data.get("message") if isinstance(data, Mapping) else None
        raise ApiError(f"repository listing is not a JSON array{f': {message}' if message else ''}")
    return [repo for repo in map(_repo, data) if repo is not None]


def parse_user_name(body: bytes | str) -> str | None:
    """The display ``name`` of a ``/users/{login}`` body, or None when absent/blank/not JSON."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    name = data.get("name") if isinstance(data, Mapping) else None
    return " ".join(name.split()) or None if isinstance(name, str) else None


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def rate_limit_wait(status: int, headers: Mapping[str, str], now: float, cap: float) -> float | None:
    """Seconds to wait before retrying a rate-limited response, capped; None when it is not a rate limit.

    GitHub answers 403 or 429 with ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` (epoch seconds) for the
    primary limit, and ``retry-after`` (seconds) for secondary limits.
    """
    if status not in (403, 429):
        return None
    retry_after = header_value(headers, "retry-after")
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), cap)
    if (header_value(headers, "x-ratelimit-remaining") or "").strip() != "0":
        return None
    reset = (header_value(headers, "x-ratelimit-reset") or "").strip()
    wait = float(reset) - now if reset.isdigit() else cap
    return max(0.0, min(wait, cap))


def ref_from_url(url: str) -> str | None:
    """The branch/tag of a ``github.com/<o>/<r>/tree/<ref>/...`` or ``/blob/<ref>/...`` link, else None.

    Only the first segment after ``tree``/``blob`` is taken: a ref containing ``/`` cannot be told apart from a
    path without asking GitHub, so ``tree/feature/x`` clones ``feature``.
    """
    try:
        segments = [unquote(s) for s in urlsplit(url.strip()).path.split("/") if s]
    except ValueError:
        return None
    if len(segments) >= 4 and segments[2] in ("tree", "blob") and is_safe_ref(segments[3]):
        return segments[3]
    return None


def is_safe_ref(ref: str) -> bool:
    """A ref that git accepts and that cannot be read as an option (``--upload-pack=...``)."""
    return bool(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./+-]{0,199}", ref)) and ".." not in ref and not ref.endswith(
        (".lock", "/", ".")
    )
