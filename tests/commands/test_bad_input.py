"""Bad input gets one actionable ``error:`` line, a non-zero exit code, and never a traceback.

Table-driven, in-process: every case goes through ``commands.crawl.preflight``, the function ``scrapy crawl``
runs before its engine starts, with settings built as the CLI builds them (the project module, ``-s`` at command
line priority, the environment). Three cases also run as whole ``scrapy crawl`` command lines, each in its own
process (forked from the session's fork server), for what only the CLI shows: the process exit code, and no
traceback on any stream.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import CrawlResult, crawl, free_port
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict

from twin_crawler.commands.crawl import preflight

OK_LINK = "https://blog.example.org/posts/one"
USER = "user=Jane Doe"


@dataclass(frozen=True)
class Case:
    """One bad input: spider arguments, extra settings/env, the exit code and a fragment of the message."""

    id: str
    args: tuple[str, ...]
    message: str
    code: int = 2
    spider: str = "article"
    env: dict[str, str] = field(default_factory=dict)


def files(root: Path) -> dict[str, str]:
    """Input files the cases refer to by ``{name}`` placeholders."""
    made = {
        "broken.yaml": "parameters:\n  user_full_name: Jane\n  links: [https://a.example/x\n",
        "noparams.yaml": "user_full_name: Jane\nlinks: []\n",
        "linksmap.yaml": "parameters:\n  user_full_name: Jane\n  links: {a: b}\n",
        "numuser.yaml": "parameters:\n  user_full_name: 42\n  links: [https://a.example/x]\n",
        "ftplink.yaml": "parameters:\n  user_full_name: Jane\n  links: ['ftp://files.example/x']\n",
        "list.yaml": "- just\n- a list\n",
        "links.txt": "https://a.example/one\nhttps://b.example/two\nhttps://c.example/three\nhttps://d.example/four\n",
        "badlinks.txt": "https://a.example/one\njavascript:alert(1)\n",
    }
    for name, text in made.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "latin1.txt").write_bytes("https://a.example/caf\xe9\n".encode("latin-1"))
    return {name.replace(".", "_"): str(root / name) for name in [*made, "latin1.txt"]}


NO_LOOPBACK = ("-s", "TWIN_ALLOW_LOOPBACK=False")
CASES = [
    Case("malformed-ipv6", (USER, "links=http://[::1"), "is malformed"),
    Case("bad-port", (USER, "links=http://example.com:99999/x"), "is malformed"),
    Case("inner-whitespace", (USER, "links=http://exa\tmple.com/x"), "contains whitespace"),
    Case("ftp-link", (USER, "links=ftp://files.example.com/x"), "has ftp:; only http:// and https://"),
    Case("javascript-link", (USER, "links=javascript:alert(1)"), "has javascript:"),
    Case("file-link", (USER, "links=file:///etc/passwd"), "has file:"),
    Case("data-link", (USER, "links=data:text/html;base64,PGgxPg=="), "has data:"),
    Case("mailto-link", (USER, "links=mailto:jane@example.com"), "has mailto:"),
    Case("no-scheme", (USER, "links=example.com/post"), "has no scheme"),
    Case("no-host", (USER, "links=http:///path"), "has no valid host name"),
    Case("dotless-host", (USER, "links=http://intranet/x"), "has no valid host name"),
    Case("double-dot-host", (USER, "links=http://example..com/x"), "has no valid host name"),
    Case("one-bad-among-good", (USER, f"links={OK_LINK},gopher://old.example/1"), "'gopher://old.example/1' has gopher:"),
    Case("bad-link-in-file", (USER, "links=@{badlinks_txt}"), "has javascript:"),
    Case("empty-name", ("user=", f"links={OK_LINK}"), "user: the author's full name is empty"),
    Case("whitespace-name", ("user= \t  ", f"links={OK_LINK}"), "user: the author's full name is empty"),
    Case("missing-name", (f"links={OK_LINK}",), "user: the author's full name is required"),
    Case("nothing-to-crawl", (USER,), "nothing to crawl"),
    Case("empty-links", (USER, "links="), "nothing to crawl"),
    Case("only-commas", (USER, "links= , ,, "), "nothing to crawl"),
    Case("broken-yaml", ("config={broken_yaml}",), "is not valid YAML at line"),
    Case("yaml-no-parameters", ("config={noparams_yaml}",), "has no 'parameters:' mapping"),
    Case("yaml-top-level-list", ("config={list_yaml}",), "has no 'parameters:' mapping"),
    Case("yaml-links-not-list", ("config={linksmap_yaml}",), "'parameters.links'"),
    Case("yaml-user-not-string", ("config={numuser_yaml}",), "'parameters.user_full_name'"),
    Case("yaml-ftp-link", ("config={ftplink_yaml}",), "has ftp:"),
    Case("missing-config", ("config=/nonexistent/twin.yaml",), "config: file '/nonexistent/twin.yaml' does not exist"),
    Case("missing-links-file", (USER, "links=@/nonexistent/links.txt"), "links: file '/nonexistent/links.txt' does not exist"),
    Case("bare-at", (USER, "links=@"), "'@' must be followed by a file name"),
    Case("links-file-not-utf8", (USER, "links=@{latin1_txt}"), "is not UTF-8 text"),
    Case("unknown-argument", (USER, f"links={OK_LINK}", "colour=blue"), "unknown argument 'colour'"),
    Case("misspelt-argument", ("usr=Jane", f"links={OK_LINK}"), "unknown argument 'usr'"),
    Case("link-cap", (USER, "links=@{links_txt}", "-s", "TWIN_MAX_LINKS=3"), "4 links given, the limit is 3 (TWIN_MAX_LINKS)"),
    Case("bad-handle", (USER, "handle=not a handle!"), "is not an account name", spider="medium"),
    Case("handle-with-slash", (USER, "handle=../../etc"), "is not an account name", spider="substack"),
    Case("no-known-handle", (USER,), "no links and no known medium handle", spider="medium"),
    Case("unknown-spider", (USER,), "unknown spider 'nosuchspider'", spider="nosuchspider"),
    Case("ssrf-private", (USER, "links=http://10.1.2.3/admin", *NO_LOOPBACK), "points to a private address"),
    Case("ssrf-loopback", (USER, "links=http://127.0.0.1:8080/x", *NO_LOOPBACK), "points to a loopback address"),
    Case("ssrf-localhost", (USER, "links=http://localhost/x", *NO_LOOPBACK), "points to a loopback address"),
    Case("ssrf-ipv4-mapped-ipv6", (USER, "links=http://[::ffff:127.0.0.1]/x", *NO_LOOPBACK), "points to a loopback address"),
    Case("ssrf-hex-ip", (USER, "links=http://0x7f.1/x", *NO_LOOPBACK), "points to a loopback address"),
    Case("ssrf-metadata", (USER, "links=http://169.254.169.254/latest/meta-data/"), "points to a metadata address"),
    Case("ssrf-link-local", (USER, "links=http://169.254.1.1/"), "points to a link-local address"),
    Case("bad-recrawl-window", (USER, f"links={OK_LINK}", "-s", "TWIN_RECRAWL_AFTER=soon"), "TWIN_RECRAWL_AFTER"),
    Case("uri-wrong-scheme", (USER, f"links={OK_LINK}"), "must start with mongodb://", code=3,
         env={"TWIN_MONGODB_URI": "postgres://db.example/twin"}),
    Case("uri-malformed", (USER, f"links={OK_LINK}"), "invalid TWIN_MONGODB_URI", code=3,
         env={"TWIN_MONGODB_URI": "mongodb://127.0.0.1:notaport/twin"}),
    Case("uri-unreachable", (USER, f"links={OK_LINK}"), "is unreachable", code=3,
         env={"TWIN_MONGODB_URI": "mongodb://127.0.0.1:{closed_port}/twin?serverSelectionTimeoutMS=1500"}),
]


def cli_args(case: Case, fill: dict[str, str]) -> list[str]:
    argv: list[str] = []
    for arg in case.args:
        arg = arg.format(**fill) if "{" in arg else arg
        argv += [arg] if arg.startswith("-s") or argv[-1:] == ["-s"] else ["-a", arg]
    return argv


def run_case(case: Case, paths: dict[str, str], workdir: Path) -> CrawlResult:
    fill = {**paths, "closed_port": str(free_port())}
    env = {"TWIN_DATA_DIR": str(workdir / case.id), **{k: v.format(**fill) for k, v in case.env.items()}}
    return crawl(case.spider, *cli_args(case, fill), env=env, timeout=120)


def in_process(case: Case, paths: dict[str, str], workdir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """The case through the crawl command's preflight, with the settings ``scrapy crawl`` would have."""
    fill = {**paths, "closed_port": str(free_port())}
    for name in [n for n in os.environ if n.startswith("TWIN_")]:
        monkeypatch.delenv(name)  # as tests/conftest.py's crawl() gives a subprocess
    for name, value in case.env.items():
        monkeypatch.setenv(name, value.format(**fill))
    settings = Settings()
    settings.setmodule("twin_crawler.settings.local", priority="project")
    settings.set("TWIN_DATA_DIR", str(workdir / case.id), priority="cmdline")
    argv = cli_args(case, fill)
    pairs = list(zip(argv[::2], argv[1::2], strict=True))
    # As scrapy crawl reads -s and -a (scrapy.commands.ScrapyCommand.process_options, commands.crawl's -a).
    settings.setdict(arglist_to_dict([v for flag, v in pairs if flag == "-s"]), priority="cmdline")
    spargs = arglist_to_dict([v for flag, v in pairs if flag == "-a"])
    code, _ = preflight(get_spider_loader(settings), case.spider, spargs, settings)
    return code


def test_table_has_at_least_40_distinct_cases() -> None:
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_one_line_and_exit_code(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = in_process(case, files(tmp_path), tmp_path, monkeypatch)
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err[-3000:]
    assert case.message in errors[0], errors[0]
    assert code == case.code, (code, errors[0])
    assert not list((tmp_path / case.id).rglob("*.db"))  # refused: not even an empty warehouse is left


SMOKE = [c for c in CASES if c.id in ("malformed-ipv6", "unknown-spider", "uri-unreachable")]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CrawlResult]:
    root = tmp_path_factory.mktemp("bad-input")
    paths = files(root)
    with ThreadPoolExecutor(max_workers=len(SMOKE)) as pool:
        futures = {case.id: pool.submit(run_case, case, paths, root) for case in SMOKE}
        return {cid: f.result() for cid, f in futures.items()}


@pytest.mark.parametrize("case", SMOKE, ids=[c.id for c in SMOKE])
def test_the_cli_exits_with_the_code_and_one_line(case: Case, results: dict[str, CrawlResult]) -> None:
    result = results[case.id]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-3000:]
    assert case.message in errors[0], errors[0]
    assert result.returncode == case.code, (result.returncode, errors[0])
    assert "Spider opened" not in result.stderr  # refused before the crawl started
