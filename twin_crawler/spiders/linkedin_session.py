"""The opt-in logged-in session: the author's ``li_at`` cookie in a Playwright context, and the feed scroller.

The cookie lives only in the crawler's ``PLAYWRIGHT_CONTEXTS`` setting (in memory, for this process): never in
request meta (JOBDIR and Redis queues pickle meta to disk), never in Request.cookies (Scrapy's cookie jar would
replay it on plain requests), never in logs, stats, items or the report.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

from twin_crawler import settings as defaults
from twin_crawler.arguments import ArgumentError
from twin_crawler.browser import browser_available
from twin_crawler.meta import BROWSER_OK, LISTING

ENV_VAR = "TWIN_LINKEDIN_LI_AT"
SESSION_CONTEXT = "linkedin-session"
DEFAULT_BASE_URL = "https://www.linkedin.com"
# A cookie value is an RFC 6265 cookie-octet string; anything else was pasted wrong (quotes, "li_at=" prefix...).
COOKIE_VALUE = re.compile(r"[!#-+\--:<-\[\]-~]{8,4096}")
MAX_SCROLLS = 500
CARD_SELECTOR = '[data-urn^="urn:li:activity:"], [data-id^="urn:li:activity:"]'
# Runs in the page (page.evaluate with one argument): wait for the first cards, then scroll (and press LinkedIn's
# "Show more results" button) until no new card arrives within waitMs or the scroll limit is reached.
SCROLL_SCRIPT = r"""async ({scrolls, waitMs, selector}) => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const count = () => document.querySelectorAll(selector).length;
  const until = async (done) => {
    const start = Date.now();
    while (!done() && Date.now() - start < waitMs) await sleep(50);
    return done();
  };
  // On the auth wall or a login page there is nothing to wait for; the spider records the block.
  if (/^\/(authwall|login|uas\/login|checkpoint)/.test(window.location.pathname)) return 0;
  if (!(await until(() => count() > 0))) return 0;
  let scrolled = 0;
  for (let i = 0; i < scrolls; i++) {
    const before = count();
    window.scrollTo(0, document.body.scrollHeight);
    const more = document.querySelector("button.scaffold-finite-scroll__load-button");
    if (more) more.click();
    if (!(await until(() => count() > before))) break;
    scrolled++;
  }
  return scrolled;
}"""


def session_cookie() -> str:
    """The ``li_at`` value from the environment; ArgumentError (one line, value never shown) when absent/bad."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        raise ArgumentError(f"linkedin: -a session=1 needs your own li_at session cookie in the environment variable "
                            f"{ENV_VAR} (it is never logged or stored); without it, give public -a links=URL,...")
    if not COOKIE_VALUE.fullmatch(value) or value.startswith("li_at="):
        raise ArgumentError(f"linkedin: {ENV_VAR} does not look like a cookie value (give only the value of li_at, "
                            f"without quotes, spaces or 'li_at=')")
    return value


def check_session(settings: Any) -> None:
    """Preflight for ``session=1``: the cookie is set and a browser can be launched."""
    session_cookie()
    if browser_available(settings) is None:
        raise ArgumentError("linkedin: -a session=1 reads the activity feed in a browser, but none is available: "
                            "install chromium and the 'browser' extra, set TWIN_BROWSER_EXECUTABLE, and "
                            "do not set TWIN_BROWSER=off")


def session_context(base_url: str, li_at: str) -> dict[str, Any]:
    """Playwright context kwargs carrying the cookie in ``storage_state``, scoped to the LinkedIn host."""
    parts = urlsplit(base_url)
    host = parts.hostname or "www.linkedin.com"
    secure = parts.scheme == "https"
    domain = ".linkedin.com" if host == "linkedin.com" or host.endswith(".linkedin.com") else host
    cookie = {"name": "li_at", "value": li_at, "domain": domain, "path": "/", "expires": -1,
              "httpOnly": True, "secure": secure, "sameSite": "None" if secure else "Lax"}
    return {"storage_state": {"cookies": [cookie], "origins": []}}


def install_session(settings: Any, base_url: str) -> None:
    """Add the session context to a not-yet-frozen crawler ``Settings`` (called from the spider's from_crawler)."""
    contexts = dict(settings.getdict("PLAYWRIGHT_CONTEXTS") or {})
    contexts[SESSION_CONTEXT] = session_context(base_url, session_cookie())
    settings.set("PLAYWRIGHT_CONTEXTS", contexts, priority="spider")


def feed_meta(scrolls: int, wait_seconds: float) -> dict[str, Any]:
    """Request meta for the activity feed page: the session context and the scroller (picklable, secret-free)."""
    from scrapy_playwright.page import PageMethod  # the browser extra is imported only by session crawls

    argument = {"scrolls": scrolls, "waitMs": int(wait_seconds * 1000), "selector": CARD_SELECTOR}
    return {
        "playwright": True,
        "playwright_context": SESSION_CONTEXT,
        "playwright_page_methods": [PageMethod("evaluate", SCROLL_SCRIPT, argument)],
        BROWSER_OK: False,
        LISTING: True,  # many posts from one page: no link aliasing (spiders/callbacks.py ``settles``)
    }


def scroll_limit(value: str | None, settings: Any) -> int:
    """Scrolls of the feed: the ``scrolls`` argument, else ``TWIN_LINKEDIN_SCROLLS``; ArgumentError when bad."""
    raw = value if value is not None else settings.get("TWIN_LINKEDIN_SCROLLS", defaults.TWIN_LINKEDIN_SCROLLS)
    try:
        scrolls = int(str(raw).strip())
    except ValueError:
        scrolls = -1
    if not 0 <= scrolls <= MAX_SCROLLS:
        raise ArgumentError(f"linkedin: scrolls must be a whole number from 0 to {MAX_SCROLLS}, not {str(raw)[:20]!r}")
    return scrolls
