"""Measurement 6: peak RSS of an ``article`` crawl whose frontier reaches 100,000 URLs, queue on disk (JOBDIR).

The big site's sitemap index lists 50 sitemaps of 2,000 URLs. With FIFO queues (breadth-first, Scrapy's
advice for broad crawls) all sitemaps are read before any page, so the frontier really holds 100,000 requests
at once; the crawl is then stopped after a few thousand responses (``CLOSESPIDER_PAGECOUNT``). The peak RSS
is the crawl process's VmHWM (``/proc``), polled until it exits.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .crawl import article_cmd
from .measure import ChildRun, crawl_env, run_child
from .server import Site

QUEUE_SETTINGS = [
    "-s", "SCHEDULER_DISK_QUEUE=scrapy.squeues.PickleFifoDiskQueue",
    "-s", "SCHEDULER_MEMORY_QUEUE=scrapy.squeues.FifoMemoryQueue",
    "-s", "TWIN_MAX_DISCOVERED=1000000",
]


def crawl(site: Site, workdir: Path, pages: int, jobdir: bool = True) -> tuple[ChildRun, dict[str, int]]:
    """Run the frontier crawl; returns the child's figures and the stats that show the frontier size."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    # LOG_LEVEL=INFO (benchmark crawls default to WARNING): the frontier size is read from Scrapy's stats dump.
    extra = [*QUEUE_SETTINGS, "-s", f"CLOSESPIDER_PAGECOUNT={pages}", "-s", "LOG_LEVEL=INFO"]
    if jobdir:
        extra += ["-s", f"JOBDIR={workdir / 'job'}"]
    env = crawl_env({"TWIN_DATA_DIR": str(workdir / "data")})
    run = run_child(article_cmd(f"{site.origin}/", *extra), env, timeout=900)
    if run.returncode != 1:  # CLOSESPIDER_PAGECOUNT stops it with the frontier unfetched: those links end pending, exit 1
        run.check("frontier crawl")
    return run, stats_of(run.stderr)


def stats_of(log: str) -> dict[str, int]:
    """Integer stats of interest from Scrapy's final stats dump."""
    keys = ("scheduler/enqueued", "scheduler/enqueued/disk", "scheduler/enqueued/memory", "twin/discovered/article",
            "response_received_count", "item_scraped_count", "memusage/max")
    found = {}
    for key in keys:
        match = re.search(rf"'{re.escape(key)}': (\d+)", log)
        if match:
            found[key] = int(match.group(1))
    return found
