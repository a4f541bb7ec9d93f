"""Module-level functions the parse-pool tests send to worker processes (which import them by name)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from twin_crawler.pages.article import NotAnArticle


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


def hold(url: str, folder: str, parent: int) -> tuple[str, bool]:
    """Notes each call in ``folder/calls`` (where it ran); in a worker, marks its start and waits (bounded) for
    ``folder/release``; in the crawl process, returns at once. (url, ran in another process)."""
    here = os.getpid() != parent
    with Path(folder, "calls").open("a", encoding="utf-8") as calls:
        calls.write(f"{url} {'worker' if here else 'crawl'}\n")
    if here:
        Path(folder, f"started-{url.rsplit('/', 1)[-1]}").touch()
        deadline = time.monotonic() + 60
        while not Path(folder, "release").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return url, here


def echo_body(url: str, body: bytes, *, tag: int) -> tuple[str, bytes, int, int]:
    """(url, body, tag, pid): what reached the worker, back whole, and which worker it was."""
    return url, body, tag, os.getpid()


def raise_value_error(url: str) -> None:
    raise ValueError(f"cannot read {url}")


def raise_not_an_article(url: str) -> None:
    raise NotAnArticle("index-page", f"{url} lists 12 posts")


def imported(url: str, module: str) -> bool:
    """Whether ``module`` is imported where this runs."""
    return module in sys.modules
