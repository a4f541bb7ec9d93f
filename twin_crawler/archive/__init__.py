"""The raw archive: every fetched response kept apart from the documents, so extraction can be re-run offline.

``TWIN_RAW_ARCHIVE=<dir>`` (or a Scrapy feed storage URI such as ``file:///srv/archive`` or
``s3://bucket/archive``) turns it on; ``scrapy crawl <spider> ... -a reprocess=1`` replays the same crawl from
the archive with no network (a local archive is needed for that).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

from twin_crawler.arguments import ArgumentError

from .store import ArchiveError, ArchiveReader, ArchiveWriter, local_root


def check_settings(settings: Any, args: Any) -> None:
    """Preflight for the archive settings and ``reprocess``: one ArgumentError line instead of a traceback."""
    target = settings.get("TWIN_RAW_ARCHIVE")
    reprocess = args.flag("reprocess")
    if not target:
        if reprocess:
            raise ArgumentError("reprocess=1 replays the raw archive: set TWIN_RAW_ARCHIVE=<archive dir> (e.g. -s TWIN_RAW_ARCHIVE=data/archive)")
        return
    target = str(target)
    if reprocess:
        try:
            ArchiveReader(target)
        except ArchiveError as exc:
            raise ArgumentError(str(exc)) from None
        return
    root = local_root(target)
    if root is not None:
        if root.exists() and not root.is_dir():
            raise ArgumentError(f"TWIN_RAW_ARCHIVE={target}: not a directory; give a directory (created when missing)")
        return
    scheme = urlsplit(target).scheme
    storages = settings.getwithbase("FEED_STORAGES")
    if not storages.get(scheme):
        raise ArgumentError(f"TWIN_RAW_ARCHIVE: unknown storage scheme {scheme}:// (use a directory, file://, or one of FEED_STORAGES)")
    try:
        # Building the backend checks its dependencies (boto3 for s3://, google-cloud-storage for gs://) offline.
        load_object(storages[scheme])(target, feed_options={"overwrite": True})
    except NotConfigured as exc:
        raise ArgumentError(f"TWIN_RAW_ARCHIVE: {scheme}:// storage is unavailable ({exc})") from None


__all__ = ["ArchiveError", "ArchiveReader", "ArchiveWriter", "check_settings"]
