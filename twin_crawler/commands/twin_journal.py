"""``scrapy twin-journal list|replay``: warehouse writes a crawl kept on disk during an outage.

(The module name has a hyphen because Scrapy names project commands after their module.)
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from twin_crawler.secrets import scrub
from twin_crawler.warehouse import WarehouseError, from_settings
from twin_crawler.warehouse.journal import journal_dir, replay_directory

from . import EXIT_WAREHOUSE, fail


class Command(ScrapyCommand):
    """List journal files, or write them into the warehouse (skipping files a running crawl still holds)."""

    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "list|replay"

    def short_desc(self) -> str:
        return "List or replay warehouse writes journaled during an outage"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in ("list", "replay"):
            raise UsageError("give list or replay, e.g. scrapy twin-journal replay")
        assert self.settings is not None
        directory = journal_dir(self.settings)
        files = sorted(directory.glob("journal-*.jsonl")) if directory.is_dir() else []
        if args[0] == "list":
            for path in files:
                lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
                print(f"{path}  {lines} write(s)")
            print(f"{len(files)} journal file(s) in {directory}")
            return
        try:
            warehouse = from_settings(self.settings)
            try:
                written, busy = replay_directory(directory, warehouse) if files else (0, [])
            finally:
                warehouse.close()
        except WarehouseError as exc:
            fail(f"{scrub(str(exc))}; the journal is kept, replay again once the warehouse is reachable")
            self.exitcode = EXIT_WAREHOUSE
            return
        print(f"replayed {written} document(s) from {len(files) - len(busy)} journal file(s)")
        for name in busy:
            print(f"skipped {name}: a running crawl holds it")
