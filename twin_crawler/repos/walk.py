"""A safe walk of a checked-out tree: text files read byte-exact, everything else skipped with a reason.

Symlinks are never followed (not even to read their target), ``.git`` is skipped, and files are opened with
``O_NOFOLLOW`` so that nothing outside the tree is ever read.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .rules import GitAttributes, is_doc, is_vendored, language_of, looks_minified, path_reason

logger = logging.getLogger(__name__)
BINARY_PROBE = 8000  # git's buffer_is_binary: a NUL in the first 8000 bytes
MAX_ATTRIBUTES_BYTES = 256 * 1024


@dataclass(frozen=True)
class WalkLimits:
    """Caps that keep one repository document well under MongoDB's 16 MB limit."""

    max_file_bytes: int = 1_000_000
    max_repo_bytes: int = 10_000_000
    max_files: int = 5_000
    max_skipped_listed: int = 1_000


@dataclass
class WalkResult:
    """Text files by path, and what was left out and why."""

    content: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    skipped_unlisted: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    bytes_stored: int = 0

    def skip(self, path: str, reason: str, limits: WalkLimits) -> None:
        if len(self.skipped) < limits.max_skipped_listed:
            self.skipped.append((path, reason))
        else:
            self.skipped_unlisted += 1  # a node_modules-sized skip list would itself break the 16 MB limit


class _Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _read(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, refusing symlinks (O_NOFOLLOW), FIFOs/devices, and files over ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _Unreadable("symlink" if os.path.islink(path) else "unreadable") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("special-file")
        if info.st_size > limit:
            raise _Unreadable("too-large")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise _Unreadable("too-large")
        return data
    finally:
        os.close(fd)


def decode_text(data: bytes) -> str:
    """UTF-8 text kept exactly (BOM, CRLF, tabs, trailing spaces); _Unreadable for binary/undecodable bytes."""
    if b"\x00" in data[:BINARY_PROBE]:
        raise _Unreadable("binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unreadable("undecodable") from None


def _tree(root: Path, attributes: GitAttributes, result: WalkResult, limits: WalkLimits) -> list[str]:
    """Root-relative paths of regular files, depth-first in name order; prunes .git and vendored directories."""
    files: list[str] = []
    stack: list[str] = [""]
    prune_vendored = not attributes.unvendors
    while stack:
        prefix = stack.pop()
        try:
            with os.scandir(root / prefix if prefix else root) as it:
                entries = sorted(it, key=lambda e: e.name, reverse=True)
        except OSError:
            result.skip(prefix or ".", "unreadable", limits)
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_symlink():
                result.skip(rel, "symlink", limits)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name == ".git":
                    continue  # git's own metadata, not the author's files
                if prune_vendored and is_vendored(rel + "/"):
                    result.skip(rel + "/", "vendored", limits)
                else:
                    stack.append(rel + "/")
            elif entry.is_file(follow_symlinks=False):
                files.append(rel)
            else:
                result.skip(rel, "special-file", limits)
    return files


def walk_repository(root: Path, limits: WalkLimits | None = None) -> WalkResult:
    """Read every storable text file under ``root`` (a checkout); prose first, then code, until a cap is hit."""
    limits = limits or WalkLimits()
    result = WalkResult()
    attributes = GitAttributes(_attributes_text(root))
    files = _tree(root, attributes, result, limits)
    files.sort(key=lambda rel: (not is_doc(rel), rel.count("/"), rel))
    for rel in files:
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            result.skip(rel.encode("utf-8", "backslashreplace").decode(), "undecodable-path", limits)
            continue
        reason = path_reason(rel, attributes)
        if reason is None and len(result.content) >= limits.max_files:
            reason = "repo-file-cap"
        if reason is None:
            try:
                text = decode_text(_read(root / rel, limits.max_file_bytes))
            except _Unreadable as exc:
                reason = exc.reason
            else:
                reason = _store(rel, text, result, limits)
        if reason is not None:
            result.skip(rel, reason, limits)
    return result


def _store(rel: str, text: str, result: WalkResult, limits: WalkLimits) -> str | None:
    if looks_minified(rel, text):
        return "minified"
    size = len(text.encode("utf-8"))
    if result.bytes_stored + size > limits.max_repo_bytes:
        return "repo-cap"
    result.content[rel] = text
    result.bytes_stored += size
    language = language_of(rel)
    if language:
        result.languages[language] = result.languages.get(language, 0) + size
    return None


def _attributes_text(root: Path) -> str:
    try:
        return decode_text(_read(root / ".gitattributes", MAX_ATTRIBUTES_BYTES))
    except (_Unreadable, FileNotFoundError):
        return ""
