"""The parse pool's own cost: CPU the crawl process and the worker spend per page on the pool's machinery (not on
parsing), and a worker's start-up CPU.

    PYTHONPATH=. .venv/bin/python -m benchmarks.pool_overhead [--pages 600] [--rounds 3] [--scrapy-main]
        [--pool twin_crawler.parsepool] [--pool other.module ...]

Each ``--pool`` (a module with ``ParsePool``; several compare implementations) is measured in its own child
process, round after round, the variants interleaved so a busy minute on the shared machine hits them alike. A
child parses the corpus pages (``benchmarks.corpus.build``) with ``parse_tasks.article``:

- in-process: its CPU per page (``process_time``), the parse alone;
- through ``ParsePool(1)``, one ``await`` at a time, then with 8 pages in flight (``gather``, bounded): the
  child's own CPU per page (``RUSAGE_SELF``, all its threads) and the worker's (``/proc/<pid>/stat``, its start-up
  excluded); the worker's figure minus the in-process one is what the pool adds there;
- start-up: ``RUSAGE_CHILDREN`` of a pool that ran one trivial call and closed (a whole worker's life).

``--scrapy-main`` makes the child's ``__main__`` import Scrapy, as the ``scrapy`` console script's does in a crawl.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if "--scrapy-main" in sys.argv:  # at import: a spawned worker re-running this __main__ pays it too, as in a crawl
    import scrapy  # noqa: F401

IN_FLIGHT = 8
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _pages(n: int) -> list[tuple[str, bytes]]:
    cache = Path(tempfile.gettempdir()) / f"twin-pool-overhead-{n}.pickle"
    if cache.exists():
        return list(pickle.loads(cache.read_bytes()))
    from .corpus import build

    pages = [(f"https://bench.example{p.path}", p.body) for p in build(n).pages]
    cache.write_bytes(pickle.dumps(pages))
    return pages


def measure(pool_module: str, n: int) -> dict[str, float]:
    """One child's figures (ms per page, start-up ms)."""
    from twin_crawler import parse_tasks

    ParsePool = importlib.import_module(pool_module).ParsePool  # noqa: N806
    pages = _pages(n)

    def parse(url: str, body: bytes) -> object:
        try:
            return parse_tasks.article(url, body, "utf-8", 120, "Bench", url)
        except ValueError as exc:  # NotAnArticle / PageError: a result too
            return repr(exc)

    out: dict[str, float] = {}
    start = time.process_time()
    local = [parse(u, b) for u, b in pages]
    out["in-process parse"] = (time.process_time() - start) / n * 1000

    async def startup() -> None:
        pool = ParsePool(1)
        await pool.run(len, "https://bench.example/")
        pool.close()

    before = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    asyncio.run(startup())
    out["worker start-up"] = (_cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - before) * 1000

    async def pooled(in_flight: int) -> tuple[float, float, list[object]]:
        pool = ParsePool(1)
        try:
            await pool.run(len, "https://bench.example/")  # started and warm: start-up is not in the figures
            (pid,) = pool.children()

            async def one(url: str, body: bytes, gate: asyncio.Semaphore) -> object:
                async with gate:
                    try:
                        return await pool.run(parse_tasks.article, url, body, "utf-8", 120, "Bench", url)
                    except ValueError as exc:
                        return repr(exc)

            gate = asyncio.Semaphore(in_flight)
            worker0, self0 = _proc_cpu(pid), _cpu(resource.getrusage(resource.RUSAGE_SELF))
            if in_flight == 1:
                results = [await one(u, b, gate) for u, b in pages]
            else:
                results = list(await asyncio.gather(*(one(u, b, gate) for u, b in pages)))
            self1, worker1 = _cpu(resource.getrusage(resource.RUSAGE_SELF)), _proc_cpu(pid)
            return (self1 - self0) / n * 1000, (worker1 - worker0) / n * 1000, results
        finally:
            pool.close()

    for label, in_flight in (("1 at a time", 1), (f"{IN_FLIGHT} in flight", IN_FLIGHT)):
        parent, worker, results = asyncio.run(pooled(in_flight))
        if results != local:
            raise RuntimeError(f"{pool_module}: pooled results differ from in-process ones ({label})")
        out[f"{label}: crawl process"] = parent
        out[f"{label}: worker"] = worker
        out[f"{label}: worker - parse"] = worker - out["in-process parse"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pool", action="append", help="module with ParsePool (repeat to compare)")
    parser.add_argument("--scrapy-main", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.pages)))
        return
    pools = args.pool or ["twin_crawler.parsepool"]
    _pages(args.pages)  # build the corpus once, before the timed children
    runs: dict[str, list[dict[str, float]]] = {p: [] for p in pools}
    extra = ["--scrapy-main"] if args.scrapy_main else []
    for rnd in range(args.rounds):
        for pool in pools if rnd % 2 == 0 else reversed(pools):
            cmd = [sys.executable, "-m", "benchmarks.pool_overhead", "--pages", str(args.pages), "--child", pool, *extra]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs[pool].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"round {rnd + 1} {pool}: " + ", ".join(f"{k} {v:.3g}" for k, v in runs[pool][-1].items()), flush=True)
    load = os.getloadavg()
    print(f"\nmedians over {args.rounds} rounds, {args.pages} pages, ms (per page unless start-up); "
          f"load average {load[0]:.2f}")
    keys = list(next(iter(runs.values()))[0])
    print("| figure | " + " | ".join(pools) + " |")
    print("|---|" + "---|" * len(pools))
    for key in keys:
        cells = [f"{statistics.median(r[key] for r in runs[p]):.3g} ({min(r[key] for r in runs[p]):.3g}-"
                 f"{max(r[key] for r in runs[p]):.3g})" for p in pools]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
