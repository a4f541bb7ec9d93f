"""Overlay for local mirrors and tests: loopback allowed, no politeness delays, no robots.txt.

Select with ``SCRAPY_SETTINGS_MODULE=twin_crawler.settings.local``.
"""

from twin_crawler.settings import *  # noqa: F403

TWIN_ALLOW_LOOPBACK = True
TWIN_GITHUB_ALLOW_FILE_URLS = True
ROBOTSTXT_OBEY = False
AUTOTHROTTLE_ENABLED = False
DOWNLOAD_DELAY = 0
CONCURRENT_REQUESTS_PER_DOMAIN = 16
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 10
TELNETCONSOLE_ENABLED = False
