"""``scrapy parse --spider=NAME URL`` with no other flags: the URL is handled as a link the user gave, by the
spider's ``parse()`` (the same platform handling as a crawl), and the item is printed.

Scrapy's own command needs nothing more from an ordinary spider; ours require an author and something to crawl,
and write to the warehouse while preparing. So this override supplies ``-a links=URL`` and a placeholder author
when they are not given, and, unless ``--pipelines`` asks for the real thing, points the run at a throwaway
embedded warehouse: looking at a page never writes to yours.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from typing import Any

from scrapy import Spider
from scrapy.commands.parse import Command as ScrapyParse
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future

from twin_crawler.arguments import ArgumentError
from twin_crawler.secrets import scrub
from twin_crawler.warehouse import WarehouseError, from_settings

from . import EXIT_USAGE, EXIT_WAREHOUSE, fail

PLACEHOLDER_AUTHOR = "Unknown Author"  # printed items name it; -a user="First Last" sets the real one


class Command(ScrapyParse):
    """Parse one URL with a twin-crawler spider and print its items and follow-up requests."""

    scratch: str | None = None

    def long_desc(self) -> str:
        return (f"{super().long_desc()}\n\nThe URL is routed and handled exactly as in a crawl. Without -a user the "
                f"items are attributed to {PLACEHOLDER_AUTHOR!r}; without --pipelines nothing is written to the "
                "warehouse (a throwaway one is used).")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if not opts.pipelines:
            self.scratch = tempfile.mkdtemp(prefix="twin-parse-")
            for name, value in (("TWIN_DATA_DIR", self.scratch), ("TWIN_MONGODB_URI", "")):
                self.settings.set(name, value, priority="cmdline")
        self.settings.set("TWIN_REPORT_PRINT", False, priority="cmdline")  # one page: the items say it all
        # Items are printed, not sent through the pipelines: their links never reach a final state, and that is
        # not the invariant error a crawl would log.
        self.settings.set("TWIN_CHECK_PENDING", False, priority="cmdline")

    def start_parsing(self, url: str, opts: argparse.Namespace) -> None:
        spargs: dict[str, Any] = opts.spargs
        spargs.setdefault("links", url)
        if not getattr(self.spidercls, "author_from_platform", True) and "config" not in spargs:
            spargs.setdefault("user", PLACEHOLDER_AUTHOR)
        try:
            if self._preflight(spargs):
                super().start_parsing(url, opts)
        finally:
            if self.scratch:
                shutil.rmtree(self.scratch, ignore_errors=True)

    def print_results(self, opts: argparse.Namespace) -> None:
        if not self.exitcode:  # refused before the crawl: the error line is the whole answer
            super().print_results(opts)

    def _preflight(self, spargs: dict[str, Any]) -> bool:
        """Bad arguments are one ``error:`` line and exit 2 here too, not a traceback from the spider."""
        preflight = getattr(self.spidercls, "preflight", None)
        if preflight is None:
            return True
        try:
            warehouse = from_settings(self.settings)
            try:
                preflight(spargs, self.settings, warehouse)
            finally:
                warehouse.close()
        except (ArgumentError, WarehouseError) as exc:
            fail(scrub(str(exc)))
            self.exitcode = EXIT_WAREHOUSE if isinstance(exc, WarehouseError) else EXIT_USAGE
            return False
        return True

    # Scrapy's parse command wraps callbacks in functions returning Deferreds, which Scrapy 2.19 itself warns is
    # deprecated (a ScrapyDeprecationWarning on every run); the same wrappers are awaited from coroutines instead.
    def prepare_request(self, spider: Spider, request: Request, opts: argparse.Namespace) -> Request:
        prepared = super().prepare_request(spider, request, opts)
        if callable(prepared.callback):
            prepared.callback = awaiting(prepared.callback)
        return prepared

    def scraped_data(self, args: Any) -> list[Any]:
        data = super().scraped_data(args)
        for out in data:
            if isinstance(out, Request) and callable(out.callback):
                out.callback = awaiting(out.callback)
        return data


def awaiting(callback: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """``callback`` (which returns a Deferred) as a coroutine function returning the Deferred's result."""

    @functools.wraps(callback)
    async def run(response: Response, **kwargs: Any) -> Any:
        return await maybe_deferred_to_future(callback(response, **kwargs))

    return run
