"""Test session services: loopback HTTP servers, an nx-27017 (MongoDB wire protocol) server process, Redis.

Services are started by the session on free loopback ports and stopped afterwards. Nothing here talks to a
public host.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# The tests mirror the package (tests/pages, tests/spiders, ...); shared helpers live in tests/helpers and a few
# tests reuse another's builders (test_spiders_contract.build): every folder's modules import by name, as pytest's
# rootdir-relative "prepend" import mode does for the folder of the test being collected.
for _folder in sorted(p for p in Path(__file__).resolve().parent.iterdir() if p.is_dir() and p.name != "fixtures"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
VENV_BIN = Path(sys.executable).parent

from forkserver import ForkServer  # noqa: E402  (tests/helpers is on sys.path from here)


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


# ---------------------------------------------------------------- loopback HTTP
@dataclass
class Reply:
    """What the loopback server answers for a path."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


Route = Reply | Callable[[BaseHTTPRequestHandler], Reply]


class LoopbackSite:
    """A threaded HTTP server on 127.0.0.1:<free port> answering from a route map; counts hits per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                site.hits[self.path] += 1
                site.requests.append((self.path, dict(self.headers.items())))
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
                reply = route(self) if callable(route) else route
                if reply is None:
                    reply = Reply(b"not found", status=404, content_type="text/plain")
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes | str | Route = b"", **kwargs: Any) -> str:
        """Serve ``body`` (or a Reply / callable) at ``path``; returns the absolute URL."""
        self.routes[path] = body if isinstance(body, Reply) or callable(body) else Reply(body, **kwargs)
        return self.url + path

    def add_file(self, path: str, file: Path, **kwargs: Any) -> str:
        return self.add(path, file.read_bytes(), **kwargs)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    s = LoopbackSite()
    yield s
    s.close()


# ---------------------------------------------------------------- nx-27017 / MongoDB
class NxServer:
    """An nx-27017 server process (MongoDB wire protocol over SQLite) on a free loopback port."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> NxServer:
        exe = shutil.which("nx-27017", path=str(VENV_BIN)) or shutil.which("nx-27017")
        if exe is None:
            raise RuntimeError("nx-27017 is not installed; run the README's test command (it installs the dev extra)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [exe, "--host", "127.0.0.1", "-p", str(self.port), "--data-dir", str(self.workdir / "data"),
             "--log-file", str(self.workdir / "nx.log"), "--pid-file", str(self.workdir / "nx.pid")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def uri(self, database: str = "twin") -> str:
        return f"mongodb://127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def nx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NxServer]:
    server = NxServer(tmp_path_factory.mktemp("nx")).start()
    yield server
    server.stop()


def unique_db() -> str:
    return "t" + uuid.uuid4().hex[:12]


BACKENDS = ["embedded", "nx"] + (["mongodb"] if os.environ.get("TWIN_TEST_MONGODB_URI") else [])


@pytest.fixture(params=BACKENDS)
def backend_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment selecting one warehouse backend, isolated per test (fresh file or fresh database)."""
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    if request.param == "nx":
        env["TWIN_MONGODB_URI"] = request.getfixturevalue("nx_server").uri(unique_db())
    elif request.param == "mongodb":
        base = os.environ["TWIN_TEST_MONGODB_URI"].rstrip("/")
        env["TWIN_MONGODB_URI"] = f"{base.split('?')[0].rsplit('/', 1)[0] if base.count('/') > 2 else base}/{unique_db()}"
    return env


def _opener(env: dict[str, str]) -> Callable[[], Any]:
    from twin_crawler.warehouse import open_warehouse

    def _open() -> Any:
        return open_warehouse(env.get("TWIN_MONGODB_URI"), data_dir=env["TWIN_DATA_DIR"])

    return _open


@pytest.fixture
def open_backend(backend_env: dict[str, str]) -> Callable[[], Any]:
    """Opens the warehouse ``backend_env`` selects (as the crawler would)."""
    return _opener(backend_env)


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """The default warehouse (an embedded file), isolated per test: crawl tests use one backend; every backend
    is held to one contract by tests/warehouse/test_warehouse_contract.py and one e2e crawl."""
    return {"TWIN_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def open_embedded(embedded_env: dict[str, str]) -> Callable[[], Any]:
    return _opener(embedded_env)


# ---------------------------------------------------------------- Redis
@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port (installed by the README's test command)."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed; run the README's test command (scripts/test.sh installs it)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


# ---------------------------------------------------------------- running crawls
@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> str:
        return self.stderr.split("twin-crawler run report", 1)[-1] if "twin-crawler run report" in self.stderr else ""


def crawl(spider: str, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
          settings: str = "twin_crawler.settings.local", timeout: float = 300) -> CrawlResult:
    """``scrapy crawl <spider> <args>`` in its own process (a fresh reactor each time), as a user runs it, forked
    from the session's fork server."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    full_env.update({"SCRAPY_SETTINGS_MODULE": settings, "PYTHONPATH": str(ROOT)})
    # Tests that crawl twice expect a refetch: the incremental window is off unless a test sets it
    # (tests/middlewares/test_incremental.py does).
    full_env["TWIN_RECRAWL_AFTER"] = "0"
    # Pages are parsed in the crawl process unless a test asks for workers: a worker's start (a spawned interpreter
    # importing trafilatura, ~0.5 s) would dominate these few-page crawls. The pool is held to in-process parsing
    # by tests/pipelines/test_parse_pool.py and test_article_e2e's parity crawl, and runs with its default (one
    # worker here) in every real-process crawl: resume, outage, distributed workers, scrapyd.
    full_env["TWIN_PARSE_WORKERS"] = "0"
    full_env.update(env or {})
    proc = scrapy_run(["scrapy", "crawl", spider, *args], env=full_env, cwd=cwd or ROOT, timeout=timeout)
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr)


_FORK_SERVER: ForkServer | None = None
_FORK_SERVER_LOCK = threading.Lock()  # tests run crawls from threads (test_bad_input): one server, not one each


def scrapy_run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """A ``scrapy`` command line in its own process, forked from the session's fork server (tests/helpers/
    forkserver.py: imports paid once)."""
    global _FORK_SERVER
    with _FORK_SERVER_LOCK:
        if _FORK_SERVER is None:
            base = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
            _FORK_SERVER = ForkServer({**base, "PYTHONPATH": str(ROOT)}, ROOT).start()
        server = _FORK_SERVER
    return server.run(argv, env, cwd, timeout)


@pytest.fixture(scope="session", autouse=True)
def _fork_server() -> Iterator[None]:
    yield
    if _FORK_SERVER is not None:
        _FORK_SERVER.stop()


def assert_ok(result: CrawlResult, exit_code: int = 0) -> None:
    """The crawl finished with ``exit_code`` (0: every link ended well; 1: some failed, were dead-lettered or
    blocked), with no traceback anywhere in its output and every link in a terminal state (no ``pending``)."""
    assert result.returncode == exit_code, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "ended pending" not in result.stderr, result.stderr[-3000:]
    assert "pending" not in result.report.split("reasons:")[0], result.report


def stored(open_backend: Callable[[], Any], collection: str) -> list[dict[str, Any]]:
    """Every document of ``collection`` in the warehouse ``open_backend`` opens, sorted by link."""
    w = open_backend()
    try:
        return sorted(w.find(collection), key=lambda d: d["link"])
    finally:
        w.close()


def last_run(open_backend: Callable[[], Any]) -> dict[str, Any]:
    """The newest run report in ``runs``."""
    w = open_backend()
    try:
        return max(w.find("runs"), key=lambda r: r["started_at"])
    finally:
        w.close()


@pytest.fixture
def run_crawl() -> Callable[..., CrawlResult]:
    return crawl


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (installed by the README's test command)."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("chromium is not installed; run the README's test command (it apt-installs chromium)")
    return path


# The files that take longest (seconds of test time, --durations=0, 2026-12-05), handed out first: pytest-xdist's
# --dist loadfile gives workers whole files in collection order, and a 45 s file collected last (tests/warehouse
# comes last alphabetically) kept one worker busy while the others were done.
LONGEST_FILES_FIRST = (
    "tests/warehouse/test_outage.py",  # 46 s: the warehouse down for 30 s mid-crawl (issue 6)
    "tests/distributed/test_distributed.py",  # 43 s
    "tests/warehouse/test_deadletter_outage.py",  # 23 s
    "tests/commands/test_scrapyd.py",  # 19 s
    "tests/e2e/test_article_e2e.py",  # 12 s
    "tests/middlewares/test_faults.py",  # 12 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: position for position, path in enumerate(LONGEST_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))  # stable: the rest keep order
