"""Crash resume: a crawl SIGKILLed mid-way and restarted with the same JOBDIR finishes the job without
refetching the pages it already stored and without duplicates; requests survive a JOBDIR queue (pickle)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, VENV_BIN, LoopbackSite, Reply, crawl
from reliability_helpers import article_html
from scrapy.utils.request import request_from_dict

from twin_crawler.extensions.resume import DONE_FILE, read_done
from twin_crawler.spiders.article import ArticleSpider
from twin_crawler.warehouse import open_warehouse


def test_requests_pickle_for_a_jobdir_queue() -> None:
    spider = ArticleSpider(user="Jane Doe", links="https://blog.example.org/p/1")
    request = spider.request("https://blog.example.org/p/1", "article", spider.parse_article_page, link="https://blog.example.org/p/1",
                             meta={"twin_seed": True})
    data = pickle.loads(pickle.dumps(request.to_dict(spider=spider)))
    back = request_from_dict(data, spider=spider)
    assert back.url == request.url and back.meta == request.meta
    assert back.callback == spider.parse_article_page and back.errback == spider.on_error


def stored(data_dir: Path) -> list[str]:
    w = open_warehouse(None, data_dir=data_dir)
    try:
        return [d["link"] for d in w.find("articles")]
    finally:
        w.close()


@pytest.mark.slow
def test_sigkilled_crawl_resumes_without_refetching_or_duplicates(site: LoopbackSite, tmp_path: Path) -> None:
    def page(handler: Any) -> Reply:
        time.sleep(0.15)
        return Reply(article_html(handler.path))

    links = [site.add(f"/r/{i}", page) for i in range(60)]
    (tmp_path / "links.txt").write_text("\n".join(links) + "\n")
    data, job = tmp_path / "data", tmp_path / "job"
    # force=1: the incremental re-crawl window must not be what skips stored pages here; the JOBDIR resume must.
    args = ["-a", "user=Resume Tester", "-a", f"links=@{tmp_path / 'links.txt'}", "-a", "force=1",
            "-s", f"JOBDIR={job}", "-s", "CONCURRENT_REQUESTS=2", "-s", "TWIN_WAREHOUSE_BATCH=1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.local", "PYTHONPATH": str(ROOT), "TWIN_DATA_DIR": str(data)})
    with (tmp_path / "first.log").open("w") as log:
        proc = subprocess.Popen([str(VENV_BIN / "scrapy"), "crawl", "article", *args], cwd=ROOT, env=env,
                                stdout=log, stderr=log)
        deadline = time.monotonic() + 120
        while len(stored(data)) < 15 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    before = set(stored(data))
    assert 15 <= len(before) < 60, "the kill must land mid-crawl"
    hits_before = dict(site.hits)
    # What the resume promises not to fetch again: links whose done-line was written. A document stored in the
    # instant between its write and its done-line may be fetched again (resume.py says so); it is not duplicated.
    done = set(read_done(job / DONE_FILE))
    assert len(done) >= len(before) // 2 and done <= before

    second = crawl("article", *args, env={"TWIN_DATA_DIR": str(data)})
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Traceback" not in second.stderr, second.stderr[-3000:]
    assert "was killed: resuming from its done log" in second.stderr
    after = stored(data)
    assert sorted(after) == sorted(links)  # the whole job, each document exactly once
    refetched = [u for u in done if site.hits[u.removeprefix(site.url)] > hits_before[u.removeprefix(site.url)]]
    assert refetched == []  # nothing done before the kill was fetched again
    assert all(site.hits[f"/r/{i}"] <= 2 for i in range(60))
    report = second.report
    assert "new" in report and "pending" not in report
    w = open_warehouse(None, data_dir=data)
    try:
        totals = w.find("runs")[-1]["totals"]
    finally:
        w.close()
    assert sum(totals.values()) == 60 and set(totals) <= {"new", "unchanged"}
