"""``scrapy crawl`` with a preflight: bad arguments and an unreachable warehouse give one line and a non-zero exit."""

from __future__ import annotations

import argparse

from scrapy import Spider
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from twin_crawler.arguments import ArgumentError
from twin_crawler.help_text import CrawlHelp
from twin_crawler.secrets import scrub
from twin_crawler.spiders.base import PREPARED
from twin_crawler.warehouse import WarehouseError, from_settings

from . import EXIT_USAGE, EXIT_WAREHOUSE, fail


class Command(CrawlHelp, ScrapyCrawl):  # CrawlHelp: -h lists the spiders' -a arguments
    """Run a spider; arguments, links and the warehouse are checked before the engine starts."""

    _run_crawler: Crawler | None = None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl twin -a config=FILE")
        assert self.crawler_process is not None and self.settings is not None
        loader = self.crawler_process.spider_loader
        try:
            spider_cls = loader.load(args[0])
        except KeyError:
            fail(f"unknown spider {args[0]!r}; available: {', '.join(sorted(loader.list()))}")
            self.exitcode = EXIT_USAGE
            return
        preflight = getattr(spider_cls, "preflight", None)
        if preflight is not None:
            try:
                warehouse = from_settings(self.settings)
                refused = True
                try:
                    prepared = preflight(opts.spargs, self.settings, warehouse)
                    refused = False
                finally:
                    # A refused run leaves nothing behind: not even the empty twin.db its preflight created.
                    if refused:
                        warehouse.discard()
                    else:
                        warehouse.close()
            except ArgumentError as exc:
                fail(scrub(str(exc)))
                self.exitcode = EXIT_USAGE
                return
            except WarehouseError as exc:
                fail(f"{scrub(str(exc))} (set TWIN_MONGODB_URI to a reachable MongoDB, or unset it for the embedded warehouse)")
                self.exitcode = EXIT_WAREHOUSE
                return
            opts.spargs = {**opts.spargs, PREPARED: prepared}  # from_crawler adopts it: the spider is built once
        super().run(args, opts)
        if self.exitcode == 0 and self._run_crawler is not None:
            # 1 when a link failed, was dead-lettered or blocked (README "Exit codes"); set by the run report.
            self.exitcode = int(self._run_crawler.stats.get_value("twin/exit_code", 0))  # type: ignore[union-attr]

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self._run_crawler = super()._create_crawler(spidercls)
        return self._run_crawler
