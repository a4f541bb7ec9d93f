"""The shared browser integration: scrapy-playwright driving Debian's Chromium, opted into per spider.

Spiders that may need a browser call :func:`enable_browser` from their ``update_settings`` classmethod; every
other crawl (GitHub, Substack, blogs) keeps Scrapy's plain download handlers and never starts a browser.
Requests opt in one by one with ``meta={"playwright": True}`` (scrapy-playwright sends the rest over plain HTTP).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

from twin_crawler.middlewares.browser_guard import BrowserGuard

logger = logging.getLogger(__name__)

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Chromium phones home at start-up (component updates, sync, field trials, QUIC probes). On a closed network
# those connections are refused and the launch stalls or the page load fails, so every one of them is disabled.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",  # containers run as root without user namespaces; the sandbox cannot start there
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
NAVIGATION_TIMEOUT_MS = 30_000  # scrapy-playwright default: Playwright's 30 s; explicit so it is visible


def _get(settings: Any, name: str, default: Any = None) -> Any:
    value = settings.get(name, default) if hasattr(settings, "get") else default
    return default if value is None else value


def browser_available(settings: Any) -> str | None:
    """The Chromium executable to launch, or None when the browser is off, scrapy-playwright is missing, or the
    executable (setting ``TWIN_BROWSER_EXECUTABLE``) does not exist."""
    if browser_off(settings) or missing_browser(settings):
        return None
    return str(_get(settings, "TWIN_BROWSER_EXECUTABLE"))


def browser_off(settings: Any) -> bool:
    """``TWIN_BROWSER=off`` (or 0/false/no): the user keeps every spider off the browser."""
    return str(_get(settings, "TWIN_BROWSER", "on")).strip().lower() in ("off", "0", "false", "no")


def missing_browser(settings: Any) -> str | None:
    """Why the browser cannot start although it is wanted (naming the setting to fix), None when it is
    available or turned off on purpose (``TWIN_BROWSER=off``)."""
    if browser_off(settings):
        return None
    if importlib.util.find_spec("scrapy_playwright") is None:
        return "no browser: scrapy-playwright is not installed (pip install -e '.[browser]')"
    executable = str(_get(settings, "TWIN_BROWSER_EXECUTABLE", "") or "")
    if not executable or not Path(executable).is_file():
        return (f"no browser: TWIN_BROWSER_EXECUTABLE={executable!r} is not a file; install chromium or point "
                "TWIN_BROWSER_EXECUTABLE at it (TWIN_BROWSER=off: never use one)")
    return None


def browser_settings(settings: Any, schemes: tuple[str, ...] | list[str] = ("https",)) -> dict[str, Any]:
    """Settings that route ``schemes`` through scrapy-playwright with the available Chromium.

    Each scheme mapped to the handler instantiates its own handler (and its own browser on first use), so only the
    schemes that carry browser requests are mapped. Raises RuntimeError when no browser is available.
    """
    executable = browser_available(settings)
    if executable is None:
        raise RuntimeError("no browser: install chromium and the 'browser' extra (pip install -e '.[browser]')")
    return {
        "DOWNLOAD_HANDLERS": {scheme: PLAYWRIGHT_HANDLER for scheme in schemes},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": executable, "headless": True, "args": list(CHROMIUM_ARGS)},
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": NAVIGATION_TIMEOUT_MS,
        # Pages are memory-hungry and the crawl shares a couple of cores: a few pages at a time is plenty.
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
        "TWIN_BROWSER_RETRY": True,
        # Every request Chromium makes passes the downloader's SSRF rules (middlewares/browser_guard.py).
        "PLAYWRIGHT_ABORT_REQUEST": BrowserGuard(_allow_loopback(settings)),
    }


def _allow_loopback(settings: Any) -> bool:
    value = _get(settings, "TWIN_ALLOW_LOOPBACK", False)
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def browser_schemes(settings: Any) -> tuple[str, ...]:
    """Schemes named by ``TWIN_BROWSER_SCHEMES`` (comma list, default ``https``; tests use ``http``)."""
    raw = _get(settings, "TWIN_BROWSER_SCHEMES", "https")
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    schemes = tuple(dict.fromkeys(p.strip().lower() for p in parts if p.strip().lower() in ("http", "https")))
    return schemes or ("https",)


def enable_browser(settings: Any, priority: str = "spider") -> bool:
    """Merge :func:`browser_settings` into a Scrapy ``Settings`` (from a spider's ``update_settings``).

    Returns False when no browser is available: requests marked ``playwright`` then go over plain HTTP. A browser
    that is wanted but missing (``TWIN_BROWSER_EXECUTABLE`` not a file, no scrapy-playwright) is one warning, and
    sets ``TWIN_BROWSER_MISSING`` so that what the browser would have fetched is reported ``blocked/no-browser``.
    """
    why = missing_browser(settings)
    if why:
        # Read by the block middleware: what the browser would have retried is reported blocked/no-browser.
        settings.set("TWIN_BROWSER_MISSING", True, priority=priority)
        logger.warning("%s; pages that need a browser are reported blocked/no-browser", why)
        return False
    if browser_off(settings):  # on purpose: blocked pages keep their own reason (cloudflare-challenge, ...)
        logger.debug("browser integration not enabled: TWIN_BROWSER=off")
        return False
    extra = browser_settings(settings, browser_schemes(settings))
    handlers = {**(settings.getdict("DOWNLOAD_HANDLERS") or {}), **extra.pop("DOWNLOAD_HANDLERS")}
    settings.set("DOWNLOAD_HANDLERS", handlers, priority=priority)
    for name, value in extra.items():
        settings.set(name, value, priority=priority)
    return True
