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


def session_servers() -> list[int]:
    """PIDs of fork servers whose parent is this test session."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"forkserver.py" in cmdline:
            pids.append(int(proc.name))
    return pids


def test_runs_started_together_share_one_server() -> None:
    from concurrent.futures import ThreadPoolExecutor

    argv = ["scrapy", "settings", "--get", "BOT_NAME"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda _: scrapy_run(argv, base_env(), ROOT, 60), range(4)))
    assert [r.returncode for r in runs] == [0, 0, 0, 0]
    assert len(session_servers()) == 1


ORPHANED_SESSION = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from forkserver import ForkServer
server = ForkServer({"PATH": "/usr/bin:/bin", "PYTHONPATH": sys.argv[2]}, Path(sys.argv[2])).start()
print(server.proc.pid, flush=True)
sys.stdin.read()  # SIGKILLed by the test before it could stop its server
"""


def test_a_server_whose_session_is_killed_exits() -> None:
    import signal

    helpers = str(ROOT / "tests" / "helpers")
    owner = subprocess.Popen([sys.executable, "-c", ORPHANED_SESSION, helpers, str(ROOT)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        pid = int(owner.stdout.readline())
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 20  # it checks its parent at least once a second: a bounded poll
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid), Path(f"/proc/{pid}/status").read_text()[:400]


def running(pid: int) -> bool:
    """The process exists and has not exited. An exited orphan stays a zombie until whoever adopted it reaps it
    (init, or a subreaper another test started): reaping is the adopter's business, not the server's."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")
