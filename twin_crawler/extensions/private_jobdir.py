"""``JOBDIR`` readable by its owner only: the directory 0700, every file in it 0600.

Why: the job directory holds pickled requests (URLs, meta, headers), the seen-fingerprints and the spider state,
and it outlives a killed crawl. Scrapy creates it with the process umask (usually world-readable). A 0700
directory keeps other users out of every file created in it later, whatever the file's own mode; the files are
tightened too, at open and at close, so a directory copied or re-permissioned later does not expose them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict(root: Path) -> None:
    """chmod ``root`` and every directory below it 0700, every file 0600 (symlinks are not followed)."""
    root.chmod(DIR_MODE)
    for current, dirs, files in os.walk(root):
        for name in dirs:
            path = Path(current, name)
            if not path.is_symlink():
                path.chmod(DIR_MODE)
        for name in files:
            path = Path(current, name)
            if not path.is_symlink():
                path.chmod(FILE_MODE)


class PrivateJobdir:
    """Extension (enabled when ``JOBDIR`` is set): keeps the job directory private to its owner."""

    def __init__(self, crawler: Crawler) -> None:
        directory = job_dir(crawler.settings)  # creates it: before the scheduler or the dupefilter write in it
        if not directory:
            raise NotConfigured  # no JOBDIR: nothing to protect (no message: Scrapy would log it as a WARNING)
        self.root = Path(directory)
        self.tighten()
        for signal in (signals.spider_opened, signals.spider_closed, signals.engine_stopped):
            crawler.signals.connect(self.tighten, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateJobdir:
        return cls(crawler)

    def tighten(self) -> None:
        try:
            restrict(self.root)
        except OSError as exc:  # a file removed while walking, or a directory we do not own: not worth a crash
            logger.warning("could not restrict the permissions of JOBDIR %s: %s", self.root, exc)
