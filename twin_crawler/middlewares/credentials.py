"""Credentials added at download time, never carried by a queued request.

Why: a request's headers are pickled wherever the request waits — the ``JOBDIR`` disk queue, the Redis
frontier and its lease data — so a token put there by the spider is stored in clear (issue 15, point 2). This
middleware sits next to the downloader, after Retry (550) and Redirect (600): it adds
``Authorization: Bearer $GITHUB_TOKEN`` just before a request to the GitHub API origin is sent, and takes it off
again when the response (or the error) comes back, so that the copies retry and redirect schedule, and the
request a callback sees, never hold it.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

DEFAULT_API_URL = "https://api.github.com"
TOKEN_ENV = "GITHUB_TOKEN"


def origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) lower-cased: the token goes to one origin, never over another scheme."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class GithubCredentialsMiddleware:
    """Downloader middleware: the GitHub token on requests to ``TWIN_GITHUB_API_URL``'s origin, only in flight."""

    def __init__(self, api_url: str) -> None:
        self.api_origin = origin(api_url)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GithubCredentialsMiddleware:
        return cls(crawler.settings.get("TWIN_GITHUB_API_URL") or DEFAULT_API_URL)

    @staticmethod
    def _authorization() -> bytes | None:
        # Read at every request, from the environment only: never copied into settings, stats or the spider.
        token = os.environ.get(TOKEN_ENV, "").strip()
        return f"Bearer {token}".encode() if token else None

    def process_request(self, request: Request, spider: Any = None) -> None:
        value = self._authorization()
        if value and origin(request.url) == self.api_origin and b"Authorization" not in request.headers:
            request.headers[b"Authorization"] = value

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self._strip(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._strip(request)

    def _strip(self, request: Request) -> None:
        value = self._authorization()
        if value and request.headers.get(b"Authorization") == value:
            del request.headers[b"Authorization"]
