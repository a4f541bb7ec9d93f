"""The package's import graph has floors and no circle (issue 13), measured by scripts/import_graph.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_graph.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_the_package_has_no_import_circle() -> None:
    graph = load()
    edges = graph.graph()
    assert "twin_crawler.spiders.base" in edges and edges["twin_crawler.spiders.base"], "the scan found the imports"
    _, circles = graph.floors(edges)
    assert circles == []


def test_a_circle_is_found_and_gets_no_floor() -> None:
    graph = load()
    level, circles = graph.floors({"a": {"b"}, "b": {"a"}, "c": {"a"}, "d": set()})
    assert circles == [["a", "b"]]
    assert level == {"c": 0, "d": 0}  # c imports only circle members: nothing with a floor below it


def test_lazy_imports_count_and_type_checking_imports_do_not(tmp_path: Path) -> None:
    graph = load()
    import ast

    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .x import A\n"
                     "def f():\n    from .y import B\n")
    found = set(graph._imports(tree, "pkg.mod", False))
    assert "pkg.y" in found and "pkg.x" not in found
