"""Chromium's own requests pass the SSRF guard (issue 15.3): a loopback trap server, Debian's Chromium, the guard on."""

from __future__ import annotations

import asyncio
import copy
from types import SimpleNamespace

import pytest
from conftest import LoopbackSite
from scrapy.settings import Settings

from twin_crawler.browser import browser_settings
from twin_crawler.middlewares.browser_guard import BrowserGuard

INTERNAL = ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.0.0.1/", "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/", "file:///etc/passwd", "ftp://10.0.0.1/"]
ALLOWED = ["http://93.184.215.14/", "https://[2606:4700::1111]/", "data:text/plain,hi", "about:blank",
           "http://nosuchhost.invalid/"]


def verdicts(guard: BrowserGuard, urls: list[str]) -> list[bool]:
    async def run() -> list[bool]:
        return [await guard(SimpleNamespace(url=u)) for u in urls]

    return asyncio.run(run())


def test_internal_addresses_are_aborted_public_ones_pass() -> None:
    guard = BrowserGuard(allow_loopback=False)
    assert verdicts(guard, INTERNAL) == [True] * len(INTERNAL)
    assert verdicts(guard, ALLOWED) == [False] * len(ALLOWED)


def test_allow_loopback_permits_loopback_and_private_never_metadata() -> None:
    guard = BrowserGuard(allow_loopback=True)
    assert verdicts(guard, ["http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/"]) == [False, False, True]


def test_a_name_is_resolved_and_its_addresses_checked() -> None:
    guard = BrowserGuard(allow_loopback=False)
    # "localhost" resolves to loopback on every machine; the name shortcut is bypassed to exercise the lookup.
    assert asyncio.run(guard._resolved_refusal("localhost")) == "ssrf-loopback"
    assert asyncio.run(BrowserGuard(allow_loopback=True)._resolved_refusal("localhost")) is None
    assert asyncio.run(guard._resolved_refusal("nosuchhost.invalid")) is None  # never resolves: Chromium fails it


def test_the_browser_settings_carry_the_guard(chromium: str) -> None:
    settings = Settings({"TWIN_BROWSER_EXECUTABLE": chromium, "TWIN_ALLOW_LOOPBACK": "False"})
    guard = browser_settings(settings)["PLAYWRIGHT_ABORT_REQUEST"]
    assert isinstance(guard, BrowserGuard) and not guard.allow_loopback
    assert copy.deepcopy(guard).allow_loopback is False  # Scrapy deep-copies settings
    assert browser_settings(Settings({"TWIN_BROWSER_EXECUTABLE": chromium, "TWIN_ALLOW_LOOPBACK": True}))[
        "PLAYWRIGHT_ABORT_REQUEST"].allow_loopback


@pytest.mark.parametrize("allow", [False, True])
def test_chromium_never_reaches_the_trap_with_the_guard_on(chromium: str, site: LoopbackSite, allow: bool) -> None:
    """A page (set without any network) embeds an image, an iframe and a fetch() to a loopback trap server."""
    trap = site.add("/trap", "caught", content_type="text/plain")
    html = (f'<html><body><img src="{trap}?img"><iframe src="{trap}?frame"></iframe>'
            f'<script>fetch("{trap}?fetch").catch(() => {{}})</script></body></html>')

    async def run() -> None:
        from playwright.async_api import async_playwright

        guard = BrowserGuard(allow_loopback=allow)

        async def route(r: object, request: object) -> None:  # what scrapy-playwright does with the predicate
            if await guard(request):
                await r.abort()  # type: ignore[attr-defined]
            else:
                await r.continue_()  # type: ignore[attr-defined]

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = await browser.new_page()
            await page.route("**/*", route)
            await page.set_content(html)
            await page.wait_for_timeout(300)
            await page.evaluate(f'fetch("{trap}?late").catch(() => null)')
            await browser.close()

    asyncio.run(run())
    hits = sum(n for path, n in site.hits.items() if path.startswith("/trap"))
    if allow:
        assert hits >= 2  # with loopback allowed the page does reach it: the test can see a connection
    else:
        assert hits == 0
