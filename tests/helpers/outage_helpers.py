"""Warehouse-outage tests' tools: ``scrapy`` subprocesses writing to files, a bounded poll of a MongoDB-wire
collection while the crawl runs, and the traceback count that leaves out a known foreign one."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from typing import Any

from conftest import ROOT, VENV_BIN
from pymongo import MongoClient

# The URI's own timeouts beat the warehouse's 5 s defaults: an outage costs 1 s per write attempt, not 5.
FAST_FAIL = "?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000"


# The incremental crawl log (issue 5b's middleware) writes at spider close without catching an unreachable
# warehouse; Scrapy logs that as a signal-handler traceback. Reported to the lead; not this code path.
FOREIGN_HANDLER = "Error caught on signal handler: <bound method IncrementalMiddleware.spider_closed"


def own_tracebacks(err: str) -> int:
    """Tracebacks in a crawl's log, leaving out the known one of another component (see FOREIGN_HANDLER)."""
    lines = err.splitlines()
    return sum(1 for i, line in enumerate(lines) if line.startswith("Traceback")
               and not (i and FOREIGN_HANDLER in lines[i - 1]))


class Run:
    """A ``scrapy`` subprocess whose output goes to files (a pipe nobody reads would stall its logging)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        full = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
        full.update({"SCRAPY_SETTINGS_MODULE": "twin_crawler.settings.local", "PYTHONPATH": str(ROOT), **env})
        # Closed with the process in communicate(): they must outlive this constructor.
        self.out, self.err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen([str(VENV_BIN / "scrapy"), *args], cwd=ROOT, env=full, text=True,
                                     stdout=self.out, stderr=self.err)

    def poll(self) -> int | None:
        return self.proc.poll()

    def communicate(self, timeout: float) -> tuple[str, str]:
        self.proc.wait(timeout)
        self.out.seek(0)
        self.err.seek(0)
        out, err = self.out.read(), self.err.read()
        self.out.close()
        self.err.close()
        return out, err

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode


def scrapy(env: dict[str, str], *args: str) -> Run:
    return Run(env, *args)


def count_when(uri: str, at_least: int, proc: Run, timeout: float = 60) -> int:
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=1000)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            n = client.get_default_database()["articles"].count_documents({})
            if n >= at_least:
                return n
            if proc.poll() is not None:
                raise AssertionError(f"the crawl ended early: {proc.communicate(10)[1][-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"fewer than {at_least} documents after {timeout}s")
    finally:
        client.close()
