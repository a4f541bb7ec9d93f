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
COMMANDS_MODULE = "twin_crawler.commands.names"  # also entry points (pyproject.toml)

# --- politeness (DESIGN.md "Operating it") ---
ROBOTSTXT_OBEY = True  # Scrapy's project template default; kept
USER_AGENT = os.environ.get("TWIN_USER_AGENT") or "twin-crawler/0.1 (+https://github.com/twin-crawler/twin-crawler)"
CONCURRENT_REQUESTS = 16  # default 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # default 8: one author's site is small and often a personal server
# default 100: Scrapy runs every callback's output through that many asyncio worker tasks, created per response;
# our callbacks yield a few items or requests each, and the 100 idle tasks cost ~1 ms CPU per page
# (2,000 corpus pages, 3 A/B rounds: 17.3 -> 16.1 ms/page with the parse pool; benchmarks/RESULTS.md section 9).
CONCURRENT_ITEMS = 16
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
# default scrapy.resolver.CachingThreadedResolver; the subclass refuses names resolving to internal addresses (SSRF)
TWISTED_DNS_RESOLVER = "twin_crawler.middlewares.ssrf.GuardedResolver"

TELNETCONSOLE_ENABLED = False  # default True: an open console on a port is nothing a data collection job needs
LOG_LEVEL = "INFO"  # default DEBUG: every request and item would be logged
LOG_FORMATTER = "twin_crawler.logformatter.TwinLogFormatter"  # items logged as "<Type> <link>", never their text
FEED_EXPORT_ENCODING = "utf-8"  # default None (ASCII escapes in JSON)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # needed by scrapy-playwright

# default scrapy.dupefilters.RFPDupeFilter; the subclass also skips links a killed JOBDIR job already stored
DUPEFILTER_CLASS = "twin_crawler.extensions.resume.ResumeDupeFilter"

ITEM_PIPELINES = {
    "twin_crawler.pipelines.clean.CleanPipeline": 100,
    "twin_crawler.pipelines.dedup.DedupPipeline": 200,
    "twin_crawler.pipelines.warehouse.WarehousePipeline": 300,
}
# A link's author (meta "twin_user": multi-author configs, distributed seeds) passes to child requests and items.
SPIDER_MIDDLEWARES = {
    "twin_crawler.middlewares.authors.AuthorMiddleware": 950,
    # Nearest the spider: a callback's content requests have their crawl-log entries read in one query (issue 14).
    "twin_crawler.middlewares.incremental.CrawlLogPrefetch": 990,
    # Scrapy's URL length check (800) replaced by its subclass: a too-long link ends failed/url-too-long, not pending.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "twin_crawler.middlewares.urllength.LedgerUrlLengthMiddleware": 800,
}
DOWNLOADER_MIDDLEWARES = {
    "twin_crawler.middlewares.blocks.BlockDetectionMiddleware": 560,
    # Scrapy's RetryMiddleware (550) replaced by its subclass: per-domain backoff, Retry-After, dead letters.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "twin_crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # First of all (robots.txt is 100): nothing is ever sent to an internal address, redirect hops included.
    "twin_crawler.middlewares.ssrf.SSRFGuardMiddleware": 50,
    # Before robots.txt (100): a link skipped as fresh costs nothing; discovery pages are never skipped.
    "twin_crawler.middlewares.incremental.IncrementalMiddleware": 90,
    # Next to the downloader (after HttpCache, 900): archives wire bytes, and answers from them with reprocess=1.
    "twin_crawler.middlewares.archive.RawArchiveMiddleware": 950,
    # After Retry (550) and Redirect (600): GITHUB_TOKEN only on the request in flight, never on a queued copy.
    "twin_crawler.middlewares.credentials.GithubCredentialsMiddleware": 800,
}
EXTENSIONS = {
    "twin_crawler.extensions.warehouse.WarehouseExtension": 0,  # the crawl's one warehouse: open to engine_stopped
    "twin_crawler.extensions.ledger.LedgerExtension": 0,  # link states: the report, the exit code, resume
    "twin_crawler.extensions.report.RunReport": 500,
    "twin_crawler.extensions.parsepool.ParsePoolExtension": 0,  # page parsing in worker processes (TWIN_PARSE_WORKERS)
    "twin_crawler.extensions.logscrub.SecretGuard": 0,  # secrets never in log lines (installed by the commands module too)
    "twin_crawler.extensions.resume.JobResume": 0,  # only with JOBDIR: crash (SIGKILL) resume without refetching stored pages
    "twin_crawler.extensions.private_jobdir.PrivateJobdir": 0,  # only with JOBDIR: queue files 0600 in a 0700 dir
    "twin_crawler.extensions.metrics.PrometheusMetrics": 510,  # off unless TWIN_METRICS_PORT is set
    "twin_crawler.extensions.gcfreeze.GcFreeze": 0,  # startup objects frozen out of full collections (issue 14)
}

# --- twin-crawler (names are part of the interface: DESIGN.md) ---
TWIN_MONGODB_URI = os.environ.get("TWIN_MONGODB_URI")  # unset -> embedded file warehouse
TWIN_DATA_DIR = os.environ.get("TWIN_DATA_DIR", "data")
TWIN_ALLOW_LOOPBACK = False
TWIN_RECRAWL_AFTER = os.environ.get("TWIN_RECRAWL_AFTER", "24h")
TWIN_RAW_ARCHIVE = os.environ.get("TWIN_RAW_ARCHIVE")
TWIN_GITHUB_ALLOW_FILE_URLS = False
TWIN_BROWSER_EXECUTABLE = os.environ.get("TWIN_BROWSER_EXECUTABLE") or shutil.which("chromium") or "/usr/bin/chromium"
TWIN_BROWSER = os.environ.get("TWIN_BROWSER", "on")  # "off": spiders never enable scrapy-playwright
TWIN_BROWSER_SCHEMES = "https"  # schemes routed through scrapy-playwright when a spider enables it (tests: http)
# LinkedIn (settings so that tests and mirrors can point them elsewhere)
TWIN_LINKEDIN_BASE_URL = "https://www.linkedin.com"
TWIN_LINKEDIN_SCROLLS = 10  # activity-feed scrolls with -a session=1 (argument `scrolls` overrides)
TWIN_LINKEDIN_SCROLL_WAIT = 3.0  # seconds to wait for new cards after a scroll before stopping
TWIN_USER_AGENT = USER_AGENT
TWIN_MAX_LINKS = 10_000  # links per run (arguments and config), refused above with a clear message
TWIN_MAX_DISCOVERED = 1_000  # posts followed from one blog's feed/sitemap
TWIN_DNS_FAILURE_TTL = 300.0  # seconds a host that did not resolve fails its other requests at once (not retried)
TWIN_RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry (doubled per attempt, equal jitter)
TWIN_RETRY_BACKOFF_MAX = 60.0  # backoff cap per retry
TWIN_RETRY_AFTER_MAX = 600.0  # a longer Retry-After is not waited for: the request is dead-lettered
TWIN_MIN_ARTICLE_WORDS = 120  # a discovered page with less main text is not an article (an index page, a stub)
# Parser processes beside the crawl (issue 14): unset -> CPU count - 1; 0 parses in the crawl process.
TWIN_PARSE_WORKERS = os.environ.get("TWIN_PARSE_WORKERS")
TWIN_PARSE_SHARE = True  # when every worker has its pages queued, the crawl process parses the next one itself
TWIN_MIN_LINK_WORDS = 30  # the floor for a link the user gave: news briefs and short posts are articles too
TWIN_WAREHOUSE_BATCH = 100  # documents per upsert batch
TWIN_WAREHOUSE_FLUSH_SECONDS = 2.0  # a batch never waits longer than this
TWIN_WAREHOUSE_OUTAGE_WAIT = 300.0  # at the end of a crawl, seconds to wait for an unreachable warehouse (journal)
TWIN_REPORT_PRINT = True  # print the run report table at the end of every crawl
TWIN_CHECK_PENDING = True  # log an invariant error when a finished crawl leaves a link pending (scrapy parse: off)
TWIN_METRICS_PORT = os.environ.get("TWIN_METRICS_PORT", "")  # "9410" or "9410-9419": Prometheus /metrics; unset: off
TWIN_METRICS_HOST = "127.0.0.1"  # bind address of /metrics (0.0.0.0 to let a fleet's Prometheus scrape it)
# Substack endpoints (settings so that tests and mirrors can point them elsewhere) and archive paging.
TWIN_SUBSTACK_API_URL = "https://substack.com"  # /api/v1/user/{handle}/public_profile, /api/v1/posts/by-id/{id}
TWIN_SUBSTACK_PUBLICATION_URL = "https://{subdomain}.substack.com"  # a publication's API base
TWIN_SUBSTACK_CUSTOM_DOMAIN_URL = "https://{domain}"  # API base of a publication on its custom domain
TWIN_SUBSTACK_PAGE_SIZE = 12  # archive page size: larger limits return inconsistent counts (PLATFORMS.md §2)
TWIN_SUBSTACK_MAX_PAGES = 500  # archive pages per publication, a guard against an endless walk
# GitHub (issue 4): API and clone source are settings so that tests and local mirrors can point them elsewhere.
TWIN_GITHUB_API_URL = "https://api.github.com"  # /users/{login}/repos, /users/{login}
TWIN_GITHUB_CLONE_BASE = "https://github.com"  # clones <base>/<owner>/<repo>.git; file:///mirror needs ALLOW_FILE_URLS
TWIN_GITHUB_CLONE_TIMEOUT = 120  # seconds before a clone is killed and the link recorded failed (clone-timeout)
TWIN_GITHUB_CONCURRENT_CLONES = 4  # clones at once (each takes a thread of the reactor pool)
TWIN_GITHUB_MAX_FILE_BYTES = 1_000_000  # larger files are skipped (too-large)
TWIN_GITHUB_MAX_REPO_BYTES = 10_000_000  # text per repository: well under MongoDB's 16 MB document limit
TWIN_GITHUB_MAX_FILES = 5_000  # files per repository
TWIN_GITHUB_RATE_LIMIT_MAX_WAIT = 900  # seconds waited at most for x-ratelimit-reset before one retry
