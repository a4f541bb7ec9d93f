"""The raw archive on disk (or behind a feed storage URI): content-addressed bodies plus JSONL fetch records.

Layout under the archive root::

    bodies/<sha256[:2]>/<sha256>        the exact bytes received (still compressed when the server compressed)
    records/<run id>/<seq>.jsonl        one line per fetch: url, method, fingerprint, status, headers,
                                        body_sha256, body_size, fetched_at, spider, link

Writes go through Scrapy's feed storage backends (``FEED_STORAGES``: a plain path, ``file://``, ``s3://``,
``gs://``, ``ftp://``), one object per body and per record batch, because those backends can create objects
but not append to them. Reading back (``reprocess``) needs a local directory or ``file://`` URI.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler, load_object
from w3lib.url import file_uri_to_path

from twin_crawler.concurrency import in_thread


class ArchiveError(Exception):
    """An archive that cannot be used; the message is one actionable line."""


def local_root(target: str) -> Path | None:
    """The directory of a local archive (plain path or ``file://``), None for remote storage URIs."""
    scheme = urlsplit(target).scheme
    if scheme == "file":
        return Path(file_uri_to_path(target))
    if scheme == "" or len(scheme) == 1:  # a path; one letter is a Windows drive
        return Path(target).expanduser()
    return None


def body_path(sha: str) -> str:
    """Where a body lives: fanned out by the first two hex digits, so no directory grows huge."""
    return f"bodies/{sha[:2]}/{sha}"


class ArchiveWriter:
    """Stores bodies once per content hash and fetch records in batches, through a feed storage backend."""

    def __init__(self, crawler: Crawler, target: str, *, batch: int = 200) -> None:
        self.crawler = crawler
        self.target = target.rstrip("/")
        self.root = local_root(self.target)
        storages = crawler.settings.getwithbase("FEED_STORAGES")
        scheme = urlsplit(self.target).scheme if self.root is None else "file"
        if scheme not in storages or not storages[scheme]:
            raise ArchiveError(f"TWIN_RAW_ARCHIVE: no feed storage for {scheme}:// (FEED_STORAGES knows {', '.join(sorted(s for s in storages if s))})")
        self.storage_cls = load_object(storages[scheme])
        self.run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        self.batch = batch
        self.records: list[dict[str, Any]] = []
        self.seq = 0
        self.stored: set[str] = set()

    async def _put(self, relpath: str, data: bytes) -> None:
        storage = build_from_crawler(self.storage_cls, self.crawler, f"{self.target}/{relpath}", feed_options={"overwrite": True})
        file = await in_thread(self._open_and_write, storage, data)
        # store() may hand the upload to a thread and return a Deferred (S3, GCS, FTP): wait for it.
        result = storage.store(file)
        if result is not None:
            await maybe_deferred_to_future(result)

    def _open_and_write(self, storage: Any, data: bytes) -> IO[bytes]:
        file: IO[bytes] = storage.open(self.crawler.spider)
        file.write(data)
        return file

    def _already_stored(self, sha: str, size: int) -> bool:
        if sha in self.stored:
            return True
        if self.root is not None:
            path = self.root / body_path(sha)
            # Same size as well as same name: a body cut short by a crash is written again.
            return path.is_file() and path.stat().st_size == size
        return False

    async def put_body(self, data: bytes) -> tuple[str, bool]:
        """(sha256, whether it was new) for ``data``, written unless an identical body is already archived."""
        sha = hashlib.sha256(data).hexdigest()
        if self._already_stored(sha, len(data)):
            self.stored.add(sha)
            return sha, False
        await self._put(body_path(sha), data)
        self.stored.add(sha)
        return sha, True

    def add_record(self, record: dict[str, Any]) -> bool:
        """Queue a fetch record; True when a batch is ready for ``flush()``."""
        self.records.append(record)
        return len(self.records) >= self.batch

    async def flush(self) -> int:
        records, self.records = self.records, []
        if not records:
            return 0
        self.seq += 1
        payload = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records).encode()
        try:
            await self._put(f"records/{self.run_id}/{self.seq:05d}.jsonl", payload)
        except BaseException:
            self.records[:0] = records  # kept for the next flush (the one at close, at the latest)
            raise
        return len(records)


class ArchiveReader:
    """The latest usable fetch per request fingerprint of a local archive, and its body."""

    def __init__(self, target: str) -> None:
        root = local_root(target)
        if root is None:
            raise ArchiveError(
                f"reprocess reads a local archive; copy {target} to a directory first and set TWIN_RAW_ARCHIVE to it"
            )
        if not (root / "records").is_dir():
            raise ArchiveError(f"TWIN_RAW_ARCHIVE={target}: no archive there (no records/ directory); crawl with it set first")
        self.root = root
        self.latest: dict[str, dict[str, Any]] = {}
        for record in self._records():
            if record.get("status") == 304:
                continue  # a revalidation has no body; the body it confirmed is in an earlier record
            current = self.latest.get(record["fingerprint"])
            if current is None or record["fetched_at"] >= current["fetched_at"]:
                self.latest[record["fingerprint"]] = record

    def _records(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.root.glob("records/*/*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield json.loads(line)

    def get(self, fingerprint: str) -> tuple[dict[str, Any], bytes] | None:
        """(record, body) or None when not archived; a body whose hash does not match is treated as missing."""
        record = self.latest.get(fingerprint)
        if record is None:
            return None
        try:
            body = (self.root / body_path(record["body_sha256"])).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(body).hexdigest() != record["body_sha256"]:
            return None
        return record, body
