"""The session fork server (tests/helpers/forkserver.py) runs a ``scrapy`` command line as the console script
does: the same exit code and output, the run's own environment read by the settings modules (which the server
never imports), its own working directory, and a timeout that kills the run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, scrapy_run

SCRAPY = str(Path(sys.executable).parent / "scrapy")


def base_env(**extra: str) -> dict[str, str]:
    # Not this session's SCRAPY_* either: scrapy's get_project_settings() in an in-process test exports
    # SCRAPY_SETTINGS_MODULE, which makes any directory look like the project.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWIN_", "SCRAPY_"))}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def console(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRAPY, *argv[1:]], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("argv", [["scrapy", "list"], ["scrapy", "crawl", "no-such-spider"]],
                         ids=["list", "unknown-spider"])
def test_a_forked_run_matches_the_console_script(argv: list[str]) -> None:
    env = base_env()
    forked, real = scrapy_run(argv, env, ROOT, 60), console(argv, env, ROOT)
    assert forked.returncode == real.returncode
    assert forked.stdout == real.stdout
    assert [ln for ln in forked.stderr.splitlines() if "error" in ln.lower()] == \
        [ln for ln in real.stderr.splitlines() if "error" in ln.lower()]


def test_each_run_reads_its_own_environment() -> None:
    argv = ["scrapy", "settings", "--get", "TWIN_RECRAWL_AFTER"]
    runs = [scrapy_run(argv, base_env(**extra), ROOT, 60) for extra in ({"TWIN_RECRAWL_AFTER": "7d"}, {})]
    assert [r.stdout.strip() for r in runs] == ["7d", "24h"], [r.stderr[-500:] for r in runs]


def test_a_run_gets_its_working_directory(tmp_path: Path) -> None:
    # Outside the checkout (no scrapy.cfg up the tree) scrapy has no project: `list` is not available there.
    outside = scrapy_run(["scrapy", "list"], base_env(), tmp_path, 60)
    assert outside.returncode != 0 and "no active project" in outside.stdout


SLEEPER = """
import os, time
import scrapy

class Sleeper(scrapy.Spider):
    name = "sleeper"

    async def start(self):
        with open(os.environ["PID_FILE"], "w") as f:
            f.write(str(os.getpid()))
        time.sleep(120)
        yield
"""


def test_a_timeout_kills_the_run(tmp_path: Path) -> None:
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    pid_file = tmp_path / "pid"
    with pytest.raises(subprocess.TimeoutExpired):
        scrapy_run(["scrapy", "runspider", "sleeper.py"], base_env(PID_FILE=str(pid_file)), tmp_path, 3)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the server reaps it: a bounded poll, not a sleep
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"run {pid} still alive after its timeout")
