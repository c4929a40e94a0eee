"""The package's imports flow one way: no module imports, even lazily, one that imports it back."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "screendesk_async"


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules ``name`` imports anywhere in its body (lazy imports too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                module = f"{target}.{alias.name}"
                found.add(module if module in MODULES else target)
    return {module for module in found if module in MODULES and module != name}


def test_there_is_no_import_circle() -> None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    assert len(graph) > 50  # the whole package was read
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"an import circle: {' -> '.join(exc.args[1])}")


def _layer(module: str) -> str:
    """``export`` of ``screendesk_async.export._runner``; "" for the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_core_never_imports_the_layers_above_it() -> None:
    above = ("cli", "export", "dlt", "testing", "_sync")
    for name, path in MODULES.items():
        if _layer(name) in (*above, "", "__main__"):
            continue  # the package re-exports the sync client; __main__ runs the CLI
        wrong = {module for module in _imports(name, path) if _layer(module) in above}
        assert not wrong, (name, wrong)
