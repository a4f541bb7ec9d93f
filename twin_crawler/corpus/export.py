"""Write selected documents to a file (JSONL, JSON or Parquet), streaming, replacing the file only when complete."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .jsonable import jsonable

FORMATS = {".jsonl": "jsonl", ".json": "json", ".parquet": "parquet"}
# Records per Parquet row group (and per JSON write): the unit of memory an export holds at a time.
BATCH = 500


class ExportError(ValueError):
    """The output cannot be written (unknown format, unwritable place, pyarrow missing): one line for the user."""


def to_record(collection: str, doc: dict[str, Any]) -> dict[str, Any]:
    """One export record: the stored document plus the collection it came from."""
    return {"collection": collection, **doc}


def format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"-o: cannot tell the format of {str(path)!r}; end the name with .jsonl, .json or .parquet")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401 - only to fail early, before the warehouse is read
        except ImportError:
            raise ExportError("-o: Parquet needs pyarrow; install the export extra: pip install -e '.[export]'") from None
    return fmt


def temp_beside(path: Path) -> Path:
    """A new empty file in ``path``'s directory (proves it is writable); raise ExportError when it is not."""
    if path.is_dir():
        raise ExportError(f"-o: {str(path)!r} is a directory; give a file name")
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ExportError(f"-o: cannot write {str(path)!r}: {exc.strerror or exc}") from None
    os.close(fd)
    return Path(name)


def publish(tmp: Path, path: Path) -> None:
    """Move the finished ``tmp`` over ``path`` with ordinary file permissions (mkstemp creates 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)
    os.replace(tmp, path)


class ExportTarget:
    """A temporary file beside ``path``, renamed over it on ``commit``: a failed export never empties the old file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.format = format_of(path)
        self.tmp = temp_beside(path)

    def write(self, records: Iterable[dict[str, Any]]) -> int:
        """Write every record; return how many."""
        if self.format == "parquet":
            from .parquet import write_parquet

            return write_parquet(self.tmp, records, batch=BATCH)
        with self.tmp.open("w", encoding="utf-8") as out:
            return _write_json(out, records, lines=self.format == "jsonl")

    def commit(self) -> None:
        publish(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


def _write_json(out: IO[str], records: Iterable[dict[str, Any]], *, lines: bool) -> int:
    n = 0
    if not lines:
        out.write("[")
    for record in records:
        text = json.dumps(jsonable(record), ensure_ascii=False, sort_keys=True)
        out.write(text + "\n" if lines else ("\n" if n == 0 else ",\n") + text)
        n += 1
    if not lines:
        out.write("\n]\n" if n else "]\n")
    return n


def records(pairs: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for collection, doc in pairs:
        yield to_record(collection, doc)
