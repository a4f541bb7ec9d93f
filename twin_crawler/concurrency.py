"""Run blocking work (warehouse I/O, git) off the reactor thread, awaitable from ``async def`` components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``await in_thread(f, x)``: f(x) in Twisted's thread pool, whichever reactor runs the crawl."""
    result: T = await maybe_deferred_to_future(deferToThread(fn, *args, **kwargs))
    return result
