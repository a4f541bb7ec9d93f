"""Hardened shallow clones and the safe walk, on a repository built by the test (cloned through file://)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github_helpers import OUTSIDE_SECRET, STORED, BuiltRepo, build_repo, expected_skipped

from twin_crawler.repos import CloneError, CloneOptions, WalkLimits, fetch_repository, walk_repository
from twin_crawler.repos.clone import clone_into, git_environment

FILE_OK = CloneOptions(timeout=60, allow_file=True)
_AUDIT: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _AUDIT is not None and event in ("open", "os.scandir", "os.mkdir", "os.listdir") and args:
        _AUDIT.append((event, os.fsdecode(args[0]) if isinstance(args[0], str | bytes | os.PathLike) else str(args[0])))


sys.addaudithook(_audit)  # process-wide and permanent: it records only while a test sets _AUDIT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltRepo:
    root = tmp_path_factory.mktemp("repos")
    return build_repo(root / "alice" / "project", root / "outside")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Clones go to a temporary directory of this test only, so that leftovers can be seen."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp


def test_clone_stores_exactly_the_right_files_byte_exact(built: BuiltRepo, private_tmp: Path) -> None:
    global _AUDIT
    _AUDIT = []
    try:
        snapshot = fetch_repository(built.path.as_uri(), None, FILE_OK, WalkLimits())
    finally:
        seen, _AUDIT = _AUDIT, None
    files = snapshot.files
    assert set(files.content) == set(STORED)
    for path, data in STORED.items():
        assert files.content[path].encode("utf-8") == data, path  # whitespace, CRLF, BOM kept exactly
    assert dict(files.skipped) == expected_skipped()
    assert len(files.skipped) == len(expected_skipped())  # each file once
    assert (snapshot.commit_sha, snapshot.branch) == (built.head, "main")
    assert files.bytes_stored == sum(len(d) for d in STORED.values())
    assert files.languages == {"Markdown": len(STORED["README.md"]) + len(STORED["docs/my notes.md"]),
                               "Python": sum(len(d) for p, d in STORED.items() if p.endswith(".py")),
                               "Text": len(STORED["win.txt"])}
    assert not any(OUTSIDE_SECRET in text for text in files.content.values())
    # Nothing outside the clone was opened or listed, not even through the symlinks.
    assert any(e == "open" and p.endswith("/my notes.md") for e, p in seen), "the audit hook must see the walk"
    touched = [p for _, p in seen if p.startswith(str(built.outside)) or p.startswith(str(built.path))]
    assert touched == []
    clone_dirs = [p for event, p in seen if event == "os.mkdir" and p.startswith(str(private_tmp))]
    assert clone_dirs and not any(Path(p).exists() for p in clone_dirs)
    assert list(private_tmp.iterdir()) == []  # the temporary clone is gone


def test_clone_is_shallow_single_branch_and_refs_are_honoured(tmp_path: Path, private_tmp: Path) -> None:
    from github_helpers import git

    repo = tmp_path / "o" / "r"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for i in range(3):
        (repo / "n.txt").write_text(f"{i}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"c{i}")
    git(repo, "checkout", "-q", "-b", "dev")
    (repo / "dev.md").write_text("dev only\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dev")
    git(repo, "tag", "v1")
    git(repo, "checkout", "-q", "main")
    shallow = clone_into(repo.as_uri(), tmp_path / "shallow", None, FILE_OK)
    try:
        assert len(list(shallow.iter_commits())) == 1  # depth 1, although main has 3 commits
        assert shallow.tags == [] and "origin/dev" not in [r.name for r in shallow.remotes.origin.refs]
    finally:
        shallow.close()
    main = fetch_repository(repo.as_uri(), None, FILE_OK, WalkLimits())
    assert main.branch == "main" and main.files.content == {"n.txt": "2\n"}
    dev = fetch_repository(repo.as_uri(), "dev", FILE_OK, WalkLimits())
    assert dev.branch == "dev" and set(dev.files.content) == {"n.txt", "dev.md"}
    tag = fetch_repository(repo.as_uri(), "v1", FILE_OK, WalkLimits())
    assert tag.branch is None and tag.commit_sha == dev.commit_sha  # a tag checks out detached
    with pytest.raises(CloneError) as info:
        fetch_repository(repo.as_uri(), "nope", FILE_OK, WalkLimits())
    assert info.value.reason == "clone-failed" and "nope" in str(info.value) and "\n" not in str(info.value)
    assert list(private_tmp.iterdir()) == []


def test_clone_timeout_is_a_clear_failure_and_leaves_nothing(built: BuiltRepo, private_tmp: Path) -> None:
    # Cloning the 50 MB file takes far longer than 50 ms: the clone is killed.
    with pytest.raises(CloneError) as info:
        fetch_repository(built.path.as_uri(), None, CloneOptions(timeout=0.05, allow_file=True), WalkLimits())
    assert info.value.reason == "clone-timeout" and "0.05 s" in str(info.value)
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("url", ["ext::sh -c touch% {marker}", "--upload-pack=touch {marker}", "ssh://localhost/x"])
def test_hostile_remote_never_reaches_git(url: str, tmp_path: Path, private_tmp: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(CloneError) as info:
        fetch_repository(url.format(marker=marker), None, FILE_OK, WalkLimits())
    assert info.value.reason == "remote-refused"
    assert not marker.exists() and list(private_tmp.iterdir()) == []


def test_file_remote_refused_unless_allowed(built: BuiltRepo) -> None:
    with pytest.raises(CloneError) as info:
        fetch_repository(built.path.as_uri(), None, CloneOptions(allow_file=False), WalkLimits())
    assert info.value.reason == "remote-refused" and "TWIN_GITHUB_ALLOW_FILE_URLS" in str(info.value)


def test_git_environment_itself_refuses_transports_and_disables_hooks(built: BuiltRepo, tmp_path: Path) -> None:
    """Defence in depth: even a remote that slipped past the checks is refused by git under this environment."""
    marker = tmp_path / "pwned"
    env = {**os.environ, **git_environment(str(tmp_path), allow_file=False)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)

    ext = run("clone", "--", f"ext::sh -c touch% {marker}", str(tmp_path / "a"))
    assert ext.returncode != 0 and "not allowed" in ext.stderr and not marker.exists()
    local = run("clone", "--depth=1", "--", built.path.as_uri(), str(tmp_path / "b"))
    assert local.returncode != 0 and "not allowed" in local.stderr
    assert run("config", "--get", "core.hooksPath").stdout.strip() == "/dev/null"
    assert run("config", "--get", "credential.helper").stdout.strip() == ""
    assert env["GIT_TERMINAL_PROMPT"] == "0"


def test_walk_caps_keep_prose_first_and_skip_special_files(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("r" * 40)
    for i in range(5):
        (root / "src" / f"m{i}.py").write_text("p" * 30)
    os.mkfifo(root / "src" / "pipe")  # opening it for reading would block a naive walk forever
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    result = walk_repository(root, WalkLimits(max_file_bytes=35, max_repo_bytes=100, max_files=10, max_skipped_listed=3))
    assert set(result.content) == {"src/m0.py", "src/m1.py", "src/m2.py"}  # README is over the per-file cap
    assert result.skipped[:3] == [("src/pipe", "special-file"), ("README.md", "too-large"), ("src/m3.py", "repo-cap")]
    assert result.skipped_unlisted == 1  # src/m4.py, beyond the listed-skips cap
    capped = walk_repository(root, WalkLimits(max_files=2))
    assert list(capped.content) == ["README.md", "src/m0.py"]  # prose first
    assert ("src/m1.py", "repo-file-cap") in capped.skipped
