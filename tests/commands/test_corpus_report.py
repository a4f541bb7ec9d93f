"""``scrapy twin-report`` loaded in Debian's Chromium (headless), and the end-of-run report's warehouse line."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from conftest import FIXTURES, LoopbackSite, assert_ok, crawl
from corpus_helpers import HOSTILE, JANE, article, populate, run_command


def chromium_run(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A profile of its own: other Chromium processes on the machine must not share (or lock) it.
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_html_report_in_chromium(open_backend: Callable[[], Any], backend_env: dict[str, str], chromium: str,
                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    w = open_backend()
    users = populate(w)
    w.upsert("articles", article(users["jane"], "javascript:alert(document.domain)", None, "x", title="js link"))
    w.close()
    page = tmp_path / "report.html"
    code, _, err = run_command("twin-report", ["--author", "jane doe", "-o", str(page)], backend_env, monkeypatch, capsys)
    assert code == 0 and "6 document(s), 2 run(s), 1 dead letter(s)" in err, err
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]

    dom = chromium_run(chromium, tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    tree = lxml.html.fromstring(dom.stdout)
    docs = tree.xpath('//tr[@class="doc"]')
    assert len(docs) == 6
    assert HOSTILE in [row.xpath("string(td[1])") for row in docs]  # shown as text, not run as markup
    assert not tree.xpath("//script") and not tree.xpath("//img")
    assert not [a for a in tree.xpath("//a/@href") if not a.startswith(("http://", "https://"))]
    bars = tree.xpath('//*[local-name()="svg" and @class="timeline"]//*[local-name()="rect" and @class="bar"]')
    assert len(bars) == 3  # 2023-12 linkedin, 2024-05 medium, 2024-06 medium (undated ones have no bar)
    assert {b.xpath("string(*[local-name()='title'])") for b in bars} == {
        "2023-12 linkedin: 1", "2024-05 medium: 1", "2024-06 medium: 1"}
    platforms = [r.xpath("string(td[1])") for r in tree.xpath('//tr[@class="platform"]')]
    assert platforms == ["article", "github", "linkedin", "medium", "all"]
    runs = tree.xpath('//tr[@class="run"]')
    assert len(runs) == 2 and "failed/dns=1" in runs[0].text_content() and "blocked/cloudflare=1" in runs[0].text_content()
    letters = tree.xpath('//tr[@class="deadletter"]')
    assert len(letters) == 1 and "http-503" in letters[0].text_content() and HOSTILE in letters[0].text_content()

    shot = tmp_path / "report.png"
    taken = chromium_run(chromium, tmp_path, "--window-size=1200,1600", "--hide-scrollbars", f"--screenshot={shot}",
                         page.as_uri())
    assert taken.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", taken.stderr[-2000:]


def test_report_bad_input(open_backend: Callable[[], Any], backend_env: dict[str, str], tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    w = open_backend()
    populate(w)
    w.close()
    cases = [(["-o", str(tmp_path / "r.html")], "give the author with --author"),
             (["--author", JANE, "-o", str(tmp_path / "r.txt")], "should end with .html"),
             (["--author", JANE, "-o", str(tmp_path / "no" / "r.html")], "-o: cannot write"),
             (["--author", "Nobody", "-o", str(tmp_path / "r.html")], "no author named 'Nobody'")]
    for argv, message in cases:
        code, _, err = run_command("twin-report", argv, backend_env, monkeypatch, capsys)
        assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob(".*.part"))


def test_run_report_names_the_warehouse_and_the_total_once(site: LoopbackSite, backend_env: dict[str, str],
                                                           open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    jane = w.get_or_create_user(JANE)
    w.upsert("articles", article(jane, "https://earlier.example/run", None, "stored by an earlier run"))
    w.close()
    url = site.add_file("/2017/03/stack-overflow-jobs.html", FIXTURES / "blogs" / "readability_wordpress_source.html")
    result = crawl("article", "-a", "user=jane  doe", "-a", f"links={url}", env=backend_env)
    assert_ok(result)
    err = result.stderr
    assert err.count("twin-crawler run report") == 1 and "run report:" not in err  # printed once, not also logged
    lines = [line for line in err.splitlines() if line.startswith("warehouse: ")]
    assert len(lines) == 1, err[-3000:]
    if "TWIN_MONGODB_URI" in backend_env:
        where = re.escape("MongoDB 127.0.0.1:") + r"\d+/" + backend_env["TWIN_MONGODB_URI"].rsplit("/", 1)[1]
    else:
        where = re.escape(f"SQLite {Path(backend_env['TWIN_DATA_DIR']).resolve() / 'twin.db'}")
    expected = f"warehouse: {where}; Jane Doe now has 2 document\\(s\\) in total \\(2 articles, 0 posts, 0 repositories\\)"
    assert re.fullmatch(expected, lines[0]), lines[0]
