"""Preflight checks of the settings a crawl reads: each bad value is one ``ArgumentError`` line naming the setting.

Why here, before the engine starts: Scrapy's typed getters (``getint``, ``getfloat``, ``getbool``) raise a bare
``ValueError`` wherever a component first reads the value — at the start of the crawl, in the middle of it, or in
an unawaited task — and the user saw a traceback with exit 0 or 1 (issue 15, point 5). The crawl command turns
``ArgumentError`` into ``error: …`` and exit 2. The getters below are the typed getters with that message.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from twin_crawler.archive.store import local_root
from twin_crawler.arguments import ArgumentError
from twin_crawler.extensions.parsepool import workers_setting

# setting -> (int or float, the smallest value that makes sense)
NUMBERS: dict[str, tuple[type, float]] = {
    "TWIN_MAX_LINKS": (int, 1), "TWIN_MAX_DISCOVERED": (int, 0), "TWIN_WAREHOUSE_BATCH": (int, 1),
    "TWIN_WAREHOUSE_FLUSH_SECONDS": (float, 0), "TWIN_WAREHOUSE_OUTAGE_WAIT": (float, 0),
    "TWIN_RETRY_BACKOFF_BASE": (float, 0), "TWIN_RETRY_BACKOFF_MAX": (float, 0), "TWIN_RETRY_AFTER_MAX": (float, 0),
    "TWIN_MIN_ARTICLE_WORDS": (int, 0), "TWIN_MIN_LINK_WORDS": (int, 0),
    "TWIN_GITHUB_CLONE_TIMEOUT": (float, 0.001), "TWIN_GITHUB_CONCURRENT_CLONES": (int, 1),
    "TWIN_GITHUB_MAX_FILE_BYTES": (int, 1), "TWIN_GITHUB_MAX_REPO_BYTES": (int, 1), "TWIN_GITHUB_MAX_FILES": (int, 1),
    "TWIN_GITHUB_RATE_LIMIT_MAX_WAIT": (float, 0), "TWIN_SUBSTACK_PAGE_SIZE": (int, 1),
    "TWIN_SUBSTACK_MAX_PAGES": (int, 1), "TWIN_LINKEDIN_SCROLLS": (int, 0), "TWIN_LINKEDIN_SCROLL_WAIT": (float, 0),
    "TWIN_WORKER_IDLE_CLOSE": (float, 0),
}
BOOLS = ("TWIN_ALLOW_LOOPBACK", "TWIN_GITHUB_ALLOW_FILE_URLS", "TWIN_REPORT_PRINT", "TWIN_PARSE_SHARE")
# setting -> schemes it may use (the clone base may be a local mirror: file://, allowed or not by its own flag)
URLS: dict[str, tuple[str, ...]] = {
    "TWIN_GITHUB_API_URL": ("http", "https"), "TWIN_GITHUB_CLONE_BASE": ("http", "https", "file"),
    "TWIN_LINKEDIN_BASE_URL": ("http", "https"), "TWIN_SUBSTACK_API_URL": ("http", "https"),
}


def get_number(settings: Any, name: str, kind: type = int, minimum: float = 0) -> float:
    """``settings.getint/getfloat(name)``, finite and >= ``minimum``, else one ArgumentError line."""
    raw = settings.get(name)
    try:
        value: float | None = settings.getint(name) if kind is int else settings.getfloat(name)
    except (TypeError, ValueError):
        value = None
    if value is None or not math.isfinite(value) or value < minimum:
        what = "a whole number" if kind is int else "a number"
        bound = f" >= {int(minimum) if kind is int else minimum:g}"
        raise ArgumentError(f"{name}={str(raw)[:60]!r}: expected {what}{bound}")
    return value


def get_bool(settings: Any, name: str) -> bool:
    """``settings.getbool(name)``, else one ArgumentError line listing the accepted spellings."""
    try:
        return bool(settings.getbool(name))
    except ValueError:
        raise ArgumentError(f"{name}={str(settings.get(name))[:60]!r}: expected True/False (or 1/0)") from None


def get_url(settings: Any, name: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """An absolute URL of one of ``schemes`` with a host (file: needs none), else one ArgumentError line."""
    raw = settings.get(name)
    if raw is None:
        return None
    value = str(raw).strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in schemes or (parts.scheme != "file" and not parts.hostname):
        raise ArgumentError(f"{name}={value[:60]!r}: expected an absolute {'/'.join(schemes)} URL, e.g. https://host")
    return value


def check_writable(name: str, path: Path, *, directory: bool) -> None:
    """``path`` (a file or a directory, created later) can be written: its nearest existing ancestor is a
    directory we can create files in. Probed with a temporary file (``os.access`` says yes to root everywhere)."""
    if path.exists() and path.is_dir() != directory:
        raise ArgumentError(f"{name}: {str(path)!r} is {'not ' if directory else ''}a directory")
    existing = path.parent if path.exists() and not directory else path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise ArgumentError(f"{name}: cannot create {str(path)!r}: {str(existing)!r} is not a directory")
    probe = existing
    try:
        fd, tmp = tempfile.mkstemp(prefix=".twin-write-check-", dir=probe)
    except OSError as exc:
        raise ArgumentError(f"{name}: cannot write {str(path)!r} ({str(probe)!r}: {exc.strerror})") from None
    os.close(fd)
    os.unlink(tmp)


def feed_paths(settings: Any) -> list[tuple[Path, bool]]:
    """Local files of ``FEEDS`` (``-o``/``-O``) as (path, is a directory): a path with ``%(placeholder)s``
    components is checked up to the directory before the first of them."""
    paths = []
    for uri in settings.getdict("FEEDS"):
        root = local_root(str(uri))
        if root is None:
            continue  # stdout:, s3://, ...: the storage backend checks itself
        parts = list(root.parts)
        cut = next((i for i, part in enumerate(parts) if "%(" in part), None)
        paths.append((Path(*parts[:cut]), True) if cut else (root, False))
    return paths


def check_settings(settings: Any) -> None:
    """Every check above, in a fixed order; the first failure is raised."""
    for name, (kind, minimum) in NUMBERS.items():
        if settings.get(name) is not None:
            get_number(settings, name, kind, minimum)
    for name in BOOLS:
        get_bool(settings, name)
    workers_setting(settings)  # TWIN_PARSE_WORKERS: empty means the default, so not in NUMBERS
    for name, schemes in URLS.items():
        get_url(settings, name, schemes)
    for path, directory in feed_paths(settings):
        check_writable("FEEDS (-o/-O)", path, directory=directory)
    if settings.get("JOBDIR"):
        check_writable("JOBDIR", Path(str(settings.get("JOBDIR"))).expanduser(), directory=True)
    archive = settings.get("TWIN_RAW_ARCHIVE")
    root = local_root(str(archive)) if archive else None
    if root is not None and (root.is_dir() or not root.exists()):  # a file there: archive.check_settings says so
        check_writable("TWIN_RAW_ARCHIVE", root, directory=True)
