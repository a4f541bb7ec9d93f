"""The shared browser integration: when a browser is available, what the settings say, and who enables it."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler

from twin_crawler.browser import (
    CHROMIUM_ARGS,
    PLAYWRIGHT_HANDLER,
    browser_available,
    browser_schemes,
    browser_settings,
    enable_browser,
)

LOADER = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["twin_crawler.spiders"]}))
# Spiders whose platforms never need a browser: building them must leave Scrapy's download handlers alone.
PLAIN_SPIDERS = sorted({"github", "substack", "article"} & set(LOADER.list()))


def test_browser_available(chromium: str, tmp_path: Path) -> None:
    assert browser_available({"TWIN_BROWSER_EXECUTABLE": chromium}) == chromium
    assert browser_available({"TWIN_BROWSER_EXECUTABLE": chromium, "TWIN_BROWSER": "off"}) is None
    assert browser_available({"TWIN_BROWSER_EXECUTABLE": str(tmp_path / "no-such-chromium")}) is None
    assert browser_available({"TWIN_BROWSER_EXECUTABLE": str(tmp_path)}) is None  # a directory is not a browser
    assert browser_available({}) is None


def test_browser_settings_map_only_the_given_schemes(chromium: str) -> None:
    settings = browser_settings({"TWIN_BROWSER_EXECUTABLE": chromium}, ("http",))
    assert settings["DOWNLOAD_HANDLERS"] == {"http": PLAYWRIGHT_HANDLER}
    assert settings["PLAYWRIGHT_BROWSER_TYPE"] == "chromium"
    launch = settings["PLAYWRIGHT_LAUNCH_OPTIONS"]
    assert launch["executable_path"] == chromium and launch["headless"] is True
    # Without these Chromium's own start-up connections are refused by a closed network and the launch stalls.
    assert {"--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-quic"} <= set(
        launch["args"]) and list(CHROMIUM_ARGS) == launch["args"]
    assert settings["TWIN_BROWSER_RETRY"] is True
    assert 5_000 <= settings["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] <= 120_000
    assert browser_settings({"TWIN_BROWSER_EXECUTABLE": chromium})["DOWNLOAD_HANDLERS"] == {"https": PLAYWRIGHT_HANDLER}
    with pytest.raises(RuntimeError, match="chromium"):
        browser_settings({"TWIN_BROWSER": "off", "TWIN_BROWSER_EXECUTABLE": chromium})


def test_schemes_setting() -> None:
    assert browser_schemes({}) == ("https",)
    assert browser_schemes({"TWIN_BROWSER_SCHEMES": "http"}) == ("http",)
    assert browser_schemes({"TWIN_BROWSER_SCHEMES": " https , HTTP,ftp"}) == ("https", "http")
    assert browser_schemes({"TWIN_BROWSER_SCHEMES": ["http"]}) == ("http",)
    assert browser_schemes({"TWIN_BROWSER_SCHEMES": "ftp"}) == ("https",)


def test_enable_browser_merges_into_scrapy_settings(chromium: str) -> None:
    settings = Settings({"TWIN_BROWSER_EXECUTABLE": chromium, "TWIN_BROWSER_SCHEMES": "http",
                         "DOWNLOAD_HANDLERS": {"s3": None}})
    assert enable_browser(settings) is True
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"s3": None, "http": PLAYWRIGHT_HANDLER}
    assert settings.getbool("TWIN_BROWSER_RETRY")
    # A user's command-line override (priority "cmdline") wins over the spider's.
    settings = Settings({"TWIN_BROWSER_EXECUTABLE": chromium})
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", 99_000, priority="cmdline")
    enable_browser(settings)
    assert settings.getint("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") == 99_000
    off = Settings({"TWIN_BROWSER_EXECUTABLE": chromium, "TWIN_BROWSER": "off"})
    assert enable_browser(off) is False and not off.getdict("DOWNLOAD_HANDLERS")


@pytest.mark.parametrize("name", PLAIN_SPIDERS)
def test_plain_spiders_never_start_a_browser(name: str, chromium: str) -> None:
    crawler = get_crawler(LOADER.load(name), {"TWIN_BROWSER_EXECUTABLE": chromium, "TWIN_BROWSER_SCHEMES": "http,https"})
    handlers = {**crawler.settings.getdict("DOWNLOAD_HANDLERS_BASE"), **crawler.settings.getdict("DOWNLOAD_HANDLERS")}
    assert PLAYWRIGHT_HANDLER not in handlers.values()
    assert not crawler.settings.getbool("TWIN_BROWSER_RETRY")


def test_linkedin_spider_enables_the_browser_for_the_configured_schemes(chromium: str) -> None:
    def handlers(**settings: str) -> dict[str, str | None]:
        crawler = get_crawler(LOADER.load("linkedin"), {"TWIN_BROWSER_EXECUTABLE": chromium, **settings})
        return crawler.settings.getdict("DOWNLOAD_HANDLERS")

    default = handlers()
    assert default["https"] == PLAYWRIGHT_HANDLER and default.get("http") != PLAYWRIGHT_HANDLER
    for_tests = handlers(TWIN_BROWSER_SCHEMES="http")
    assert for_tests["http"] == PLAYWRIGHT_HANDLER and for_tests.get("https") != PLAYWRIGHT_HANDLER
    assert PLAYWRIGHT_HANDLER not in handlers(TWIN_BROWSER="off").values()
