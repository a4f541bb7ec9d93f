"""Durations as people write them in settings: ``24h``, ``30m``, ``2d``, ``90s``, ``1h30m`` or plain seconds."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)


class DurationError(ValueError):
    """A duration that cannot be read; the message is one actionable line."""


def parse_duration(value: object, *, name: str = "TWIN_RECRAWL_AFTER") -> float:
    """Seconds in ``value``; raises DurationError naming the setting when it is not a duration."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        text = str(value or "").strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        elif text and _PART.sub("", text) == "":
            seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(text))
        else:
            raise DurationError(f"{name}={str(value)[:40]!r} is not a duration; write e.g. 24h, 30m, 2d, 1h30m or seconds")
    if seconds < 0:
        raise DurationError(f"{name} must not be negative")
    return seconds
