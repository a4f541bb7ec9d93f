"""Crash resume with ``JOBDIR``: a crawl killed with SIGKILL and restarted with the same job directory goes on
without refetching the pages it already stored, and without duplicates.

Why Scrapy's own JOBDIR state is not enough after SIGKILL: the disk request queue and ``requests.seen`` are
only consistent after a clean close (the queue's head/tail pointers are written on close; ``requests.seen``
holds requests that were scheduled, not ones that completed). Restarted as they are, the queue may replay stale
records and lose new ones, and ``requests.seen`` filters requests that never got an answer: links lost silently.

So this module keeps its own, append-only record of what is *done*: ``<JOBDIR>/twin-done.jsonl``, one line per
link whose document reached the warehouse (states new/updated/unchanged/paywalled/skipped), written when the
ledger records it. A ``twin-running`` marker tells a killed job from a cleanly closed one; after a kill the
inconsistent queue and seen-file are discarded, the spider re-seeds, and ``ResumeDupeFilter`` drops requests for
links already done. Links done earlier keep their state in the run report. Documents are upserts keyed on
``link``, so even a page refetched in the instant between its write and its done-line is not duplicated.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.job import job_dir

from twin_crawler.extensions.ledger import ledger_of
from twin_crawler.ledger import Entry
from twin_crawler.meta import LINK

logger = logging.getLogger(__name__)
DONE = frozenset({"new", "updated", "unchanged", "paywalled", "skipped"})
DONE_FILE = "twin-done.jsonl"
MARKER = "twin-running"


def read_done(path: Path) -> dict[str, dict[str, Any]]:
    """link -> its done record; a line torn by the kill is ignored (that link is simply fetched again)."""
    done: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                done[record["link"]] = record
            except (ValueError, KeyError, TypeError):
                continue
    return done


class JobResume:
    """Extension (enabled when ``JOBDIR`` is set): the done log, the kill marker and the ledger restore."""

    def __init__(self, crawler: Crawler) -> None:
        directory = job_dir(crawler.settings)
        if not directory:
            raise NotConfigured  # no message: Scrapy would log "Disabled ..." on every crawl without a JOBDIR
        self.crawler = crawler
        self.dir = Path(directory)
        self.done = read_done(self.dir / DONE_FILE)
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        marker = self.dir / MARKER
        if marker.exists():
            # Runs before the scheduler opens its queue and seen-file (extensions are built first).
            shutil.rmtree(self.dir / "requests.queue", ignore_errors=True)
            (self.dir / "requests.seen").unlink(missing_ok=True)
            logger.warning("job %s was killed: resuming from its done log (%d links stored), re-seeding the rest",
                           self.dir, len(self.done))
        marker.write_text(str(os.getpid()), encoding="utf-8")
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobResume:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        ledger = ledger_of(self.crawler)
        if ledger is None:
            return
        for record in self.done.values():
            entry = ledger.register(record["link"], record["platform"], record.get("domain"))
            entry.state, entry.reason = record["state"], record.get("reason")
        self._fh = (self.dir / DONE_FILE).open("a", encoding="utf-8")
        ledger.listeners.append(self._recorded)

    def _recorded(self, entry: Entry) -> None:
        """Ledger listener (any thread): append links that reached the warehouse."""
        if entry.state not in DONE or self._fh is None:
            return
        record = {"link": entry.link, "platform": entry.platform, "domain": entry.domain, "state": entry.state,
                  "reason": entry.reason}
        with self._lock:
            if entry.link in self.done:
                return
            self.done[entry.link] = record
            self._fh.write(json.dumps(record) + "\n")
            self._fh.flush()  # in the OS once written: a SIGKILL cannot take it back

    def spider_closed(self, spider: Any) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
        (self.dir / MARKER).unlink(missing_ok=True)  # a clean close: Scrapy's queue and seen-file are consistent


class ResumeDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter that also treats links stored earlier in this job as seen."""

    resume: JobResume | None = None
    stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeDupeFilter:
        dupefilter = super().from_crawler(crawler)
        # Built with the scheduler, after the extensions: None when JobResume is off (no JOBDIR: NotConfigured).
        dupefilter.resume = crawler.get_extension(JobResume)
        dupefilter.stats = crawler.stats
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        link = request.meta.get(LINK)
        if self.resume is not None and link and link in self.resume.done:
            if self.stats is not None:
                self.stats.inc_value("twin/resume/skipped")
            return True
        return super().request_seen(request)
