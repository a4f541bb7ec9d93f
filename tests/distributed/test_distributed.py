"""Distributed crawling end to end: real redis-server, real nx-27017 (MongoDB wire), worker processes."""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import LoopbackSite, NxServer, crawl, free_port, unique_db
from distributed_helpers import (
    Worker,
    build_blog,
    loopback_settings,
    page_hits,
    scrapy,
    scrapy_env,
    snapshot,
    unique_prefix,
)

pytestmark = pytest.mark.slow
USER = "Ada  Lovelace"  # not normalised on purpose: workers must store the same display name as a single run
PAGES = 300
DEPRECATION = re.compile(r"\w*DeprecationWarning")


def deprecations(log: str) -> list[str]:
    """Every deprecation warning in a log, with the line before it (where it came from)."""
    lines = log.splitlines()
    return [" | ".join(lines[max(0, i - 1):i + 2]) for i, line in enumerate(lines) if DEPRECATION.search(line)]


def scrape_metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def push_seed(prefix: str, env: dict[str, str], cwd: Path, url: str) -> None:
    pushed = scrapy("seed", "article", "--user", USER, url, "-s", f"TWIN_REDIS_PREFIX={prefix}", env=env, cwd=cwd)
    assert pushed.returncode == 0, pushed.stderr
    assert "pushed 1 seeds to" in pushed.stdout


def single_process_snapshot(site: LoopbackSite, nx_server: NxServer, tmp_path: Path) -> dict[str, dict]:
    uri = nx_server.uri(unique_db())
    result = crawl("article", "-a", f"user={USER}", "-a", f"links={site.url}/", env={"TWIN_MONGODB_URI": uri},
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return snapshot(uri)


def test_two_workers_fetch_every_page_once_and_store_what_one_process_stores(
        redis_url: str, nx_server: NxServer, tmp_path: Path) -> None:
    site = LoopbackSite()
    try:
        paths = build_blog(site, PAGES)
        prefix, uri = unique_prefix(), nx_server.uri(unique_db())
        env = scrapy_env(redis_url, uri)
        push_seed(prefix, env, tmp_path, f"{site.url}/")
        settings = loopback_settings(prefix, TWIN_WORKER_IDLE_CLOSE=2, TWIN_LEASE_SECONDS=30)
        workers = [Worker("article", settings, env, tmp_path, f"w{i}") for i in range(2)]
        for w in workers:
            assert w.wait(180) == 0, w.stderr()[-3000:]
        distributed_hits = page_hits(site)
        assert sorted(distributed_hits) == sorted(paths)
        assert set(distributed_hits.values()) == {1}, {p: n for p, n in distributed_hits.items() if n != 1}
        assert site.hits["/feed.xml"] == 1 and site.hits["/"] == 1
        for w in workers:  # both took part
            assert "twin/distributed/acked" in w.stderr()
        distributed = snapshot(uri)
        assert len(distributed) == PAGES
        site.hits.clear()
        single = single_process_snapshot(site, nx_server, tmp_path)
        assert distributed == single
        for w in workers:  # scrapy-redis 0.9.1 through the compatibility layer: not one deprecation warning
            assert not deprecations(w.stderr()), deprecations(w.stderr())
    finally:
        site.close()


def test_a_sigkilled_worker_loses_nothing_the_other_requeues_its_leases(
        redis_url: str, nx_server: NxServer, tmp_path: Path) -> None:
    site = LoopbackSite()
    try:
        paths = build_blog(site, PAGES)
        prefix, uri = unique_prefix(), nx_server.uri(unique_db())
        env = scrapy_env(redis_url, uri)
        push_seed(prefix, env, tmp_path, f"{site.url}/")
        # Short leases so that the dead worker's requests come back quickly.
        settings = loopback_settings(prefix, TWIN_WORKER_IDLE_CLOSE=2, TWIN_LEASE_SECONDS=4)
        # The victim starts alone, so that when it dies it certainly holds leases (requests in flight, documents
        # not yet flushed); the survivor is started just before the kill and must take them over.
        victim = Worker("article", settings, env, tmp_path, "victim")
        survivor: Worker | None = None
        try:
            deadline = time.monotonic() + 120
            while sum(page_hits(site).values()) < 40 and time.monotonic() < deadline and victim.proc.poll() is None:
                time.sleep(0.01)
            survivor = Worker("article", settings, env, tmp_path, "survivor")
            assert victim.proc.poll() is None, "the victim finished before it could be killed"
            victim.signal(signal.SIGKILL)
            assert victim.wait(10) == -signal.SIGKILL
            assert survivor.wait(180) == 0, survivor.stderr()[-3000:]
        finally:
            victim.stop()
            if survivor is not None:
                survivor.stop()
        stored = snapshot(uri)
        assert sorted(stored) == sorted(f"{site.url}{p}" for p in paths)  # every page stored, once (unique links)
        assert set(page_hits(site)) == set(paths)
        requeued = re.search(r"'twin/distributed/requeued': (\d+)", survivor.stderr())
        assert requeued and int(requeued.group(1)) > 0  # the survivor took over the victim's leases
        assert sum(page_hits(site).values()) > PAGES  # some pages were fetched twice: the victim's unconfirmed ones
    finally:
        site.close()


def test_sigterm_stops_a_worker_gracefully_nothing_lost_nothing_fetched_twice(
        redis_url: str, nx_server: NxServer, tmp_path: Path) -> None:
    site = LoopbackSite()
    try:
        paths = build_blog(site, PAGES, delay=0.03)
        prefix, uri = unique_prefix(), nx_server.uri(unique_db())
        env = scrapy_env(redis_url, uri)
        push_seed(prefix, env, tmp_path, f"{site.url}/")
        metrics_port = free_port()
        first = Worker("article", loopback_settings(prefix, TWIN_METRICS_PORT=metrics_port), env, tmp_path, "first")
        try:
            deadline = time.monotonic() + 120
            while sum(page_hits(site).values()) < 50 and time.monotonic() < deadline:
                time.sleep(0.02)
            metrics = scrape_metrics(metrics_port)  # a live worker exposes its counters
            assert re.search(r'twin_frontier_size\{queue="frontier",spider="article"\} [1-9]', metrics), metrics[-2000:]
            assert 'scrapy_stat{key="downloader/request_count",spider="article"}' in metrics
            first.signal(signal.SIGTERM)
            assert first.wait(60) == 0, first.stderr()[-3000:]
        finally:
            first.stop()
        assert "Received SIGTERM" in first.stderr()
        sizes = json.loads(scrapy("seed", "article", "--status", "-s", f"TWIN_REDIS_PREFIX={prefix}", env=env,
                                  cwd=tmp_path).stdout)
        assert sizes["leases"] == 0 and sizes["frontier"] > 0  # nothing held by the stopped worker, work remains
        second = Worker("article", loopback_settings(prefix, TWIN_WORKER_IDLE_CLOSE=2), env, tmp_path, "second")
        try:
            assert second.wait(180) == 0, second.stderr()[-3000:]
        finally:
            second.stop()
        assert len(snapshot(uri)) == PAGES
        assert not deprecations(first.stderr() + second.stderr())
        hits = page_hits(site)
        assert set(hits) == set(paths) and set(hits.values()) == {1}, {p: n for p, n in hits.items() if n != 1}
    finally:
        site.close()


def test_an_idle_worker_keeps_running_until_stopped(redis_url: str, nx_server: NxServer, tmp_path: Path) -> None:
    env = scrapy_env(redis_url, nx_server.uri(unique_db()))
    worker = Worker("twin", loopback_settings(unique_prefix()), env, tmp_path, "idle")
    try:
        time.sleep(6)
        assert worker.proc.poll() is None, worker.stderr()[-3000:]
        assert "reading seeds from" in worker.stderr()
        worker.signal(signal.SIGINT)
        assert worker.wait(30) == 0
        assert not deprecations(worker.stderr())
    finally:
        worker.stop()


def test_the_embedded_warehouse_is_refused_in_one_line(redis_url: str, tmp_path: Path) -> None:
    result = scrapy("crawl", "article", env=scrapy_env(redis_url, None), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: distributed mode needs the shared MongoDB warehouse")
    assert "Traceback" not in result.stderr


def test_an_unreachable_redis_is_one_line_without_the_password(nx_server: NxServer, tmp_path: Path) -> None:
    url = f"redis://:hunter2secret@127.0.0.1:{free_port()}/0"
    result = scrapy("crawl", "article", env=scrapy_env(url, nx_server.uri(unique_db())), cwd=tmp_path)
    assert result.returncode == 2
    assert "error: cannot reach Redis at redis://***@127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr and "hunter2secret" not in result.stderr + result.stdout
