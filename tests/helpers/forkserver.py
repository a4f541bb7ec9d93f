"""A fork server for the test session's ``scrapy`` runs: the interpreter start and the ~0.7 s of imports a crawl
pays are paid once, and each run is a fork of a process that has imported Scrapy, trafilatura, lxml, pymongo and
the project's page, parse and repository modules (not its settings modules, which read the environment when
imported, nor what imports them), as
``multiprocessing``'s forkserver does for its workers.

A run is still a separate process with a fresh reactor (the server never imports ``twisted.internet.reactor``), its
own environment, working directory, ``sys.argv``, stdout/stderr files and exit code; it runs
``scrapy.cmdline.execute``, the function the ``scrapy`` console script calls, and ends through the interpreter's
normal shutdown (``SystemExit``, atexit handlers). Runs that test the console script itself or a process's
signals use a real ``subprocess`` (tests/commands/test_bad_input.py, test_help.py, the outage, resume and
distributed tests).

Protocol: a Unix ``SOCK_SEQPACKET`` socket; the client sends one JSON message (argv, env, cwd) with the stdout and
stderr file descriptors attached, the server answers ``{"pid": N}`` once forked and ``{"exit": code}`` when the
child ends (``os.waitstatus_to_exitcode``: negative for a signal, as ``subprocess`` reports it).
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Modules whose import reads the environment: never imported by the server, so each run imports them itself (and
# with them every project module that takes its defaults from them: spiders, middlewares, pipelines, ...).
ENVIRONMENT_READERS = ("twin_crawler.settings", "twin_crawler.settings.local", "twin_crawler.settings.distributed")
# Project packages that import no settings module (checked after the preload).
PROJECT_PRELOAD = ("twin_crawler.pages", "twin_crawler.parse_tasks", "twin_crawler.repos", "twin_crawler.items",
                   "twin_crawler.urls")
PRELOAD = (
    "scrapy", "scrapy.cmdline", "scrapy.crawler", "scrapy.http", "scrapy.spiders", "scrapy.core.engine",
    "scrapy.core.downloader.contextfactory", "scrapy.core.downloader.handlers.http11", "scrapy.utils.test",
    "scrapy.shell", "aiohttp", "aiohttp.web", "git", "trafilatura", "itemadapter", "pymongo", "lxml.html",
    "pydantic", "tldextract", "prometheus_client", "twisted.conch.telnet",
)


def _preload() -> None:
    import importlib
    import pkgutil

    for name in PRELOAD:
        importlib.import_module(name)
    for package in PROJECT_PRELOAD:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"{package}."):
            importlib.import_module(info.name)
    leaked = [m for m in ("twisted.internet.reactor", *ENVIRONMENT_READERS) if m in sys.modules]
    if leaked:  # a run would inherit a reactor or settings computed from the server's environment
        raise RuntimeError(f"the fork server must not import {leaked}")
    import threading

    if threading.active_count() != 1:  # forking a process with threads copies only the forking one
        raise RuntimeError(f"the fork server must not start threads: {threading.enumerate()}")


def _child(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become the run described by ``request``; never returns (raises SystemExit)."""
    import random

    os.setsid()  # its own process group: a timeout kills the run and whatever it started
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(fds[0], 1)
    os.dup2(fds[1], 2)
    for fd in (devnull, *fds):
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    random.seed()  # not the server's state, shared by every fork
    # Read at interpreter start, where the server had the checkout alone: a run's extra entries go after it.
    sys.path[2:2] = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]
    if request["env"].get("PYTHONWARNINGS"):  # read at interpreter start: the server started without it
        import warnings

        warnings._processoptions(request["env"]["PYTHONWARNINGS"].split(","))  # type: ignore[attr-defined]
    sys.argv = list(request["argv"])
    code: int | str | None = 0
    try:
        from scrapy.cmdline import execute

        execute(sys.argv)
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    raise SystemExit(code)


def serve(path: str) -> None:
    session = os.getppid()  # read first: the session may be gone by the time "ready" is read
    sys.path[0] = str(Path(sys.executable).parent)  # as for the `scrapy` console script
    _preload()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.bind(path)
    server.listen(16)
    print("ready", flush=True)
    running: dict[int, socket.socket] = {}
    while os.getppid() == session:  # a test session that dies without stopping it (SIGKILL) takes it along
        readable, _, _ = select.select([server], [], [], 0.02 if running else 1.0)
        if readable:
            conn, _ = server.accept()
            message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 2)
            request = json.loads(message)
            if request.get("stop"):
                conn.close()
                break
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                for other in running.values():
                    other.close()
                _child(request, fds)
            for fd in fds:
                os.close(fd)
            conn.send(json.dumps({"pid": pid}).encode())
            running[pid] = conn
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            conn = running.pop(pid)
            try:
                conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
            except OSError:
                pass  # the client gave up (timeout) and killed it
            conn.close()
    server.close()


class ForkServer:
    """The client side: ``start()`` once per test session (per xdist worker), ``run()`` per crawl."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.proc: subprocess.Popen[str] | None = None
        self._dir = tempfile.mkdtemp(prefix="twin-forkserver-")
        self.path = os.path.join(self._dir, "socket")

    def start(self) -> ForkServer:
        self.proc = subprocess.Popen([sys.executable, __file__, self.path], cwd=self.cwd, env=self.env,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"the fork server did not start (exit {self.proc.wait(10)})")
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self._send({"stop": True}, []).close()
            except OSError:
                self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        for name in os.listdir(self._dir):
            os.unlink(os.path.join(self._dir, name))
        os.rmdir(self._dir)

    def _send(self, request: dict[str, Any], fds: list[int]) -> socket.socket:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        conn.connect(self.path)
        socket.send_fds(conn, [json.dumps(request).encode()], fds)
        return conn

    def run(self, argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
        """Like ``subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)`` for a
        ``scrapy`` command line (``argv[0]`` is the program name)."""
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError("the fork server is not running")
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            conn = self._send({"argv": argv, "env": env, "cwd": str(cwd)}, [out.fileno(), err.fileno()])
            try:
                pid = int(json.loads(conn.recv(4096))["pid"])
                conn.settimeout(timeout)
                deadline = time.monotonic() + timeout
                try:
                    reply = conn.recv(4096)
                except TimeoutError:
                    reply = b""
                if not reply:
                    _kill_group(pid)
                    raise subprocess.TimeoutExpired(argv, max(0.0, timeout - (deadline - time.monotonic())))
                code = int(json.loads(reply)["exit"])
            finally:
                conn.close()
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(argv, code, out.read(), err.read())


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    serve(sys.argv[1])
