"""``scrapy crawl`` with a preflight: bad arguments and an unreachable warehouse give one line and a non-zero exit."""

from __future__ import annotations

import argparse
from typing import Any

from scrapy import Spider
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from twin_crawler.arguments import ArgumentError
from twin_crawler.help_text import CrawlHelp
from twin_crawler.secrets import scrub
from twin_crawler.spiders.base import PREPARED
from twin_crawler.warehouse import WarehouseError, from_settings

from . import EXIT_USAGE, EXIT_WAREHOUSE, fail


def preflight(loader: Any, name: str, spargs: dict[str, Any], settings: BaseSettings) -> tuple[int, dict[str, Any]]:
    """Everything ``scrapy crawl`` checks before the engine starts: the spider exists, its arguments and links
    are valid, the warehouse answers. Returns the exit code (0 = go; else the one ``error:`` line was printed)
    and the spider's arguments, carrying the prepared run so ``from_crawler`` builds the spider once. Tests call
    this in-process with the CLI's settings; the command is a thin shell around it."""
    try:
        spider_cls = loader.load(name)
    except KeyError:
        fail(f"unknown spider {name!r}; available: {', '.join(sorted(loader.list()))}")
        return EXIT_USAGE, spargs
    check = getattr(spider_cls, "preflight", None)
    if check is None:
        return 0, spargs
    try:
        warehouse = from_settings(settings)
        refused = True
        try:
            prepared = check(spargs, settings, warehouse)
            refused = False
        finally:
            # A refused run leaves nothing behind: not even the empty twin.db its preflight created.
            if refused:
                warehouse.discard()
            else:
                warehouse.close()
    except ArgumentError as exc:
        fail(scrub(str(exc)))
        return EXIT_USAGE, spargs
    except WarehouseError as exc:
        fail(f"{scrub(str(exc))} (set TWIN_MONGODB_URI to a reachable MongoDB, or unset it for the embedded warehouse)")
        return EXIT_WAREHOUSE, spargs
    return 0, {**spargs, PREPARED: prepared}


class Command(CrawlHelp, ScrapyCrawl):  # CrawlHelp: -h lists the spiders' -a arguments
    """Run a spider; arguments, links and the warehouse are checked before the engine starts."""

    _run_crawler: Crawler | None = None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl twin -a config=FILE")
        assert self.crawler_process is not None and self.settings is not None
        self.exitcode, opts.spargs = preflight(self.crawler_process.spider_loader, args[0], opts.spargs, self.settings)
        if self.exitcode:
            return
        super().run(args, opts)
        if self.exitcode == 0 and self._run_crawler is not None:
            # 1 when a link failed, was dead-lettered or blocked (README "Exit codes"); set by the run report.
            self.exitcode = int(self._run_crawler.stats.get_value("twin/exit_code", 0))  # type: ignore[union-attr]

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self._run_crawler = super()._create_crawler(spidercls)
        return self._run_crawler
