"""Warehouse selection: ``TWIN_MONGODB_URI`` unset -> embedded file warehouse, ``mongodb://`` -> MongoDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from twin_crawler.settings_env import setting_or_env

from .base import (
    DATABASE,
    DOCUMENT_COLLECTIONS,
    Outcome,
    Warehouse,
    WarehouseError,
    WarehouseUnavailable,
    utcnow,
)


def warehouse_uri(settings: Any = None) -> str | None:
    """The MongoDB URI (``-s`` > environment > settings module); None selects the embedded backend."""
    uri = setting_or_env(settings, "TWIN_MONGODB_URI")
    return uri or None


def embedded_path(settings: Any = None) -> Path:
    data_dir = setting_or_env(settings, "TWIN_DATA_DIR")
    return Path(data_dir or "data") / "twin.db"


def open_warehouse(uri: str | None = None, *, data_dir: str | Path | None = None) -> Warehouse:
    """Open the backend ``uri`` selects; raises WarehouseUnavailable with a one-line message."""
    if uri:
        if not uri.startswith(("mongodb://", "mongodb+srv://")):
            raise WarehouseUnavailable("TWIN_MONGODB_URI must start with mongodb:// or mongodb+srv://")
        from .mongo import MongoWarehouse

        # A database named in the URI path (mongodb://host/twin_staging) replaces the default ``twin``.
        database = urlsplit(uri).path.strip("/") or DATABASE
        return MongoWarehouse(uri, database=database)
    from .embedded import EmbeddedWarehouse

    return EmbeddedWarehouse(Path(data_dir) / "twin.db" if data_dir else embedded_path())


def from_settings(settings: Any) -> Warehouse:
    uri = warehouse_uri(settings)
    if uri:
        return open_warehouse(uri)
    from .embedded import EmbeddedWarehouse

    return EmbeddedWarehouse(embedded_path(settings))


__all__ = [
    "DATABASE",
    "DOCUMENT_COLLECTIONS",
    "Outcome",
    "Warehouse",
    "WarehouseError",
    "WarehouseUnavailable",
    "from_settings",
    "open_warehouse",
    "utcnow",
]
