"""The ``repositories`` document of one clone."""

from __future__ import annotations

from typing import Any

from twin_crawler.items import Repository, SkippedFile

from .clone import Snapshot


def repository_item(repo: dict[str, Any], snapshot: Snapshot, author: str) -> Repository:
    """``repo`` is what the crawl knows about the repository (link, full_name, ref, local, created_at, extra)."""
    files = snapshot.files
    extra = {k: v for k, v in (repo.get("extra") or {}).items() if v is not None}
    if files.skipped_unlisted:
        extra["skipped_unlisted"] = files.skipped_unlisted
    return Repository(
        link=repo["link"], platform="github", author_full_name=author, title=repo["full_name"],
        published_at=repo.get("created_at"), source_id=repo["full_name"],
        domain=None if repo.get("local") else "github.com", name=repo["full_name"], content=files.content,
        commit_sha=snapshot.commit_sha, default_branch=snapshot.branch, ref=repo.get("ref"),
        languages=files.languages, files_stored=len(files.content), bytes_stored=files.bytes_stored,
        skipped=[SkippedFile(path=p, reason=r) for p, r in files.skipped], extra=extra,
    )
