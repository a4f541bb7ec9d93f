"""Dead letters and the run report in a MongoDB outage (issue 15, point 1): journaled like documents, written by
``scrapy twin-journal replay`` once the warehouse is back. Real nx-27017 process, stopped mid-crawl."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import LoopbackSite, NxServer, Reply, unique_db
from outage_helpers import FAST_FAIL, count_when, own_tracebacks, scrapy
from pymongo import MongoClient
from reliability_helpers import article_html

from twin_crawler.warehouse import WarehouseUnavailable, open_warehouse
from twin_crawler.warehouse.journal import Journal, replay_directory
from twin_crawler.warehouse.writer import BatchWriter

DEAD = 5


def collection(uri: str, name: str) -> list[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        return list(client.get_default_database()[name].find())
    finally:
        client.close()


def test_a_queued_dead_letter_is_journaled_when_the_flush_fails_and_replayed(tmp_path: Path) -> None:
    nx = NxServer(tmp_path / "nx").start()
    try:
        uri = nx.uri(unique_db()) + FAST_FAIL
        warehouse = open_warehouse(uri)
        journal = Journal(tmp_path / "journal")
        writer = BatchWriter(warehouse, 100, lambda link, outcome: None, journal=journal)
        nx.stop()
        record = {"url": "http://127.0.0.1:9/x", "spider": "article", "reason": "http-503", "attempts": 2}
        writer.add_replace("dead_letters", {"url": record["url"], "spider": "article"}, record)
        with pytest.raises(WarehouseUnavailable):
            writer.flush()
        assert journal.pending() == 1 and writer.pending() == 1  # on disk, not only in a log line
        journal.close()
        warehouse.close()
        nx = NxServer(tmp_path / "nx", port=nx.port).start()
        replay_directory(tmp_path / "journal", open_warehouse(uri))
        assert [(d["url"], d["reason"]) for d in collection(uri, "dead_letters")] == [(record["url"], "http-503")]
    finally:
        nx.stop()


@pytest.mark.slow
def test_dead_letters_and_the_run_report_survive_an_outage(site: LoopbackSite, tmp_path: Path) -> None:
    nx = NxServer(tmp_path / "nx").start()
    down = threading.Event()
    try:
        ok = [site.add(f"/ok/{i}", article_html(f"/ok/{i}")) for i in range(4)]

        def unavailable(_: Any) -> Reply:
            down.wait(60)  # every attempt of these fails while the warehouse is down
            return Reply("busy", status=503)

        dead = [site.add(f"/dl/{i}", unavailable) for i in range(DEAD)]
        uri = nx.uri(unique_db()) + FAST_FAIL
        env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_MONGODB_URI": uri}
        (tmp_path / "links.txt").write_text("\n".join(ok + dead) + "\n")
        proc = scrapy(env, "crawl", "article", "-a", "user=Outage Tester", "-a", f"links=@{tmp_path / 'links.txt'}",
                      "-s", "RETRY_TIMES=1", "-s", "TWIN_RETRY_BACKOFF_BASE=0.05", "-s", "TWIN_WAREHOUSE_BATCH=1",
                      "-s", "TWIN_WAREHOUSE_FLUSH_SECONDS=0.3", "-s", "TWIN_WAREHOUSE_OUTAGE_WAIT=0")
        count_when(uri, len(ok), proc)
        nx.stop()
        down.set()
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 1, err[-3000:]  # dead-lettered links: exit 1
        assert own_tracebacks(err) == 0, err[-3000:]
        assert err.count("dead letter: ") == DEAD and "scrapy twin-journal replay" in err
        assert list((tmp_path / "data" / "journal").glob("journal-*.jsonl"))
        nx = NxServer(tmp_path / "nx", port=nx.port).start()
        assert collection(uri, "dead_letters") == [] and collection(uri, "runs") == []  # nothing reached it
        replay = scrapy(env, "twin-journal", "replay")
        out, err = replay.communicate(timeout=120)
        assert replay.returncode == 0, err[-3000:]
        letters = collection(uri, "dead_letters")
        assert sorted(d["url"] for d in letters) == sorted(dead) and all(d["reason"] == "http-503" for d in letters)
        runs = collection(uri, "runs")
        assert len(runs) == 1 and runs[0]["totals"].get("dead_lettered") == DEAD
        assert not list((tmp_path / "data" / "journal").glob("journal-*.jsonl"))
        print(f"outage: {len(letters)}/{DEAD} dead letters and {len(runs)}/1 run report replayed")
    finally:
        down.set()
        nx.stop()
