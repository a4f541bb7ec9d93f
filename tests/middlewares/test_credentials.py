"""GITHUB_TOKEN is added at download time only: never in a queued request (JOBDIR files, the Redis frontier and
its lease data), while the loopback GitHub API still receives it; JOBDIR is private to its owner."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
import redis
from conftest import ROOT, LoopbackSite, NxServer, Reply, unique_db
from distributed_helpers import Worker, loopback_settings, scrapy, scrapy_env, unique_prefix
from scrapy.http import Request, Response
from secret_helpers import SECRETS, hits

from twin_crawler.middlewares.credentials import GithubCredentialsMiddleware

TOKEN = SECRETS["GITHUB_TOKEN"]
BEARER = f"Bearer {TOKEN}"


def test_the_token_is_on_api_requests_in_flight_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    mw = GithubCredentialsMiddleware("http://127.0.0.1:8080")
    api = Request("http://127.0.0.1:8080/users/octo")
    mw.process_request(api)
    assert api.headers[b"Authorization"] == BEARER.encode()
    mw.process_response(api, Response(api.url, request=api))
    assert b"Authorization" not in api.headers  # what retry/redirect copy and the callback sees: no token
    failed = Request("http://127.0.0.1:8080/users/x")
    mw.process_request(failed)
    mw.process_exception(failed, TimeoutError())
    assert b"Authorization" not in failed.headers
    for other in ("http://127.0.0.1:8081/users/octo", "https://127.0.0.1:8080/users/octo", "http://example.org/"):
        request = Request(other)
        mw.process_request(request)
        assert b"Authorization" not in request.headers, other
    own = Request("http://127.0.0.1:8080/", headers={"Authorization": "Basic x"})
    mw.process_request(own)
    mw.process_response(own, Response(own.url, request=own))
    assert own.headers[b"Authorization"] == b"Basic x"  # a header the spider set itself is left alone
    monkeypatch.delenv("GITHUB_TOKEN")
    anonymous = Request("http://127.0.0.1:8080/users/octo")
    mw.process_request(anonymous)
    assert b"Authorization" not in anonymous.headers


class Gate:
    """A route that holds the first request until released: the test scans storage while it is in flight."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, _: object) -> Reply:
        if not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(60)
        return Reply(self.body, content_type="application/json")


def scan_files(root: Path) -> tuple[int, list[str]]:
    """(bytes scanned, files holding the token) under ``root``."""
    total, found = 0, []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            total += len(data)
            if hits(data):
                found.append(str(path))
    return total, found


def redis_bytes(client: redis.Redis, prefix: str) -> bytes:
    """Every key of the crawl: its DUMP and its decoded members/values (DUMP may LZF-compress long strings)."""
    chunks: list[bytes] = []
    for key in client.scan_iter(f"{prefix}:*"):
        chunks += [key, client.dump(key) or b""]
        kind = client.type(key)
        if kind == b"string":
            chunks.append(client.get(key) or b"")
        elif kind == b"hash":
            chunks += [b for pair in client.hgetall(key).items() for b in pair]
        elif kind == b"zset":
            chunks += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == b"list":
            chunks += client.lrange(key, 0, -1)
        elif kind == b"set":
            chunks += list(client.smembers(key))
    return b"\n".join(chunks)


def api_auth(site: LoopbackSite) -> list[str | None]:
    return [headers.get("Authorization") for path, headers in site.requests if path.startswith("/users/")]


@pytest.mark.slow
def test_jobdir_queue_never_holds_the_token_and_is_private(site: LoopbackSite, tmp_path: Path) -> None:
    owners = [f"own{i}" for i in range(4)]
    gate = Gate(json.dumps({"login": "own0", "name": "Owner Zero"}))
    site.add("/users/own0", gate)
    for owner in owners[1:]:
        site.add(f"/users/{owner}", json.dumps({"login": owner, "name": owner}), content_type="application/json")
    job = tmp_path / "job"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.local", "PYTHONPATH": str(ROOT),
                "TWIN_RECRAWL_AFTER": "0", "TWIN_DATA_DIR": str(tmp_path / "data"), "GITHUB_TOKEN": TOKEN})
    links = ",".join(f"https://github.com/{owner}/repo" for owner in owners)
    # One request at a time, and a close after the first page: the other owner lookups stay queued in JOBDIR.
    args = ["-a", f"links={links}", "-s", f"TWIN_GITHUB_API_URL={site.url}", "-s", f"JOBDIR={job}",
            "-s", f"TWIN_GITHUB_CLONE_BASE={(tmp_path / 'no-mirror').as_uri()}", "-s", "CONCURRENT_REQUESTS=1",
            "-s", "CLOSESPIDER_PAGECOUNT=1"]
    worker = Worker("github", args, env, tmp_path, "jobdir")
    try:
        assert gate.arrived.wait(60), worker.stderr()[-3000:]
        in_flight = scan_files(job)
        gate.release.set()
        worker.wait(120)
    finally:
        gate.release.set()
        worker.stop()
    after = scan_files(job)
    assert in_flight[1] == [] and after[1] == [], (in_flight, after)
    queued = b"".join(p.read_bytes() for p in (job / "requests.queue").rglob("*") if p.is_file())
    assert b"/users/own" in queued  # the scan saw real pickled API requests, not an empty queue
    assert api_auth(site) and all(h == BEARER for h in api_auth(site))
    assert TOKEN not in worker.stderr()
    assert stat.S_IMODE(job.stat().st_mode) == 0o700
    modes = {str(p): stat.S_IMODE(p.stat().st_mode) for p in job.rglob("*")}
    assert modes and all(m in (0o600, 0o700) for m in modes.values()), modes
    print(f"jobdir: {in_flight[0]} bytes in flight, {after[0]} after close, token hits 0")


@pytest.mark.slow
def test_redis_frontier_and_leases_never_hold_the_token(redis_url: str, nx_server: NxServer, site: LoopbackSite,
                                                         tmp_path: Path) -> None:
    gate = Gate("[]")  # the listing: held while in flight (leased), then empty
    site.add("/users/octo/repos", gate)
    prefix = unique_prefix()
    env = {**scrapy_env(redis_url, nx_server.uri(unique_db())), "GITHUB_TOKEN": TOKEN}
    pushed = scrapy("seed", "github", "--user", "Octo Cat", "https://github.com/octo", "https://github.com/octo2",
                    "-s", f"TWIN_REDIS_PREFIX={prefix}", env=env, cwd=tmp_path)
    assert pushed.returncode == 0, pushed.stderr
    site.add("/users/octo2/repos", "[]", content_type="application/json")
    settings = loopback_settings(prefix, TWIN_WORKER_IDLE_CLOSE=2, TWIN_GITHUB_API_URL=site.url, CONCURRENT_REQUESTS=1)
    worker = Worker("github", settings, env, tmp_path, "worker")
    client = redis.Redis.from_url(redis_url)
    try:
        assert gate.arrived.wait(60), worker.stderr()[-3000:]
        in_flight = redis_bytes(client, prefix)
        gate.release.set()
        assert worker.wait(120) == 0, worker.stderr()[-3000:]
    finally:
        gate.release.set()
        worker.stop()
    after = redis_bytes(client, prefix)
    assert b"/users/octo" in in_flight  # the leased (and queued) API requests were really scanned
    assert hits(in_flight) == [] and hits(after) == []
    assert len(api_auth(site)) == 2 and all(h == BEARER for h in api_auth(site))
    assert TOKEN not in worker.stderr()
    print(f"redis: {len(in_flight)} bytes in flight, {len(after)} after, token hits 0")
