"""Warehouse outage against a real nx-27017 process: stopped mid-crawl and restarted 30 s later on the same port
and data directory, every document is stored exactly once; left unreachable, the journal keeps the writes until
``scrapy twin-journal replay``."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import LoopbackSite, NxServer, Reply, unique_db
from outage_helpers import FAST_FAIL, count_when, own_tracebacks, scrapy
from pymongo import MongoClient
from reliability_helpers import article_html


def pages(site: LoopbackSite, n: int, delay: float, gate: threading.Event,
          open_pages: int) -> tuple[list[str], list[float]]:
    """``n`` article pages, each answered after ``delay``; pages from ``open_pages`` on wait for ``gate`` (set when
    the warehouse is down), so the outage hits writes however fast or slow the machine is."""
    stamps: list[float] = []

    def page(handler: Any) -> Reply:
        if int(handler.path.rsplit("/", 1)[1]) >= open_pages:
            gate.wait(90)
        time.sleep(delay)
        stamps.append(time.monotonic())
        return Reply(article_html(handler.path))
    return [site.add(f"/o/{i}", page) for i in range(n)], stamps


def stored_links(uri: str) -> list[str]:
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        return [d["link"] for d in client.get_default_database()["articles"].find({}, {"link": 1})]
    finally:
        client.close()


def crawl_args(links: list[str], tmp_path: Path, wait: float, batch: int = 3) -> list[str]:
    (tmp_path / "links.txt").write_text("\n".join(links) + "\n")
    return ["crawl", "article", "-a", "user=Outage Tester", "-a", f"links=@{tmp_path / 'links.txt'}",
            "-s", "CONCURRENT_REQUESTS=2", "-s", f"TWIN_WAREHOUSE_BATCH={batch}", "-s", "TWIN_WAREHOUSE_FLUSH_SECONDS=0.3",
            "-s", f"TWIN_WAREHOUSE_OUTAGE_WAIT={wait}"]


@pytest.mark.slow
def test_outage_mid_crawl_every_document_stored_exactly_once(site: LoopbackSite, tmp_path: Path) -> None:
    nx = NxServer(tmp_path / "nx").start()
    try:
        down = threading.Event()
        links, stamps = pages(site, 40, 0.25, down, open_pages=10)
        uri = nx.uri(unique_db())
        env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_MONGODB_URI": uri}
        proc = scrapy(env, *crawl_args(links, tmp_path, 120))
        count_when(uri, 6, proc)
        nx.stop()
        down_at = time.monotonic()
        down.set()  # the 30 gated pages are fetched while the warehouse is down
        time.sleep(30)
        nx = NxServer(tmp_path / "nx", port=nx.port).start()  # same port, same data directory
        up_at = time.monotonic()
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        assert "batch kept in the journal" in err  # the outage really hit the crawl's writes
        assert any(down_at < s < up_at for s in stamps)  # and pages were fetched while it lasted
        stored = stored_links(uri)
        assert sorted(stored) == sorted(links)  # every item, exactly once
        assert all(site.hits[f"/o/{i}"] == 1 for i in range(40))
        assert not list((tmp_path / "data" / "journal").glob("journal-*.jsonl"))  # nothing left behind
    finally:
        nx.stop()


@pytest.mark.slow
def test_journal_left_by_a_crawl_is_replayed_by_the_command(site: LoopbackSite, tmp_path: Path) -> None:
    nx = NxServer(tmp_path / "nx").start()
    try:
        down = threading.Event()
        links, _ = pages(site, 12, 0.2, down, open_pages=4)
        uri = nx.uri(unique_db()) + FAST_FAIL
        env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_MONGODB_URI": uri}
        # Timer flushes only (a large batch): each write attempt during the outage costs the server-selection
        # timeout (1 s from the URI here; 5 s by default).
        proc = scrapy(env, *crawl_args(links, tmp_path, 0, batch=100))
        count_when(uri, 3, proc)
        nx.stop()
        down.set()  # the 8 gated pages are written while the warehouse is down: they go to the journal
        _, err = proc.communicate(timeout=240)
        assert own_tracebacks(err) == 0, err[-3000:]
        journals = list((tmp_path / "data" / "journal").glob("journal-*.jsonl"))
        assert len(journals) == 1 and "scrapy twin-journal replay" in err, err[-3000:]
        nx = NxServer(tmp_path / "nx", port=nx.port).start()
        assert 3 <= len(stored_links(uri)) < 12
        replay = scrapy(env, "twin-journal", "replay")
        out, err = replay.communicate(timeout=120)
        assert replay.returncode == 0 and "replayed" in out, err[-3000:]
        assert sorted(stored_links(uri)) == sorted(links)
        assert not list((tmp_path / "data" / "journal").glob("journal-*.jsonl"))
        again = scrapy(env, "twin-journal", "replay")  # idempotent: nothing left, nothing duplicated
        out, _ = again.communicate(timeout=120)
        assert again.returncode == 0 and "replayed 0 document(s)" in out
        assert sorted(stored_links(uri)) == sorted(links)
    finally:
        nx.stop()
