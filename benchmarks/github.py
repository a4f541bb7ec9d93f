"""Measurement 5: ingest of a generated 2,000-file repository over ``file://`` versus ``git clone --depth 1`` alone.

Three figures: ``git clone --depth 1`` (the baseline, a child process), the project's clone + safe walk
(``twin_crawler.repos.clone.fetch_repository``, in a child so imports are excluded), and the whole
``scrapy crawl github`` (process start, clone, walk, item, pipelines, warehouse).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

from .measure import ROOT, VENV_BIN, ChildRun, crawl_env, run_child

GIT_ENV = {"GIT_AUTHOR_NAME": "Jane Doe", "GIT_AUTHOR_EMAIL": "jane@example.com", "GIT_COMMITTER_NAME": "Jane Doe",
           "GIT_COMMITTER_EMAIL": "jane@example.com", "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
INGEST = """
import sys, time
from twin_crawler.repos.clone import CloneOptions, fetch_repository
from twin_crawler.repos.walk import WalkLimits
start = time.perf_counter()
snap = fetch_repository(sys.argv[1], None, CloneOptions(allow_file=True), WalkLimits())
print(time.perf_counter() - start, len(snap.files.content))
"""


def available() -> str | None:
    """None when the GitHub spider and its clone/walk module exist, else why this cannot run."""
    for rel in ("twin_crawler/spiders/github.py", "twin_crawler/repos/clone.py"):
        if not (ROOT / rel).exists():
            return f"{rel} does not exist yet (GitHub issue)"
    return None


def _python_file(rng: random.Random, i: int) -> str:
    funcs = []
    for f in range(rng.randint(2, 8)):
        body = "\n".join(f"    value_{k} = {rng.randint(0, 10**6)} * arg + {k}" for k in range(rng.randint(3, 15)))
        funcs.append(f"def function_{i}_{f}(arg: int) -> int:\n    \"\"\"Step {f} of module {i}.\"\"\"\n{body}\n    return arg\n")
    return f'"""Module {i}."""\n\nimport math\n\n\n' + "\n\n".join(funcs)


def make_repo(dest: Path, files: int = 2000, seed: int = 11) -> Path:
    """A deterministic repository of ``files`` text files (code, docs, data) in nested folders, one commit."""
    if dest.exists():
        shutil.rmtree(dest)
    rng = random.Random(seed)
    for i in range(files):
        kind = rng.random()
        folder = dest / f"pkg{i % 40:02d}" / f"sub{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        if kind < 0.75:
            (folder / f"mod_{i:04d}.py").write_text(_python_file(rng, i))
        elif kind < 0.92:
            (folder / f"notes_{i:04d}.md").write_text("\n\n".join(f"## Section {s}\n\nText {rng.random()}" for s in range(rng.randint(2, 20))))
        else:
            (folder / f"data_{i:04d}.json").write_text(str([rng.randint(0, 999) for _ in range(rng.randint(10, 400))]))
    env = {**os.environ, **GIT_ENV}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "generated"]):
        subprocess.run(cmd, cwd=dest, env=env, check=True)
    return dest


def clone(repo: Path, workdir: Path) -> ChildRun:
    """Baseline: ``git clone --depth 1 file://...`` alone."""
    target = workdir / "clone"
    shutil.rmtree(target, ignore_errors=True)
    env = {**os.environ, **GIT_ENV, "GIT_ALLOW_PROTOCOL": "file"}
    run = run_child(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(target)], env).check("git clone")
    shutil.rmtree(target, ignore_errors=True)
    return run


def ingest(repo: Path) -> tuple[float, int]:
    """The project's clone + walk, timed inside a child (imports excluded): (seconds, files kept)."""
    run = run_child([str(VENV_BIN / "python"), "-c", INGEST, repo.as_uri()], crawl_env()).check("fetch_repository")
    seconds, kept = run.stdout.split()
    return float(seconds), int(kept)


def crawl(repo: Path, data_dir: Path) -> ChildRun:
    """``scrapy crawl github -a links=file://...`` end to end (embedded warehouse)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    cmd = [str(VENV_BIN / "scrapy"), "crawl", "github", "-a", f"links={repo.as_uri()}", "-a", "user=Jane Doe",
           "-s", "TWIN_GITHUB_ALLOW_FILE_URLS=True", "-s", "TWIN_REPORT_PRINT=False", "-s", "LOG_LEVEL=INFO"]
    return run_child(cmd, crawl_env({"TWIN_DATA_DIR": str(data_dir)})).check("github crawl")
