"""Help text users read (issue 12): `scrapy crawl -h` lists every spider's arguments, `scrapy crawl NAME -h` one
spider's, `scrapy seed -h` keeps its lines, and scrapy.cfg names commands scrapyd-client 2 really has."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT, VENV_BIN

from twin_crawler.arguments import COMMON_ARGUMENTS


def run(*args: str) -> str:
    result = subprocess.run([str(VENV_BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_crawl_help_lists_every_spider_and_its_arguments() -> None:
    text = run("scrapy", "crawl", "-h").split("Spider Arguments (-a NAME=VALUE)", 1)[1]
    for name in COMMON_ARGUMENTS:
        assert re.search(rf"^    {name} +\S", text, re.MULTILINE), name
    for spider in ("article", "github", "linkedin", "medium", "substack", "twin"):
        assert re.search(rf"^  {spider}: \S", text, re.MULTILINE), spider
    for own in ("include_forks", "session", "scrolls", "history"):
        assert re.search(rf"^    {own} +[1h]", text, re.MULTILINE), own  # "1 to ..." / "how many ..."


def test_crawl_help_of_one_spider_lists_only_its_arguments() -> None:
    text = run("scrapy", "crawl", "medium", "-h")
    assert "  medium: Medium posts of one author." in text and re.search(r"^    history +1 ", text, re.MULTILINE)
    assert "session" not in text and "  github:" not in text
    assert "user" in text.split("Spider Arguments", 1)[1]  # the shared ones too


def test_seed_help_is_readable() -> None:
    text = run("scrapy", "seed", "-h")
    # A help line ending in ":" used to be title-cased into a heading ("Llm-Engineers-Handbook Yaml (Parameters").
    headings = [line for line, under in zip(text.splitlines(), text.splitlines()[1:], strict=False)
                if under and set(under) <= {"=", "-"}]
    assert headings == ["Usage", "Options", "Global Options"], headings
    assert '  scrapy seed article --user "Maxime Labonne" https://mlabonne.github.io/blog/' in text.splitlines()


def test_scrapy_cfg_names_commands_scrapyd_client_2_has() -> None:
    comments = [line for line in (ROOT / "scrapy.cfg").read_text().splitlines() if line.startswith("#")]
    used = {m.group(1) for line in comments for m in re.finditer(r"scrapyd-client ([a-z]+)", line)}
    assert used, comments
    choices = re.search(r"\{([a-z,]+)\}", run("scrapyd-client", "--help")).group(1).split(",")  # type: ignore[union-attr]
    assert used <= set(choices), (used, choices)
    deploy_help = run("scrapyd-deploy", "--help")
    for line in comments:
        for flag in re.findall(r"scrapyd-deploy[^#]*?(-[a-z]\b|--[a-z-]+)", line):
            assert flag in deploy_help, flag
    for sub in used:  # every option a comment passes to a subcommand exists there
        sub_help = run("scrapyd-client", sub, "--help")
        for line in comments:
            if f"scrapyd-client {sub}" in line:
                for flag in re.findall(r"\s(--?[a-z][a-z-]*)\b", line.split(f"scrapyd-client {sub}", 1)[1]):
                    assert flag in sub_help, (sub, flag)
