"""Home visits (上门拜访) for the plan month: who is due, and a day-by-day schedule per staff member.

A client is due when never visited, or when the last visit (activities of kind visit before the
hand-out date) plus the tier's cadence falls in or before the plan month; every outflow-watch
client is due now, whatever the cadence. Each gets a window of working days from the hand-out
date (`as_of`; 调休 make-up days count, holidays do not): outflow watch within the first
`outflow_workdays`, never visited or overdue any day, due inside the month from `due_lead_days`
before the due date (not visited again too soon). toolkit.branch.schedule fits each staff member's
clients, most urgent first (outflow watch, then rank, days overdue, AUM), into the per-day and
per-month limits, days of host duty off, the load spread evenly and one district a day where it
costs nothing; slots skip lunch. A top client handed over (toolkit.branch.coverage) is visited by
the colleague covering them. Every due client ends up either in the schedule or in `unscheduled`
with a reason and the first date it could be fitted. Reasons and warnings are codes and notices
(`reason`, `Notice`); toolkit.report.actions_text words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.base.notices import Notice, notice
from toolkit.base.periods import month_end, month_start, parse_period
from toolkit.base.settings import VisitSettings
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.maintainers import TIER_ROLES
from toolkit.branch.schedule import StaffSchedule, schedule_staff

SCHEDULE_COLUMNS = ["date", "slot", "start", "end", "staff_id", "staff_name", "client_id", "name", "phone",
                    "tier", "aum", "district", "priority", "reason", "last_visit", "due_date", "days_overdue",
                    "window_start", "handover", "outflow_late"]
UNSCHEDULED_COLUMNS = ["client_id", "name", "tier", "aum", "maintainer_id", "staff_name", "priority", "reason",
                       "window_start", "first_date"]
#: One staff member's scheduler: (release, deadline, district, day_caps, month_cap) -> StaffSchedule.
Solver = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int], StaffSchedule]
#: Why a due client is not scheduled, in the order the warning counts them.
UNSCHEDULED_REASONS = ("capacity", "month_limit", "no_maintainer", "maintainer_not_in_branch")


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
               settings: VisitSettings, as_of: dt.date | None = None) -> pd.DataFrame:
    """In-scope clients of a visiting tier who are due in the plan month, by client_id.

    The last visit is the latest before the hand-out date `as_of` (default: the month's first day);
    days_overdue counts from that day (negative: due later in the month) and is NA for a client
    never visited.
    """
    parse_period(plan_month)
    start = as_of or month_start(plan_month)
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


@dataclass
class VisitPlan:
    """The plan month's visits: `schedule` (one row per visit) and `unscheduled` (due, with a reason
    code); `warnings` holds a `visits.unscheduled` notice when some due client is not scheduled."""

    plan_month: str
    schedule: pd.DataFrame
    unscheduled: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)

    #: How many outflow-watch clients the book holds (each is due now).
    outflow: int = 0

    def summary(self) -> dict[str, int]:
        """The `visits` entry of summary.json: outflow_scheduled counts those visited within the window."""
        s = self.schedule
        in_window = int(((s["reason"] == "outflow_watch") & ~s["outflow_late"].astype(bool)).sum())
        return {"planned": int(len(s)), "due_unscheduled": int(len(self.unscheduled)),
                "outflow": int(self.outflow), "outflow_scheduled": in_window}


def among(values: pd.Series, pool: object) -> np.ndarray:
    """values.isin(pool) by hashing: pandas' isin on Arrow strings turns each of the pool's values
    into a scalar first (a 5,000-id pool cost 10 ms per call)."""
    index = pd.Index(list(pool) if isinstance(pool, set | frozenset) else pool).unique()
    return index.get_indexer(values) >= 0 if len(index) else np.zeros(len(values), dtype=bool)


def branch_staff(staff: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """The staff of the clients' branch, indexed by staff_id (a network-wide staff table is fine)."""
    branches = {str(b) for b in pd.unique(clients["branch_id"].dropna())}
    team = staff.loc[staff["branch_id"].astype(str).isin(branches)] if branches else staff
    team = team.assign(staff_id=team["staff_id"].astype(str))
    return team.drop_duplicates("staff_id").set_index("staff_id")




def _ranked_due(clients: pd.DataFrame, due: pd.DataFrame, outflow_ids: Collection[str],
                last: pd.Series, start: dt.date, outflow_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Due clients plus every outflow-watch client (due now, whatever the cadence), most urgent first.
    outflow_rows: base-snapshot rows of outflow clients with no row in `clients` (they took
    everything out, or moved branch): visited on what the base knew of them."""
    book = clients if outflow_rows is None or outflow_rows.empty else pd.concat([clients, outflow_rows])
    info = book.drop_duplicates("client_id").assign(client_id=lambda f: f["client_id"].astype(str))
    ids = pd.Index(info["client_id"])
    outflow = {c for c in map(str, outflow_ids) if c in ids}
    extra = sorted(outflow - set(due["client_id"]))
    if extra:
        seen = last.reindex(extra).to_numpy()
        more = pd.DataFrame({"client_id": extra, "cadence_months": pd.NA, "last_visit": seen,
                             "due_date": pd.Timestamp(start)})
        more["days_overdue"] = pd.array([0] * len(extra), dtype="Int64")
        due = pd.concat([due, more.astype({"last_visit": "datetime64[ns]", "due_date": "datetime64[ns]"})],
                        ignore_index=True)
    cols = ["client_id", "name", "phone", "tier", "rank", "aum", "district", "maintainer_id"]
    ranked = due.merge(info[cols], on="client_id", how="left")
    ranked["tier"] = ranked["tier"].astype(str)
    ranked["maintainer_id"] = ranked["maintainer_id"].astype("string")
    ranked["outflow"] = ranked["client_id"].isin(outflow)
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


def slot_minutes(settings: VisitSettings, count: int) -> list[int]:
    """Start times (minutes after midnight) of the day's first `count` visits: one every
    slot_minutes from first_visit_at, a visit that would overlap lunch moved to lunch's end."""
    lunch0 = settings.lunch[0].hour * 60 + settings.lunch[0].minute
    lunch1 = settings.lunch[1].hour * 60 + settings.lunch[1].minute
    t, out = settings.first_visit_at.hour * 60 + settings.first_visit_at.minute, []
    for _ in range(count):
        if t < lunch1 and t + settings.visit_minutes > lunch0:
            t = max(t, lunch1)
        out.append(t)
        t += settings.slot_minutes
    return out


def _slot_times(dates: pd.Series, slots: pd.Series, settings: VisitSettings) -> tuple[pd.Series, pd.Series]:
    starts = slot_minutes(settings, int(slots.max()) if len(slots) else 0)
    minutes = slots.map(lambda k: starts[k - 1]).astype("int64") if len(slots) else slots
    start = dates + pd.to_timedelta(minutes, unit="min")
    end = start + pd.Timedelta(minutes=settings.visit_minutes)
    fits = end <= dates + pd.Timedelta(days=1)  # a slot past midnight becomes an all-day entry
    return start.where(fits), end.where(fits)


def _monthly_limit(row: pd.Series, settings: VisitSettings) -> int:
    value = row.get("max_visits_per_month", pd.NA)
    return settings.default_max_per_month if pd.isna(value) else int(value)


def hand_out_day(month: str, as_of: dt.date | None) -> dt.date:
    """The first day actions may be dated: the hand-out date, never before the plan month."""
    first = month_start(month)
    return first if as_of is None or as_of < first else as_of


def _windows(ranked: pd.DataFrame, days: list[dt.date], settings: VisitSettings) -> tuple[np.ndarray, np.ndarray]:
    """(release, deadline) day numbers: outflow within the first outflow_workdays; never visited or
    overdue any day; due inside the month from due_lead_days before the due date."""
    stamps = np.array([np.datetime64(d, "ns") for d in days]) if days else np.array([], "datetime64[ns]")
    opens = (ranked["due_date"] - pd.Timedelta(days=settings.due_lead_days)).to_numpy("datetime64[ns]")
    release = np.searchsorted(stamps, opens, side="left")
    release = np.where(ranked["due_date"].isna().to_numpy() | ranked["outflow"].to_numpy(), 0, release)
    last = max(len(days) - 1, 0)
    deadline = np.where(ranked["outflow"].to_numpy(), min(settings.outflow_workdays - 1, last), last)
    return release.astype(np.int64), deadline.astype(np.int64)


def _done_this_month(activities: pd.DataFrame | None, month: str, start: dt.date) -> pd.Series:
    """Visits each staff member already made in the month before the hand-out date."""
    if activities is None or activities.empty:
        return pd.Series(dtype="int64")
    a = activities.loc[(activities["kind"] == "visit") & (activities["date"] >= pd.Timestamp(month_start(month)))
                       & (activities["date"] < pd.Timestamp(start))]
    return a["staff_id"].astype(str).value_counts()


def plan_visits(clients: pd.DataFrame, staff: pd.DataFrame, activities: pd.DataFrame | None, period: str,
                settings: VisitSettings, calendar: WorkCalendar, outflow_ids: Collection[str] = frozenset(),
                blocked: Mapping[str, Collection[dt.date]] | None = None, as_of: dt.date | None = None,
                visitor: pd.Series | None = None, solver: Solver = schedule_staff,
                outflow_rows: pd.DataFrame | None = None) -> VisitPlan:
    """Schedule the due visits of the plan month (period + 1) from the hand-out date `as_of` on
    (toolkit.branch.schedule per staff member); deterministic for the same input.

    visitor: client_id -> staff_id of a handover (toolkit.branch.coverage) who visits instead of
    the missing maintainer. blocked: staff_id -> days of host duty. solver: one staff member's
    scheduler, `schedule_staff` (bench/bench_schedule.py passes a CP-SAT model to compare).
    outflow_rows: base rows of outflow clients absent from `clients` (see `_ranked_due`)."""
    month = plan_month(period)
    start = hand_out_day(month, as_of)
    last = last_visits(activities, start).astype("datetime64[ns]")
    ranked = _ranked_due(clients, due_visits(clients, activities, month, settings, start), outflow_ids, last,
                         start, outflow_rows)
    ranked["reason"] = _reason(ranked)
    visitor = visitor if visitor is not None else pd.Series(dtype="string")
    ranked["handover"] = ranked["client_id"].isin(visitor.index)
    ranked["visitor_id"] = ranked["client_id"].map(visitor).astype("string").fillna(ranked["maintainer_id"])
    team = branch_staff(staff, clients)
    ranked["staff_name"] = ranked["visitor_id"].map(team["name"].astype(str))
    days = calendar.workdays(start, month_end(month)) if start <= month_end(month) else []
    release, deadline = _windows(ranked, days, settings)
    ranked["window_start"] = pd.to_datetime([days[r] if days else pd.NaT for r in release]).astype("datetime64[ns]")
    district = pd.factorize(ranked["district"], use_na_sentinel=True)[0]
    done = _done_this_month(activities, month, start)
    blocked = blocked or {}

    day = np.full(len(ranked), -1, dtype=np.int64)
    cap_reason = np.full(len(ranked), "", dtype=object)
    outflow_late = np.zeros(len(ranked), dtype=bool)
    loads: dict[str, np.ndarray] = {}
    left: dict[str, int] = {}
    for staff_id, rows in ranked.groupby("visitor_id", sort=True).indices.items():
        if staff_id not in team.index:
            continue
        off = set(blocked.get(staff_id, ()))
        caps = np.array([0 if d in off else settings.max_per_day for d in days], dtype=np.int64)
        month_cap = max(_monthly_limit(team.loc[staff_id], settings) - int(done.get(staff_id, 0)), 0)
        result = solver(release[rows], deadline[rows], district[rows], caps, month_cap)
        day[rows], cap_reason[rows], outflow_late[rows] = result.day, result.reason, result.late
        loads[staff_id] = result.loads
        left[staff_id] = month_cap - int((result.day >= 0).sum())
    ranked["day"], ranked["cap_reason"], ranked["outflow_late"] = day, cap_reason, outflow_late

    placed = ranked.loc[ranked["day"] >= 0].copy()
    placed["date"] = pd.to_datetime([days[d] for d in placed["day"]]).astype("datetime64[ns]") if len(placed) \
        else pd.Series(dtype="datetime64[ns]")
    placed["staff_id"] = placed["visitor_id"].astype(str)
    placed = placed.sort_values(["date", "staff_id", "district", "priority"], kind="mergesort", na_position="last")
    placed["slot"] = placed.groupby(["date", "staff_id"]).cumcount().astype("int64") + 1
    placed["start"], placed["end"] = _slot_times(placed["date"], placed["slot"], settings)
    schedule = placed.sort_values(["date", "staff_id", "slot"], kind="mergesort")[SCHEDULE_COLUMNS]
    spare = _spare(team, loads, left, days, settings)
    unscheduled = _unscheduled(ranked, team, days, release, spare, calendar.next_workday(month_end(month)))
    late = int(schedule["outflow_late"].sum())
    warnings = _warnings(unscheduled) + ([notice("visits.outflow_late", n=late, days=settings.outflow_workdays)]
                                         if late else [])
    return VisitPlan(month, schedule.reset_index(drop=True), unscheduled, warnings,
                     outflow=int(ranked["outflow"].sum()))


def _spare(team: pd.DataFrame, loads: dict[str, np.ndarray], left: dict[str, int], days: list[dt.date],
           settings: VisitSettings) -> dict[str, np.ndarray]:
    """role -> for each day, whether some staff member of that role still has room that day."""
    out: dict[str, np.ndarray] = {}
    for staff_id, role in team["role"].astype(str).items():
        load = loads.get(str(staff_id), np.zeros(len(days), dtype=np.int64))
        month_left = left.get(str(staff_id), _monthly_limit(team.loc[staff_id], settings))
        room = (load < settings.max_per_day) & (month_left > 0)
        out[role] = out.get(role, np.zeros(len(days), dtype=bool)) | room
    return out


def _unscheduled(ranked: pd.DataFrame, team: pd.DataFrame, days: list[dt.date], release: np.ndarray,
                 spare: dict[str, np.ndarray], next_month: dt.date) -> pd.DataFrame:
    """Due clients without a day: the reason, and the first date they could be fitted (a colleague
    of the fitting role with room, for a client without a maintainer; else next month's first
    working day, when the limits renew)."""
    visitor = ranked["visitor_id"]
    reason = np.where(ranked["cap_reason"].to_numpy() == "", "capacity", ranked["cap_reason"].to_numpy())
    reason = np.where(visitor.notna().to_numpy() & ~visitor.isin(team.index).to_numpy(), "maintainer_not_in_branch",
                      reason)
    reason = np.where(visitor.isna().to_numpy(), "no_maintainer", reason)
    out = ranked.assign(reason=reason).loc[ranked["day"].to_numpy() < 0]
    first = pd.Series(pd.Timestamp(next_month), index=out.index, dtype="datetime64[ns]")
    nobody = out.loc[out["reason"].isin(["no_maintainer", "maintainer_not_in_branch"])] if days else out.iloc[:0]
    for i, tier in zip(nobody.index, nobody["tier"], strict=True):
        room = np.zeros(len(days), dtype=bool)
        for role in TIER_ROLES.get(tier, tuple(spare)):
            room |= spare.get(role, room)
        hits = np.flatnonzero(room[int(release[i]):])
        if len(hits):
            first[i] = pd.Timestamp(days[int(release[i]) + int(hits[0])])
    out["first_date"] = first
    out["maintainer_id"] = out["visitor_id"]
    return out.sort_values("priority", kind="mergesort")[UNSCHEDULED_COLUMNS].reset_index(drop=True)


def _warnings(unscheduled: pd.DataFrame) -> list[Notice]:
    """One `visits.unscheduled` notice: how many, and a `visits.count.<reason>` part per reason."""
    if unscheduled.empty:
        return []
    counts = unscheduled["reason"].value_counts()
    parts = [notice(f"visits.count.{r}", n=int(counts[r])) for r in UNSCHEDULED_REASONS if r in counts.index]
    return [notice("visits.unscheduled", n=len(unscheduled), parts=parts)]
