"""``scrapy twin-show [--author NAME]`` (the corpus at a glance) and ``scrapy twin-show LINK`` (one document).

(The module name has a hyphen because Scrapy names project commands after their module.)
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.exceptions import UsageError

from twin_crawler.corpus.cli import CorpusCommand
from twin_crawler.corpus.query import SelectionError, select
from twin_crawler.corpus.show import render_document, render_summary
from twin_crawler.corpus.summary import summarise
from twin_crawler.urls import LinkError, canonicalize
from twin_crawler.warehouse import DOCUMENT_COLLECTIONS, Warehouse


def find_document(warehouse: Warehouse, link: str) -> tuple[str, dict[str, Any]] | None:
    """The stored document at ``link`` as given or in its canonical form (the upsert key)."""
    candidates = [link]
    try:
        candidates.append(canonicalize(link))
    except LinkError:
        pass
    for collection in DOCUMENT_COLLECTIONS:
        for candidate in dict.fromkeys(candidates):
            doc = warehouse.get(collection, candidate)
            if doc is not None:
                return collection, doc
    return None


class Command(CorpusCommand):
    """Authors → platform → documents, words, oldest/newest date, paywalled and blocked; or one document."""

    def syntax(self) -> str:
        return "[--author NAME] | LINK"

    def short_desc(self) -> str:
        return "Show what the warehouse holds per author and platform, or one stored document"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        self.add_author_option(parser)
        parser.add_argument("--lines", type=int, default=20, help="content lines shown for one document (default 20)")

    def check(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) > 1:
            raise UsageError("give at most one link, e.g. scrapy twin-show https://example.com/post")

    def execute(self, warehouse: Warehouse, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            found = find_document(warehouse, args[0])
            if found is None:
                raise SelectionError(f"no stored document has the link {args[0]!r} (scrapy twin-show lists what is stored)")
            print(render_document(*found, lines=max(0, opts.lines)))
            return
        print(render_summary(summarise(warehouse, select(warehouse, author=opts.author))))
