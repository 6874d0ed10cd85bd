"""Home visits (上门拜访) for the plan month: who is due, and a day-by-day schedule per staff member.

A client is due when never visited, or when the last visit (activities of kind visit before the
plan month) plus the tier's cadence falls in or before the plan month. Due clients go to their
maintainer on working days, most urgent first (outflow watch, then rank, days overdue, AUM),
within the per-day and per-month limits; clients of one district share a day where it fits.
Every due client ends up either in the schedule or in `unscheduled` with a reason. Reasons and
warnings are codes and notices (`reason`, `Notice`); toolkit.report.actions_text words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.base.notices import Notice, notice
from toolkit.base.periods import month_end, month_start, parse_period
from toolkit.base.settings import VisitSettings
from toolkit.base.workdays import WorkCalendar, plan_month

SCHEDULE_COLUMNS = ["date", "slot", "start", "end", "staff_id", "staff_name", "client_id", "name", "phone",
                    "tier", "aum", "district", "priority", "reason", "last_visit", "due_date", "days_overdue"]
UNSCHEDULED_COLUMNS = ["client_id", "name", "tier", "aum", "maintainer_id", "staff_name", "priority", "reason"]
#: Why a due client is not scheduled, in the order the warning counts them.
UNSCHEDULED_REASONS = ("capacity", "no_maintainer", "maintainer_not_in_branch")


def _month_index(days: pd.Series) -> pd.Series:
    return days.dt.year * 12 + days.dt.month - 1


def _add_months(days: pd.Series, months: pd.Series) -> pd.Series:
    """days + months calendar months, the day clipped to the month's length (Jan 31 + 1 = Feb 28)."""
    idx = (_month_index(days) + months).astype("int64")
    parts = pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1}, index=days.index)
    first = pd.to_datetime(parts)
    day = np.minimum(days.dt.day.to_numpy(), first.dt.days_in_month.to_numpy())
    return first + pd.to_timedelta(day - 1, unit="D")


def last_visits(activities: pd.DataFrame | None, before: dt.date) -> pd.Series:
    """client_id -> date of the latest visit strictly before `before` (empty when no activities)."""
    if activities is None or activities.empty:
        return pd.Series(dtype="datetime64[ns]", name="last_visit")
    visits = activities.loc[(activities["kind"] == "visit") & (activities["date"] < pd.Timestamp(before))]
    return visits.groupby(visits["client_id"].astype(str))["date"].max().rename("last_visit")


def due_visits(clients: pd.DataFrame, activities: pd.DataFrame | None, plan_month: str,
               settings: VisitSettings) -> pd.DataFrame:
    """In-scope clients of a visiting tier who are due in the plan month, by client_id.

    days_overdue counts from the plan month's first day (negative: due later in the month) and is
    NA for a client never visited.
    """
    parse_period(plan_month)
    start = month_start(plan_month)
    cadence = clients["tier"].astype(str).map(settings.cadence_months)
    eligible = clients["in_scope"].astype(bool) & cadence.notna()
    due = pd.DataFrame({"client_id": clients.loc[eligible, "client_id"].astype(str),
                        "cadence_months": cadence[eligible].astype("int64")}).drop_duplicates("client_id")
    last = last_visits(activities, start).astype("datetime64[ns]")
    due["last_visit"] = last.reindex(due["client_id"]).to_numpy()
    seen = due["last_visit"].notna()
    y, m = parse_period(plan_month)
    next_idx = _month_index(due["last_visit"]) + due["cadence_months"]
    due = due.loc[~seen | (next_idx <= y * 12 + m - 1)].copy()
    seen = due["last_visit"].notna()
    due["due_date"] = pd.Series(pd.NaT, index=due.index, dtype="datetime64[ns]")
    if seen.any():
        due.loc[seen, "due_date"] = _add_months(due.loc[seen, "last_visit"], due.loc[seen, "cadence_months"])
    due["days_overdue"] = (pd.Timestamp(start) - due["due_date"]).dt.days.astype("Int64")
    return due.sort_values("client_id").reset_index(drop=True)


def _assign_days(districts: list[object], n_days: int, per_day: int) -> list[tuple[int, int]]:
    """(day index, slot) for each client in priority order: a day already visiting the client's
    district if it has room, else the earliest empty day, else the earliest day with room."""
    load = [0] * n_days
    opened: dict[object, list[int]] = {}
    out = []
    for district in districts:
        known = pd.notna(district)
        pick = None
        if known:
            pick = min((i for i in opened.get(district, ()) if load[i] < per_day), default=None)
        if pick is None:
            pick = next((i for i in range(n_days) if load[i] == 0), None)
        if pick is None:
            pick = next(i for i in range(n_days) if load[i] < per_day)
        load[pick] += 1
        if known:
            opened.setdefault(district, []).append(pick)
        out.append((pick, load[pick]))
    return out


@dataclass
class VisitPlan:
    """The plan month's visits: `schedule` (one row per visit) and `unscheduled` (due, with a reason
    code); `warnings` holds a `visits.unscheduled` notice when some due client is not scheduled."""

    plan_month: str
    schedule: pd.DataFrame
    unscheduled: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"planned": int(len(self.schedule)), "due_unscheduled": int(len(self.unscheduled))}


def branch_staff(staff: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """The staff of the clients' branch, indexed by staff_id (a network-wide staff table is fine)."""
    branches = set(clients["branch_id"].dropna().astype(str))
    team = staff.loc[staff["branch_id"].astype(str).isin(branches)] if branches else staff
    team = team.assign(staff_id=team["staff_id"].astype(str))
    return team.drop_duplicates("staff_id").set_index("staff_id")


def _ranked_due(clients: pd.DataFrame, due: pd.DataFrame, outflow_ids: Collection[str]) -> pd.DataFrame:
    info = clients.drop_duplicates("client_id").assign(client_id=lambda f: f["client_id"].astype(str))
    cols = ["client_id", "name", "phone", "tier", "rank", "aum", "district", "maintainer_id"]
    ranked = due.merge(info[cols], on="client_id", how="left")
    ranked["tier"] = ranked["tier"].astype(str)
    ranked["maintainer_id"] = ranked["maintainer_id"].astype("string")
    ranked["outflow"] = ranked["client_id"].isin(set(outflow_ids))
    ranked["_overdue"] = ranked["days_overdue"].astype("float64").fillna(np.inf)
    ranked = ranked.sort_values(["outflow", "rank", "_overdue", "aum", "client_id"],
                                ascending=[False, False, False, False, True], kind="mergesort")
    ranked["priority"] = np.arange(1, len(ranked) + 1)
    return ranked.drop(columns="_overdue").reset_index(drop=True)


def _reason(ranked: pd.DataFrame) -> pd.Series:
    """Why the visit is planned, as a code: outflow_watch, never_visited, overdue or due."""
    never = ranked["last_visit"].isna()
    overdue = ~never & (ranked["days_overdue"].fillna(0) > 0)
    code = np.select([ranked["outflow"], never, overdue], ["outflow_watch", "never_visited", "overdue"],
                     "due")
    return pd.Series(code, index=ranked.index)


def _slot_times(dates: pd.Series, slots: pd.Series, settings: VisitSettings) -> tuple[pd.Series, pd.Series]:
    first = settings.first_visit_at.hour * 60 + settings.first_visit_at.minute
    start = dates + pd.to_timedelta(first + (slots - 1) * settings.slot_minutes, unit="min")
    end = start + pd.Timedelta(minutes=settings.visit_minutes)
    fits = end <= dates + pd.Timedelta(days=1)  # a slot past midnight becomes an all-day entry
    return start.where(fits), end.where(fits)


def _monthly_limit(row: pd.Series, settings: VisitSettings) -> int:
    value = row.get("max_visits_per_month", pd.NA)
    return settings.default_max_per_month if pd.isna(value) else int(value)


def plan_visits(clients: pd.DataFrame, staff: pd.DataFrame, activities: pd.DataFrame | None, period: str,
                settings: VisitSettings, calendar: WorkCalendar, outflow_ids: Collection[str] = frozenset(),
                blocked: Mapping[str, Collection[dt.date]] | None = None) -> VisitPlan:
    """Schedule the due visits of the plan month (period + 1); deterministic for the same input."""
    month = plan_month(period)
    ranked = _ranked_due(clients, due_visits(clients, activities, month, settings), outflow_ids)
    ranked["reason"] = _reason(ranked)
    team = branch_staff(staff, clients)
    ranked["staff_name"] = ranked["maintainer_id"].map(team["name"].astype(str))
    workdays = calendar.workdays(month_start(month), month_end(month))
    blocked = blocked or {}

    visits, full = [], []
    for staff_id, group in ranked.loc[ranked["maintainer_id"].isin(team.index)].groupby("maintainer_id"):
        off = set(blocked.get(staff_id, ()))
        days = [d for d in workdays if d not in off]
        limit = min(_monthly_limit(team.loc[staff_id], settings), settings.max_per_day * len(days))
        chosen = group.iloc[:limit].copy()
        picks = _assign_days(chosen["district"].tolist(), len(days), settings.max_per_day)
        chosen["date"] = pd.to_datetime([days[i] for i, _ in picks]).astype("datetime64[ns]")
        chosen["slot"] = [s for _, s in picks]
        chosen["staff_id"] = staff_id
        visits.append(chosen)
        full.append(group.iloc[limit:])

    schedule = pd.concat(visits) if visits else ranked.iloc[:0].assign(date=pd.NaT, slot=0, staff_id="")
    schedule = schedule.astype({"date": "datetime64[ns]", "slot": "int64"})
    schedule["start"], schedule["end"] = _slot_times(schedule["date"], schedule["slot"], settings)
    schedule = schedule.sort_values(["date", "staff_id", "slot"], kind="mergesort")[SCHEDULE_COLUMNS]
    unscheduled = _unscheduled(ranked, team, full)
    return VisitPlan(month, schedule.reset_index(drop=True), unscheduled, _warnings(unscheduled))


def _unscheduled(ranked: pd.DataFrame, team: pd.DataFrame, full: list[pd.DataFrame]) -> pd.DataFrame:
    maintainer = ranked["maintainer_id"]
    no_maintainer = ranked.loc[maintainer.isna()].assign(reason="no_maintainer")
    outside = ranked.loc[maintainer.notna() & ~maintainer.isin(team.index)]
    outside = outside.assign(reason="maintainer_not_in_branch")
    over = pd.concat(full) if full else ranked.iloc[:0]
    over = over.assign(reason="capacity")
    out = pd.concat([no_maintainer, outside, over]).sort_values("priority", kind="mergesort")
    return out[UNSCHEDULED_COLUMNS].reset_index(drop=True)


def _warnings(unscheduled: pd.DataFrame) -> list[Notice]:
    """One `visits.unscheduled` notice: how many, and a `visits.count.<reason>` part per reason."""
    if unscheduled.empty:
        return []
    counts = unscheduled["reason"].value_counts()
    parts = [notice(f"visits.count.{r}", n=int(counts[r])) for r in UNSCHEDULED_REASONS if r in counts.index]
    return [notice("visits.unscheduled", n=len(unscheduled), parts=parts)]
