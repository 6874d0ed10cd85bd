"""The branch plan's "what we do this month": one entry point for visits, greetings, forum and salons.

The plan made from period P's snapshot acts in the plan month P + 1 (`plan_month`). The forum is
planned first so its hosts are kept free of visits on the forum day. Nothing here is worded: the
plan's warnings and the reason there is no forum are notices (toolkit.base.notices), said in the
report language by the report layer (toolkit.report.text.say_notice).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd

from toolkit.base.notices import Notice
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.forum import ForumPlan, SalonPlan, forum_date, no_forum_warning, plan_forum, plan_salons
from toolkit.branch.greetings import plan_greetings
from toolkit.branch.visits import VisitPlan, plan_visits
from toolkit.inputs.params import BranchParams

__all__ = ["BranchPlanning", "plan_branch", "plan_month"]


@dataclass
class BranchPlanning:
    """Everything the branch does in the plan month (the files staff act on: toolkit.report.files)."""

    branch_id: str
    period: str
    plan_month: str
    calendar: WorkCalendar
    visits: VisitPlan
    greetings: pd.DataFrame
    forum: ForumPlan | None
    salons: list[SalonPlan]
    forum_note: Notice | None = None  # why there is no forum, when params asked for one
    #: The calendar's, the visits', the forum's (or forum_note) and the salons' notices, in that order.
    warnings: list[Notice] = field(default_factory=list)

    def summary_parts(self) -> dict[str, object]:
        """The `visits` and `forum` entries of the branch summary.json."""
        return {"visits": self.visits.summary(), "forum": self.forum.summary() if self.forum else None}


def plan_branch(clients: pd.DataFrame, staff: pd.DataFrame, activities: pd.DataFrame | None, period: str,
                branch_params: BranchParams, outflow_ids: Collection[str] = frozenset(),
                gap_lines: pd.DataFrame | None = None) -> BranchPlanning:
    """Plan the month after `period` for one branch's current snapshot (already classified)."""
    p = branch_params
    calendar = WorkCalendar(p.extra_holidays, p.extra_workdays)
    forum = plan_forum(clients, staff, activities, p.forum, calendar, period)
    forum_note = None
    if p.forum is not None and forum is None:
        _, reason = forum_date(p.forum, calendar, period)
        forum_note = no_forum_warning(p.forum, str(reason))
    blocked = {str(s): {forum.date} for s in forum.hosts["staff_id"]} if forum else {}
    visits = plan_visits(clients, staff, activities, period, p.visits, calendar, frozenset(outflow_ids),
                         blocked)
    greetings = plan_greetings(clients, staff, period, p.greetings, calendar)
    salons = plan_salons(clients, gap_lines, p.salons, calendar, period, staff=staff,
                         avoid={forum.date} if forum else ())
    warnings = [*calendar.warnings, *visits.warnings, *(forum.warnings if forum else []),
                *([forum_note] if forum_note else []), *(w for s in salons for w in s.warnings)]
    return BranchPlanning(branch_id=p.branch_id, period=period, plan_month=plan_month(period),
                          calendar=calendar, visits=visits, greetings=greetings, forum=forum, salons=salons,
                          forum_note=forum_note, warnings=warnings)
