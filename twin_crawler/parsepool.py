"""Page parsing off the reactor, on every core: a bounded pool of worker processes (issue 14).

``await pool.run(fn, url, body, headers, ...)`` runs a module-level function (picklable by name) in a worker and
returns its result; the reactor keeps fetching meanwhile. ``TWIN_PARSE_WORKERS`` sets the processes (default: CPU
count − 1; ``0`` parses in the crawl process, as before).

- **Bounded.** At most ``PENDING_PER_WORKER × workers`` pages are in the pool at a time; a callback that finds it
  full awaits (Scrapy then stops feeding new responses to the scraper once its active-size limit fills):
  back-pressure, not memory. With ``share`` (``TWIN_PARSE_SHARE``, on by default) that callback parses its page in
  the crawl process instead: the crawl process's own work (fetch, pipelines: ~3.5 of ~15.5 ms CPU a page) is
  under a third of a worker's, so on 2 cores one worker alone leaves the crawl's core mostly idle, and waiting
  caps a crawl at the worker's speed (1.27x the pages/s of in-process parsing; sharing, 1.73x: measurement 8).
  The reactor is blocked for that parse, as with ``workers=0``; the workers meanwhile work through the pages
  already queued. A page that kills its parser kills the crawl when parsed there, as with ``workers=0``:
  ``TWIN_PARSE_SHARE=False`` keeps every page in the workers.
- **Crash.** A worker that dies (segfault, OOM kill, ``os._exit``) breaks the pool: the pool is rebuilt and the
  page is parsed once in-process; if that raises too the page ends ``failed/parser-crash`` (``ParserCrash``).
  An ordinary exception of ``fn`` (``NotAnArticle``) is no crash: it is raised to the caller as in-process.
- **Processes.** ``spawn`` workers (forking the crawl process, with its reactor and threads, is unsafe; spawned
  workers are the crawl's own children, so it reaps them and their CPU counts in its ``RUSAGE_CHILDREN``, which a
  forkserver's grandchildren would not) that ignore SIGINT: Ctrl-C and SIGTERM reach the crawl, whose shutdown
  closes the pool (``close``), waiting for the workers, so none is left behind. A worker whose parent is
  SIGKILLed does not see its pipe close (a spawned worker holds both ends of the call queue), so it watches its
  parent and exits within ``ORPHAN_POLL`` seconds of being orphaned.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from twin_crawler.exceptions import TwinError

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Modules a worker imports once at start, so the first page does not pay trafilatura's import.
PRELOAD = ("twin_crawler.parse_tasks",)


class ParserCrash(TwinError):
    """The parser died on this page in a worker and raised again when retried in-process."""

    def __init__(self, url: str, cause: BaseException) -> None:
        super().__init__("parser-crash", f"parser crashed on {url}: {type(cause).__name__}: {cause}")


def default_workers() -> int:
    """CPU count − 1: the crawl process keeps one core for fetching and the item pipelines."""
    return max((os.cpu_count() or 1) - 1, 0)


# Pages waiting in the pool per worker. Fewer starve the workers while the reactor is busy (a callback that parses
# in-process holds it for a page's parse, ~12 ms): 2,000 corpus pages with one worker and sharing took 24.0 s with
# 2 waiting, 20.2 s with 4, 17.6-18.0 s with 8, 17.5 s with 12 or 16; 31 s parsing in-process (measurement 8).
PENDING_PER_WORKER = 8
ORPHAN_POLL = 1.0  # seconds between a worker's checks that the crawl process still lives


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL)
    os._exit(0)  # the crawl is gone (SIGKILL, OOM): nothing will ever read a result


def _worker_init(preload: tuple[str, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl process decides when the pool stops
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), name="twin-orphan-watch", daemon=True).start()
    for module in preload:
        __import__(module)


class ParsePool:
    """A bounded pool of parser processes; ``workers=0`` runs every call in-process."""

    def __init__(self, workers: int, *, max_pending: int | None = None, share: bool = False,
                 preload: tuple[str, ...] = PRELOAD) -> None:
        self.workers = max(workers, 0)
        self.max_pending = max_pending or PENDING_PER_WORKER * max(self.workers, 1)
        self.share = share
        self.shared = 0  # pages the crawl process parsed itself because every slot was taken (share)
        self.preload = preload
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self.crashes = 0
        self.closed = False

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_init,
                                                 initargs=(self.preload,))
        return self._executor

    async def run(self, fn: Callable[..., T], url: str, *args: Any, **kwargs: Any) -> T:
        """``fn(url, *args, **kwargs)`` in a worker (or in-process with no workers, or once the pool is closed)."""
        if self.workers == 0 or self.closed:
            return fn(url, *args, **kwargs)
        if self._slots is None:  # created on the running loop
            self._slots = asyncio.Semaphore(self.max_pending)
        if self.share and self._slots.locked():  # the workers have max_pending pages to go: parse this one here
            self.shared += 1
            return fn(url, *args, **kwargs)
        async with self._slots:
            executor = self._pool()
            try:
                return await asyncio.wrap_future(executor.submit(fn, url, *args, **kwargs))
            except BrokenProcessPool as exc:
                self._broken(executor, url)
                try:
                    return fn(url, *args, **kwargs)
                except Exception as again:  # the page kills parsers: it fails alone, the crawl goes on
                    raise ParserCrash(url, again) from exc

    def _broken(self, executor: ProcessPoolExecutor, url: str) -> None:
        self.crashes += 1
        logger.warning("a parser process died on %s: parsing it again in the crawl process", url)
        if self._executor is executor:  # the first caller to see it rebuilds; the others reuse the new one
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers and wait for them (no zombie); later calls run in-process."""
        self.closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def children(self) -> list[int]:
        """PIDs of the live worker processes (for tests and the run report)."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        return [pid for pid, process in processes.items() if process.is_alive()]
