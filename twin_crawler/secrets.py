"""Keep credentials out of logs, stats, reports, archives and exception messages."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

# Environment variables whose values are credentials (DESIGN.md, "Settings and environment").
SECRET_ENV_VARS: tuple[str, ...] = (
    "GITHUB_TOKEN",
    "TWIN_LINKEDIN_LI_AT",
    "TWIN_MEDIUM_SID",
    "TWIN_SUBSTACK_SID",
)
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization", "x-xsrf-token", "csrf-token"})
# Query parameters that carry credentials (OAuth, API keys, signed cloud URLs, session ids): their values are
# masked wherever a URL is logged or recorded, whatever the value (no environment variable names them).
SECRET_PARAMS: tuple[str, ...] = (
    "access_token", "refresh_token", "id_token", "token", "auth", "auth_token", "authorization", "api_key", "apikey",
    "api-key", "client_secret", "secret", "password", "passwd", "pwd", "sig", "signature", "jwt", "session",
    "sessionid", "session_id", "sid", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "x-goog-credential",
)
_PARAM_NAMES = "|".join(map(re.escape, SECRET_PARAMS))
_SECRET_QUERY = re.compile(rf"(?P<name>[?&;](?:{_PARAM_NAMES})=)[^&#\s\"'<>]+", re.IGNORECASE)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@", re.IGNORECASE)


def redact_uri(uri: str) -> str:
    """``mongodb://user:pw@host/db`` -> ``mongodb://***@host/db``; other URIs unchanged."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return _USERINFO.sub(r"\g<scheme>***@", uri)
    if "@" not in parts.netloc:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))


def secret_values() -> list[str]:
    """Current secret values from the environment (and Mongo URI passwords), longest first."""
    return list(_secret_values(tuple(os.environ.get(name, "") for name in (*SECRET_ENV_VARS, "TWIN_MONGODB_URI"))))


@lru_cache(maxsize=8)
def _secret_values(env: tuple[str, ...]) -> tuple[str, ...]:
    # Called for every log record: cached on the environment's values, recomputed only when they change.
    values = list(env[:-1])
    uri = env[-1]
    if "@" in uri:
        userinfo = urlsplit(uri).netloc.rsplit("@", 1)[0]
        values.extend(userinfo.split(":", 1))
    return tuple(sorted({v for v in values if len(v) >= 4}, key=len, reverse=True))


def scrub_query(text: str) -> str:
    """``?access_token=abc&page=2`` -> ``?access_token=***&page=2``: secret query parameters masked."""
    return _SECRET_QUERY.sub(r"\g<name>***", text) if "=" in text else text


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """Replace every known secret value, URI userinfo and secret query parameter in ``text`` with ``***``."""
    for value in secrets if secrets is not None else secret_values():
        if value in text:
            text = text.replace(value, "***")
    text = scrub_query(text)
    return _USERINFO.sub(r"\g<scheme>***@", text) if "@" in text else text
