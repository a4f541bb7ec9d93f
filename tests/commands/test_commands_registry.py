"""The project's commands are importable, declared as ``scrapy.commands`` entry points, and named the same way
by COMMANDS_MODULE (for checkouts where the entry points are not installed)."""

from __future__ import annotations

import importlib
import pkgutil
import tomllib

from conftest import ROOT
from scrapy.commands import ScrapyCommand
from scrapy.utils.project import get_project_settings

import twin_crawler.commands.names


def entry_points() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(project["entry-points"]["scrapy.commands"])


def load(target: str) -> type[ScrapyCommand]:
    module, _, attr = target.partition(":")
    command: type[ScrapyCommand] = getattr(importlib.import_module(module), attr)
    return command


def test_every_entry_point_loads_a_command() -> None:
    points = entry_points()
    assert {"crawl", "parse", "seed", "twin-show", "twin-deadletters"} <= set(points)
    for target in points.values():
        assert issubclass(load(target), ScrapyCommand), target


def test_commands_module_names_exactly_the_entry_points() -> None:
    assert get_project_settings()["COMMANDS_MODULE"] == twin_crawler.commands.names.__name__
    modules = {m.name for m in pkgutil.iter_modules(twin_crawler.commands.names.__path__)}
    points = entry_points()
    assert modules == set(points)
    for name, target in points.items():
        named = importlib.import_module(f"twin_crawler.commands.names.{name}").Command
        assert issubclass(named, load(target)) and named.__doc__ == load(target).__doc__, name
