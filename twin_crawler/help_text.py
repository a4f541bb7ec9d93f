"""Help text of the project's commands: ``scrapy crawl -h`` lists the spiders' ``-a`` arguments, and the
description/epilog of a command keep their lines (examples, lists) under Scrapy's help layout."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable
from typing import Any

from scrapy.commands import ScrapyHelpFormatter
from scrapy.spiderloader import get_spider_loader

from twin_crawler.arguments import COMMON_ARGUMENTS


class RawHelpFormatter(argparse.RawDescriptionHelpFormatter, ScrapyHelpFormatter):
    """Scrapy's help layout, with the description and epilog printed as written (tables, examples)."""


class CrawlHelp:
    """Mixin for the crawl command: its help lists every spider's arguments (``scrapy crawl -h``), or one
    spider's (``scrapy crawl medium -h``)."""

    settings: Any

    def long_desc(self) -> str:
        return ("Run a spider of the project by name. Arguments, links and the warehouse are checked first: a\n"
                "problem is one 'error:' line and exit 2 (input) or 3 (warehouse), before anything is fetched.")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)  # type: ignore[misc]
        parser.formatter_class = RawHelpFormatter
        loader = get_spider_loader(self.settings)
        names = sorted(loader.list())
        # Scrapy has already removed "crawl" from sys.argv; the spider name is a positional argument.
        chosen = [a for a in sys.argv[1:] if a in names][:1] or names
        parser.epilog = arguments_help(loader.load(name) for name in chosen)


def arguments_help(spiders: Iterable[Any]) -> str:
    """The ``-a NAME=VALUE`` arguments of ``spiders`` (classes with ``name``, ``extra_arguments``, a docstring):
    the shared ones once, then each spider's own."""
    spiders = list(spiders)
    names = [*COMMON_ARGUMENTS, *(n for s in spiders for n in getattr(s, "extra_arguments", {}))]
    width = max(len(n) for n in names)

    def entry(name: str, text: str) -> list[str]:
        return textwrap.wrap(text, 110, initial_indent=f"    {name:<{width}}  ", subsequent_indent=" " * (width + 6))

    lines = ["Spider Arguments (-a NAME=VALUE)", "================================", "  every spider"]
    for name, text in COMMON_ARGUMENTS.items():
        lines += entry(name, text)
    for spider in spiders:
        lines += textwrap.wrap(f"{spider.name}: {summary(spider.__doc__)}", 110, initial_indent="  ",
                               subsequent_indent="    ")
        for name, text in getattr(spider, "extra_arguments", {}).items():
            lines += entry(name, text)
    lines += ["", 'e.g. scrapy crawl article -a user="Maxime Labonne" -a links=https://mlabonne.github.io/blog/']
    return "\n".join(lines) + "\n"


def summary(doc: str | None) -> str:
    """The first sentence of a docstring, on one line, without reST markup."""
    paragraph = " ".join((doc or "").strip().split("\n\n", 1)[0].split()).replace("``", "")
    return paragraph.split(". ", 1)[0].rstrip(".") + "."
