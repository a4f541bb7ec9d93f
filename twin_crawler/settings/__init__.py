"""Base settings. Overlays (``twin_crawler.settings.local``, ``.distributed``) import this and change a few names.

Every override of a Scrapy default says why, or what the default was.
"""

from __future__ import annotations

import os
import shutil

BOT_NAME = "twin_crawler"
SPIDER_MODULES = ["twin_crawler.spiders"]
NEWSPIDER_MODULE = "twin_crawler.spiders"
# Project commands: `crawl` (one-line errors, exit codes), and the operational commands.
COMMANDS_MODULE = "twin_crawler.commands"

# --- politeness (DESIGN.md "Operating it") ---
ROBOTSTXT_OBEY = True  # Scrapy's project template default; kept
USER_AGENT = os.environ.get("TWIN_USER_AGENT") or "twin-crawler/0.1 (+https://github.com/twin-crawler/twin-crawler)"
CONCURRENT_REQUESTS = 16  # default 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # default 8: one author's site is small and often a personal server
DOWNLOAD_DELAY = 0.5  # default 0
AUTOTHROTTLE_ENABLED = True  # default False
AUTOTHROTTLE_START_DELAY = 1.0  # default 5.0
AUTOTHROTTLE_MAX_DELAY = 30.0  # default 60.0
DOWNLOAD_TIMEOUT = 30  # default 180: a page that takes longer is retried, not waited for
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # default 1 GiB; counted after decompression, so a gzip bomb stops here
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024  # default 32 MiB
REDIRECT_MAX_TIMES = 5  # default 20
RETRY_TIMES = 4  # default 2
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]  # default adds 429 only since 2.x; kept explicit
DNSCACHE_ENABLED = True

FEED_EXPORT_ENCODING = "utf-8"  # default None (ASCII escapes in JSON)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # needed by scrapy-playwright

ITEM_PIPELINES = {
    "twin_crawler.pipelines.clean.CleanPipeline": 100,
    "twin_crawler.pipelines.dedup.DedupPipeline": 200,
    "twin_crawler.pipelines.warehouse.WarehousePipeline": 300,
}
DOWNLOADER_MIDDLEWARES = {
    "twin_crawler.middlewares.blocks.BlockDetectionMiddleware": 560,
}
EXTENSIONS = {
    "twin_crawler.extensions.report.RunReport": 500,
}

# --- twin-crawler (names are part of the interface: DESIGN.md) ---
TWIN_MONGODB_URI = os.environ.get("TWIN_MONGODB_URI")  # unset -> embedded file warehouse
TWIN_DATA_DIR = os.environ.get("TWIN_DATA_DIR", "data")
TWIN_ALLOW_LOOPBACK = False
TWIN_RECRAWL_AFTER = os.environ.get("TWIN_RECRAWL_AFTER", "24h")
TWIN_RAW_ARCHIVE = os.environ.get("TWIN_RAW_ARCHIVE")
TWIN_GITHUB_ALLOW_FILE_URLS = False
TWIN_BROWSER_EXECUTABLE = os.environ.get("TWIN_BROWSER_EXECUTABLE") or shutil.which("chromium") or "/usr/bin/chromium"
TWIN_USER_AGENT = USER_AGENT
TWIN_MAX_LINKS = 10_000  # links per run (arguments and config), refused above with a clear message
TWIN_MAX_DISCOVERED = 1_000  # posts followed from one blog's feed/sitemap
TWIN_MIN_ARTICLE_WORDS = 120  # shorter main text is not an article (an index page, a stub)
TWIN_WAREHOUSE_BATCH = 100  # documents per upsert batch
TWIN_WAREHOUSE_FLUSH_SECONDS = 2.0  # a batch never waits longer than this
TWIN_REPORT_PRINT = True  # print the run report table at the end of every crawl
# Substack endpoints (settings so that tests and mirrors can point them elsewhere) and archive paging.
TWIN_SUBSTACK_API_URL = "https://substack.com"  # /api/v1/user/{handle}/public_profile, /api/v1/posts/by-id/{id}
TWIN_SUBSTACK_PUBLICATION_URL = "https://{subdomain}.substack.com"  # a publication's API base
TWIN_SUBSTACK_CUSTOM_DOMAIN_URL = "https://{domain}"  # API base of a publication on its custom domain
TWIN_SUBSTACK_PAGE_SIZE = 12  # archive page size: larger limits return inconsistent counts (PLATFORMS.md §2)
TWIN_SUBSTACK_MAX_PAGES = 500  # archive pages per publication, a guard against an endless walk
