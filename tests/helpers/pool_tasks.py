"""Module-level functions the parse-pool tests send to worker processes (picklable by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def echo_pid(url: str, parent: int) -> tuple[str, bool]:
    """(url, ran in another process)."""
    return url, os.getpid() != parent


def die_in_worker(url: str, parent: int) -> str:
    """Kills the worker it runs in (as a segfault would); returns normally in the crawl process."""
    if os.getpid() != parent:
        os._exit(9)
    return f"parsed {url} in-process"


def always_fails(url: str, parent: int) -> str:
    """Kills a worker; raises in the crawl process: the page the parser cannot survive."""
    if os.getpid() != parent:
        os._exit(9)
    raise MemoryError(f"cannot parse {url}")


def wait_for(url: str, folder: str) -> str:
    """Marks its start, then waits (bounded) for ``folder/release``: lets a test see how many pages are in flight."""
    Path(folder, f"started-{url.rsplit('/', 1)[-1]}").touch()
    deadline = time.monotonic() + 60
    while not Path(folder, "release").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return url
