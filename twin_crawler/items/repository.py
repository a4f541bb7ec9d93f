"""Source repositories (GitHub)."""

from __future__ import annotations

from pydantic import Field

from .base import Document, StrictModel


class SkippedFile(StrictModel):
    """A file of the repository that was not stored, and why."""

    path: str
    """Path relative to the repository root."""
    reason: str
    """symlink, binary, undecodable, vendored, generated, lockfile, minified, too-large, repo-cap, ..."""


class Repository(Document):
    """A repository's text files; goes to the ``repositories`` collection."""

    name: str
    """Repository name (``owner/name`` on GitHub)."""
    content: dict[str, str]
    """``{path: text}`` for every stored file, text kept byte-exact."""
    commit_sha: str | None = None
    """Commit the files were read at."""
    default_branch: str | None = None
    """Branch that was cloned."""
    ref: str | None = None
    """Branch or tag asked for in the link (``/tree/<ref>``), if any."""
    languages: dict[str, int] = Field(default_factory=dict)
    """Bytes stored per language (by file extension)."""
    files_stored: int = 0
    """Number of files in ``content``."""
    bytes_stored: int = 0
    """Total UTF-8 size of ``content``."""
    skipped: list[SkippedFile] = Field(default_factory=list)
    """Files left out and the reason."""

    @property
    def collection(self) -> str:
        return "repositories"

    def text_for_hash(self) -> str:
        return "\n".join(f"{path}\n{text}" for path, text in sorted(self.content.items()))
