"""The branch plan: one branch's analytics and its plan-month actions, from one params file.

This is the single computation behind `clientcare profile`, the branch-plan notebook and its
`summary.json`, so a number in the report and in the JSON cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.periods import report_period
from toolkit.branch.actions import BranchPlanning, plan_branch
from toolkit.branch.analytics import BranchAnalytics, analyse_branch
from toolkit.inputs.books import BranchInputs, load_branch_inputs
from toolkit.inputs.params import BranchParams


def gap_lines(product_gaps: pd.DataFrame) -> pd.DataFrame:
    """The gap list in long form (client_id, line), as salon planning wants it."""
    lines = product_gaps[["client_id", "missing"]].assign(line=product_gaps["missing"].str.split(","))
    lines = lines.explode("line")
    return lines.loc[lines["line"].fillna("") != "", ["client_id", "line"]].reset_index(drop=True)


@dataclass
class BranchPlan:
    """A branch's month: who the clients are and how they moved, and what staff do next month."""

    params: BranchParams
    analytics: BranchAnalytics
    planning: BranchPlanning
    inputs: BranchInputs

    @property
    def language(self) -> str:
        return self.params.language

    def summary(self) -> dict[str, Any]:
        """The branch summary.json of CONTRACT §7 as data: its warnings are the rules' notices
        (toolkit.report.summary.branch_summary says them in the report language)."""
        out = self.analytics.summary()
        out.update(self.planning.summary_parts())
        out["warnings"] = [*out["warnings"], *self.planning.warnings]
        return out


def build_branch_plan(params: BranchParams, inputs: BranchInputs | None = None,
                      period: str | None = None) -> BranchPlan:
    """Analyse the branch and plan its next month. `period` overrides the params' period; with
    neither, the last closed month (CONTRACT §5)."""
    inputs = inputs or load_branch_inputs(params)
    period = report_period(period, params.period)
    analytics = analyse_branch(inputs.clients, inputs.staff, params.branch_id, period, params.compare_to,
                               params.thresholds, source=", ".join(Path(p).name for p in params.data.clients))
    planning = plan_branch(analytics.current, inputs.staff, inputs.activities, analytics.period, params,
                           outflow_ids=set(analytics.outflows["client_id"].astype(str)),
                           gap_lines=gap_lines(analytics.product_gaps))
    return BranchPlan(params=params, analytics=analytics, planning=planning, inputs=inputs)
