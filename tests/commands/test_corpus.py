"""``scrapy twin-export`` and ``scrapy twin-show`` on every backend: what they write and print, bad input, streaming."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import ROOT, VENV_BIN, free_port
from corpus_helpers import HOSTILE, JANE, populate, run_command

from twin_crawler.corpus.after_crawl import authors_of, export_path
from twin_crawler.corpus.export import ExportTarget, jsonable, records
from twin_crawler.corpus.query import Selection, documents
from twin_crawler.warehouse import DOCUMENT_COLLECTIONS
from twin_crawler.warehouse.mongo import mongo_location

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def corpus(open_backend: Callable[[], Any]) -> dict[str, Any]:
    w = open_backend()
    try:
        return populate(w)
    finally:
        w.close()


@pytest.fixture
def run(backend_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return lambda name, *argv: run_command(name, list(argv), backend_env, monkeypatch, capsys)


def stored_records(open_backend: Callable[[], Any], author_id: str) -> dict[str, dict[str, Any]]:
    w = open_backend()
    try:
        return {d["link"]: {"collection": c, **jsonable(d)} for c in DOCUMENT_COLLECTIONS
                for d in w.find(c, {"author_id": author_id})}
    finally:
        w.close()


def test_export_jsonl_and_json_hold_every_stored_field(corpus: dict[str, Any], run: Run, tmp_path: Path,
                                                       open_backend: Callable[[], Any]) -> None:
    expected = stored_records(open_backend, corpus["jane"]["_id"])
    assert len(expected) == 5  # 3 articles, 1 post, 1 repository: every collection, not John's
    code, _, err = run("twin-export", "--author", "JANE  doe", "-o", str(tmp_path / "jane.jsonl"))
    assert code == 0 and "wrote 5 document(s)" in err
    lines = [json.loads(line) for line in (tmp_path / "jane.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["link"]: r for r in lines} == expected
    medium = next(r for r in lines if r["link"].endswith("one-1"))
    assert medium["published_at"] == "2024-05-01T12:30:00+00:00" and medium["title"] == HOSTILE
    assert datetime.fromisoformat(medium["first_seen_at"]).tzinfo is not None
    code, _, _ = run("twin-export", "-o", str(tmp_path / "all.json"))
    assert code == 0
    everything = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert len(everything) == 6 and {r["author_full_name"] for r in everything} == {JANE, "John Roe"}


def test_export_filters_platform_and_since(corpus: dict[str, Any], run: Run, tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    assert run("twin-export", "--author", JANE, "--platform", "medium", "-o", str(out))[0] == 0
    assert sorted(json.loads(x)["link"][-5:] for x in out.read_text().splitlines()) == ["one-1", "two-2"]
    assert run("twin-export", "--since", "2024-06-01", "-o", str(out))[0] == 0
    assert [json.loads(x)["link"] for x in out.read_text().splitlines()] == ["https://medium.com/@jane/two-2"]
    assert run("twin-export", "--since", "2024-05-01T14:30:00+02:00", "-o", str(out))[0] == 0  # 12:30 UTC: included
    assert len(out.read_text().splitlines()) == 3  # both May-1 articles (Jane, John) and June; undated left out


def test_export_parquet_round_trips(corpus: dict[str, Any], run: Run, tmp_path: Path,
                                    open_backend: Callable[[], Any]) -> None:
    expected = stored_records(open_backend, corpus["jane"]["_id"])
    out = tmp_path / "jane.parquet"
    assert run("twin-export", "--author", JANE, "-o", str(out))[0] == 0
    table = pq.read_table(out)
    assert table.num_rows == 5 and str(table.schema.field("published_at").type) == "timestamp[ms, tz=UTC]"
    rows = {r["link"]: r for r in table.to_pylist()}
    repo = rows["https://github.com/jane/repo"]
    assert dict(repo["content"]) == {"README.md": "# repo\nhello", "src/a.py": "x = 1\n"}
    assert json.loads(repo["skipped"]) == [{"path": "logo.png", "reason": "binary"}] and repo["files_stored"] == 2
    medium = rows["https://medium.com/@jane/one-1"]
    assert medium["published_at"] == datetime(2024, 5, 1, 12, 30, tzinfo=UTC) and medium["fingerprint"] == [1, 2, 3]
    assert json.loads(medium["extra"]) == {"claps": 3} and medium["other"] is None  # nothing left over
    assert rows["https://medium.com/@jane/two-2"]["is_paywalled"] is True
    assert {link: r["_id"] for link, r in rows.items()} == {link: r["_id"] for link, r in expected.items()}


def test_export_streams_in_bounded_memory(open_backend: Callable[[], Any], tmp_path: Path) -> None:
    """2,000 documents of 6 KB (12 MB of text): the export's peak Python memory stays a fraction of that."""
    w = open_backend()
    user = w.get_or_create_user(JANE)
    text = "word " * 1200
    for start in range(0, 2000, 250):
        w.upsert_many("articles", [{"link": f"https://a.example/{i}", "platform": "article", "author_id": user["_id"],
                                    "author_full_name": JANE, "content": {"Title": "", "Content": f"{i} {text}"}}
                                   for i in range(start, start + 250)])
    target = ExportTarget(tmp_path / "big.jsonl")
    tracemalloc.start()
    try:
        n = target.write(records(documents(w, Selection(author_id=user["_id"]))))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        w.close()
    target.commit()
    assert n == 2000 and (tmp_path / "big.jsonl").stat().st_size > 12_000_000
    assert peak < 3_000_000, f"peak {peak} bytes: the export holds more than a batch at a time"


def test_parquet_is_written_in_row_groups(open_backend: Callable[[], Any], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("twin_crawler.corpus.export.BATCH", 7)
    w = open_backend()
    user = w.get_or_create_user(JANE)
    w.upsert_many("posts", [{"link": f"https://p.example/{i}", "platform": "linkedin", "author_id": user["_id"],
                             "author_full_name": JANE, "content": {"text": f"post {i}"}} for i in range(30)])
    target = ExportTarget(tmp_path / "p.parquet")
    assert target.write(records(documents(w, Selection()))) == 30
    w.close()
    target.commit()
    meta = pq.ParquetFile(tmp_path / "p.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [7, 7, 7, 7, 2]


def test_iter_documents_is_lazy(open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    w.upsert_many("posts", [{"link": f"https://p.example/{i}", "platform": "linkedin", "author_full_name": JANE,
                             "is_paywalled": i % 5 == 0, "content": {"text": "x"}} for i in range(25)])
    it = w.iter_documents("posts", {"platform": "linkedin"}, batch_size=10)
    assert not isinstance(it, list) and next(it)["platform"] == "linkedin"
    assert 1 + sum(1 for _ in it) == 25 == w.count("posts", {"platform": "linkedin"})
    assert w.count("posts", {"platform": "github"}) == 0
    # Non-string values filter exactly like find() (the embedded backend narrows only strings in SQL).
    assert w.count("posts", {"is_paywalled": True}) == 5 == len(list(w.iter_documents("posts", {"is_paywalled": True})))
    both = {"is_paywalled": True, "platform": "linkedin"}
    assert sorted(d["link"] for d in w.iter_documents("posts", both)) == sorted(d["link"] for d in w.find("posts", both))
    w.close()


BAD = [
    (["--platform", "myspace", "-o", "{tmp}/x.jsonl"], 2, "--platform: unknown platform 'myspace'"),
    (["--since", "last tuesday", "-o", "{tmp}/x.jsonl"], 2, "--since: 'last tuesday' is not a date"),
    (["--author", "Nobody Here", "-o", "{tmp}/x.jsonl"], 2, "--author: no author named 'Nobody Here'; known authors: Jane Doe"),
    (["-o", "{tmp}/missing-dir/x.jsonl"], 2, "-o: cannot write"),
    (["-o", "{tmp}/x.csv"], 2, "end the name with .jsonl, .json or .parquet"),
    (["-o", "{tmp}/adir.jsonl"], 2, "is a directory"),
    ([], 2, "give the output file with -o"),
]


@pytest.mark.parametrize(("argv", "code", "message"), BAD, ids=[b[2].split(":")[0] + str(i) for i, b in enumerate(BAD)])
def test_export_bad_input_is_one_line(corpus: dict[str, Any], run: Run, tmp_path: Path, argv: list[str], code: int,
                                      message: str) -> None:
    (tmp_path / "adir.jsonl").mkdir()
    got, out, err = run("twin-export", *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert got == code and err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert "Traceback" not in err and not list(tmp_path.glob(".*.part"))


def test_unreachable_warehouse_exits_3_and_keeps_the_old_file(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = tmp_path / "jane.jsonl"
    old.write_text('{"kept": true}\n')
    env = {"TWIN_MONGODB_URI": f"mongodb://127.0.0.1:{free_port()}/twin",
           "TWIN_DATA_DIR": str(tmp_path)}
    code, _, err = run_command("twin-export", ["-o", str(old)], env, monkeypatch, capsys)
    assert code == 3 and err.startswith("error: MongoDB at") and "unreachable" in err and err.count("\n") == 1
    code, _, err = run_command("twin-show", [], {"TWIN_DATA_DIR": str(tmp_path / "none")}, monkeypatch, capsys)
    assert code == 3 and "no embedded warehouse at" in err and not (tmp_path / "none").exists()
    assert old.read_text() == '{"kept": true}\n' and not list(tmp_path.glob(".*.part"))


def test_show_table_per_author_and_platform(corpus: dict[str, Any], run: Run) -> None:
    code, out, _ = run("twin-show")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["author", "platform", "documents", "words", "oldest", "newest", "paywalled", "blocked"]
    rows = [line.split() for line in lines[1:]]
    assert rows[0] == ["Jane", "Doe", "article", "1", "5", "-", "-", "0", "0"]
    assert ["github", "1", "6", "-", "-", "0", "0"] in rows  # README words + the code line
    assert ["linkedin", "1", "3", "2023-12-24", "2023-12-24", "0", "0"] in rows
    # Two medium articles, one paywalled; blocked = the newer run's 1, not 4 + 1.
    assert ["medium", "2", "6", "2024-05-01", "2024-06-10", "1", "1"] in rows
    assert ["all", "5", "20", "2023-12-24", "2024-06-10", "1", "1"] in rows
    assert ["John", "Roe", "article", "1", "3", "2024-05-01", "2024-05-01", "0", "0"] in rows
    _, only, _ = run("twin-show", "--author", "john roe")
    assert "Jane" not in only and "John Roe" in only


def test_show_one_document(corpus: dict[str, Any], run: Run, open_backend: Callable[[], Any]) -> None:
    w = open_backend()
    w.upsert("articles", {"link": "https://evil.example/t", "platform": "article", "author_full_name": JANE,
                          "title": "\x1b]0;pwned\x07\x1b[2Jtitle", "content": {"Content": "\n".join(f"line {i}" for i in range(30))}})
    w.close()
    code, out, _ = run("twin-show", "https://EVIL.example/t#frag", "--lines", "3")  # canonical form found
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "title" in out
    assert "--- content: first 3 of 30 line(s) ---\nline 0\nline 1\nline 2\n..." in out
    code, out, _ = run("twin-show", "https://github.com/jane/repo")
    assert re.search(r"^collection +repositories$", out, re.M) and "==> README.md <==\n# repo\nhello" in out
    assert "fingerprint" not in out and re.search(r"^words +6$", out, re.M)
    code, _, err = run("twin-show", "https://nowhere.example/x")
    assert code == 2 and err.startswith("error: no stored document has the link")


def test_commands_from_the_command_line(tmp_path: Path) -> None:
    """The CLI is the point here: Scrapy finds the commands (COMMANDS_MODULE) and they run in a project."""
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path)
    populate(w)
    w.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")} | {"TWIN_DATA_DIR": str(tmp_path)}

    def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_BIN / "scrapy"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)

    export = scrapy("twin-export", "--author", JANE, "-o", str(tmp_path / "jane.jsonl"))
    assert export.returncode == 0 and len((tmp_path / "jane.jsonl").read_text().splitlines()) == 5, export.stderr
    show = scrapy("twin-show")
    assert show.returncode == 0 and "John Roe" in show.stdout and "medium" in show.stdout, show.stderr
    listing = scrapy("-h").stdout
    assert all(name in listing for name in ("twin-export", "twin-show", "twin-report"))


def test_crawl_script_export_target(tmp_path: Path) -> None:
    assert authors_of(["twin", "-a", "config=configs/paul_iusztin.yaml"]) == ["Paul Iusztin"]
    assert authors_of(["article", "-a", "user=  José   Núñez ", "-a", "links=https://x.example/"]) == ["José Núñez"]
    assert authors_of(["github", "-ahandle=jane"]) == []
    multi = tmp_path / "end_to_end_data.yaml"
    multi.write_text("parameters:\n  author_links:\n    - {user_full_name: Paul Iusztin, links: []}\n"
                     "    - {user_full_name: Maxime Labonne, links: []}\n")
    assert authors_of(["twin", "-a", f"config={multi}"]) == ["Paul Iusztin", "Maxime Labonne"]
    assert export_path("Paul Iusztin") == "data/paul_iusztin.jsonl"
    assert export_path("José Núñez") == "data/josé_núñez.jsonl"


def test_warehouse_location_has_no_credentials() -> None:
    uri = "mongodb://twin:s3cr3t@db1.internal:27017,db2.internal/?authSource=admin&tlsCertificateKeyFilePassword=pw"
    assert mongo_location(uri, "twin") == "MongoDB db1.internal:27017,db2.internal/twin"
    assert mongo_location("mongodb+srv://u:p@cluster.example.net/prod", "prod") == "MongoDB cluster.example.net/prod"
