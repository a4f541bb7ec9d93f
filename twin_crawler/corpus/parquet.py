"""Parquet export: one fixed schema derived from the item models, written in row groups (bounded memory).

Scalars, timestamps and string/int lists get typed columns; ``content`` (articles, posts and repositories all keep
a dict of strings) is a ``map<string, string>``; nested fields (``extra``, ``languages``, ``skipped``) are JSON
strings, and any stored field the models do not know ends up in the JSON column ``other``, so nothing is lost.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from twin_crawler.items import ITEM_TYPES

from .jsonable import jsonable

TIMESTAMP = pa.timestamp("ms", tz="UTC")
ROW_GROUP_BYTES = 32 * 1024 * 1024
# Python type each typed column holds; a stored value of another type goes to ``other`` instead of failing.
_SCALARS: dict[Any, tuple[pa.DataType, type | tuple[type, ...]]] = {
    str: (pa.string(), str),
    bool: (pa.bool_(), bool),
    int: (pa.int64(), int),
    float: (pa.float64(), (int, float)),
    datetime: (TIMESTAMP, datetime),
}
# Fields the warehouse adds to every document (the models do not declare them).
_WAREHOUSE = {"collection": str, "_id": str, "first_seen_at": datetime, "last_crawled_at": datetime, "doc_hash": str}


def _column(name: str, annotation: Any) -> tuple[pa.DataType, Any]:
    """(arrow type, python check) for a model field; check ``"json"`` / ``"map"`` for the special encodings."""
    if name == "content":
        return pa.map_(pa.string(), pa.string()), "map"
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else annotation
    if typing.get_origin(annotation) is typing.Literal:
        annotation = str
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if typing.get_origin(annotation) is list and typing.get_args(annotation) in ((str,), (int,)):
        inner = typing.get_args(annotation)[0]
        return pa.list_(_SCALARS[inner][0]), list
    return pa.string(), "json"


@cache
def columns() -> dict[str, tuple[pa.DataType, Any]]:
    out: dict[str, tuple[pa.DataType, Any]] = {name: _SCALARS[kind] for name, kind in _WAREHOUSE.items()}
    for model in ITEM_TYPES:
        for name, field in model.model_fields.items():
            out.setdefault(name, _column(name, field.annotation))
    out["other"] = (pa.string(), "json")
    return out


def schema() -> pa.Schema:
    return pa.schema([(name, kind) for name, (kind, _) in columns().items()])


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a row of ``schema()``; values that do not fit their column are kept in ``other``."""
    cols = columns()
    row: dict[str, Any] = {}
    other: dict[str, Any] = {}
    for key, value in record.items():
        check = cols[key][1] if key in cols and key != "other" else None
        if value is None or check is None:
            if check is None:
                other[key] = value
            continue
        if check == "json":
            row[key] = json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)
        elif check == "map" and isinstance(value, dict) and all(isinstance(v, str | None) for v in value.values()):
            row[key] = list(value.items())
        elif check not in ("map",) and isinstance(value, check) and not (check is int and isinstance(value, bool)):
            row[key] = value
        else:
            other[key] = value
    if other:
        row["other"] = json.dumps(jsonable(other), ensure_ascii=False, sort_keys=True)
    return row


def _size(row: dict[str, Any]) -> int:
    content = row.get("content") or []
    return 1024 + sum(len(k) + len(v or "") for k, v in content)


def _row_groups(records: Iterable[dict[str, Any]], batch: int) -> Iterator[list[dict[str, Any]]]:
    """Rows in groups of ``batch``, or fewer once a group holds ROW_GROUP_BYTES of text (repositories are big)."""
    group: list[dict[str, Any]] = []
    size = 0
    for record in records:
        row = to_row(record)
        group.append(row)
        size += _size(row)
        if len(group) >= batch or size >= ROW_GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def write_parquet(path: Path, records: Iterable[dict[str, Any]], *, batch: int) -> int:
    """Write ``records`` to ``path`` one row group at a time (bounded memory); return how many rows."""
    target = schema()
    n = 0
    with pq.ParquetWriter(str(path), target, compression="zstd") as writer:
        for rows in _row_groups(records, batch):
            writer.write_table(pa.Table.from_pylist(rows, schema=target))
            n += len(rows)
    return n
