"""Stored values as JSON, shared by the JSON and Parquet writers (its own module: the writers import it, not each other)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """Stored values as JSON: datetimes as ISO-8601, everything else unchanged."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
