"""Pure GitHub parsing on the recorded dstufft listing: Link headers, repositories, rate limits, refs, remotes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from twin_crawler.pages.github import (
    ApiError,
    parse_link_header,
    parse_repo_listing,
    parse_user_name,
    rate_limit_wait,
    ref_from_url,
)
from twin_crawler.repos.remote import RemoteRefused, RepoRoute, check_clone_url, clone_url_for, special_route
from twin_crawler.repos.rules import GitAttributes, is_vendored, language_of, looks_minified, path_reason

FIXTURES = Path(__file__).parents[1] / "fixtures" / "github"
HEADERS = json.loads((FIXTURES / "github3py_users-dstufft-repos_headers.json").read_text())


def page(n: int) -> bytes:
    return (FIXTURES / f"github3py_users-dstufft-repos_page{n}.json").read_bytes()


def test_recorded_link_headers_are_followed_verbatim() -> None:
    first = parse_link_header(HEADERS[0]["headers"]["Link"])
    # The recorded next page switches from /users/dstufft to the numeric /user/145979 path: kept as given.
    assert first == {"next": "https://api.github.com/user/145979/repos?per_page=100&page=2",
                     "last": "https://api.github.com/user/145979/repos?per_page=100&page=3"}
    assert parse_link_header(HEADERS[1]["headers"]["Link"])["next"].endswith("page=3")
    assert "next" not in parse_link_header(HEADERS[2]["headers"]["Link"])
    assert parse_link_header("<https://x/a?b=1>; rel=next") == {"next": "https://x/a?b=1"}
    assert parse_link_header("") == {}


def test_recorded_listing_pages_parse_to_exact_counts() -> None:
    pages = [parse_repo_listing(page(n)) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [100, 100, 3]
    assert [sum(r.fork for r in p) for p in pages] == [65, 65, 2]
    repos = [r for p in pages for r in p]
    assert len({r.full_name for r in repos}) == 203
    assert {r.owner for r in repos} == {"dstufft"}
    first = pages[0][0]
    assert (first.full_name, first.fork, first.default_branch) == ("dstufft/aide", True, "master")
    assert first.created_at == datetime(2015, 8, 6, 20, 6, 15, tzinfo=UTC)
    last = pages[2][0]
    assert last.full_name == "dstufft/whitenoise" and last.html_url == "https://github.com/dstufft/whitenoise"


def test_listing_errors_are_one_line() -> None:
    with pytest.raises(ApiError, match="API rate limit exceeded"):
        parse_repo_listing(b'{"message": "API rate limit exceeded for 1.2.3.4."}')
    with pytest.raises(ApiError, match="not JSON"):
        parse_repo_listing(b"<html>")
    # Entries without a usable name are left out, never guessed.
    assert parse_repo_listing(b'[{"full_name": "-x/y", "owner": {"login": "-x"}}, {"name": "z"}]') == []


def test_user_display_name() -> None:
    assert parse_user_name(b'{"login": "dstufft", "name": "  Donald   Stufft "}') == "Donald Stufft"
    assert parse_user_name(b'{"login": "x", "name": null}') is None
    assert parse_user_name(b"not json") is None


def test_rate_limit_wait_uses_reset_and_cap() -> None:
    now = 1_486_768_000.0
    limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1486768832"}
    assert rate_limit_wait(403, limited, now, cap=10_000) == pytest.approx(832)
    assert rate_limit_wait(403, limited, now, cap=1) == 1
    assert rate_limit_wait(429, limited, now + 900, cap=60) == 0
    assert rate_limit_wait(403, {"X-RateLimit-Remaining": "12"}, now, cap=60) is None  # a real 403, not a limit
    assert rate_limit_wait(429, {"retry-after": "30"}, now, cap=60) == 30
    assert rate_limit_wait(200, limited, now, cap=60) is None


def test_refs_from_tree_and_blob_links() -> None:
    assert ref_from_url("https://github.com/o/r/tree/dev/src/app") == "dev"
    assert ref_from_url("https://github.com/o/r/blob/v1.2.0/README.md") == "v1.2.0"
    assert ref_from_url("https://github.com/o/r") is None
    assert ref_from_url("https://github.com/o/r/tree/--upload-pack=x") is None
    route = special_route("https://github.com/o/r/tree/dev/src", allow_file=False)
    assert isinstance(route, RepoRoute)
    assert (route.link, route.key, route.ref) == ("https://github.com/o/r", "o/r", "dev")
    assert special_route("https://github.com/o/r", allow_file=False) is None  # the generic router handles it
    assert special_route("https://medium.com/@x/post-1234567890ab", allow_file=False) is None


@pytest.mark.parametrize("link", [
    "ext::sh -c touch% /tmp/pwned",
    "ext://sh -c id",
    "https://github.com/o/r --upload-pack=touch /tmp/pwned",
    "--upload-pack=touch /tmp/pwned",
    "ssh://git@github.com/o/r.git",
    "git@github.com:o/r.git",
    "git://github.com/o/r.git",
    "fd::17",
])
def test_hostile_remotes_are_refused(link: str) -> None:
    with pytest.raises(RemoteRefused, match="refused") as info:
        special_route(link, allow_file=True)
    assert "\n" not in str(info.value)
    with pytest.raises(RemoteRefused):
        check_clone_url(link, allow_file=True)


def test_file_urls_only_when_allowed() -> None:
    with pytest.raises(RemoteRefused, match="TWIN_GITHUB_ALLOW_FILE_URLS"):
        special_route("file:///srv/mirrors/alice/project.git", allow_file=False)
    route = special_route("file:///srv/mirrors/alice/project.git/", allow_file=True)
    assert route is not None and route.link == "file:///srv/mirrors/alice/project.git" and route.key == "alice/project"
    with pytest.raises(RemoteRefused):
        special_route("file://evil.example/x", allow_file=True)
    assert clone_url_for("o/r", "https://github.com/") == "https://github.com/o/r.git"
    with pytest.raises(RemoteRefused):
        check_clone_url("http://github.com/o/r.git", allow_file=True)  # https only


def test_path_rules() -> None:
    attrs = GitAttributes("docs/** linguist-vendored\nvendor/ours.c -linguist-vendored\n*.dat binary\n# c\n")
    assert path_reason("docs/a/b.md", attrs) == "vendored"
    assert path_reason("vendor/ours.c", attrs) is None and attrs.unvendors
    assert path_reason("vendor/theirs.c", attrs) == "vendored"
    assert path_reason("x/y.dat", attrs) == "binary"
    assert path_reason("web/yarn.lock", GitAttributes()) == "lockfile"
    assert path_reason("app.js.map", GitAttributes()) == "generated"
    assert path_reason("src/app.py", GitAttributes()) is None
    assert is_vendored("node_modules/") and is_vendored("a/node_modules/b.js") and not is_vendored("src/modules.py")
    assert looks_minified("a.js", "x" * 500) and not looks_minified("a.py", "x" * 500)
    assert not looks_minified("a.js", "var a = 1;\n" * 50)
    assert language_of("x/Dockerfile") == "Dockerfile" and language_of("a.PY") == "Python" and language_of("a.zzz") is None
