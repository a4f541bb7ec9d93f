"""``scrapy twin-deadletters list|replay [--spider NAME]``: what failed after every retry, and a re-run of it.

(The module name has a hyphen because Scrapy names project commands after their module.)
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from twin_crawler.extensions.deadletter import load
from twin_crawler.secrets import scrub
from twin_crawler.warehouse import WarehouseError, from_settings

from . import EXIT_WAREHOUSE, fail


class Command(ScrapyCommand):
    """List dead letters, or replay them: one crawl per (spider, author) with the failed links."""

    requires_project = True

    def syntax(self) -> str:
        return "list|replay [--spider NAME]"

    def short_desc(self) -> str:
        return "List or replay dead letters (requests that failed after all retries)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", default=None, help="only this spider's dead letters")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in ("list", "replay"):
            raise UsageError("give list or replay, e.g. scrapy twin-deadletters list")
        assert self.settings is not None
        try:
            warehouse = from_settings(self.settings)
            try:
                letters = load(warehouse, opts.spider)
            finally:
                warehouse.close()
        except WarehouseError as exc:
            fail(scrub(str(exc)))
            self.exitcode = EXIT_WAREHOUSE
            return
        if args[0] == "list":
            self._list(letters)
        else:
            self._replay(letters)

    @staticmethod
    def _list(letters: list[dict[str, Any]]) -> None:
        print(f"{len(letters)} dead letter(s)")
        for d in sorted(letters, key=lambda d: (str(d.get("spider")), str(d.get("url")))):
            when = d["time"].isoformat(timespec="seconds") if hasattr(d.get("time"), "isoformat") else d.get("time")
            print(f"{when}  {d.get('spider')}  {d.get('reason')}  attempts={d.get('attempts')}  {d.get('url')}"
                  f"  author={d.get('author')!r}  last_error={d.get('last_error')!r}")

    def _replay(self, letters: list[dict[str, Any]]) -> None:
        groups: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        for d in letters:
            url = d.get("link") or d.get("url")
            if d.get("spider") and url and url not in groups[(d["spider"], d.get("author"))]:
                groups[(d["spider"], d.get("author"))].append(url)
        print(f"replaying {len(letters)} dead letter(s) in {len(groups)} crawl(s)")
        if not groups:
            return
        assert self.crawler_process is not None
        workdir = Path(tempfile.mkdtemp(prefix="twin-replay-"))
        for i, ((spider, author), urls) in enumerate(sorted(groups.items(), key=str)):
            # A file keeps URLs with commas intact (the links argument splits on commas).
            links = workdir / f"links-{i}.txt"
            links.write_text("\n".join(urls) + "\n", encoding="utf-8")
            kwargs = {"links": f"@{links}", **({"user": author} if author else {})}
            self.crawler_process.crawl(spider, **kwargs)
        self.crawler_process.start()
        if getattr(self.crawler_process, "bootstrap_failed", False):
            self.exitcode = 1
