"""Server processes the benchmarks need on loopback: nx-27017 (MongoDB wire protocol) and Redis."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Self

from .measure import VENV_BIN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Service:
    """A server process on a free loopback port, stopped (terminate, then kill) on exit."""

    def __init__(self, argv: list[str], port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(port)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Nx(Service):
    """nx-27017 over SQLite in ``workdir``."""

    def __init__(self, workdir: Path) -> None:
        exe = shutil.which("nx-27017", path=str(VENV_BIN)) or shutil.which("nx-27017")
        if exe is None:
            raise RuntimeError("nx-27017 is not installed (pip install -e '.[dev]')")
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        super().__init__([exe, "--host", "127.0.0.1", "-p", str(port), "--data-dir", str(workdir / "data"),
                          "--log-file", str(workdir / "nx.log"), "--pid-file", str(workdir / "nx.pid")], port)

    def uri(self, database: str | None = None) -> str:
        """A URI naming a fresh database (each repetition writes into an empty one)."""
        return f"mongodb://127.0.0.1:{self.port}/{database or 'b' + uuid.uuid4().hex[:10]}"


class Redis(Service):
    """redis-server without persistence."""

    def __init__(self, workdir: Path) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed (scripts/setup.sh, or apt-get install redis-server)")
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        super().__init__([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                          "--dir", str(workdir)], port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"
