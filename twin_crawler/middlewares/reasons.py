"""Short, secret-free reasons for failed downloads (``timeout``, ``dns``, ``browser-timeout``, ...), shown by the
ledger, the run report and dead letters instead of exception class names."""

from __future__ import annotations

import re

# Exception class name -> the reason the ledger, report and dead letters show.
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
    """``timeout``, ``truncated-body``, ... for an exception, ``browser-*`` for Chromium's, else its class name."""
    name = type(exception).__name__
    if type(exception).__module__.startswith("playwright"):
        return browser_reason(exception)
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
