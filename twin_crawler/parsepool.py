"""Page parsing off the reactor, on every core: a bounded pool of worker processes (issue 14).

``await pool.run(fn, url, body, headers, ...)`` runs a module-level function (named by module and qualname) in a
worker and returns its result; the reactor keeps fetching meanwhile. ``TWIN_PARSE_WORKERS`` sets the processes
(default: CPU count − 1; ``0`` parses in the crawl process, as before).

- **Bounded.** At most ``PENDING_PER_WORKER × workers`` pages are in the pool at a time; a callback that finds it
  full awaits (Scrapy then stops feeding new responses to the scraper once its active-size limit fills):
  back-pressure, not memory. With ``share`` (``TWIN_PARSE_SHARE``, on by default) that callback parses its page in
  the crawl process instead: the crawl process's own work (fetch, pipelines: ~3.5 of ~15.5 ms CPU a page) is
  under a third of a worker's, so on 2 cores one worker alone leaves the crawl's core mostly idle, and waiting
  caps a crawl at the worker's speed (1.27x the pages/s of in-process parsing; sharing, 1.73x: measurement 8).
  The reactor is blocked for that parse, as with ``workers=0``; the workers meanwhile work through the pages
  already queued. A page that kills its parser kills the crawl when parsed there, as with ``workers=0``:
  ``TWIN_PARSE_SHARE=False`` keeps every page in the workers.
- **Lean.** A worker is ``python -c`` running ``twin_crawler.parse_worker`` with the crawl's ``sys.path``: it
  imports that module and the preload modules, not the crawl's ``__main__`` (so not Scrapy), and talks over its
  own Unix socket pair. The crawl's event loop (the reactor's asyncio loop, or ``asyncio.run``'s) writes calls
  and reads results on its end without blocking (``add_reader``/``add_writer``), so the pool has no thread in
  the crawl process; a call is a small pickled header followed by the body's raw bytes (never pickled), the
  result comes back pickled. A page goes to the worker with the fewest pages in flight; workers start on demand.
  Against the ``ProcessPoolExecutor`` (``spawn``) it replaced: crawl-process CPU 0.51-0.59 -> 0.25-0.27 ms a
  page, a worker's start 533 -> 308 ms CPU (``benchmarks/pool_overhead.py``); whole 600-page crawls 19.8 ->
  18.7 ms CPU a page, workers included.
- **Crash.** A worker that dies (segfault, OOM kill, ``os._exit``) closes its socket: each page it held is
  parsed once in-process, and if that raises too the page ends ``failed/parser-crash`` (``ParserCrash``); the
  next pages start a new worker, the others go on. An ordinary exception of ``fn`` (``NotAnArticle``) is no
  crash: it is raised to the caller, same type and message, as in-process.
- **Processes.** The workers are the crawl's own children (forking the crawl process, with its reactor and
  threads, is unsafe; a forkserver's workers would be grandchildren), so it reaps them and their CPU counts in
  its ``RUSAGE_CHILDREN``. They ignore SIGINT: Ctrl-C and SIGTERM reach the crawl, whose shutdown closes the pool
  (``close``: SIGTERM, then wait), so none is left behind. A worker holds only its end of its socket, so when the
  crawl dies, even by SIGKILL, it reads end-of-file and exits.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from twin_crawler.exceptions import TwinError
from twin_crawler.parse_worker import CALL, REPLY

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Modules a worker imports once at start, so the first page does not pay trafilatura's import.
PRELOAD = ("twin_crawler.parse_tasks",)

# Pages waiting in the pool per worker. Fewer starve the workers while the reactor is busy (a callback that parses
# in-process holds it for a page's parse, ~12 ms): 2,000 corpus pages with one worker and sharing took 24.0 s with
# 2 waiting, 20.2 s with 4, 17.6-18.0 s with 8, 17.5 s with 12 or 16; 31 s parsing in-process (measurement 8).
PENDING_PER_WORKER = 8
SOCKET_BUFFER = 1 << 20  # asked of the kernel per socket end (it caps it): queued bodies go out in one write
READ_SIZE = 1 << 18
STOP_WAIT = 10.0  # seconds close() gives a terminated worker before SIGKILL
# The worker's program: argv is (fd, preload, *sys.path), the crawl process's sys.path, so that what it imports
# (a test's helper modules too) imports there as here.
_BOOT = ("import sys; fd, preload, *sys.path[:] = sys.argv[1:]; del sys.argv[1:]; "
         "from twin_crawler.parse_worker import main; main(int(fd), preload)")


class ParserCrash(TwinError):
    """The parser died on this page in a worker and raised again when retried in-process."""

    def __init__(self, url: str, cause: BaseException) -> None:
        super().__init__("parser-crash", f"parser crashed on {url}: {type(cause).__name__}: {cause}")


def default_workers() -> int:
    """CPU count − 1: the crawl process keeps one core for fetching and the item pipelines."""
    return max((os.cpu_count() or 1) - 1, 0)


class _WorkerGone(Exception):
    """The worker holding the page died (or the pool closed) before answering."""


class _RemoteTraceback(Exception):
    """The worker's traceback, as the ``__cause__`` of an exception raised there."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def _rebuilt(info: tuple[bytes | None, str, str, str, str]) -> BaseException:
    """The exception a worker raised (its type and message, when it does not pickle)."""
    blob, module, qualname, message, text = info
    exc: BaseException | None = None
    if blob is not None:
        try:
            exc = pickle.loads(blob)
        except Exception:
            exc = None
    if exc is None:
        try:
            kind: Any = importlib.import_module(module)
            for name in qualname.split("."):
                kind = getattr(kind, name)
            made = kind(message)
            exc = made if isinstance(made, BaseException) else None
        except Exception:
            exc = None
    if exc is None:
        exc = RuntimeError(f"{module}.{qualname}: {message}")
    if isinstance(exc, StopIteration):  # a future cannot hold one
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    exc.__cause__ = _RemoteTraceback(text)
    return exc


def _ended(code: int) -> str:
    if code >= 0:
        return f"exit status {code}"
    try:
        return f"killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


def _named(fn: Callable[..., Any]) -> tuple[str, str]:
    """(module, qualname) a worker imports ``fn`` by."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if module == "__main__":  # run with -m: the worker imports it by its real name
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        module = spec.name if spec is not None else None
    if not module or not qualname or "<" in qualname:
        raise TypeError(f"the parse pool runs module-level functions of importable modules, not {fn!r}")
    return module, qualname


class _Worker:
    """One worker process and the crawl process's end of its socket."""

    __slots__ = ("proc", "sock", "fd", "pending", "out", "inbuf", "need")

    def __init__(self, proc: subprocess.Popen[bytes], sock: socket.socket) -> None:
        self.proc = proc
        self.sock = sock
        self.fd = sock.fileno()
        self.pending: dict[int, asyncio.Future[Any]] = {}  # call id -> its caller's future, in the worker
        self.out: deque[memoryview] = deque()  # what the socket did not take yet
        self.inbuf = bytearray()  # a reply not read whole yet
        self.need = 0  # bytes inbuf must hold before it is worth parsing again


class ParsePool:
    """A bounded pool of parser processes; ``workers=0`` runs every call in-process."""

    def __init__(self, workers: int, *, max_pending: int | None = None, share: bool = False,
                 preload: tuple[str, ...] = PRELOAD) -> None:
        self.workers = max(workers, 0)
        self.max_pending = max_pending or PENDING_PER_WORKER * max(self.workers, 1)
        self.share = share
        self.shared = 0  # pages the crawl process parsed itself because every slot was taken (share)
        self.preload = preload
        self.crashes = 0  # workers that died under the pool
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._live: list[_Worker] = []
        self._calls = itertools.count(1)
        self._names: dict[Callable[..., Any], tuple[str, str]] = {}

    async def run(self, fn: Callable[..., T], url: str, *args: Any, **kwargs: Any) -> T:
        """``fn(url, *args, **kwargs)`` in a worker (or in-process with no workers, or once the pool is closed)."""
        if self.workers == 0 or self.closed:
            return fn(url, *args, **kwargs)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._attach(loop)
        assert self._slots is not None
        if self.share and self._slots.locked():  # the workers have max_pending pages to go: parse this one here
            self.shared += 1
            return fn(url, *args, **kwargs)
        async with self._slots:
            if self.closed:  # closed while this page waited for a slot
                return fn(url, *args, **kwargs)
            try:
                future = self._submit(loop, fn, url, args, kwargs)
            except OSError as exc:  # no worker could start (out of processes or descriptors): the page is parsed here
                logger.warning("no parser process could start (%s): parsing %s in the crawl process", exc, url)
                return fn(url, *args, **kwargs)
            try:
                result: T = await future
                return result
            except _WorkerGone as gone:
                if self.closed:
                    return fn(url, *args, **kwargs)
                logger.warning("a parser process died (%s) on %s: parsing it again in the crawl process", gone, url)
                try:
                    return fn(url, *args, **kwargs)
                except Exception as again:  # the page kills parsers: it fails alone, the crawl goes on
                    raise ParserCrash(url, again) from gone

    def close(self) -> None:
        """Stop the workers and wait for them (no zombie); later calls run in-process."""
        self.closed = True
        self._stop()

    def children(self) -> list[int]:
        """PIDs of the live worker processes (for tests and the run report)."""
        return [worker.proc.pid for worker in self._live if worker.proc.poll() is None]

    # -- calls out ---------------------------------------------------------------------------------------------
    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve callers on ``loop``; workers started on an earlier loop (a finished ``asyncio.run``) stop."""
        self._stop()
        self._loop = loop
        self._slots = asyncio.Semaphore(self.max_pending)

    def _submit(self, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], url: str, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> asyncio.Future[Any]:
        names = self._names.get(fn)
        if names is None:
            names = self._names[fn] = _named(fn)
        call_args: tuple[Any, ...] = (url, *args)
        raw_at = next((i for i, arg in enumerate(call_args) if type(arg) is bytes), -1)
        raw = b""
        if raw_at >= 0:  # the body travels after the header as it is
            raw = call_args[raw_at]
            call_args = (*call_args[:raw_at], None, *call_args[raw_at + 1:])
        header = pickle.dumps((*names, call_args, kwargs, raw_at), pickle.HIGHEST_PROTOCOL)
        worker = self._pick()
        call = next(self._calls) & 0xFFFFFFFF
        future = loop.create_future()
        worker.pending[call] = future
        head = CALL.pack(call, len(header), len(raw)) + header
        self._send(worker, [head, raw] if raw else [head])
        return future

    def _pick(self) -> _Worker:
        """The worker with the fewest pages in flight; a new one while some are missing and none is idle."""
        best = min(self._live, key=lambda worker: len(worker.pending), default=None)
        if best is None or (best.pending and len(self._live) < self.workers):
            best = self._spawn()
        return best

    def _spawn(self) -> _Worker:
        assert self._loop is not None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            for end in (ours, theirs):
                end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
            flags = subprocess._args_from_interpreter_flags()  # type: ignore[attr-defined]  # -X, -W, -O, -I...
            proc = subprocess.Popen([sys.executable, *flags, "-c", _BOOT, str(theirs.fileno()), ",".join(self.preload),
                                     *sys.path], pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # the worker's end lives in the worker only: its EOF is ours closing, or dying
        ours.setblocking(False)
        worker = _Worker(proc, ours)
        self._live.append(worker)
        self._loop.add_reader(worker.fd, self._readable, worker)
        return worker

    def _send(self, worker: _Worker, parts: list[bytes]) -> None:
        if worker.out:  # queued behind what the socket has not taken yet
            worker.out.extend(memoryview(part) for part in parts)
            return
        try:
            sent = worker.sock.sendmsg(parts)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._gone(worker)
            return
        for part in parts:
            if sent >= len(part):
                sent -= len(part)
                continue
            worker.out.append(memoryview(part)[sent:])
            sent = 0
        if worker.out:
            assert self._loop is not None
            self._loop.add_writer(worker.fd, self._writable, worker)

    def _writable(self, worker: _Worker) -> None:
        try:
            sent = worker.sock.sendmsg(list(itertools.islice(worker.out, 512)))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._gone(worker)
            return
        while sent:
            head = worker.out[0]
            if len(head) > sent:
                worker.out[0] = head[sent:]
                break
            sent -= len(head)
            worker.out.popleft()
        if not worker.out and self._loop is not None:
            self._loop.remove_writer(worker.fd)

    # -- results in --------------------------------------------------------------------------------------------
    def _readable(self, worker: _Worker) -> None:
        try:
            data = worker.sock.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # end of file: the worker died
            self._gone(worker)
            return
        if worker.inbuf:
            worker.inbuf += data
            if len(worker.inbuf) < worker.need:
                return
            data = bytes(worker.inbuf)
            worker.inbuf.clear()
        view, pos, end = memoryview(data), 0, len(data)
        while end - pos >= REPLY.size:
            size, call, ok = REPLY.unpack_from(data, pos)
            start = pos + REPLY.size
            if end - start < size:
                break
            self._answer(worker, call, ok, view[start:start + size])
            pos = start + size
        if pos < end:
            worker.inbuf += view[pos:]
            worker.need = REPLY.size + (REPLY.unpack_from(worker.inbuf)[0] if end - pos >= REPLY.size else 0)

    def _answer(self, worker: _Worker, call: int, ok: int, payload: memoryview) -> None:
        future = worker.pending.pop(call, None)
        if future is None or future.done():  # its caller was cancelled
            return
        try:
            value = pickle.loads(payload)
        except Exception as exc:
            future.set_exception(exc)
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(_rebuilt(value))

    # -- workers gone ------------------------------------------------------------------------------------------
    def _gone(self, worker: _Worker) -> None:
        """A worker died: reap it; its callers parse their pages in-process."""
        if worker not in self._live:
            return
        self._live.remove(worker)
        self._detach(worker)
        worker.proc.kill()  # already dead, or past saving: it closed its socket
        code = worker.proc.wait()
        self.crashes += 1
        how = _ended(code)
        logger.warning("parser process %d ended (%s) with %d page(s) in hand", worker.proc.pid, how,
                       len(worker.pending))
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(_WorkerGone(how))
        worker.pending.clear()

    def _detach(self, worker: _Worker) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.remove_reader(worker.fd)
            loop.remove_writer(worker.fd)
        worker.out.clear()
        worker.sock.close()

    def _stop(self) -> None:
        """Stop every worker and reap it; pages still in flight are parsed by their callers in-process."""
        workers, self._live = self._live, []
        for worker in workers:
            self._detach(worker)
            worker.proc.terminate()  # a page in hand is no longer awaited: no need to finish it
        for worker in workers:
            try:
                worker.proc.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()
            for future in worker.pending.values():
                if not future.done() and not future.get_loop().is_closed():
                    future.set_exception(_WorkerGone("the pool closed"))
            worker.pending.clear()
