"""The import graph of ``twin_crawler``: its floors and any import circle (issue 13's "no import circle, no upward
import").

    .venv/bin/python scripts/import_graph.py      # floors, one line each, then circles (none expected)

Every ``import``/``from ... import`` of a ``twin_crawler`` module counts, at module level and inside functions
(a lazy import is still a dependency), except those under ``if TYPE_CHECKING:`` (annotations only). A module's
floor is 0 when it imports no project module, else one more than the highest floor it imports: an import can then
only point down, and a circle is reported as such (its modules get no floor).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "twin_crawler"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, here: str, is_package: bool) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (name for branch in node.orelse for name in _imports(branch, here, is_package))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        yield from _imports(node, here, is_package)


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    files = {module_name(p): p for p in (ROOT / PACKAGE).rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = {target for target in _imports(tree, name, path.name == "__init__.py") if target in files}
        edges[name] = found - {name}
    return edges


def floors(edges: dict[str, set[str]]) -> tuple[dict[str, int], list[list[str]]]:
    """(floor of each module outside circles, the circles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    in_circle = {m for group in circles for m in group}
    level: dict[str, int] = {}

    def floor(node: str) -> int:
        if node not in level:
            level[node] = 1 + max((floor(t) for t in edges[node] if t not in in_circle), default=-1)
        return level[node]

    return {m: floor(m) for m in edges if m not in in_circle}, circles


def main() -> int:
    edges = graph()
    level, circles = floors(edges)
    for number in range(max(level.values(), default=-1) + 1):
        names = sorted(m.removeprefix(PACKAGE + ".") for m, f in level.items() if f == number)
        print(f"floor {number}: {len(names)} modules: {', '.join(names)}")
    print(f"{len(edges)} modules, {sum(len(t) for t in edges.values())} imports, {len(circles)} import circle(s)")
    for group in circles:
        print("circle:", " <-> ".join(group))
    return 1 if circles else 0


if __name__ == "__main__":
    raise SystemExit(main())
