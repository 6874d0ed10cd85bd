"""The branch plan's "what we do this month": one entry point for visits, greetings, forum and salons.

The plan made from period P's snapshot acts in the plan month P + 1 (`plan_month`), from the
hand-out date on (`as_of`; nothing is dated before it). Top clients without a maintainer on the
staff are handed over first (toolkit.branch.coverage), so they are visited and greeted; the forum
and salons are planned next so their hosts are kept free of visits on those days. Nothing here is
worded: the plan's warnings and the reason there is no forum are notices (toolkit.base.notices),
said in the report language by the report layer (toolkit.report.text.say_notice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.base.notices import Notice, notice
from toolkit.base.periods import month_end
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.coverage import Coverage, plan_coverage
from toolkit.branch.forum import (
    ForumPlan,
    ForumStatus,
    SalonPlan,
    forum_date,
    forum_status,
    no_forum_warning,
    plan_forum,
    plan_salons,
)
from toolkit.branch.greetings import plan_greetings
from toolkit.branch.visits import VisitPlan, hand_out_day, plan_visits
from toolkit.inputs.params import BranchParams

__all__ = ["BranchPlanning", "default_as_of", "plan_branch", "plan_month"]


def default_as_of(month: str, today: dt.date | None = None) -> dt.date:
    """The hand-out date when none is given: today if today is in the plan month, else its first day."""
    today = today or dt.date.today()
    first = hand_out_day(month, None)
    return today if first <= today <= month_end(month) else first


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
    as_of: dt.date | None = None
    coverage: Coverage | None = None
    forum_status: ForumStatus | None = None
    #: Greetings whose occasion was before the hand-out date (listed, never back-dated).
    missed_greetings: pd.DataFrame | None = None

    def summary_parts(self) -> dict[str, object]:
        """The `as_of`, `visits`, `coverage`, `forum` and `forum_status` entries of summary.json."""
        return {"as_of": self.as_of.isoformat() if self.as_of else None, "visits": self.visits.summary(),
                "coverage": self.coverage.summary() if self.coverage else None,
                "forum": self.forum.summary() if self.forum else None,
                "forum_status": self.forum_status.summary() if self.forum_status else None}


def plan_branch(clients: pd.DataFrame, staff: pd.DataFrame, activities: pd.DataFrame | None, period: str,
                branch_params: BranchParams, outflow_ids: Collection[str] = frozenset(),
                gap_lines: pd.DataFrame | None = None, as_of: dt.date | None = None,
                outflow_rows: pd.DataFrame | None = None) -> BranchPlanning:
    """Plan the month after `period` for one branch's current snapshot (already classified), from
    the hand-out date `as_of` (else the params' as_of, else `default_as_of`). outflow_rows: base
    rows of outflow clients with no current row (every outflow client is visited)."""
    p = branch_params
    month = plan_month(period)
    given = as_of or p.as_of
    if given is not None and given > month_end(month):
        raise InputError(Problem("as_of", f"{given.isoformat()} is after the plan month {month}: "
                                          f"the plan for period {period} is handed out by {month_end(month)}"))
    start = hand_out_day(month, given or default_as_of(month))
    calendar = WorkCalendar(p.extra_holidays, p.extra_workdays)
    coverage = plan_coverage(clients, staff, p.coverage)
    visitor = coverage.visitor()
    # Events list the colleague who covers a handed-over client as that client's maintainer.
    covered = clients.assign(maintainer_id=clients["client_id"].astype(str).map(visitor).astype("string")
                             .fillna(clients["maintainer_id"].astype("string")).to_numpy())
    forum = plan_forum(covered, staff, activities, p.forum, calendar, start)
    forum_note = None
    if p.forum is not None and forum is None:
        _, reason, _ = forum_date(p.forum, calendar, start)
        forum_note = no_forum_warning(p.forum, str(reason))
    salons = plan_salons(covered, gap_lines, p.salons, calendar, start, staff=staff,
                         avoid={forum.date} if forum else ())
    blocked: dict[str, set[dt.date]] = {}
    events = [(forum.date, forum.hosts)] if forum else []
    events += [(s.date, s.hosts) for s in salons if s.date is not None and s.hosts is not None]
    for day, hosts in events:
        for staff_id in hosts["staff_id"]:
            blocked.setdefault(str(staff_id), set()).add(day)
    visits = plan_visits(clients, staff, activities, period, p.visits, calendar, frozenset(outflow_ids),
                         blocked, as_of=start, visitor=visitor, outflow_rows=outflow_rows)
    greetings = plan_greetings(clients, staff, period, p.greetings, calendar, as_of=start, activities=activities,
                               visitor=visitor)
    status = forum_status(activities, start, month, forum.date if forum else None)
    cover_notes = []
    if len(coverage.handovers):
        cover_notes.append(notice("coverage.handovers", n=len(coverage.handovers)))
    if len(coverage.uncovered):
        cover_notes.append(notice("coverage.uncovered", n=len(coverage.uncovered)))
    if len(coverage.change_offers):
        cover_notes.append(notice("coverage.change_offers", n=len(coverage.change_offers)))
    missed = greetings.missed
    missed_notes = [notice("greetings.missed", n=len(missed), as_of=start.isoformat())] if len(missed) else []
    status_notes = [notice("forum.due", last=status.last_held.isoformat()) if status.last_held
                    else notice("forum.due_never")] if status.due else []
    warnings = [*calendar.warnings, *visits.warnings, *cover_notes, *missed_notes,
                *(forum.warnings if forum else []), *([forum_note] if forum_note else []), *status_notes,
                *(w for s in salons for w in s.warnings)]
    return BranchPlanning(branch_id=p.branch_id, period=period, plan_month=month, calendar=calendar,
                          visits=visits, greetings=greetings.rows, forum=forum, salons=salons,
                          forum_note=forum_note, warnings=warnings, as_of=start, coverage=coverage,
                          forum_status=status, missed_greetings=missed)
