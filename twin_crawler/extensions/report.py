"""The run report: per platform and domain, how every link ended; printed, kept in ``runs``, and in stats."""

from __future__ import annotations

import logging
import sys
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from twin_crawler import settings as defaults
from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.extensions.warehouse import for_crawler
from twin_crawler.ledger import PENDING, STATES, Ledger
from twin_crawler.pipelines.warehouse import writer_of
from twin_crawler.secrets import scrub
from twin_crawler.warehouse import (
    DOCUMENT_COLLECTIONS,
    Warehouse,
    WarehouseError,
    WarehouseUnavailable,
)
from twin_crawler.warehouse.journal import Journal, journal_dir

logger = logging.getLogger(__name__)
COLUMNS = (*STATES, PENDING)


def render_table(ledger: Ledger) -> str:
    """A fixed-width table: one row per (platform, domain), one column per state with any count."""
    rows: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for (platform, domain, state), count in ledger.counts().items():
        rows[(platform, domain)][state] = count
    used = [c for c in COLUMNS if any(c in r for r in rows.values())] or ["new"]
    header = ["platform", "domain", *used, "total"]
    body = [
        [platform, domain, *(str(r.get(c, 0)) for c in used), str(sum(r.values()))]
        for (platform, domain), r in sorted(rows.items())
    ]
    totals = ledger.totals()
    body.append(["all", "", *(str(totals.get(c, 0)) for c in used), str(sum(totals.values()))])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in [header, *body]]
    reasons = ledger.reasons()
    if reasons:
        lines.append("reasons: " + ", ".join(f"{s}/{r}={n}" for (s, r), n in sorted(reasons.items())))
    return "\n".join(lines)


def warehouse_line(warehouse: Warehouse, author: dict[str, Any] | None) -> str:
    """Where the documents went (no credentials) and how many the author now has there, all runs together."""
    where = {"author_id": author["_id"]} if author else None
    try:
        counts = {c: warehouse.count(c, where) for c in DOCUMENT_COLLECTIONS}
    except WarehouseError as exc:  # e.g. MongoDB went away and the batches are journaled: say so, do not fail
        return f"warehouse: {warehouse.location} (document count unavailable: {scrub(str(exc))})"
    detail = ", ".join(f"{n} {c}" for c, n in counts.items())
    owner = f"{author.get('full_name')} now has" if author else "it holds"
    return f"warehouse: {warehouse.location}; {owner} {sum(counts.values())} document(s) in total ({detail})"


class RunReport:
    """At spider close: publish ``twin/links/...`` stats, print the table, store the run in ``runs``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = datetime.now(UTC)
        self.print_table = crawler.settings.getbool("TWIN_REPORT_PRINT", defaults.TWIN_REPORT_PRINT)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        return cls(crawler)

    def spider_closed(self, spider: Any, reason: str) -> None:
        ledger: Ledger | None = ledger_of(self.crawler)
        if ledger is None:
            return
        # An interrupted run leaves pending links, and so does a worker: another took them from the shared frontier.
        local = not getattr(spider, "frontier_shared", False)
        pending = ledger.pending()
        check = self.crawler.settings.getbool("TWIN_CHECK_PENDING", defaults.TWIN_CHECK_PENDING)
        if pending and reason == "finished" and local and check:
            logger.error("invariant broken: %d links ended pending (a bug; please report): %s",
                         len(pending), ", ".join(pending[:5]))
        ledger.publish()
        self.crawler.stats.set_value("twin/exit_code", ledger.exit_code(count_pending=local))  # type: ignore[union-attr]
        # Stored first: when that fails the warehouse is down, and counting documents would only wait again.
        stored = self._store(self._run_document(spider, reason, ledger))
        table = f"{render_table(ledger)}\n{self._warehouse_line(spider, stored)}"
        # Once: on stderr for the person at the terminal, or in the log when printing is off (scrapyd, tests).
        if self.print_table:
            print(f"twin-crawler run report ({spider.name}, {reason}):\n{table}", file=sys.stderr, flush=True)
            logger.debug("run report:\n%s", table)
        else:
            logger.info("run report:\n%s", table)

    def _run_document(self, spider: Any, reason: str, ledger: Ledger) -> dict[str, Any]:
        stats = self.crawler.stats
        assert stats is not None
        twin_stats = {k: v for k, v in stats.get_stats().items() if k.startswith("twin/")}
        return {
            "spider": spider.name,
            "job": getattr(spider, "_job", None),
            "author_full_name": getattr(getattr(spider, "args", None), "user", None),
            "started_at": self.started,
            "finished_at": datetime.now(UTC),
            "finish_reason": reason,
            "totals": dict(ledger.totals()),
            "rows": [
                {"platform": p, "domain": d, "state": s, "count": n} for (p, d, s), n in sorted(ledger.counts().items())
            ],
            "reasons": [{"state": s, "reason": r, "count": n} for (s, r), n in sorted(ledger.reasons().items())],
            "stats": {k.replace(".", "_"): v for k, v in twin_stats.items()},
        }

    def _store(self, run: dict[str, Any]) -> bool:
        try:
            for_crawler(self.crawler).insert("runs", run)
        except WarehouseUnavailable as exc:
            # An outage: the report waits in the journal with the documents (`scrapy twin-journal replay`).
            logger.error("could not store the run report: %s", scrub(str(exc)))
            self._journal(run)
            return False
        except (WarehouseError, Exception) as exc:  # the report must never hide the crawl's own result
            logger.error("could not store the run report: %s", scrub(str(exc)))
            return False
        return True

    def _journal(self, run: dict[str, Any]) -> None:
        writer = writer_of(self.crawler)  # the crawl's own journal, when it has one: one file
        previous = writer.journal.path if writer is not None and writer.journal is not None else None
        journal = Journal(journal_dir(self.crawler.settings), previous)
        try:
            journal.append([{"c": "runs", "insert": {k: v for k, v in run.items() if k != "_id"}}])
        except OSError as exc:
            logger.error("could not journal the run report either: %s", exc)
        finally:
            journal.close()  # kept on disk, with a warning naming the replay command

    def _warehouse_line(self, spider: Any, reachable: bool) -> str:
        try:
            warehouse = for_crawler(self.crawler)
        except WarehouseError as exc:
            return f"warehouse: unavailable ({scrub(str(exc))})"
        if not reachable:
            return f"warehouse: {warehouse.location} (unreachable at the end of the run: no document count)"
        return warehouse_line(warehouse, getattr(spider, "author", None))
