"""Fault injection on loopback: a 200-link article crawl through rate limits, bursts, timeouts, resets,
truncated bodies, redirect loops, a gzip bomb and a flapping endpoint. Every link must end in a known state,
the counts in the run report must add up, and dead letters must be listable and replayable.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, LoopbackSite, Reply, crawl, scrapy_run
from reliability_helpers import RawServer, article_html

from twin_crawler.warehouse import open_warehouse

RETRY_TIMES = 3
FAST = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", f"RETRY_TIMES={RETRY_TIMES}", "-s", "TWIN_RETRY_BACKOFF_BASE=0.05",
        "-s", "TWIN_RETRY_BACKOFF_MAX=0.3", "-s", "TWIN_WAREHOUSE_FLUSH_SECONDS=0.5", "-s", "LOG_LEVEL=INFO"]
# Built once: 10240 gzip members of 1 MiB of zeros each = a 10 GiB claim in about 10 MB.
BOMB = gzip.compress(b"\0" * (1 << 20), 9) * 10240


def flapping() -> Callable[[Any], Reply]:
    """503 on odd hits, the article on even hits: half of all answers fail."""
    count = Counter[str]()

    def answer(handler: Any) -> Reply:
        count[handler.path] += 1
        if count[handler.path] % 2:
            return Reply("busy", status=503, content_type="text/plain")
        return Reply(article_html(handler.path))
    return answer


def limited(times: int, retry_after: str | None, stamps: dict[str, list[float]]) -> Callable[[Any], Reply]:
    """429 for the first ``times`` hits (with ``Retry-After`` when given), then the article."""
    def answer(handler: Any) -> Reply:
        stamps.setdefault(handler.path, []).append(time.monotonic())
        if len(stamps[handler.path]) <= times:
            return Reply("slow down", status=429, content_type="text/plain",
                         headers={"Retry-After": retry_after} if retry_after else {})
        return Reply(article_html(handler.path))
    return answer


def slow(handler: Any) -> Reply:
    time.sleep(4)  # past DOWNLOAD_TIMEOUT=2 (2 s: a loaded test machine must not time out healthy pages)
    return Reply(article_html(handler.path))


def build(site: LoopbackSite, raw: RawServer, stamps: dict[str, list[float]]) -> dict[str, list[str]]:
    """Serve every category; returns category -> URLs (200 in all)."""
    cats: dict[str, list[str]] = {}

    def add(cat: str, n: int, route: Callable[[int, str], Any]) -> None:
        cats[cat] = []
        for i in range(n):
            path = f"/{cat}/{i}"
            cats[cat].append(site.add(path, route(i, path)))

    add("good", 112, lambda i, p: Reply(article_html(p)))
    add("flap", 20, lambda i, p: flapping())
    add("ra1", 8, lambda i, p: limited(1, "1", stamps))
    add("r429", 6, lambda i, p: limited(2, None, stamps))
    add("burst", 8, lambda i, p: Reply("down", status=503, content_type="text/plain"))
    add("ralong", 2, lambda i, p: Reply("later", status=429, headers={"Retry-After": "3600"}))
    add("slow", 4, lambda i, p: slow)
    add("loop", 3, lambda i, p: Reply("", status=302, headers={"Location": f"{p}/b"}))
    for i in range(3):
        site.add(f"/loop/{i}/b", Reply("", status=302, headers={"Location": f"/loop/{i}"}))
    add("chain", 3, lambda i, p: Reply("", status=301, headers={"Location": f"{p}/1"}))
    for i in range(3):
        for hop in range(1, 12):
            site.add(f"/chain/{i}" + "/1" * hop, Reply("", status=301, headers={"Location": f"/chain/{i}" + "/1" * (hop + 1)}))
    add("bomb", 3, lambda i, p: Reply(BOMB, headers={"Content-Encoding": "gzip"}))
    add("empty", 4, lambda i, p: Reply(b""))
    add("latin", 4, lambda i, p: Reply(article_html(p).replace("Post", "Pöst").encode("latin-1")))
    add("missing", 3, lambda i, p: Reply("no", status=404, content_type="text/plain"))
    add("meta", 2, lambda i, p: Reply("", status=302, headers={"Location": f"http://169.254.169.254/latest/meta-data/{i}"}))
    add("challenge", 2, lambda i, p: Reply("<html><head><title>Just a moment...</title></head></html>", status=403,
                                           headers={"cf-mitigated": "challenge"}))
    add("s999", 2, lambda i, p: Reply("<html><body>denied</body></html>", status=999))
    add("shell", 2, lambda i, p: Reply('<html><body><div id="root"></div><noscript>You need to enable JavaScript to run '
                                       'this app.</noscript><script src="/app.js"></script></body></html>'))
    cats["reset"] = [f"{raw.url}/reset/{i}" for i in range(5)]
    cats["truncated"] = [f"{raw.url}/truncated/{i}" for i in range(5)]
    cats["huge"] = [f"{raw.url}/huge/{i}" for i in range(2)]
    assert sum(len(v) for v in cats.values()) == 200
    return cats


STORED = ("good", "flap", "ra1", "r429", "latin")
DEAD = {"burst": "http-503", "ralong": "retry-after-too-long", "slow": "timeout", "reset": "connection-lost",
        "truncated": "truncated-body"}
FINAL = {"loop": ("failed", "redirect-loop"), "chain": ("failed", "too-many-redirects"), "bomb": ("failed", "too-large"),
         "huge": ("failed", "too-large"), "missing": ("failed", "http-404"), "empty": ("dropped", "unreadable-page"),
         "meta": ("dropped", "ssrf-metadata"), "challenge": ("blocked", "cloudflare-challenge"),
         "s999": ("blocked", "status-999"), "shell": ("blocked", "javascript-shell")}


def deadletters_cmd(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    full_env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.local", "PYTHONPATH": str(ROOT), **env})
    return scrapy_run(["scrapy", "twin-deadletters", *args], env=full_env, cwd=ROOT, timeout=120)


@pytest.mark.slow
def test_200_link_fault_crawl_every_link_ends_in_a_known_state(site: LoopbackSite, tmp_path: Path) -> None:
    raw = RawServer()
    stamps: dict[str, list[float]] = {}
    try:
        cats = build(site, raw, stamps)
        links = tmp_path / "links.txt"
        links.write_text("\n".join(u for urls in cats.values() for u in urls) + "\n")
        env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
        started = time.monotonic()
        result = crawl("article", "-a", "user=Fault Tester", "-a", f"links=@{links}", *FAST, env=env)
        elapsed = time.monotonic() - started
        assert result.returncode == 1, result.stderr[-3000:]  # some links fail for good: exit 1
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        w = open_warehouse(None, data_dir=tmp_path / "data")
        try:
            run = w.find("runs")[-1]
            stored = {d["link"] for d in w.find("articles")}
            letters = w.find("dead_letters")
        finally:
            w.close()
        # Every link has exactly one final state and the report's numbers add up to the 200 links given.
        totals = run["totals"]
        assert sum(totals.values()) == 200 and "pending" not in totals, totals
        assert sum(r["count"] for r in run["rows"]) == 200
        assert run["stats"]["twin/links/total"] == 200  # Scrapy stats agree with the report
        all_row = next(line for line in result.report.splitlines() if line.startswith("all "))
        assert all_row.split()[-1] == "200"  # the printed table's total
        expected_stored = {u for c in STORED for u in cats[c]}
        assert stored == expected_stored, sorted(stored ^ expected_stored)[:10]
        assert totals.get("new") == len(expected_stored)
        reasons = Counter({(r["state"], r["reason"]): r["count"] for r in run["reasons"]})
        for cat, reason in DEAD.items():
            assert reasons[("dead_lettered", reason)] == len(cats[cat]), (cat, reasons)
        expected = Counter[tuple[str, str]]()
        for cat, final in FINAL.items():
            expected[final] += len(cats[cat])
        for final, count in expected.items():
            assert reasons[final] == count, (final, repr(sorted(reasons.items())))
        # Dead letters: one per dead-lettered link, with the attempts the budget allowed.
        by_url = {d["url"]: d for d in letters}
        assert set(by_url) == {u for c in DEAD for u in cats[c]}
        for cat in ("burst", "slow", "reset", "truncated"):
            assert {by_url[u]["attempts"] for u in cats[cat]} == {RETRY_TIMES + 1}, cat
        assert {by_url[u]["attempts"] for u in cats["ralong"]} == {1}  # a one-hour Retry-After is not waited for
        assert all(d["spider"] == "article" and d["author"] == "Fault Tester" and d["time"] for d in letters)
        # Flapping links were stored on their second attempt; slow ones were tried exactly the budget.
        assert all(site.hits[f"/flap/{i}"] == 2 for i in range(20))
        assert all(site.hits[f"/slow/{i}"] == RETRY_TIMES + 1 for i in range(4))
        assert all(raw.hits[f"/reset/{i}"] == RETRY_TIMES + 1 for i in range(5))
        # Retry-After: 1 was honoured (the second hit came at least a second after the first).
        gaps = [stamps[f"/ra1/{i}"][1] - stamps[f"/ra1/{i}"][0] for i in range(8)]
        assert min(gaps) >= 0.95, gaps
        # A 10 GB gzip claim stopped at DOWNLOAD_MAXSIZE, and nobody went to the metadata service.
        assert "exceeded DOWNLOAD_MAXSIZE" in result.stderr
        print(f"fault crawl: {elapsed:.1f}s, totals {dict(totals)}")

        # The dead letters can be listed, and replayed once the site recovers.
        listed = deadletters_cmd(env, "list")
        assert listed.returncode == 0 and f"{len(letters)} dead letter(s)" in listed.stdout, listed.stderr[-2000:]
        assert all(u in listed.stdout for u in cats["burst"])
        for i in range(8):
            site.add(f"/burst/{i}", Reply(article_html(f"/burst/{i}")))
        for i in range(4):  # still down, and saying so at once: the replay waits on no timeout, so no clock decides
            site.add(f"/slow/{i}", Reply("still down", status=503, content_type="text/plain"))
        replay = deadletters_cmd(env, "replay", "--spider", "article", "-s", "RETRY_TIMES=0")
        assert replay.returncode == 0, replay.stderr[-3000:]
        w = open_warehouse(None, data_dir=tmp_path / "data")
        try:
            stored_after = {d["link"] for d in w.find("articles")}
            left = {d["url"] for d in w.find("dead_letters")}
        finally:
            w.close()
        assert set(cats["burst"]) <= stored_after and len(stored_after) == len(expected_stored) + 8
        assert not set(cats["burst"]) & left  # settled letters are removed; the rest are still owed
        assert set(cats["slow"]) <= left
    finally:
        raw.close()
