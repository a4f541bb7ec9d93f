"""The archive through a remote-style feed storage (``FEED_STORAGES``): the code path ``s3://`` and ``gs://`` take.

``BlockingFeedStorage`` is the base of Scrapy's S3 and GCS storages: ``open()`` gives a temporary file and
``store()`` uploads it in a thread, returning a Deferred. ``DirUploadStorage`` does the same "upload" into a
local directory, so the test exercises that path with no network.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import BlockingFeedStorage

UPLOADS = "twin_crawler_test_uploads"


class DirUploadStorage(BlockingFeedStorage):
    """``upload:///abs/dir/key`` -> the temp file copied to ``/abs/dir/key`` from a thread, like an S3 PUT."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        self.path = Path(uri.split("://", 1)[1])

    def _store_in_thread(self, file: IO[bytes]) -> None:
        file.seek(0)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("wb") as out:
            shutil.copyfileobj(file, out)
        file.close()


def test_archive_through_a_blocking_storage_then_reprocess(tmp_path: Path) -> None:
    from blog_helpers import Blog, Post, article_html
    from conftest import ROOT, LoopbackSite, crawl
    from test_archive import documents, ok

    site = LoopbackSite()
    blog = Blog(site)
    blog.add("/p/one", Post(article_html("Uploaded one", 41)))
    blog.add("/p/two", Post(article_html("Uploaded two", 42)))
    bucket = tmp_path / "bucket"
    storages = json.dumps({"upload": "test_archive_storage.DirUploadStorage"})
    env = {"TWIN_DATA_DIR": str(tmp_path / "d1"), "TWIN_RAW_ARCHIVE": f"upload://{bucket}/archive",
           "PYTHONPATH": f"{ROOT}:{Path(__file__).parent}"}
    try:
        ok(crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/", "-s", f"FEED_STORAGES={storages}", env=env))
    finally:
        site.close()
    uploaded = sorted(p.relative_to(bucket / "archive").parts[0] for p in bucket.rglob("*") if p.is_file())
    assert set(uploaded) == {"bodies", "records"} and uploaded.count("records") == 1  # one batch for a small run

    # Reprocess reads a local copy of the bucket (as after `aws s3 sync`), with the site gone.
    env = {"TWIN_DATA_DIR": str(tmp_path / "d2"), "TWIN_RAW_ARCHIVE": str(bucket / "archive")}
    ok(crawl("article", "-a", "user=Jane Doe", "-a", f"links={site.url}/", "-a", "reprocess=1", env=env))
    assert documents(tmp_path / "d2") == documents(tmp_path / "d1")
    assert [d["title"] for d in documents(tmp_path / "d2")] == ["Uploaded one", "Uploaded two"]


def test_unusable_archive_is_one_line(tmp_path: Path) -> None:
    from conftest import crawl

    a_file = tmp_path / "archive.txt"
    a_file.write_text("not a directory")
    for target, expected in [
        ("nosuch://bucket/archive", "TWIN_RAW_ARCHIVE: unknown storage scheme nosuch:// (use a directory, file://, or one of FEED_STORAGES)"),
        (str(a_file), f"TWIN_RAW_ARCHIVE={a_file}: not a directory; give a directory (created when missing)"),
    ]:
        result = crawl("article", "-a", "user=Jane Doe", "-a", "links=http://127.0.0.1:9/x",
                       env={"TWIN_DATA_DIR": str(tmp_path), "TWIN_RAW_ARCHIVE": target})
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [f"error: {expected}"]
