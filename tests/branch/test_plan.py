"""The branch plan's domain modules hold no reader's words: they return codes, numbers and notices,
and toolkit.report.text says them (so a third language is one more column there)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import toolkit

DOMAIN = ("kpi", "watch", "quality", "analytics", "maintainers", "tiers", "plan", "ranking")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: The contract's names of the five KPIs are codes of the one KPI table (kpi.FIVE), not sentences.
KPI_CHARACTERS = set("保争挖抢培")


def _literals(path: Path) -> list[str]:
    """String constants of a module, docstrings left out (they explain, the reader never sees them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_holds_no_words(module: str) -> None:
    path = Path(toolkit.__file__).parent / "branch" / f"{module}.py"
    worded = [s for s in _literals(path) if CJK.search(s) and s not in KPI_CHARACTERS]
    assert worded == []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    takes_language = [f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                      and any(a.arg == "language" for a in [*f.args.args, *f.args.kwonlyargs])]
    assert takes_language == []  # the rules serve every language; the report picks one
