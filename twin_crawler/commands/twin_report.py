"""``scrapy twin-report --author NAME -o report.html``: one self-contained HTML page about an author's corpus.

(The module name has a hyphen because Scrapy names project commands after their module.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.exceptions import UsageError

from twin_crawler.corpus.cli import CorpusCommand
from twin_crawler.corpus.export import ExportError, publish, temp_beside
from twin_crawler.corpus.html_report import render
from twin_crawler.corpus.query import select
from twin_crawler.corpus.report_data import collect
from twin_crawler.warehouse import Warehouse


class Command(CorpusCommand):
    """Totals per platform, a publication timeline, every document, the last runs and the dead letters."""

    def syntax(self) -> str:
        return "--author NAME -o FILE.html"

    def short_desc(self) -> str:
        return "Write an HTML report of an author's documents, timeline, runs and dead letters"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        self.add_author_option(parser)
        parser.add_argument("-o", "--output", metavar="FILE", default=None, help="the HTML file to write")

    def check(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}; give --author NAME -o FILE.html")
        if not opts.author:
            raise UsageError("give the author with --author NAME (scrapy twin-show lists them)")
        if not opts.output:
            raise UsageError("give the output file with -o FILE.html")
        if Path(opts.output).suffix.lower() not in (".html", ".htm"):
            raise ExportError(f"-o: {opts.output!r} should end with .html")
        temp_beside(Path(opts.output)).unlink()  # writable, before the warehouse is read

    def execute(self, warehouse: Warehouse, args: list[str], opts: argparse.Namespace) -> None:
        data = collect(warehouse, select(warehouse, author=opts.author))
        out = Path(opts.output)
        tmp = temp_beside(out)
        try:
            tmp.write_text(render(data), encoding="utf-8")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        publish(tmp, out)
        print(f"wrote {out} ({len(data.rows)} document(s), {len(data.runs)} run(s), "
              f"{len(data.dead_letters)} dead letter(s))", file=sys.stderr)
