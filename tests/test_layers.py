"""The package's shape (ARCHITECTURE.md): layers import only downwards, no module imports itself
back through a cycle, and every module stays readable in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOOLKIT = Path(__file__).resolve().parent.parent / "toolkit"
#: Each layer and the layers it may import (itself included). `client` may use the branch's tier
#: rule (a client's tier is the branch's), never the other way round.
ALLOWED = {
    "base": {"base"},
    "inputs": {"base", "inputs"},
    "branch": {"base", "inputs", "branch"},
    "client": {"base", "inputs", "branch", "client"},
    "report": {"base", "inputs", "branch", "client", "report"},
    "engine": {"base", "engine"},
    "commands": {"base", "inputs", "branch", "client", "report", "engine", "commands", "sample"},
    "sample": {"base", "inputs", "branch", "sample"},
}
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(TOOLKIT.parent).with_suffix("").parts): p for p in sorted(TOOLKIT.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every toolkit module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("toolkit")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name in _modules() or name.count(".") == 1}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def test_every_module_sits_in_a_layer():
    loose = [m for m in _modules() if m.count(".") == 1 and m not in ("toolkit.__init__", "toolkit.__main__")]
    assert loose == []
    assert {m.split(".")[1] for m in _modules() if m.count(".") == 2} == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(_modules()))
def test_layers_import_only_downwards(module):
    layer = _layer(module)
    if layer is None:
        return  # toolkit/__main__.py: the console entry, `python -m toolkit`
    wrong = sorted(name for name in _imports(_modules()[module])
                   if (other := _layer(name)) is not None and other not in ALLOWED[layer])
    assert wrong == [], f"{module} ({layer}) may import only {sorted(ALLOWED[layer])}"


def test_no_import_cycles_between_modules():
    modules = _modules()
    graph = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_are_readable_in_one_sitting(module):
    lines = len(_modules()[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"
