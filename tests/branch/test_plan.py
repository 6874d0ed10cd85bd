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


def test_summary_adds_the_hand_out_date_coverage_and_forum_status(tmp_path: Path) -> None:
    """CONTRACT §7 keys stay; as_of, visits.outflow(_scheduled), coverage and forum_status are added
    with the names the province view reads."""
    import datetime as dt
    import json

    from toolkit.branch.plan import build_branch_plan
    from toolkit.inputs.params import load_branch_params
    from toolkit.report.summary import branch_summary
    from toolkit.sample.generate import write_sample

    write_sample(tmp_path / "data", params_dir=tmp_path / "params", branches=1, clients_per_branch=300,
                 months=3, seed=11, end_period="2026-11")
    params = load_branch_params(next((tmp_path / "params" / "branches").glob("*.yaml")))
    plan = build_branch_plan(params, period="2026-11", as_of=dt.date(2026, 12, 2))
    summary = json.loads(json.dumps(branch_summary(plan), ensure_ascii=False))
    assert {"branch_id", "period", "base_period", "tiers", "kpi", "watch", "visits", "forum", "warnings",
            "as_of", "coverage", "forum_status"} <= set(summary)
    assert summary["as_of"] == "2026-12-02"
    visits = summary["visits"]
    assert set(visits) >= {"planned", "due_unscheduled", "outflow", "outflow_scheduled"}
    assert visits["outflow"] == len(summary["watch"]["outflow"]) >= visits["outflow_scheduled"]
    assert set(summary["coverage"]) == {"top_without_maintainer", "handovers", "change_offers"}
    assert all(isinstance(v, int) for v in summary["coverage"].values())
    assert set(summary["forum_status"]) == {"last_held", "due"} and isinstance(summary["forum_status"]["due"], bool)
    last = summary["forum_status"]["last_held"]
    assert last is None or dt.date.fromisoformat(last) < dt.date(2026, 12, 2)
