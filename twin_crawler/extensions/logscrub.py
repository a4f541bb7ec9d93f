"""The central guard that keeps secrets out of every log line: a log-record factory that scrubs them.

A filter on a handler would not do: Scrapy replaces its root handler when a crawler starts (to apply the
spider's log settings), and records from third-party loggers (pymongo, twisted) never pass our loggers. The
record factory is process-wide and runs for every record any logger creates, before any handler sees it.

Installed by the project's commands module (so every ``scrapy`` command, including the ones scrapyd runs, has it
before the first log line) and by the ``SecretGuard`` extension (crawls started from Python).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from twin_crawler.secrets import scrub, secret_values

_FORMATTER = logging.Formatter()


def scrub_record(record: logging.LogRecord) -> None:
    """Replace secret values in the record's message, exception text and stack in place."""
    secrets = secret_values()
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to logging's own error handling
        return
    cleaned = scrub(message, secrets)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        # Pre-rendering exc_text makes every formatter print the scrubbed version instead of its own.
        record.exc_text = scrub(_FORMATTER.formatException(record.exc_info), secrets)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info, secrets)


def install() -> None:
    """Wrap the current log-record factory once per process."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "twin_scrubs", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            if record.levelno < _emit_floor():
                return record  # below every handler's level: no handler will write it, nothing to scrub
            scrub_record(record)
        except Exception:  # the guard must never stop a log line (nor a crawl)
            record.msg, record.args = "<log line withheld: it could not be checked for secrets>", ()
        return record

    factory.twin_scrubs = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
    # An unreachable robots.txt is an expected network failure, already one line and recorded on the page it
    # guards; Scrapy logs it with a full traceback, which buries the run report.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_one_line)


def _emit_floor() -> int:
    """The lowest level any live handler writes (``Logger.callHandlers`` passes a record to a handler only at or
    above its level): records below it, Scrapy's per-request DEBUG lines at ``LOG_LEVEL=INFO``, are handled by
    nobody, and scrubbing them (formatting the message, the secret-query regex) cost ~25 us each, two a page."""
    levels = [handler.level for ref in list(logging._handlerList) if (handler := ref()) is not None]  # type: ignore[attr-defined]
    return min(levels, default=logging.NOTSET)


def _one_line(record: logging.LogRecord) -> bool:
    record.exc_info, record.exc_text = None, None
    return True


class SecretGuard:
    """Extension: makes sure the scrubbing record factory is installed for this crawl."""

    def __init__(self, crawler: Crawler) -> None:
        install()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SecretGuard:
        return cls(crawler)
