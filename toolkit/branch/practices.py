"""The seed's practices the plan month adds to the visits: corporate contacts, maturity calls, risk
assessments due and the 500万 list, in one model (`PracticePlan`) beside toolkit.branch.actions.

Tables the params do not name leave their part empty and flagged (`corporate_given`,
`holdings_given`, `fact_finds_given`), so the report can say which input a section needs. The
summary.json entries (`summary_parts`) are numbers only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.base.periods import month_end, month_start
from toolkit.base.workdays import WorkCalendar
from toolkit.branch import assessments as assessment_rules
from toolkit.branch import targets as target_rules
from toolkit.branch.corporate import (
    CONTACT_COLUMNS,
    REQUIREMENT_COLUMNS,
    SHORTFALL_COLUMNS,
    classify_corporate,
    required_contacts,
    schedule_contacts,
)
from toolkit.branch.maturities import CALL_COLUMNS, maturity_calls
from toolkit.inputs.books import BranchInputs
from toolkit.inputs.params import BranchParams


@dataclass
class PracticePlan:
    """The plan month's practices; every frame exists (empty when its input is absent)."""

    plan_month: str
    corporate_given: bool
    holdings_given: bool
    fact_finds_given: bool
    corporate: pd.DataFrame  # one row per corporate client: client_id, name, corporate_class, amounts
    requirements: pd.DataFrame  # corporate.REQUIREMENT_COLUMNS
    contacts: pd.DataFrame  # corporate.CONTACT_COLUMNS: the scheduled corporate contacts
    shortfall: pd.DataFrame  # corporate.SHORTFALL_COLUMNS
    maturities: pd.DataFrame  # maturities.CALL_COLUMNS
    assessments: pd.DataFrame  # assessments.COLUMNS
    targets: pd.DataFrame  # targets.COLUMNS

    def summary_parts(self) -> dict[str, dict[str, int | float]]:
        """The branch summary.json entries `risk_assessment`, `maturities`, `marketing_targets` and
        `corporate` (CONTRACT §7); zeros where the table is not given."""
        return {
            "risk_assessment": assessment_rules.counts(self.assessments),
            "maturities": {"count": int(len(self.maturities)),
                           "amount": round(float(self.maturities["amount"].sum()), 2)},
            "marketing_targets": target_rules.counts(self.targets),
            "corporate": {"clients": int(len(self.corporate)),
                          "required_contacts": int(self.requirements["required"].sum()),
                          "shortfall": int(self.shortfall["missing"].sum())},
        }

    def maturities_by(self, column: str) -> pd.DataFrame:
        """Maturity calls summed per `column` (maintainer_id or tier): count and amount ("N 笔 X万元")."""
        grouped = self.maturities.groupby(self.maturities[column].astype("string"), dropna=False)["amount"]
        return grouped.agg(count="count", amount="sum").reset_index()

    def assessment_ids(self) -> set[str]:
        """Clients who need a (new) risk assessment: a planned visit brings the questionnaire."""
        return set(self.assessments["client_id"].astype(str))


def _room(staff: pd.DataFrame, branch_id: str, params: BranchParams,
          visits: pd.DataFrame | None) -> tuple[dict[str, int], dict[tuple[str, dt.date], int]]:
    """Each branch staff member's monthly room left after the retail visits, and their busy days."""
    team = staff.loc[staff["branch_id"].astype(str) == str(branch_id)].drop_duplicates("staff_id")
    limit = team["max_visits_per_month"].astype("Float64").fillna(params.visits.default_max_per_month)
    room = dict(zip(team["staff_id"].astype(str), limit.astype(int), strict=True))
    busy: dict[tuple[str, dt.date], int] = {}
    if visits is not None and len(visits):
        per = visits.groupby([visits["staff_id"].astype(str), visits["date"].dt.date]).size()
        for (sid, day), n in per.items():
            busy[(sid, day)] = int(n)
            room[sid] = room.get(sid, 0) - int(n)
    return room, busy


def plan_practices(params: BranchParams, clients: pd.DataFrame, inputs: BranchInputs, month: str,
                   calendar: WorkCalendar, visits: pd.DataFrame | None = None,
                   as_of: dt.date | None = None,
                   blocked: Mapping[str, Collection[dt.date]] | None = None) -> PracticePlan:
    """The practices of plan month `month` for the branch's classified current snapshot `clients`;
    corporate contacts fit around `visits` (the retail schedule: date, staff_id) and the days each
    person is `blocked` (hosting the forum or a salon), within their daily and monthly limits."""
    first = month_start(month)
    corporate_in = getattr(inputs, "corporate_clients", None)
    holdings_in = getattr(inputs, "holdings", None)
    assets_in = getattr(inputs, "fact_find_assets", None)
    if corporate_in is not None:
        mine = corporate_in.loc[corporate_in["branch_id"].astype(str) == str(params.branch_id)]
        requirements = required_contacts(mine, inputs.staff, params.branch_id, params.corporate)
        room, busy = _room(inputs.staff, params.branch_id, params, visits)
        for staff_id, days_off in (blocked or {}).items():
            busy.update({(str(staff_id), day): params.visits.max_per_day for day in days_off})
        days = [d for d in calendar.workdays(first, month_end(month)) if as_of is None or d >= as_of]
        contacts, shortfall = schedule_contacts(requirements, days, room, params.visits.max_per_day, busy)
        corporate = mine.assign(corporate_class=classify_corporate(mine, params.corporate))
        corporate = corporate[["client_id", "name", "corporate_class", "deposit_balance", "target_credit",
                               "manager_id"]].sort_values("client_id").reset_index(drop=True)
    else:
        requirements = pd.DataFrame(columns=REQUIREMENT_COLUMNS).astype({"required": "int64"})
        contacts = pd.DataFrame(columns=CONTACT_COLUMNS)
        shortfall = pd.DataFrame(columns=SHORTFALL_COLUMNS).astype({"missing": "int64"})
        corporate = pd.DataFrame(columns=["client_id", "name", "corporate_class", "deposit_balance",
                                          "target_credit", "manager_id"])
    if holdings_in is not None:
        maturities = maturity_calls(holdings_in, clients, inputs.products, month, calendar, params.maturities,
                                    params.assessments, as_of=as_of, blocked=blocked)
    else:
        maturities = pd.DataFrame(columns=CALL_COLUMNS).astype({"amount": "float64"})
    return PracticePlan(
        plan_month=month, corporate_given=corporate_in is not None, holdings_given=holdings_in is not None,
        fact_finds_given=assets_in is not None, corporate=corporate, requirements=requirements,
        contacts=contacts, shortfall=shortfall, maturities=maturities,
        assessments=assessment_rules.assessments_due(clients, first, params.assessments),
        targets=target_rules.marketing_targets(clients, assets_in, params.thresholds, params.targets))


def practices_of(plan: Any) -> PracticePlan:
    """The plan's practices (a toolkit.branch.plan.BranchPlan): its `practices` when it carries them,
    else planned here from its analytics and planning (around its retail visits) and kept on it."""
    found = getattr(plan, "practices", None)
    if found is None:
        planning = plan.planning
        found = plan_practices(plan.params, plan.analytics.current, plan.inputs, planning.plan_month,
                               planning.calendar, visits=planning.visits.schedule,
                               as_of=getattr(planning, "as_of", None) or getattr(plan.params, "as_of", None),
                               blocked=hosting_days(planning))
        plan.practices = found
    return found


def hosting_days(planning: Any) -> dict[str, set[dt.date]]:
    """staff_id -> the days they host the forum or a salon (toolkit.branch.actions.BranchPlanning)."""
    events = [(planning.forum.date, planning.forum.hosts)] if getattr(planning, "forum", None) else []
    events += [(s.date, getattr(s, "hosts", None)) for s in getattr(planning, "salons", [])]
    out: dict[str, set[dt.date]] = {}
    for day, hosts in events:
        if day is not None and hosts is not None and "staff_id" in hosts:
            for staff_id in hosts["staff_id"].astype(str):
                out.setdefault(staff_id, set()).add(day)
    return out


def practice_summary(plan: Any) -> dict[str, dict[str, int | float]]:
    """The summary.json entries of CONTRACT §7 for a branch plan (`PracticePlan.summary_parts`)."""
    return practices_of(plan).summary_parts()
