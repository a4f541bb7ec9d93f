"""``scrapy crawl`` with a preflight: bad arguments and an unreachable warehouse give one line and a non-zero exit."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from twin_crawler.arguments import ArgumentError, arguments_help
from twin_crawler.secrets import scrub
from twin_crawler.warehouse import WarehouseError, from_settings

from . import EXIT_USAGE, EXIT_WAREHOUSE, RawHelpFormatter, fail


class Command(ScrapyCrawl):
    """Run a spider; arguments, links and the warehouse are checked before the engine starts."""

    def long_desc(self) -> str:
        return ("Run a spider of the project by name. Arguments, links and the warehouse are checked first: a\n"
                "problem is one 'error:' line and exit 2 (input) or 3 (warehouse), before anything is fetched.")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        # `scrapy crawl -h` lists every spider's -a arguments; `scrapy crawl medium -h` only medium's.
        parser.formatter_class = RawHelpFormatter
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        names = sorted(loader.list())
        # Scrapy has already removed "crawl" from sys.argv; the spider name is a positional argument.
        chosen = [a for a in sys.argv[1:] if a in names][:1] or names
        parser.epilog = arguments_help(loader.load(name) for name in chosen)

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
                try:
                    preflight(opts.spargs, self.settings, warehouse)
                finally:
                    warehouse.close()
            except ArgumentError as exc:
                fail(scrub(str(exc)))
                self.exitcode = EXIT_USAGE
                return
            except WarehouseError as exc:
                fail(f"{scrub(str(exc))} (set TWIN_MONGODB_URI to a reachable MongoDB, or unset it for the embedded warehouse)")
                self.exitcode = EXIT_WAREHOUSE
                return
        super().run(args, opts)
