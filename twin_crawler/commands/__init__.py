"""Project commands, importable (``scrapy.commands`` entry points in pyproject.toml; ``names/`` is the
COMMANDS_MODULE that names them): ``crawl`` with one-line errors, plus operational commands."""

from __future__ import annotations

import logging
import sys

from twin_crawler.extensions import logscrub

# Before the first log line of any project command (crawl, the twin-* commands, scrapyd's runs): secrets never
# appear in logs. See twin_crawler/extensions/logscrub.py.
logscrub.install()

EXIT_USAGE = 2
EXIT_WAREHOUSE = 3


def fail(message: str) -> None:
    """Print one actionable line to stderr, and to the log file when there is one (the caller sets the exit
    code). scrapyd runs every job with ``-s LOG_FILE=<job>.log`` and keeps stderr in its own output, where a user
    looking at the refused job never sees it."""
    line = f"error: {message}"
    print(line, file=sys.stderr, flush=True)
    # Only file handlers: without LOG_FILE, Scrapy's root handler writes to stderr, which already has the line.
    record = logging.makeLogRecord({"name": __name__, "levelno": logging.ERROR, "levelname": "ERROR", "msg": line})
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)
            handler.flush()
