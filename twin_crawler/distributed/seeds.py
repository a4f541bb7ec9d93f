"""Seeds: the JSON payloads ``{url, user, platform?, meta?}`` a fleet of workers starts from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from twin_crawler.items import PLATFORMS, normalise_name
from twin_crawler.urls import LinkError, canonicalize


class SeedError(ValueError):
    """A malformed seed; the message is one line."""


@dataclass
class Seed:
    """One link to crawl for one author; ``platform`` forces the parser (a custom domain), ``meta`` is merged into
    the seed's requests (e.g. ``{"playwright": true}``)."""

    url: str
    user: str
    platform: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data: dict[str, Any] = {"url": self.url, "user": self.user}
        if self.platform:
            data["platform"] = self.platform
        if self.meta:
            data["meta"] = self.meta
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


def make_seed(url: Any, user: Any, platform: Any = None, meta: Any = None) -> Seed:
    """A validated seed; raises SeedError naming the bad field."""
    if not isinstance(user, str) or not normalise_name(user):
        raise SeedError("seed: 'user' (the author's full name) is required, e.g. --user \"First Last\"")
    if not isinstance(url, str) or not url.strip():
        raise SeedError("seed: 'url' is required")
    if not url.strip().lower().startswith(("http://", "https://", "file://")):
        raise SeedError(f"seed: {url.strip()!r} is not an http(s) URL")
    if url.strip().lower().startswith(("http://", "https://")):
        try:
            canonicalize(url.strip())
        except LinkError as exc:
            raise SeedError(f"seed: {exc}") from None
    if platform is not None and platform not in PLATFORMS:
        raise SeedError(f"seed: unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
    if meta is not None and not isinstance(meta, dict):
        raise SeedError("seed: 'meta' must be a JSON object")
    try:
        json.dumps(meta or {})
    except (TypeError, ValueError):
        raise SeedError("seed: 'meta' must be JSON-serialisable") from None
    if meta and any(str(k).startswith("twin_") for k in meta):
        raise SeedError("seed: 'meta' keys starting with twin_ are reserved")
    return Seed(url.strip(), normalise_name(user), platform, dict(meta or {}))


def parse_seed(raw: bytes | str) -> Seed:
    """A seed from its Redis payload."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise SeedError("seed: not JSON") from None
    if not isinstance(data, dict):
        raise SeedError("seed: not a JSON object")
    unknown = sorted(set(data) - {"url", "user", "platform", "meta"})
    if unknown:
        raise SeedError(f"seed: unknown field {unknown[0]!r} (fields: url, user, platform, meta)")
    return make_seed(data.get("url"), data.get("user"), data.get("platform"), data.get("meta"))


__all__ = ["Seed", "SeedError", "make_seed", "parse_seed"]
