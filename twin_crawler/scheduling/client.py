"""``scrapyd_client.ScrapydClient`` with what a long-running timer needs on top: a timeout and the HTTP status.

Imported only when a scrapyd is contacted (``scrapyd-client`` is the optional ``[scheduled]`` extra; every other
``scrapy`` command loads the twin-schedule command module and must not need it).
"""

from __future__ import annotations

from typing import Any

import requests
from scrapyd_client.pyclient import HEADERS, ScrapydClient, _process_response


class HttpStatusError(Exception):
    """scrapyd (or a proxy in front of it) answered an HTTP error status; ``args[0]`` is the status code."""


class TimedScrapydClient(ScrapydClient):
    """ScrapydClient whose calls time out and fail on an HTTP error status.

    The library calls ``requests`` without a timeout (a scrapyd behind a dead proxy would hang the timer for
    ever) and reads every answer as JSON (a 401 from an auth proxy becomes "malformed response"); its two
    request methods are the only place to add both, so they are overridden here, the endpoints stay its own.
    """

    def __init__(self, url: str, username: str | None, password: str | None, *, timeout: float) -> None:
        super().__init__(url, username, password)
        self.timeout = timeout

    def _get(self, basename: str, params: Any = None) -> Any:
        answer = requests.get(f"{self.url}/{basename}.json", params=params or {}, headers=HEADERS, auth=self.auth,
                              timeout=self.timeout)
        return self._read(answer)

    def _post(self, basename: str, data: Any) -> Any:
        answer = requests.post(f"{self.url}/{basename}.json", data=data, headers=HEADERS, auth=self.auth,
                               timeout=self.timeout)
        return self._read(answer)

    @staticmethod
    def _read(answer: requests.Response) -> Any:
        if answer.status_code >= 400:
            raise HttpStatusError(answer.status_code)
        return _process_response(answer)
