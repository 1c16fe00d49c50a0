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


def _name(path: Path) -> str:
    """The module's dotted name; a package's ``__init__`` is the package (``outcomes.selectors``)."""
    parts = path.relative_to(APP).with_suffix("").parts
    return ".".join([PREFIX, *parts[:-1], *([] if parts[-1] == "__init__" else parts[-1:])])


def _graph() -> dict[str, set[str]]:
    """The app's own modules (the selectors package's too) and which of them each imports."""
    paths = [*APP.glob("*.py"), *APP.glob("selectors/*.py")]
    modules = {_name(p): p for p in paths if p.name != "__init__.py" or p.parent != APP}
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
    assert graph[f"{PREFIX}.selectors"] >= {f"{PREFIX}.selectors.filters", f"{PREFIX}.selectors.cache"}
    below = {f"{PREFIX}.rollups", f"{PREFIX}.cohorts", f"{PREFIX}.regression", f"{PREFIX}.suppression"}
    for name in below:
        assert not {m for m in graph[name] if m.startswith(f"{PREFIX}.selectors")}, f"{name} is below the selectors"
    assert graph[f"{PREFIX}.cohorts"] == set(), "cohorts is a leaf"
