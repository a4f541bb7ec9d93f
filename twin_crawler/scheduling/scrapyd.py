"""The scrapyd JSON API for ``scrapy twin-schedule``, through scrapyd-client's ``ScrapydClient`` (synchronous
``requests``: the timer must not depend on the crawl's reactor). Errors become one line without credentials."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from twin_crawler.secrets import redact_uri

if TYPE_CHECKING:
    from .client import TimedScrapydClient

T = TypeVar("T")
ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")]+")


class ScrapydError(Exception):
    """scrapyd unreachable or refusing; the message is one line without credentials."""


class Scrapyd:
    """``schedule.json``, ``listjobs.json``, ``listspiders.json`` of one scrapyd; ``user:pass@`` in the URL is used
    for HTTP basic auth (without it, scrapyd-client's ``~/.netrc`` look-up) and never printed."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScrapydError(f"--scrapyd {redact_uri(url)!r} is not an http(s) URL, e.g. http://127.0.0.1:6800")
        self.display = redact_uri(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        # ScrapydClient appends "/<endpoint>.json" itself: the base has no trailing slash.
        base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        user = None if parts.username is None else urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "") if user is not None else None
        self.client = _client(base, user, password, timeout)

    def _call(self, endpoint: str, call: Callable[[], T]) -> T:
        import requests
        from scrapyd_client.exceptions import ErrorResponse, MalformedResponse

        from .client import HttpStatusError

        try:
            return call()
        except HttpStatusError as exc:
            raise ScrapydError(f"scrapyd at {self.display}: {endpoint} answered HTTP {exc.args[0]}") from None
        except requests.RequestException as exc:  # refused, timed out, TLS: the message names no credentials
            found = ERRNO.search(str(exc))
            why = found.group(0) if found else type(exc).__name__
            raise ScrapydError(f"scrapyd at {self.display} is unreachable ({why})") from None
        except ErrorResponse as exc:
            message = " ".join(str(exc).split())
            raise ScrapydError(f"scrapyd at {self.display}: {endpoint}: {message}") from None
        except (MalformedResponse, KeyError, RuntimeError):
            raise ScrapydError(f"scrapyd at {self.display}: {endpoint} did not answer scrapyd's JSON") from None

    def spiders(self, project: str) -> set[str]:
        return set(self._call("listspiders.json", lambda: self.client.spiders(project)))

    def active_job_ids(self, project: str) -> list[str]:
        """Ids of the project's pending and running jobs."""
        data: dict[str, Any] = self._call("listjobs.json", lambda: self.client.jobs(project))
        return [job["id"] for state in ("pending", "running") for job in data.get(state, [])]

    def schedule(self, project: str, spider: str, args: dict[str, str], settings: dict[str, str], jobid: str) -> str:
        params = [("jobid", jobid), *sorted(args.items())]
        params += [("setting", f"{k}={v}") for k, v in sorted(settings.items())]
        return str(self._call("schedule.json", lambda: self.client.schedule(project, spider, params)))


def _client(base: str, user: str | None, password: str | None, timeout: float) -> TimedScrapydClient:
    try:
        from .client import TimedScrapydClient
    except ImportError:
        raise ScrapydError("scrapy twin-schedule needs scrapyd-client: pip install 'twin-crawler[scheduled]'") from None
    return TimedScrapydClient(base, user, password, timeout=timeout)
