"""``scrapy twin-export [--author NAME] [--platform P] [--since DATE] -o FILE``: the warehouse's documents to a file.

(The module name has a hyphen because Scrapy names project commands after their module.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.exceptions import UsageError

from twin_crawler.corpus.cli import CorpusCommand
from twin_crawler.corpus.export import ExportTarget, records
from twin_crawler.corpus.query import documents, select
from twin_crawler.warehouse import Warehouse


class Command(CorpusCommand):
    """Every stored document (all runs, all collections) as JSONL, JSON or Parquet, chosen by the file's suffix."""

    def syntax(self) -> str:
        return "[--author NAME] [--platform P] [--since DATE] -o FILE.jsonl|FILE.json|FILE.parquet"

    def short_desc(self) -> str:
        return "Export the warehouse's documents to JSONL, JSON or Parquet"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        self.add_author_option(parser)
        parser.add_argument("--platform", default=None, help="only this platform (medium, substack, linkedin, github, article)")
        parser.add_argument("--since", metavar="DATE", default=None,
                            help="only documents published on or after DATE (YYYY-MM-DD or ISO-8601; undated ones are left out)")
        parser.add_argument("-o", "--output", metavar="FILE", default=None, help="where to write; the suffix picks the format")

    def check(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}; give the file with -o FILE")
        if not opts.output:
            raise UsageError("give the output file with -o FILE.jsonl (or .json, .parquet)")
        ExportTarget(Path(opts.output)).abort()  # format known, place writable: before the warehouse is read

    def execute(self, warehouse: Warehouse, args: list[str], opts: argparse.Namespace) -> None:
        selection = select(warehouse, author=opts.author, platform=opts.platform, since=opts.since)
        target = ExportTarget(Path(opts.output))
        try:
            n = target.write(records(documents(warehouse, selection)))
        except BaseException:
            target.abort()
            raise
        target.commit()
        print(f"wrote {n} document(s) to {opts.output} ({warehouse.location})", file=sys.stderr)
