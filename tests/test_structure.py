"""The import rules of the code, so they hold from now on: layers point one way (graphmodel at the bottom,
ingest and dashboard above it, the command line on top), no import cycle among the project's modules (an
import inside a function counts), exports read the map through the store contract only, no module is over
600 lines, and every package says in its docstring what lives there."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("graphmodel", "ingest", "dashboard", "stakemap")
#: What each package may import of the others.
MAY_IMPORT = {"graphmodel": set(), "ingest": {"graphmodel"}, "dashboard": {"graphmodel"},
              "stakemap": {"graphmodel", "ingest", "dashboard"}}
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wanted = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            wanted = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out |= {w for w in wanted if w in MODULES and w != name}
    return out


GRAPH = nx.DiGraph([(name, other) for name, path in MODULES.items() for other in _imports(name, path)])


def test_the_modules_import_each_other_without_a_cycle():
    cycles = sorted(nx.simple_cycles(GRAPH), key=len)
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_layers_point_one_way():
    wrong = sorted((a, b) for a, b in GRAPH.edges
                   if a.split(".")[0] != b.split(".")[0] and b.split(".")[0] not in MAY_IMPORT[a.split(".")[0]])
    assert not wrong, wrong


def test_exports_read_the_map_through_the_store_contract_only():
    reached = sorted((a, b) for a, b in GRAPH.edges if a.startswith("graphmodel.export")
                     and b.startswith("graphmodel.store") and b != "graphmodel.store.contract")
    assert not reached, reached


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_600_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(REPO)} has {lines} lines: split it by what changes together"


@pytest.mark.parametrize("name", sorted(n for n, p in MODULES.items() if p.name == "__init__.py"))
def test_every_package_says_what_lives_there(name):
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 8, f"{name} needs a docstring saying what lives there and what it may import"
