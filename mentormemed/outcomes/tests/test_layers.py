"""The outcomes modules import one another in one direction only: rollups and cohorts below the selectors."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1]
PREFIX = "mentormemed.outcomes"


def _imports(path: Path) -> set[str]:
    """Outcomes modules ``path`` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            if node.module == PREFIX:
                found.update(f"{PREFIX}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"{PREFIX}.{p.stem}": p for p in APP.glob("*.py") if p.stem != "__init__"}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_no_import_cycle_between_outcomes_modules():
    graph = _graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert f"{PREFIX}.selectors" not in graph[f"{PREFIX}.rollups"], "the rollups are below the selectors"
    assert graph[f"{PREFIX}.cohorts"] == set(), "cohorts is a leaf"
