"""What the corpus commands (twin-export, twin-show, twin-report) share: options, the warehouse, one-line errors.

Kept outside ``twin_crawler.commands``: Scrapy registers every ScrapyCommand subclass defined in that package as a
command of its own.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from twin_crawler.commands import EXIT_USAGE, EXIT_WAREHOUSE, fail
from twin_crawler.secrets import scrub
from twin_crawler.warehouse import (
    Warehouse,
    WarehouseError,
    WarehouseUnavailable,
    embedded_path,
    from_settings,
    warehouse_uri,
)

from .export import ExportError
from .query import SelectionError


def open_existing(settings: Any) -> Warehouse:
    """The crawl's warehouse; an embedded file that does not exist yet is an error, not a new empty database."""
    if not warehouse_uri(settings):
        path = embedded_path(settings)
        if not path.is_file():
            raise WarehouseUnavailable(
                f"no embedded warehouse at {path} (run a crawl first, set TWIN_DATA_DIR, or set TWIN_MONGODB_URI)"
            )
    return from_settings(settings)


class CorpusCommand(ScrapyCommand):
    """A read-only command over the warehouse; subclasses implement ``execute``."""

    requires_project = True
    requires_crawler_process = False

    def add_author_option(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--author", metavar="NAME", default=None,
                            help="only this author's documents (full name, case-insensitive)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            self.check(args, opts)
            with self.warehouse() as warehouse:
                self.execute(warehouse, args, opts)
        except (SelectionError, ExportError, UsageError) as exc:
            fail(str(exc))
            self.exitcode = EXIT_USAGE
        except WarehouseError as exc:
            fail(scrub(str(exc)))
            self.exitcode = EXIT_WAREHOUSE

    @contextmanager
    def warehouse(self) -> Iterator[Warehouse]:
        warehouse = open_existing(self.settings)
        try:
            yield warehouse
        finally:
            warehouse.close()

    def check(self, args: list[str], opts: argparse.Namespace) -> None:
        """Validate what needs no warehouse (raise SelectionError/ExportError/UsageError)."""

    def execute(self, warehouse: Warehouse, args: list[str], opts: argparse.Namespace) -> None:
        raise NotImplementedError
