"""Measurement 3: N scrapy-redis workers (``twin_crawler.settings.distributed``) on one corpus, real Redis + nx-27017.

The clock runs from the moment the seed is pushed and the workers start until every article is in the
warehouse (polled), so the idle-close wait at the end (``TWIN_WORKER_IDLE_CLOSE``) is not counted.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pymongo

from .measure import ROOT, VENV_BIN
from .server import Site

SETTINGS = {
    "TWIN_ALLOW_LOOPBACK": "True", "ROBOTSTXT_OBEY": "False", "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "TELNETCONSOLE_ENABLED": "False", "TWIN_SEED_POLL_SECONDS": "0.2",
    "TWIN_LEASE_TICK_SECONDS": "0.2", "TWIN_WORKER_IDLE_CLOSE": "2", "TWIN_MAX_DISCOVERED": "1000000",
    "TWIN_REPORT_PRINT": "False", "LOG_LEVEL": "INFO",
}


def available() -> str | None:
    """None when the distributed overlay exists, else why this measurement cannot run."""
    if not (ROOT / "twin_crawler" / "settings" / "distributed.py").exists():
        return "twin_crawler/settings/distributed.py does not exist yet (distributed issue)"
    if not (ROOT / "twin_crawler" / "commands" / "seed.py").exists():
        return "the `scrapy seed` command does not exist yet (distributed issue)"
    return None


def _env(redis_url: str, mongo_uri: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.distributed", "PYTHONPATH": str(ROOT),
                "REDIS_URL": redis_url, "TWIN_MONGODB_URI": mongo_uri, "TWIN_RECRAWL_AFTER": "0"})
    return env


def _count(mongo_uri: str) -> int:
    base, database = mongo_uri.rsplit("/", 1)
    client: pymongo.MongoClient[dict[str, Any]]
    with pymongo.MongoClient(base, serverSelectionTimeoutMS=5000) as client:
        return client[database]["articles"].count_documents({})


def run(site: Site, workers: int, expected: int, redis_url: str, mongo_uri: str, workdir: Path,
        timeout: float = 900) -> float:
    """Seconds until ``expected`` articles are stored by ``workers`` worker processes."""
    prefix = "b" + uuid.uuid4().hex[:8]
    settings = {**SETTINGS, "TWIN_REDIS_PREFIX": prefix}
    args = [a for k, v in settings.items() for a in ("-s", f"{k}={v}")]
    env = _env(redis_url, mongo_uri)
    workdir.mkdir(parents=True, exist_ok=True)
    seed = subprocess.run([str(VENV_BIN / "scrapy"), "seed", "article", "--user", "Jane Doe", f"{site.origin}/", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if seed.returncode != 0:
        raise RuntimeError(f"scrapy seed failed: {seed.stderr[-2000:]}")
    start = time.perf_counter()
    logs = [(workdir / f"w{i}.log").open("w") for i in range(workers)]
    procs = [subprocess.Popen([str(VENV_BIN / "scrapy"), "crawl", "article", *args], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=log) for log in logs]
    try:
        while _count(mongo_uri) < expected:
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"{workers} workers stored {_count(mongo_uri)}/{expected} in {timeout}s")
            if all(p.poll() is not None for p in procs):
                raise RuntimeError(f"workers exited with {_count(mongo_uri)}/{expected} stored; see {workdir}")
            time.sleep(0.25)
        elapsed = time.perf_counter() - start
        for p in procs:
            p.wait(60)
        return elapsed
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        for log in logs:
            log.close()
