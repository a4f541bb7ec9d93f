"""Project commands (COMMANDS_MODULE): ``crawl`` with one-line errors, plus operational commands."""

from __future__ import annotations

import sys

EXIT_USAGE = 2
EXIT_WAREHOUSE = 3


def fail(message: str) -> None:
    """Print one actionable line to stderr (the caller sets the exit code)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
