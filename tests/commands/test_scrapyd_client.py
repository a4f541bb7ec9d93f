"""The twin-schedule scrapyd client in-process, against loopback servers: answers read through scrapyd-client,
every failure one ``ScrapydError`` line without credentials (the full deploy/schedule path is test_scrapyd.py)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import LoopbackSite, Reply, free_port

from twin_crawler.scheduling.scrapyd import Scrapyd, ScrapydError


def scrapyd_json(data: dict[str, object]) -> Reply:
    return Reply(json.dumps(data), content_type="application/json")


def test_answers_are_read_and_credentials_sent(site: LoopbackSite) -> None:
    site.add("/listspiders.json", scrapyd_json({"status": "ok", "spiders": ["article", "twin"]}))
    site.add("/listjobs.json", scrapyd_json({"status": "ok", "pending": [{"id": "a--1"}], "running": [{"id": "b--2"}],
                                             "finished": [{"id": "c--3"}]}))
    client = Scrapyd(site.url.replace("http://", "http://ann:s%40cret@") + "/")
    assert client.display == site.url.replace("http://", "http://***@") + "/"
    assert client.spiders("twin_crawler") == {"article", "twin"}
    assert client.active_job_ids("twin_crawler") == ["a--1", "b--2"]
    path, headers = site.requests[0]
    assert path == "/listspiders.json?project=twin_crawler"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:s@cret").decode()


@pytest.mark.parametrize(("reply", "expected"), [
    (Reply("denied", status=401, content_type="text/plain"), "listspiders.json answered HTTP 401"),
    (Reply("<html>proxy</html>"), "listspiders.json did not answer scrapyd's JSON"),
    (scrapyd_json({"status": "error", "message": "Scrapy 2.19\n no such project"}),
     "listspiders.json: Scrapy 2.19 no such project"),
    (scrapyd_json({"spiders": []}), "did not answer scrapyd's JSON"),
])
def test_refusals_are_one_line_without_credentials(site: LoopbackSite, reply: Reply, expected: str) -> None:
    site.add("/listspiders.json", reply)
    with pytest.raises(ScrapydError) as caught:
        Scrapyd(site.url.replace("http://", "http://ann:topsecret@")).spiders("twin_crawler")
    message = str(caught.value)
    assert expected in message and "\n" not in message and "topsecret" not in message and "***@" in message


def test_unreachable_scrapyd_is_one_line() -> None:
    with pytest.raises(ScrapydError) as caught:
        Scrapyd(f"http://u:topsecret@127.0.0.1:{free_port()}").spiders("twin_crawler")
    message = str(caught.value)
    assert "is unreachable ([Errno" in message and "\n" not in message and "topsecret" not in message


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts the connection, never answers (a hung proxy) until the test ends."""
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            done.wait(10)

    site = LoopbackSite()
    site.server.RequestHandlerClass = Handler
    try:
        yield site.url
    finally:
        done.set()
        site.close()


def test_a_scrapyd_that_never_answers_times_out(silent_server: str) -> None:
    with pytest.raises(ScrapydError, match=r"is unreachable \(ReadTimeout\)"):
        Scrapyd(silent_server, timeout=0.2).spiders("twin_crawler")


def test_not_an_http_url() -> None:
    with pytest.raises(ScrapydError, match="is not an http"):
        Scrapyd("ftp://u:topsecret@127.0.0.1:6800")
