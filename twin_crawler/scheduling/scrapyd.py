"""A small scrapyd JSON API client (stdlib only: the timer must not depend on the crawl's reactor)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from twin_crawler.secrets import redact_uri


class ScrapydError(Exception):
    """scrapyd unreachable or refusing; the message is one line without credentials."""


class Scrapyd:
    """``schedule.json``, ``listjobs.json``, ``listspiders.json`` of one scrapyd; ``user:pass@`` in the URL is used
    for HTTP basic auth and never printed."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScrapydError(f"--scrapyd {redact_uri(url)!r} is not an http(s) URL, e.g. http://127.0.0.1:6800")
        self.display = redact_uri(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        self.base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/", "", ""))
        self.auth = None
        if parts.username is not None:
            token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self.auth = "Basic " + base64.b64encode(token.encode()).decode()
        self.timeout = timeout

    def _call(self, endpoint: str, params: Sequence[tuple[str, str]], *, post: bool = False) -> dict[str, Any]:
        query = urllib.parse.urlencode(list(params))
        url = self.base + endpoint + ("" if post or not query else "?" + query)
        request = urllib.request.Request(url, data=query.encode() if post else None, method="POST" if post else "GET")
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked above
                data: dict[str, Any] = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"scrapyd at {self.display}: {endpoint} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ScrapydError(f"scrapyd at {self.display} is unreachable ({reason})") from None
        if data.get("status") != "ok":
            raise ScrapydError(f"scrapyd at {self.display}: {endpoint}: {data.get('message', data)}".strip())
        return data

    def spiders(self, project: str) -> set[str]:
        return set(self._call("listspiders.json", [("project", project)])["spiders"])

    def active_job_ids(self, project: str) -> list[str]:
        """Ids of the project's pending and running jobs."""
        data = self._call("listjobs.json", [("project", project)])
        return [job["id"] for state in ("pending", "running") for job in data.get(state, [])]

    def schedule(self, project: str, spider: str, args: dict[str, str], settings: dict[str, str], jobid: str) -> str:
        params = [("project", project), ("spider", spider), ("jobid", jobid), *sorted(args.items())]
        params += [("setting", f"{k}={v}") for k, v in sorted(settings.items())]
        return str(self._call("schedule.json", params, post=True)["jobid"])
