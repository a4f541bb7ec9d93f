"""Secrets (GITHUB_TOKEN, session cookies, Mongo URI passwords) never appear in logs, stats, items, the run
report, the raw archive, dead letters or exception messages."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import CrawlResult, LoopbackSite, NxServer, Reply, crawl
from reliability_helpers import article_html
from secret_helpers import MONGO_PASSWORD, SECRETS, hits

from twin_crawler.extensions import logscrub
from twin_crawler.warehouse import open_warehouse


def scan_tree(root: Path) -> dict[str, list[str]]:
    """Every file under ``root`` (warehouse files, journal, archive, feed export) -> secrets found in it."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and (h := hits(path.read_bytes())):
            found[str(path)] = h
    return found


def test_log_records_are_scrubbed_message_args_and_tracebacks(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRETS["GITHUB_TOKEN"])
    logscrub.install()
    logger = logging.getLogger("twin_crawler.tests.secrets")
    with caplog.at_level(logging.INFO):
        logger.info("header was %s", f"Bearer {SECRETS['GITHUB_TOKEN']}")
        logger.info("uri %s", f"mongodb://user:{MONGO_PASSWORD}@db.example/twin")
        try:
            raise RuntimeError(f"token {SECRETS['GITHUB_TOKEN']} rejected")
        except RuntimeError:
            logger.exception("request failed")
    text = caplog.text
    assert "Bearer ***" in text and "mongodb://***@db.example/twin" in text and "RuntimeError: token *** rejected" in text
    assert hits(text) == []


def test_only_records_some_handler_writes_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records below every live handler's level are written by nobody and left as they are (issue 14: Scrapy's
    per-request DEBUG lines at INFO); a record a handler writes is scrubbed before any handler sees it."""
    import weakref

    monkeypatch.setenv("GITHUB_TOKEN", SECRETS["GITHUB_TOKEN"])
    logscrub.install()
    info, warning = logging.StreamHandler(), logging.StreamHandler()
    info.setLevel(logging.INFO)
    warning.setLevel(logging.WARNING)
    monkeypatch.setattr(logging, "_handlerList", [weakref.ref(info), weakref.ref(warning)])
    logger = logging.getLogger("twin_crawler.tests.floor")
    factory = logging.getLogRecordFactory()
    line = f"token {SECRETS['GITHUB_TOKEN']}"
    debug = factory(logger.name, logging.DEBUG, __file__, 1, "%s", (line,), None)
    written = factory(logger.name, logging.INFO, __file__, 1, "%s", (line,), None)
    assert debug.getMessage() == line  # nobody writes it
    assert written.getMessage() == "token ***"
    info.setLevel(logging.NOTSET)  # a handler that writes everything: everything is scrubbed
    assert factory(logger.name, logging.DEBUG, __file__, 1, "%s", (line,), None).getMessage() == "token ***"


def github_api(site: LoopbackSite) -> None:
    repos = [{"full_name": "octo/tools", "owner": {"login": "octo"}, "html_url": f"{site.url}/octo/tools",
              "fork": False, "default_branch": "main", "size": 1}]
    site.add("/users/octo/repos", json.dumps(repos), content_type="application/json")
    site.add("/users/octo", json.dumps({"login": "octo", "name": "Octo Cat"}), content_type="application/json")


def check_clean(result: CrawlResult, where: Path) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert hits(result.stdout + result.stderr) == [], "secret in the output"
    assert scan_tree(where) == {}


@pytest.mark.slow
def test_crawls_with_fake_secrets_leak_nothing(site: LoopbackSite, tmp_path: Path, nx_server: NxServer) -> None:
    env = {**SECRETS, "TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_RAW_ARCHIVE": str(tmp_path / "archive")}
    debug = ["-s", "LOG_LEVEL=DEBUG", "-s", "RETRY_TIMES=1", "-s", "TWIN_RETRY_BACKOFF_BASE=0.05"]
    # 1. GitHub discovery against a loopback API: the token is really sent (and only there).
    github_api(site)
    gh = crawl("github", "-a", "user=Sec Tester", "-a", "handle=octo", "-s", f"TWIN_GITHUB_API_URL={site.url}",
               "-s", f"TWIN_GITHUB_CLONE_BASE={site.url}", "-O", str(tmp_path / "gh.jsonl"), *debug, env=env)
    assert gh.returncode == 1, gh.stderr[-3000:]  # the loopback clone URL is refused (remote-refused): exit 1
    sent = [h for path, h in site.requests if path.startswith("/users/octo")]
    assert sent and all(h.get("Authorization") == f"Bearer {SECRETS['GITHUB_TOKEN']}" for h in sent)
    check_clean(gh, tmp_path)
    # 2. An article crawl with stored pages, a dead letter (503) and a 404, at DEBUG level.
    site.add("/post/1", article_html("secret-1"))
    site.add("/down", Reply("down", status=503))
    site.add("/gone", Reply("gone", status=404))
    links = f"{site.url}/post/1,{site.url}/down,{site.url}/gone"
    art = crawl("article", "-a", "user=Sec Tester", "-a", f"links={links}", "-O", str(tmp_path / "a.jsonl"), *debug, env=env)
    assert art.returncode == 1, art.stderr[-3000:]  # /down and /gone fail: exit 1
    check_clean(art, tmp_path)
    w = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        everything = {c: w.find(c) for c in ("users", "articles", "repositories", "runs", "dead_letters")}
    finally:
        w.close()
    assert everything["articles"] and everything["dead_letters"] and len(everything["runs"]) == 2
    assert any(p.is_file() for p in (tmp_path / "archive").rglob("*"))  # the raw archive was written, and scanned
    assert (tmp_path / "a.jsonl").read_text().strip()  # so was the feed export
    assert hits(json.dumps(everything, default=str)) == []  # documents, run reports (with their stats), dead letters
    # 3. A Mongo URI with a password, given by environment and by -s: one line, exit 3, password nowhere.
    uri = f"mongodb://twinuser:{MONGO_PASSWORD}@127.0.0.1:{nx_server.port}/sec"
    for how in ("env", "setting"):
        args = ["-s", f"TWIN_MONGODB_URI={uri}"] if how == "setting" else []
        bad = crawl("article", "-a", "user=Sec Tester", "-a", f"links={site.url}/post/1", *args,
                    env={**env, **({"TWIN_MONGODB_URI": uri} if how == "env" else {})})
        assert bad.returncode == 3, bad.stderr[-2000:]
        assert [ln for ln in bad.stderr.splitlines() if ln.startswith("error:")][0].startswith("error: MongoDB at mongodb://***@")
        check_clean(bad, tmp_path)
