"""Shallow, time-limited, hardened ``git clone`` with GitPython into a temporary directory that is always removed.

The process's working directory is never changed (the crawl runs clones concurrently in threads): git runs with
``cwd`` set to the temporary directory. Blocking: call it through ``twin_crawler.concurrency.in_thread``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from git import Git, Repo
from git.exc import GitCommandError, GitError, UnsafeOptionError, UnsafeProtocolError

from twin_crawler.secrets import SECRET_ENV_VARS, scrub

from .remote import RemoteRefused, check_clone_url
from .walk import WalkLimits, WalkResult, walk_repository

logger = logging.getLogger(__name__)
CLONE_OPTIONS = ["--depth=1", "--single-branch", "--no-tags", "--no-recurse-submodules", "--quiet"]


class CloneError(Exception):
    """A clone that failed or timed out; ``reason`` is a short report key, the message one line."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CloneOptions:
    """How clones run: time limit, and whether ``file://`` remotes (local mirrors, tests) are allowed."""

    timeout: float = 120.0
    allow_file: bool = False


@dataclass
class Snapshot:
    """What a clone produced: the walked files and the commit they were read at."""

    files: WalkResult
    commit_sha: str
    branch: str | None


def git_environment(home: str, allow_file: bool) -> dict[str, str]:
    """Environment for git: no prompts, no user/system config (so no credential helpers, hooks, filters, url
    rewrites from the machine), only https (+file) transports, hooks and fsmonitor disabled."""
    protocols = "https:file" if allow_file else "https"
    config = {
        "protocol.allow": "never",
        "protocol.https.allow": "always",
        "protocol.file.allow": "always" if allow_file else "never",
        "core.hooksPath": "/dev/null",
        "core.fsmonitor": "false",
        "credential.helper": "",
        "submodule.recurse": "false",
        "advice.detachedHead": "false",
    }
    env = {
        "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "", "GCM_INTERACTIVE": "never",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": home, "XDG_CONFIG_HOME": home,
        "GIT_ALLOW_PROTOCOL": protocols, "GIT_PROTOCOL_FROM_USER": "0", "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_CONFIG_COUNT": str(len(config)),
    }
    for index, (key, value) in enumerate(config.items()):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    # GitPython starts from os.environ: blank the credentials so git (and anything it runs) never sees them.
    env.update({name: "" for name in SECRET_ENV_VARS})
    return env


def _failure(exc: GitCommandError, url: str, elapsed: float, timeout: float) -> CloneError:
    stderr = str(exc.stderr or "")
    if exc.status == -9 or "Timeout:" in stderr or elapsed >= timeout:
        return CloneError("clone-timeout", f"git clone {url} did not finish within {timeout:g} s")
    lines = [line.strip().strip("'").strip() for line in stderr.replace("stderr:", "").splitlines()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))] or [line for line in lines if line]
    detail = scrub(fatal[0])[:200] if fatal else f"exit status {exc.status}"
    return CloneError("clone-failed", f"git clone {url} failed: {detail}")


def clone_into(url: str, dest: Path, ref: str | None, options: CloneOptions) -> Repo:
    """``git clone --depth=1 --single-branch --no-tags [--branch=ref] -- url dest``, killed after the timeout."""
    try:
        check_clone_url(url, options.allow_file)
    except RemoteRefused as exc:
        raise CloneError("remote-refused", str(exc)) from None
    args = [*CLONE_OPTIONS, *([f"--branch={ref}"] if ref else [])]
    try:
        # GitPython's own guards too: ext::/fd:: helpers and --upload-pack/-c/--template options.
        Git.check_unsafe_protocols(url)
        Git.check_unsafe_options(args, Repo.unsafe_git_clone_options)
    except (UnsafeProtocolError, UnsafeOptionError) as exc:
        raise CloneError("remote-refused", f"{url!r} refused: {exc}") from None
    started = time.monotonic()
    try:
        Git(str(dest.parent)).clone(*args, "--", url, str(dest), env=git_environment(str(dest.parent), options.allow_file),
                                    kill_after_timeout=options.timeout)
    except GitCommandError as exc:
        raise _failure(exc, url, time.monotonic() - started, options.timeout) from None
    return Repo(dest)


def fetch_repository(url: str, ref: str | None, options: CloneOptions, limits: WalkLimits) -> Snapshot:
    """Clone ``url`` shallowly, walk it, remove the clone; raises CloneError (never returns a partial result)."""
    workdir = tempfile.mkdtemp(prefix="twin-clone-")
    try:
        repo = clone_into(url, Path(workdir) / "checkout", ref, options)
        try:
            sha = repo.head.commit.hexsha
            branch = None if repo.head.is_detached else repo.active_branch.name
        except (GitError, ValueError) as exc:
            # An empty repository has no HEAD commit: nothing to store.
            raise CloneError("empty-repository", f"{url} has no commit to read ({type(exc).__name__})") from None
        finally:
            repo.close()
        files = walk_repository(Path(workdir) / "checkout", limits)
        return Snapshot(files, sha, branch)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if Path(workdir).exists():
            logger.warning("could not remove the temporary clone %s", workdir)
