"""List app-level import cycles and in-function imports in the mentormemed package.

Usage: .venv/bin/python scripts/import_graph.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

PACKAGE = "mentormemed"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
sys.path.insert(0, str(ROOT.parent))


def apps(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.find_children(PACKAGE) if graph.find_children(m))


def is_test(module: str) -> bool:
    return ".tests" in module or module.endswith(".testing") or ".testing." in module


def app_edges(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    """(importer app, imported app) for every import outside tests."""
    edges = set()
    for module in graph.modules:
        if is_test(module) or module.count(".") < 1:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if is_test(imported) or imported.count(".") < 1:
                continue
            a, b = module.split(".")[1], imported.split(".")[1]
            if a != b:
                edges.add((a, b))
    return edges


def app_cycles(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    edges = app_edges(graph)
    return sorted((a, b) for a, b in edges if a < b and (b, a) in edges)


def in_function_imports() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts or "testing" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                    found.append((str(path.relative_to(ROOT.parent)), node.lineno, node.module))
                elif isinstance(node, ast.Import) and node.names[0].name.startswith(PACKAGE):
                    found.append((str(path.relative_to(ROOT.parent)), node.lineno, node.names[0].name))
    return found


def main() -> None:
    graph = grimp.build_graph(PACKAGE, include_external_packages=False, exclude_type_checking_imports=True)
    cycles = app_cycles(graph)
    print(f"App-level cycles (pairs importing each other): {len(cycles)}")
    for a, b in cycles:
        print(f"  {a} <-> {b}")
    local = in_function_imports()
    print(f"In-function imports: {len(local)}")
    for path, line, module in local:
        print(f"  {path}:{line} {module}")


if __name__ == "__main__":
    main()
