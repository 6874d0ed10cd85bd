"""Home visits (上门拜访) for the plan month: who is due, and a day-by-day schedule per staff member.

A client is due when never visited, or when the last visit (activities of kind visit before the
plan month) plus the tier's cadence falls in or before the plan month. Due clients go to their
maintainer on working days, most urgent first (outflow watch, then rank, days overdue, AUM),
within the per-day and per-month limits; clients of one district share a day where it fits.
Every due client ends up either in the schedule or in `unscheduled` with a reason.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.base.periods import month_end, month_start, parse_period
from toolkit.base.settings import VisitSettings
from toolkit.base.workdays import WorkCalendar, plan_month

SCHEDULE_COLUMNS = ["date", "slot", "start", "end", "staff_id", "staff_name", "client_id", "name", "phone",
                    "tier", "aum", "district", "priority", "reason", "reason_text", "last_visit", "due_date"]
UNSCHEDULED_COLUMNS = ["client_id", "name", "tier", "aum", "maintainer_id", "staff_name", "priority",
                       "reason", "reason_text"]

_TEXT = {
    "zh": {"outflow_watch": "资金流出预警", "never_visited": "从未上门拜访", "overdue": "逾期{n}天（上次拜访{last}）",
           "due": "本月{due}到期（上次拜访{last}）", "capacity": "{staff}本月拜访名额已满",
           "no_maintainer": "未指定维护人", "maintainer_not_in_branch": "维护人{id}不在本网点员工名单中",
           "sep": "；", "warning": "{n}位到期客户本月未能安排上门拜访（{parts}），名单见 visits.xlsx。",
           "list_sep": "，", "count": "{label}{n}位"},
    "en": {"outflow_watch": "Outflow watch", "never_visited": "Never visited",
           "overdue": "{n} days overdue (last visit {last})", "due": "Due on {due} (last visit {last})",
           "capacity": "{staff}'s visits for the month are full", "no_maintainer": "No maintainer assigned",
           "maintainer_not_in_branch": "Maintainer {id} is not on this branch's staff list", "sep": "; ",
           "warning": "{n} due clients could not be given a home visit this month ({parts}); "
                      "see visits.xlsx.", "list_sep": ", ", "count": "{label}: {n}"},
}
_REASON_LABEL = {"zh": {"capacity": "名额已满", "no_maintainer": "无维护人", "maintainer_not_in_branch": "维护人不在本网点"},
                 "en": {"capacity": "capacity", "no_maintainer": "no maintainer",
                        "maintainer_not_in_branch": "maintainer not in branch"}}


def _text(language: str) -> dict[str, str]:
    return _TEXT["zh" if language == "zh" else "en"]


def fill_text(template: str, index: pd.Index, **values: object) -> pd.Series:
    """A vectorised str.format: each {name} takes the matching Series (row by row) or plain value."""
    out = pd.Series("", index=index, dtype=object)
    for literal, name, _, _ in string.Formatter().parse(template):
        out = out + literal
        if name is not None:
            value = values[name]
            out = out + (value.astype(str) if isinstance(value, pd.Series) else str(value))
    return out


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
    """The plan month's visits: `schedule` (one row per visit) and `unscheduled` (due, with a reason)."""

    plan_month: str
    schedule: pd.DataFrame
    unscheduled: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

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


def _reason(ranked: pd.DataFrame, language: str) -> tuple[pd.Series, pd.Series]:
    """Why the visit is planned: a code for data, a sentence for staff."""
    t, idx = _text(language), ranked.index
    last = ranked["last_visit"].dt.strftime("%Y-%m-%d")
    never = ranked["last_visit"].isna()
    overdue = ~never & (ranked["days_overdue"].fillna(0) > 0)
    status = np.select(
        [never, overdue],
        [t["never_visited"], fill_text(t["overdue"], idx, n=ranked["days_overdue"], last=last)],
        fill_text(t["due"], idx, due=ranked["due_date"].dt.strftime("%Y-%m-%d"), last=last))
    status = pd.Series(status, index=idx, dtype=object)
    code = np.select([ranked["outflow"], never, overdue], ["outflow_watch", "never_visited", "overdue"],
                     "due")
    text = status.where(~ranked["outflow"], t["outflow_watch"] + t["sep"] + status)
    return pd.Series(code, index=idx), text


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
                blocked: Mapping[str, Collection[dt.date]] | None = None, language: str = "zh") -> VisitPlan:
    """Schedule the due visits of the plan month (period + 1); deterministic for the same input."""
    month = plan_month(period)
    ranked = _ranked_due(clients, due_visits(clients, activities, month, settings), outflow_ids)
    ranked["reason"], ranked["reason_text"] = _reason(ranked, language)
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
    unscheduled = _unscheduled(ranked, team, full, language)
    return VisitPlan(month, schedule.reset_index(drop=True), unscheduled, _warnings(unscheduled, language))


def _unscheduled(ranked: pd.DataFrame, team: pd.DataFrame, full: list[pd.DataFrame],
                 language: str) -> pd.DataFrame:
    t = _text(language)
    maintainer = ranked["maintainer_id"]
    no_maintainer = ranked.loc[maintainer.isna()].assign(reason="no_maintainer",
                                                         reason_text=t["no_maintainer"])
    outside = ranked.loc[maintainer.notna() & ~maintainer.isin(team.index)]
    outside = outside.assign(reason="maintainer_not_in_branch", reason_text=fill_text(
        t["maintainer_not_in_branch"], outside.index, id=outside["maintainer_id"]))
    over = pd.concat(full) if full else ranked.iloc[:0]
    over = over.assign(reason="capacity",
                       reason_text=fill_text(t["capacity"], over.index, staff=over["staff_name"]))
    out = pd.concat([no_maintainer, outside, over]).sort_values("priority", kind="mergesort")
    return out[UNSCHEDULED_COLUMNS].reset_index(drop=True)


def _warnings(unscheduled: pd.DataFrame, language: str) -> list[str]:
    if unscheduled.empty:
        return []
    t, labels = _text(language), _REASON_LABEL["zh" if language == "zh" else "en"]
    counts = unscheduled["reason"].value_counts()
    parts = t["list_sep"].join(t["count"].format(label=labels[r], n=int(counts[r]))
                               for r in labels if r in counts.index)
    return [t["warning"].format(n=len(unscheduled), parts=parts)]
