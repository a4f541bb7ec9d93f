"""Repositories as text: hardened shallow clones (``clone``), safe tree walks (``walk``), file rules (``rules``),
and which remotes may be cloned at all (``remote``)."""

from .clone import CloneError, CloneOptions, Snapshot, fetch_repository
from .remote import RemoteRefused, RepoRoute
from .walk import WalkLimits, WalkResult, walk_repository

__all__ = [
    "CloneError",
    "CloneOptions",
    "RemoteRefused",
    "RepoRoute",
    "Snapshot",
    "WalkLimits",
    "WalkResult",
    "fetch_repository",
    "walk_repository",
]
