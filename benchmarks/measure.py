"""Running children and summarising repetitions: wall time and CPU from ``wait4``, peak RSS from ``/proc``."""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass
class ChildRun:
    """What one child process cost: wall seconds, CPU seconds (user+sys, its reaped children included), peak RSS."""

    wall: float
    cpu: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> ChildRun:
        if self.returncode != 0:
            tail = "\n".join(self.stderr.splitlines()[-25:])
            raise RuntimeError(f"{what} exited {self.returncode}:\n{tail}")
        return self


def crawl_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmark crawl: local overlay, no inherited TWIN_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    env.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.local", "PYTHONPATH": str(ROOT)})
    env.update(extra or {})
    return env


def run_child(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> ChildRun:
    """Run ``cmd`` to completion; resource usage comes from ``os.wait4`` so it is this child's alone."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        deadline = start + timeout
        hwm_kb = 0
        while True:
            hwm_kb = max(hwm_kb, _vm_hwm_kb(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped (no ResourceWarning)
        out.seek(0)
        err.seek(0)
        # ru_maxrss would include the pages the child shared with this (corpus-holding) process between fork and
        # exec; VmHWM is the exec'd program's own peak. Polled every 20 ms, so growth in the last 20 ms is missed.
        peak = hwm_kb or usage.ru_maxrss
        return ChildRun(wall, usage.ru_utime + usage.ru_stime, peak / 1024, proc.returncode, out.read(), err.read())


def _vm_hwm_kb(pid: int) -> int:
    """Peak resident set size of ``pid`` so far (Linux ``/proc/<pid>/status`` VmHWM), 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Summary:
    """Median and spread of repeated measurements."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        """(max - min) / median, as a fraction: how noisy the repetitions were."""
        m = self.median
        return (max(self.values) - min(self.values)) / m if m else 0.0

    def fmt(self, digits: int = 3) -> str:
        return f"{self.median:.{digits}g} ±{self.spread * 100:.0f}%"


def bracketed(points: list[float]) -> list[float]:
    """Each repetition's baseline from the baselines measured before and after it (``reps + 1`` points, the one
    after a repetition being the one before the next): their mean, so that a machine that slows down or speeds up
    during a repetition weighs on its baseline as on the crawls it divides."""
    return [(before + after) / 2 for before, after in itertools.pairwise(points)]


def ratios(a: list[float], b: list[float]) -> Summary:
    """Per-repetition ratios a[i] / b[i] (each pair measured back to back, so noise mostly cancels)."""
    return Summary([x / y for x, y in zip(a, b, strict=True) if y])
