"""scrapyd on loopback: deploy the repository as is, schedule crawls with arguments, and the timer command."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from blog_helpers import article_html
from conftest import ROOT, VENV_BIN, LoopbackSite, NxServer, Reply, free_port, unique_db, wait_for_port

from twin_crawler.warehouse import open_warehouse

PROJECT = "twin_crawler"
# What a loopback crawl needs on top of the deployed project's own settings, passed as scrapyd `setting=`.
LOOPBACK = {"TWIN_ALLOW_LOOPBACK": "True", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
JUNK = shutil.ignore_patterns(".venv", ".git", "data", "build", "*.egg-info", "__pycache__", ".*_cache", "setup.py")


@dataclass
class Scrapyd:
    """A scrapyd process with its own config and directories, and the warehouse its crawls write to."""

    url: str
    workdir: Path
    mongodb_uri: str

    def call(self, endpoint: str, **params: Any) -> dict[str, Any]:
        query = urllib.parse.urlencode(params, doseq=True)
        post = endpoint == "schedule.json"
        request = urllib.request.Request(self.url + endpoint + ("" if post else "?" + query), data=query.encode() if post else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            data: dict[str, Any] = json.loads(response.read())
        assert data["status"] == "ok", data
        return data

    def wait_finished(self, job_ids: set[str], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            finished = {j["id"] for j in self.call("listjobs.json", project=PROJECT)["finished"]}
            if job_ids <= finished:
                return
            time.sleep(0.3)
        raise AssertionError(f"jobs {sorted(job_ids)} not finished after {timeout}s; logs: {self.logs()}")

    def logs(self) -> str:
        return "\n".join(p.read_text()[-2000:] for p in self.workdir.glob("logs/**/*.log"))

    def documents(self) -> list[dict[str, Any]]:
        w = open_warehouse(self.mongodb_uri)
        try:
            return sorted(w.find("articles"), key=lambda d: d["link"])
        finally:
            w.close()


@pytest.fixture
def scrapyd(tmp_path: Path, nx_server: NxServer) -> Iterator[Scrapyd]:
    workdir = tmp_path / "scrapyd"
    workdir.mkdir()
    port = free_port()
    # items_dir stays empty: scrapyd would otherwise set FEEDS for every job, silently replacing the project's.
    (workdir / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {workdir}/eggs\n"
        f"logs_dir = {workdir}/logs\ndbs_dir = {workdir}/dbs\nitems_dir =\njobs_dir =\nmax_proc = 4\npoll_interval = 0.2\n"
    )
    uri = nx_server.uri(unique_db())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWIN_", "SCRAPY_"))}
    env.update({"HOME": str(workdir), "TWIN_MONGODB_URI": uri, "TWIN_DATA_DIR": str(workdir / "data")})
    with (workdir / "scrapyd.out").open("wb") as out:
        proc = subprocess.Popen([str(VENV_BIN / "scrapyd")], cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
        yield Scrapyd(f"http://127.0.0.1:{port}/", workdir, uri)
    finally:
        proc.terminate()
        proc.wait(20)


def untracked(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout


def deploy(scrapyd: Scrapyd, tmp_path: Path) -> dict[str, Any]:
    """``scrapyd-deploy`` from a copy of the working tree, as a user runs it from the repository."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=JUNK)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    before = untracked(repo)
    home = tmp_path / "home"
    home.mkdir()
    # The target lives in the user's ~/.scrapy.cfg, so the repository's scrapy.cfg is used unchanged.
    (home / ".scrapy.cfg").write_text(f"[deploy:test]\nurl = {scrapyd.url}\nproject = {PROJECT}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWIN_", "SCRAPY_"))} | {"HOME": str(home)}
    result = subprocess.run([str(VENV_BIN / "scrapyd-deploy"), "test", "--version", "r1"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert untracked(repo) == before  # whatever the build left behind is ignored by .gitignore
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def slow(html: str, seconds: float) -> Any:
    def reply(handler: BaseHTTPRequestHandler) -> Reply:
        time.sleep(seconds)  # keeps the job running while the test looks at it
        return Reply(html)
    return reply


def test_deploy_schedule_and_timer(scrapyd: Scrapyd, site: LoopbackSite, tmp_path: Path) -> None:
    answer = deploy(scrapyd, tmp_path)
    assert answer["status"] == "ok" and answer["project"] == PROJECT and answer["spiders"] >= 2
    spiders = scrapyd.call("listspiders.json", project=PROJECT)["spiders"]
    assert {"article", "twin"} <= set(spiders)

    # schedule.json with the CLI's arguments: -a user=... -a links=...
    a = site.add("/p/a", article_html("Scheduled A", 31))
    b = site.add("/p/b", article_html("Scheduled B", 32))
    job = scrapyd.call("schedule.json", project=PROJECT, spider="article", user="Jane  Doe", links=f"{a},{b}",
                       setting=[f"{k}={v}" for k, v in LOOPBACK.items()])["jobid"]
    # A refused job (bad link): its one error line is in the job's own log, where scrapyd users look.
    refused = scrapyd.call("schedule.json", project=PROJECT, spider="article", user="Jane Doe",
                           links="ftp://example.org/x")["jobid"]
    scrapyd.wait_finished({job, refused})
    refused_log = next(scrapyd.workdir.glob(f"logs/{PROJECT}/article/{refused}.log")).read_text()
    errors = [line for line in refused_log.splitlines() if "error: links:" in line]
    assert len(errors) == 1 and "ftp" in errors[0] and "Traceback" not in refused_log, refused_log[-2000:]
    docs = scrapyd.documents()
    assert [(d["link"], d["title"], d["author_full_name"]) for d in docs] == [
        (a, "Scheduled A", "Jane Doe"), (b, "Scheduled B", "Jane Doe")], scrapyd.logs()
    log = next(scrapyd.workdir.glob(f"logs/{PROJECT}/article/{job}.log")).read_text()
    assert "Traceback" not in log and "twin-crawler run report" not in log.split("Spider closed")[-1]

    # The timer: one round (--once) posts a job per author and platform.
    c = site.add("/p/c", slow(article_html("Timer C", 33), 4))
    d = site.add("/p/d", article_html("Timer D", 34))
    authors = tmp_path / "authors.yaml"
    authors.write_text(json.dumps({  # JSON is YAML
        "settings": LOOPBACK,
        "authors": [{"name": "Ann Smith", "links": [c]},
                    {"name": "Bob Stone", "links": [d], "handles": {"nosuchplatform": "bob"}}],
    }))
    timer = [str(VENV_BIN / "scrapy"), "twin-schedule", "--authors", str(authors), "--scrapyd", scrapyd.url, "--once"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")} | {"PYTHONPATH": str(ROOT)}
    first = subprocess.run(timer, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-3000:]
    posted = [line.rsplit(" ", 1)[-1] for line in first.stdout.splitlines() if line.startswith("scheduled ")]
    assert [p.split("--")[:2] for p in posted] == [["ann-smith", "twin"], ["bob-stone", "twin"]]
    assert "skipped nosuchplatform for Bob Stone" in first.stdout
    jobs = scrapyd.call("listjobs.json", project=PROJECT)
    listed = {j["id"] for state in ("pending", "running", "finished") for j in jobs[state]}
    assert set(posted) <= listed

    # Ann's crawl is still running (her page takes 4 s): a second round does not pile a job up behind it.
    second = subprocess.run(timer, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "skipped twin for Ann Smith: its previous job is still pending or running" in second.stdout
    scrapyd.wait_finished(set(posted) | {line.rsplit(" ", 1)[-1] for line in second.stdout.splitlines()
                                         if line.startswith("scheduled ")})
    titles = {doc["title"]: doc["author_full_name"] for doc in scrapyd.documents()}
    assert titles["Timer C"] == "Ann Smith" and titles["Timer D"] == "Bob Stone"

    # Without --once it keeps posting rounds until SIGTERM.
    loop = subprocess.Popen([*timer[:-1], "--every", "1s"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert loop.stdout is not None
    lines: list[str] = []
    while sum("skipped nosuchplatform" in line for line in lines) < 2:  # two rounds, a second apart
        line = loop.stdout.readline()
        assert line, f"the timer stopped by itself: {lines} {loop.stderr.read() if loop.stderr else ''}"
        lines.append(line)
    loop.send_signal(signal.SIGTERM)
    rest, err = loop.communicate(timeout=30)
    out = "".join(lines) + rest
    assert loop.returncode == 0, err[-3000:]
    assert out.rstrip().endswith("timer stopped")
    scrapyd.wait_finished({line.rsplit(" ", 1)[-1] for line in out.splitlines() if line.startswith("scheduled ")})


def test_timer_bad_input_is_one_line(tmp_path: Path) -> None:
    authors = tmp_path / "authors.yaml"
    authors.write_text("authors:\n  - name: Ann Smith\n    links: [not a url]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")} | {"PYTHONPATH": str(ROOT)}
    for args, code, expected in [
        (["--authors", str(authors)], 2, "authors[0] (Ann Smith): links:"),
        (["--authors", str(ROOT / "configs" / "authors.example.yaml"), "--scrapyd", f"http://127.0.0.1:{free_port()}"],
         4, "is unreachable"),
        (["--authors", str(tmp_path / "missing.yaml")], 2, "does not exist"),
    ]:
        result = subprocess.run([str(VENV_BIN / "scrapy"), "twin-schedule", *args, "--once"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == code, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.stderr
