"""Shared by the corpus command tests: a small warehouse with every collection, and in-process command runs."""

from __future__ import annotations

import argparse
import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy.settings import Settings

from twin_crawler.extensions.deadletter import store as store_dead_letter
from twin_crawler.warehouse import Warehouse

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
JANE, JOHN = "Jane Doe", "John Roe"


def article(user: dict[str, Any], link: str, when: datetime | None, text: str, **extra: Any) -> dict[str, Any]:
    return {"link": link, "platform": extra.pop("platform", "article"), "author_id": user["_id"],
            "author_full_name": user["full_name"], "title": extra.pop("title", f"Title of {link}"), "published_at": when,
            "content": {"Title": "T", "Subtitle": "", "Content": text, "language": "en"}, "also_published_at": [],
            "fingerprint": [1, 2, 3], "extra": {"claps": 3}, "tags": ["llm"], **extra}


def populate(w: Warehouse) -> dict[str, Any]:
    """Jane: 3 articles (medium x2 incl. one paywalled, one generic), 1 post, 1 repository; John: 1 article.
    Runs: Jane's older medium run blocked 4 links, her newer one blocked 1 (the count shown is the newer)."""
    jane, john = w.get_or_create_user(JANE), w.get_or_create_user(JOHN)
    may = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    w.upsert_many("articles", [
        article(jane, "https://medium.com/@jane/one-1", may, "one two three four", platform="medium", title=HOSTILE),
        article(jane, "https://medium.com/@jane/two-2", may + timedelta(days=40), "five six", platform="medium",
                is_paywalled=True),
        article(jane, "https://jane.example/blog/undated", None, "seven\n\nline two\nline three"),
        article(john, "https://john.example/a", may, "john words here"),
    ])
    w.upsert("posts", {"link": "https://www.linkedin.com/posts/jane_1", "platform": "linkedin", "author_id": jane["_id"],
                       "author_full_name": JANE, "title": None, "published_at": datetime(2023, 12, 24, tzinfo=UTC),
                       "content": {"text": "a short post", "image": None}, "also_published_at": []})
    w.upsert("repositories", {"link": "https://github.com/jane/repo", "platform": "github", "author_id": jane["_id"],
                              "author_full_name": JANE, "name": "jane/repo", "published_at": None,
                              "content": {"README.md": "# repo\nhello", "src/a.py": "x = 1\n"}, "languages": {"Python": 6},
                              "skipped": [{"path": "logo.png", "reason": "binary"}], "files_stored": 2,
                              "also_published_at": []})
    for started, blocked in ((datetime(2024, 1, 1, tzinfo=UTC), 4), (datetime(2024, 6, 1, tzinfo=UTC), 1)):
        w.insert("runs", {"spider": "medium", "author_full_name": "jane  DOE", "started_at": started,
                          "finished_at": started + timedelta(minutes=2), "finish_reason": "finished",
                          "totals": {"new": 2, "blocked": blocked, "failed": 1},
                          "rows": [{"platform": "medium", "domain": "medium.com", "state": "blocked", "count": blocked},
                                   {"platform": "medium", "domain": "medium.com", "state": "new", "count": 2}],
                          "reasons": [{"state": "failed", "reason": "dns", "count": 1},
                                      {"state": "blocked", "reason": "cloudflare", "count": blocked}]})
    store_dead_letter(w, {"url": "https://jane.example/gone", "link": "https://jane.example/gone", "spider": "article",
                          "author": JANE, "platform": "article", "reason": "http-503", "attempts": 3,
                          "last_error": f"Service Unavailable {HOSTILE}", "time": datetime(2024, 6, 1, tzinfo=UTC)})
    return {"jane": jane, "john": john}


def run_command(name: str, argv: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``scrapy <name> <argv>`` in-process as scrapy.cmdline does: (exit code, stdout, stderr)."""
    monkeypatch.delenv("TWIN_MONGODB_URI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    cmd = importlib.import_module(f"twin_crawler.commands.names.{name}").Command()  # by its scrapy name
    cmd.settings = Settings()
    parser = argparse.ArgumentParser(prog=f"scrapy {name}")
    cmd.add_options(parser)
    opts, args = parser.parse_known_args(argv)
    capsys.readouterr()
    cmd.process_options(args, opts)
    cmd.run(args, opts)
    out, err = capsys.readouterr()
    return cmd.exitcode, out, err
