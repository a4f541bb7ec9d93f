"""``scrapy crawl github`` end to end on loopback: discovery from the recorded 3-page listing, file:// clones into
both warehouse backends, hostile remotes refused before anything runs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from conftest import LoopbackSite, Reply, assert_ok, crawl, last_run, stored
from github_helpers import STORED, build_repo, expected_skipped, git

FIXTURES = Path(__file__).parents[1] / "fixtures" / "github"
RECORDED = json.loads((FIXTURES / "github3py_users-dstufft-repos_headers.json").read_text())
API_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "ETag", "X-GitHub-Media-Type")
TOKEN = "ghp_FAKEtokenForTests0123456789abcdefABCD"
# Synthetic (the recording has no /users/dstufft response): the documented shape of GET /users/{login}, trimmed.
SYNTHETIC_USER = {"login": "dstufft", "id": 145979, "type": "User", "name": "Donald Stufft"}
# Synthetic, in GitHub's documented rate-limit shape (403 + x-ratelimit-remaining: 0 + reset epoch seconds).
RATE_LIMITED_BODY = {"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
                     "requests get a higher rate limit. Check out the documentation for more details.)",
                     "documentation_url": "https://developer.github.com/v3/#rate-limiting"}


def recorded_page(site: LoopbackSite, path: str, n: int) -> None:
    """Serve recorded page ``n`` with its recorded headers; the Link header's scheme+host point at the site."""
    headers = {k: v for k, v in RECORDED[n - 1]["headers"].items() if k in API_HEADERS}
    link = RECORDED[n - 1]["headers"]["Link"].replace("https://api.github.com", site.url)
    site.add(path, (FIXTURES / f"github3py_users-dstufft-repos_page{n}.json").read_bytes(),
             headers={**headers, "Link": link}, content_type="application/json; charset=utf-8")


def test_discovery_follows_recorded_pages_skips_forks_and_waits_for_rate_limit(site: LoopbackSite, tmp_path: Path) -> None:
    site.add("/users/dstufft", json.dumps(SYNTHETIC_USER), content_type="application/json")
    recorded_page(site, "/users/dstufft/repos", 1)
    recorded_page(site, "/user/145979/repos?per_page=100&page=2", 2)
    recorded_page(site, "/user/145979/repos?per_page=100&page=3", 3)
    real_page2 = site.routes["/user/145979/repos?per_page=100&page=2"]
    hit_times: list[float] = []

    def limited_once(handler: BaseHTTPRequestHandler) -> Reply:
        hit_times.append(time.monotonic())
        if len(hit_times) == 1:  # the recorded headers, at the moment the limit ran out
            return Reply(json.dumps(RATE_LIMITED_BODY), status=403, content_type="application/json; charset=utf-8",
                         headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0",
                                  "X-RateLimit-Reset": str(int(time.time()) + 3600)})
        return real_page2 if isinstance(real_page2, Reply) else real_page2(handler)

    site.add("/user/145979/repos?per_page=100&page=2", limited_once)
    # One real mirror for one owned repository; the other clones fail fast (no mirror), with a clear reason.
    mirrors = tmp_path / "mirrors"
    build_repo(mirrors / "dstufft" / "converge.git", tmp_path / "outside", big=False)
    env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "GITHUB_TOKEN": TOKEN}
    result = crawl("github", "-a", "handle=dstufft", "-s", f"TWIN_GITHUB_API_URL={site.url}",
                   "-s", f"TWIN_GITHUB_CLONE_BASE={mirrors.as_uri()}", "-s", "TWIN_GITHUB_RATE_LIMIT_MAX_WAIT=1",
                   "-s", "LOG_LEVEL=DEBUG", env=env)
    assert_ok(result, exit_code=1)  # the clones without a mirror fail: exit 1
    assert site.hits["/users/dstufft/repos?type=owner&sort=pushed&per_page=100"] == 1
    assert site.hits["/user/145979/repos?per_page=100&page=2"] == 2  # 403 rate limit, waited, retried once
    assert site.hits["/user/145979/repos?per_page=100&page=3"] == 1
    assert hit_times[1] - hit_times[0] >= 0.9  # waited for the (capped) reset
    # The token went to the API on every request, and never into the log.
    api_requests = [headers for path, headers in site.requests]
    assert api_requests and all(h.get("Authorization") == f"Bearer {TOKEN}" for h in api_requests)
    assert TOKEN not in result.stderr and TOKEN not in result.stdout
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        run = max(w.find("runs"), key=lambda r: r["started_at"])
        docs = w.find("repositories")
    finally:
        w.close()
    stats = run["stats"]
    assert stats["twin/github/discovered"] == 203
    assert stats["twin/github/forks_skipped"] == 132
    assert stats["twin/github/rate_limit_waits"] == 1
    assert run["totals"] == {"new": 1, "skipped": 132, "failed": 70}
    assert stats["twin/failed/clone-failed"] == 70
    assert [d["link"] for d in docs] == ["https://github.com/dstufft/converge"]
    doc = docs[0]
    assert doc["author_full_name"] == "Donald Stufft" and doc["name"] == "dstufft/converge"
    assert set(doc["content"]) == set(STORED) and doc["extra"]["fork"] is False
    assert doc["published_at"] is not None


def test_file_repository_end_to_end_into_the_warehouse(embedded_env: dict[str, str], open_embedded: Callable[[], Any],
                                                      tmp_path: Path) -> None:
    built = build_repo(tmp_path / "alice" / "project", tmp_path / "outside", big=False)
    first = crawl("github", "-a", f"links={built.path.as_uri()}", env=embedded_env)  # no user: the owner is the author
    assert_ok(first)
    docs = stored(open_embedded, "repositories")
    assert len(docs) == 1
    doc = docs[0]
    assert doc["link"] == built.path.as_uri() and doc["platform"] == "github" and doc["name"] == "alice/project"
    assert doc["author_full_name"] == "alice" and doc["commit_sha"] == built.head and doc["default_branch"] == "main"
    # Keys with dots, spaces and unicode round-trip; text is byte-exact on this backend.
    assert {p: t.encode() for p, t in doc["content"].items()} == STORED
    assert {s["path"]: s["reason"] for s in doc["skipped"]} == expected_skipped(big=False)
    assert doc["files_stored"] == len(STORED) and doc["bytes_stored"] == sum(map(len, STORED.values()))
    assert last_run(open_embedded)["totals"] == {"new": 1}

    second = crawl("github", "-a", f"links={built.path.as_uri()}", "-a", "force=1", env=embedded_env)
    assert_ok(second)
    assert stored(open_embedded, "repositories") == docs  # nothing rewritten
    assert last_run(open_embedded)["totals"] == {"unchanged": 1}


def test_tree_link_with_owner_from_api(site: LoopbackSite, tmp_path: Path) -> None:
    mirrors = tmp_path / "mirrors"
    built = build_repo(mirrors / "alice" / "project.git", tmp_path / "outside", big=False)
    git(built.path, "checkout", "-q", "-b", "dev")
    (built.path / "dev.md").write_text("on dev\n")
    git(built.path, "add", "-A")
    git(built.path, "commit", "-q", "-m", "dev")
    site.add("/users/alice", json.dumps({"login": "alice", "name": "Alice Liddell"}), content_type="application/json")
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = crawl("twin", "-a", "links=https://github.com/alice/project/tree/dev/src", "-a", "user=Alice Liddell",
                   "-s", f"TWIN_GITHUB_API_URL={site.url}", "-s", f"TWIN_GITHUB_CLONE_BASE={mirrors.as_uri()}", env=env)
    assert_ok(result)
    assert site.hits["/users/alice"] == 0  # the user was given: no lookup
    github = crawl("github", "-a", "links=https://github.com/alice/project/tree/dev/src", "-a", "force=1",
                   "-s", f"TWIN_GITHUB_API_URL={site.url}", "-s", f"TWIN_GITHUB_CLONE_BASE={mirrors.as_uri()}", env=env)
    assert_ok(github)
    assert site.hits["/users/alice"] == 1
    from twin_crawler.warehouse import open_warehouse

    w = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        docs = w.find("repositories")
    finally:
        w.close()
    assert [(d["link"], d["ref"], d["default_branch"]) for d in docs] == [("https://github.com/alice/project", "dev", "dev")]
    assert "dev.md" in docs[0]["content"] and docs[0]["author_full_name"] == "Alice Liddell"


def test_unreachable_api_falls_back_to_the_login(tmp_path: Path) -> None:
    from conftest import free_port

    from twin_crawler.warehouse import open_warehouse

    mirrors = tmp_path / "mirrors"
    build_repo(mirrors / "alice" / "project.git", tmp_path / "outside", big=False)
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    result = crawl("github", "-a", "links=https://github.com/alice/project", "-s", "RETRY_TIMES=0",
                   "-s", f"TWIN_GITHUB_API_URL=http://127.0.0.1:{free_port()}",  # nothing listens there
                   "-s", f"TWIN_GITHUB_CLONE_BASE={mirrors.as_uri()}", env=env)
    assert_ok(result)
    assert "GitHub user lookup failed (connection-refused)" in result.stderr
    w = open_warehouse(None, data_dir=tmp_path / "data")
    try:
        docs = w.find("repositories")
    finally:
        w.close()
    assert [(d["link"], d["author_full_name"]) for d in docs] == [("https://github.com/alice/project", "alice")]


@pytest.mark.parametrize(("link", "expected"), [
    ("ext::sh -c touch% {marker}", "remote helpers"),
    ("https://github.com/o/r --upload-pack=touch {marker}", "git option"),
    ("ssh://git@github.com/o/r.git", "ssh:// remotes"),
    ("git@github.com:o/r.git", "ssh remotes"),
])
def test_hostile_links_are_refused_with_one_line(link: str, expected: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    result = crawl("github", "-a", f"links={link.format(marker=marker)}", env={"TWIN_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "refused" in line]
    assert len(errors) == 1 and expected in errors[0], result.stderr[-2000:]
    assert not marker.exists()


def test_file_links_refused_unless_allowed(tmp_path: Path) -> None:
    result = crawl("github", "-a", f"links={(tmp_path / 'x').as_uri()}", "-s", "TWIN_GITHUB_ALLOW_FILE_URLS=False",
                   env={"TWIN_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 2 and "TWIN_GITHUB_ALLOW_FILE_URLS" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("flag", "expected"), [(None, 35), ("1", 100)])
def test_forks_skipped_unless_included_and_requests_survive_a_queue(flag: str | None, expected: int,
                                                                     tmp_path: Path) -> None:
    import pickle

    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.request import request_from_dict
    from test_spiders_contract import build

    from twin_crawler.pages.github import parse_repo_listing

    kwargs = {"handle": "dstufft", **({"include_forks": flag} if flag else {})}
    spider = build("github", tmp_path, **kwargs)
    spider.crawler.stats = MemoryStatsCollector(spider.crawler)  # type: ignore[misc]
    repos = parse_repo_listing((FIXTURES / "github3py_users-dstufft-repos_page1.json").read_bytes())
    requests = list(spider._github_discovered(repos))
    assert len(requests) == expected
    assert all(r.url.startswith("data:") and r.meta["twin_link"].startswith("https://github.com/dstufft/") for r in requests)
    skipped = [link for link, e in spider.ledger.entries.items() if e.state == "skipped" and e.reason == "fork"]
    assert len(skipped) == 100 - expected
    api = spider._github_listing("https://api.github.com/users/dstufft/repos", "dstufft")
    for request in (requests[0], api):
        restored = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider)
        assert restored.url == request.url and restored.meta == request.meta
        assert restored.callback == request.callback and restored.errback == request.errback
