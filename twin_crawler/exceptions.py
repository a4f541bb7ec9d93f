"""Why a request ended without a document, in one place: the reason-carrying base class and the one
exception -> reason map. The reasons (``timeout``, ``dns``, ``http-404``, ``browser-timeout``, ...) are what
the ledger, the run report and the dead letters show instead of exception class names.

A reason travels on the exception as ``twin_reason``: set by ``TwinError`` for the project's own exceptions, and
by the retry middleware on Scrapy's and Twisted's (which cannot derive from ``TwinError``); ``twin_logged``
tells the spider's errback the failure was already logged where it was found, ``twin_skipped`` that the link was
left out on purpose (the ledger already says why).
"""

from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest


class TwinError(IgnoreRequest):
    """A request refused or ended on purpose for ``reason`` (blocked, skipped, not archived, SSRF-refused)."""

    twin_skipped: bool = False
    twin_logged: bool = False

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.twin_reason = reason

    @property
    def reason(self) -> str:
        return self.twin_reason


# Exception class name -> the reason shown.
EXCEPTION_REASONS = {
    "DownloadTimeoutError": "timeout", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "ResponseDataLossError": "truncated-body", "DownloadFailedError": "connection-lost",
    "ConnectionLost": "connection-lost", "ConnectionDone": "connection-lost", "ResponseNeverReceived": "connection-lost",
    "DownloadConnectionRefusedError": "connection-refused", "ConnectionRefusedError": "connection-refused",
    "CannotResolveHostError": "dns", "DNSLookupError": "dns", "DownloadCancelledError": "too-large",
}

# Chromium's net error codes (in Playwright's message, "net::ERR_...") -> a short reason; others are derived.
BROWSER_NET_ERRORS = {
    "NAME_NOT_RESOLVED": "browser-dns", "NAME_RESOLUTION_FAILED": "browser-dns", "TIMED_OUT": "browser-timeout",
    "CONNECTION_TIMED_OUT": "browser-timeout", "CONNECTION_REFUSED": "browser-connection-refused",
    "INTERNET_DISCONNECTED": "browser-offline", "TOO_MANY_REDIRECTS": "browser-too-many-redirects",
}
_NET_ERROR = re.compile(r"net::ERR_([A-Z0-9_]+)")


def exception_reason(exception: BaseException) -> str:
    """The short, secret-free reason for an exception: ``http-<status>`` when it carries a response, its
    ``twin_reason`` when it has one, Scrapy's limits by message, ``browser-*`` for Chromium's, the map, else its
    class name."""
    response = getattr(exception, "response", None)
    if response is not None and hasattr(response, "status"):
        return f"http-{response.status}"
    reason = getattr(exception, "twin_reason", None)
    if reason:
        return str(reason)
    if type(exception).__module__.startswith("playwright"):
        return browser_reason(exception)
    # Scrapy's limits end requests with a plain IgnoreRequest; its message says which limit (issue 6).
    message = str(exception)
    if "max redirections reached" in message:
        return "too-many-redirects"
    if "DOWNLOAD_MAXSIZE" in message or "download max size" in message:
        return "too-large"
    name = type(exception).__name__
    if name == "IgnoreRequest" and "robots.txt" in message:
        return "robots-txt"
    return EXCEPTION_REASONS.get(name, name)


def browser_reason(exception: BaseException) -> str:
    """Playwright raises its generic ``Error`` for every navigation failure; the reason is in the message:
    ``net::ERR_NAME_NOT_RESOLVED`` -> ``browser-dns``, ``Timeout 30000ms exceeded`` -> ``browser-timeout``, other
    ``net::ERR_SSL_PROTOCOL_ERROR`` -> ``browser-ssl-protocol-error``; anything else ``browser-error``."""
    message = str(exception)
    found = _NET_ERROR.search(message)
    if found:
        code = found.group(1)
        if code.startswith("CERT_"):
            return "browser-certificate"
        return BROWSER_NET_ERRORS.get(code, "browser-" + code.lower().replace("_", "-"))
    if type(exception).__name__ == "TimeoutError" or re.search(r"\bTimeout \d+ms exceeded", message):
        return "browser-timeout"
    return "browser-error"
