"""Settings precedence as Scrapy users expect: ``-s NAME=value`` > the environment variable NAME > the settings
module's default (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from blog_helpers import article_html
from conftest import LoopbackSite, crawl
from scrapy.settings import Settings

from twin_crawler.settings_env import setting_or_env
from twin_crawler.warehouse import embedded_path
from twin_crawler.warehouse.journal import journal_dir


def test_order_is_command_line_then_environment_then_module(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings({"TWIN_DATA_DIR": "module-default"}, priority="project")
    monkeypatch.delenv("TWIN_DATA_DIR", raising=False)
    assert setting_or_env(settings, "TWIN_DATA_DIR") == "module-default"
    monkeypatch.setenv("TWIN_DATA_DIR", "from-env")
    assert embedded_path(settings) == Path("from-env/twin.db")
    settings.set("TWIN_DATA_DIR", "from-cli", priority="cmdline")
    assert embedded_path(settings) == Path("from-cli/twin.db") and journal_dir(settings) == Path("from-cli/journal")
    assert setting_or_env(None, "TWIN_DATA_DIR") == "from-env"  # no settings at all (tools outside a crawl)


def test_dash_s_beats_the_environment_in_a_crawl(site: LoopbackSite, tmp_path: Path) -> None:
    page = site.add("/2024/01/post", article_html("Precedence", 7))
    env_dir, cli_dir = tmp_path / "env-data", tmp_path / "cli-data"
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={page}", "-s", f"TWIN_DATA_DIR={cli_dir}",
                   "-s", "TWIN_USER_AGENT=cli-agent/1.0",
                   env={"TWIN_DATA_DIR": str(env_dir), "TWIN_USER_AGENT": "env-agent/1.0"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert (cli_dir / "twin.db").is_file() and not env_dir.exists()
    assert [h.get("User-Agent") for path, h in site.requests if path == "/2024/01/post"] == ["cli-agent/1.0"]


def test_environment_beats_the_module_default(site: LoopbackSite, tmp_path: Path) -> None:
    page = site.add("/2024/01/post", article_html("Precedence", 7))
    result = crawl("article", "-a", "user=Jane Doe", "-a", f"links={page}",
                   env={"TWIN_DATA_DIR": str(tmp_path / "env-data"), "TWIN_USER_AGENT": "env-agent/1.0"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "env-data" / "twin.db").is_file()
    # What was collected is visible at the default level: one "<Type> <link>" INFO line per item; LogStats stays.
    assert sum(line.endswith(f"INFO: Article {page}") for line in result.stderr.splitlines()) == 1, result.stderr
    assert "[scrapy.extensions.logstats] INFO: Crawled" in result.stderr
    assert [h.get("User-Agent") for path, h in site.requests if path == "/2024/01/post"] == ["env-agent/1.0"]
