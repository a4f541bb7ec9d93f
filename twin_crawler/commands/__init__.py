"""Project commands (COMMANDS_MODULE): ``crawl`` with one-line errors, plus operational commands."""

from __future__ import annotations

import sys

from twin_crawler import logscrub

# Before the first log line of any project command (crawl, the twin-* commands, scrapyd's runs): secrets never
# appear in logs. See twin_crawler/logscrub.py.
logscrub.install()

EXIT_USAGE = 2
EXIT_WAREHOUSE = 3


def fail(message: str) -> None:
    """Print one actionable line to stderr (the caller sets the exit code)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
