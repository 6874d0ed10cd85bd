"""The branch plan: one branch's analytics and its plan-month actions, from one params file.

This is the single computation behind `clientcare profile`, the branch-plan notebook and its
`summary.json`, so a number in the report and in the JSON cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.periods import report_period
from toolkit.branch.actions import BranchPlanning, plan_branch
from toolkit.branch.analytics import BranchAnalytics, analyse_branch
from toolkit.branch.practices import PracticePlan, hosting_days, plan_practices
from toolkit.inputs.books import BranchInputs, load_branch_inputs
from toolkit.inputs.params import BranchParams


def gap_lines(product_gaps: pd.DataFrame) -> pd.DataFrame:
    """The gap list in long form (client_id, line), as salon planning wants it."""
    lines = product_gaps[["client_id", "missing"]].assign(line=product_gaps["missing"].str.split(","))
    lines = lines.explode("line")
    return lines.loc[lines["line"].fillna("") != "", ["client_id", "line"]].reset_index(drop=True)


@dataclass
class BranchPlan:
    """A branch's month: who the clients are and how they moved, and what staff do next month.

    Open to more parts (corporate clients, maturities, risk assessments, the 500万 list): add a
    field with a default and its entries in `summary`; the report reads fields by name."""

    params: BranchParams
    analytics: BranchAnalytics
    planning: BranchPlanning
    inputs: BranchInputs
    #: The seed's practices (toolkit.branch.practices): corporate contacts, maturities, assessments, 500万.
    practices: PracticePlan | None = None

    @property
    def language(self) -> str:
        return self.params.language

    def summary(self) -> dict[str, Any]:
        """The branch summary.json of CONTRACT §7 as data: its warnings are the rules' notices
        (toolkit.report.summary.branch_summary says them in the report language)."""
        out = self.analytics.summary()
        out.update(self.planning.summary_parts())
        if self.practices is not None:
            out.update(self.practices.summary_parts())
        out["warnings"] = [*out["warnings"], *self.planning.warnings]
        return out


def _absent_outflows(analytics: BranchAnalytics) -> pd.DataFrame | None:
    """Base rows of outflow clients with no current row in the branch (visited all the same)."""
    if analytics.base is None or analytics.outflows.empty:
        return None
    ids = set(analytics.outflows["client_id"].astype(str)) - set(analytics.current["client_id"].astype(str))
    base = analytics.base
    return base.loc[base["client_id"].astype(str).isin(ids)] if ids else None


def build_branch_plan(params: BranchParams, inputs: BranchInputs | None = None,
                      period: str | None = None, as_of: dt.date | None = None) -> BranchPlan:
    """Analyse the branch and plan its next month. `period` overrides the params' period; with
    neither, the last closed month (CONTRACT §5). `as_of` (the hand-out date) overrides the
    params' as_of; with neither, toolkit.branch.actions.default_as_of."""
    inputs = inputs or load_branch_inputs(params)
    period = report_period(period, params.period)
    analytics = analyse_branch(inputs.clients, inputs.staff, params.branch_id, period, params.compare_to,
                               params.thresholds, source=", ".join(Path(p).name for p in params.data.clients))
    planning = plan_branch(analytics.current, inputs.staff, inputs.activities, analytics.period, params,
                           outflow_ids=set(analytics.outflows["client_id"].astype(str)),
                           gap_lines=gap_lines(analytics.product_gaps), as_of=as_of,
                           outflow_rows=_absent_outflows(analytics))
    practices = plan_practices(params, analytics.current, inputs, planning.plan_month, planning.calendar,
                               visits=planning.visits.schedule, as_of=planning.as_of,
                               blocked=hosting_days(planning))
    visits = planning.visits.schedule  # a visit to a client due for an assessment brings the questionnaire
    visits["bring_assessment"] = visits["client_id"].astype(str).isin(practices.assessment_ids())
    return BranchPlan(params=params, analytics=analytics, planning=planning, inputs=inputs, practices=practices)
