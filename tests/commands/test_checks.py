"""Preflight setting checks (issue 15, point 5): each bad value is one ``error:`` line naming the setting, exit 2,
no traceback. In-process (a Settings object + the check), plus one subprocess smoke case."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import crawl
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from twin_crawler.arguments import ArgumentError
from twin_crawler.checks import check_settings, check_writable
from twin_crawler.spiders.article import ArticleSpider
from twin_crawler.spiders.twin import TwinSpider


def project(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("twin_crawler.settings", priority="project")
    settings.setdict(dict(overrides), priority="cmdline")
    return settings


def refused(settings: Settings) -> str:
    with pytest.raises(ArgumentError) as caught:
        check_settings(settings)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_project_defaults_pass() -> None:
    check_settings(project())
    check_settings(get_project_settings())


@pytest.mark.parametrize(("name", "value"), [
    ("TWIN_GITHUB_API_URL", "garbage"), ("TWIN_GITHUB_API_URL", "ftp://host/"), ("TWIN_GITHUB_API_URL", "https://"),
    ("TWIN_GITHUB_API_URL", "http://host:99999/"), ("TWIN_GITHUB_CLONE_BASE", "git@github.com:x"),
    ("TWIN_GITHUB_CLONE_TIMEOUT", "soon"), ("TWIN_GITHUB_CLONE_TIMEOUT", "0"), ("TWIN_GITHUB_CLONE_TIMEOUT", "nan"),
    ("TWIN_MAX_LINKS", "lots"), ("TWIN_MAX_LINKS", "0"), ("TWIN_MAX_LINKS", "2.5"),
    ("TWIN_WAREHOUSE_BATCH", "x"), ("TWIN_WAREHOUSE_BATCH", "-3"),
    ("TWIN_RETRY_BACKOFF_BASE", "fast"), ("TWIN_RETRY_BACKOFF_BASE", "-1"), ("TWIN_RETRY_BACKOFF_BASE", "inf"),
    ("TWIN_ALLOW_LOOPBACK", "maybe"), ("TWIN_GITHUB_ALLOW_FILE_URLS", "yes please"),
])
def test_a_bad_setting_is_one_line_naming_it(name: str, value: str) -> None:
    assert refused(project(**{name: value})).startswith(f"{name}=")


def test_good_non_default_values_pass() -> None:
    check_settings(project(TWIN_GITHUB_API_URL="http://127.0.0.1:8080", TWIN_GITHUB_CLONE_BASE="file:///srv/mirror",
                           TWIN_GITHUB_CLONE_TIMEOUT="2.5", TWIN_MAX_LINKS="5", TWIN_WAREHOUSE_BATCH=1,
                           TWIN_RETRY_BACKOFF_BASE="0", TWIN_ALLOW_LOOPBACK="true"))


def test_unwritable_feed_jobdir_and_archive_are_refused(tmp_path: Path) -> None:
    # Tests run as root, for whom every directory is writable: a regular file as parent is unwritable for anyone.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    feed = {str(blocker / "out.jsonl"): {"format": "jsonlines"}}
    assert refused(project(FEEDS=feed)).startswith("FEEDS (-o/-O): cannot create")
    assert refused(project(FEEDS={str(tmp_path): {"format": "jsonlines"}})).endswith("is a directory")
    assert refused(project(JOBDIR=str(blocker / "job"))).startswith("JOBDIR: cannot create")
    assert refused(project(JOBDIR=str(blocker))).endswith("is not a directory")
    assert refused(project(TWIN_RAW_ARCHIVE=str(blocker / "archive"))).startswith("TWIN_RAW_ARCHIVE: cannot create")
    assert refused(project(JOBDIR="/proc/twin-job")).startswith("JOBDIR: cannot write '/proc/twin-job'")
    # Writable targets pass and nothing is left behind by the probe.
    deep = tmp_path / "new" / "dir"
    check_settings(project(FEEDS={str(deep / "out-%(time)s.jsonl"): {"format": "jsonlines"}}, JOBDIR=str(deep / "job"),
                           TWIN_RAW_ARCHIVE=f"file://{tmp_path}/archive"))
    check_writable("JOBDIR", tmp_path, directory=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_handle_is_refused_where_nothing_discovers_from_one() -> None:
    for spider in (ArticleSpider, TwinSpider):
        s = spider(user="Ada Lovelace", handle="ada", links="https://example.org/post")
        s.settings = project()
        with pytest.raises(ArgumentError, match=r"^handle: \w+ cannot discover from a handle"):
            s.check_handle()


def test_the_crawl_command_prints_one_error_line_and_exits_2(tmp_path: Path) -> None:
    # A loopback link: should the check ever let the run through, it still reaches no public host.
    result = crawl("article", "-a", "user=Ada Lovelace", "-a", "links=http://127.0.0.1:9/post",
                   "-s", "TWIN_ALLOW_LOOPBACK=maybe", env={"TWIN_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: TWIN_ALLOW_LOOPBACK='maybe': expected True/False (or 1/0)"]
