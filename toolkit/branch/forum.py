"""The annual client forum (座谈会) and themed salons (沙龙).

The forum is held at least once a year: a date in the params window that is not a holiday (the
preferred weekday first, and far enough ahead for the invitations when the window allows), the
top clients invited so that the expected attendance fills the room, one host per 40 guests from
their maintainers, the budget, and a preparation timeline dated on working days. Salons are
smaller: clients missing one product line, invited up to the room's capacity. What the reader is
told (warnings, the past forum, why there is none) are notices; titles and step labels are said
from codes by toolkit.report.actions_text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import pandas as pd

from toolkit.base.notices import Notice, notice
from toolkit.base.periods import month_end, month_start
from toolkit.base.schema import ROLES
from toolkit.base.settings import ForumSettings, SalonSettings
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.visits import branch_staff

INVITEE_COLUMNS = ["client_id", "name", "phone", "tier", "aum", "maintainer_id", "staff_name"]
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def event_date(window: tuple[dt.date, dt.date], preferred: Sequence[str], calendar: WorkCalendar, period: str,
               lead_days: int = 0, avoid: Collection[dt.date] = ()) -> tuple[dt.date | None, str | None]:
    """(date, None) for an event in the window, or (None, 'window_passed' | 'no_date').

    Days that are holidays or in `avoid` are out. Days at least lead_days after the plan month
    starts come first (the invitations can still go out on time), then the preferred weekdays in
    their order, then the earliest day.
    """
    start = month_start(plan_month(period))
    if window[1] < start:
        return None, "window_passed"
    days = [window[0] + dt.timedelta(days=i) for i in range((window[1] - window[0]).days + 1)]
    days = [d for d in days if d >= start and not calendar.is_holiday(d) and d not in avoid]
    if not days:
        return None, "no_date"
    timely = [d for d in days if d >= start + dt.timedelta(days=lead_days)] or days
    for weekday in preferred:
        hits = [d for d in timely if _WEEKDAYS[d.weekday()] == weekday]
        if hits:
            return hits[0], None
    return timely[0], None


def _ranked(clients: pd.DataFrame, keep: pd.Series, staff_names: pd.Series) -> pd.DataFrame:
    """Clients where `keep`, best first (rank, then AUM), with their maintainer's name."""
    out = clients.loc[keep].drop_duplicates("client_id").sort_values(
        ["rank", "aum", "client_id"], ascending=[False, False, True], kind="mergesort")
    out = out.assign(tier=out["tier"].astype(str), maintainer_id=out["maintainer_id"].astype("string"))
    out["staff_name"] = out["maintainer_id"].map(staff_names)
    return out[INVITEE_COLUMNS].reset_index(drop=True)


@dataclass
class ForumPlan:
    """Everything the branch needs to hold the forum; dates are plain dates."""

    date: dt.date
    start: dt.datetime
    end: dt.datetime
    invitees: pd.DataFrame
    hosts: pd.DataFrame  # staff_id, name, role, invitees (how many of them the host maintains)
    expected_guests: int
    budget: dict[str, float]  # guests, budget_per_guest, guest_cost, fixed_cost, total
    timeline: pd.DataFrame  # step (code), offset_days, date, late
    past_forum: Notice  # forum.past (when, how many came) or forum.no_past
    warnings: list[Notice] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "invitees": int(len(self.invitees))}


def _past_forum(activities: pd.DataFrame | None, settings: ForumSettings, period: str) -> Notice:
    start = pd.Timestamp(month_start(plan_month(period)))
    since = start - pd.DateOffset(months=settings.recent_forum_months)
    events = pd.DataFrame(columns=["date", "client_id"]) if activities is None else activities.loc[
        (activities["kind"] == "event") & (activities["date"] >= since) & (activities["date"] < start)]
    if events.empty:
        return notice("forum.no_past", months=settings.recent_forum_months)
    last = events["date"].max()
    attended = events.loc[events["date"] == last, "client_id"].nunique()
    return notice("forum.past", months=settings.recent_forum_months, date=last.date().isoformat(),
                  n=int(attended))


def _hosts(team: pd.DataFrame, invitees: pd.DataFrame, needed: int) -> pd.DataFrame:
    """Maintainers of the most invitees first, then by seniority of role, then staff_id."""
    load = invitees["maintainer_id"].value_counts()
    hosts = pd.DataFrame({"staff_id": team.index, "name": team["name"].astype(str).to_numpy(),
                          "role": team["role"].astype(str).to_numpy()})
    hosts["invitees"] = hosts["staff_id"].map(load).fillna(0).astype("int64")
    hosts["_role"] = hosts["role"].map({r: i for i, r in enumerate(ROLES)}).fillna(len(ROLES))
    hosts = hosts.sort_values(["invitees", "_role", "staff_id"], ascending=[False, True, True],
                              kind="mergesort")
    return hosts.drop(columns="_role").head(needed).reset_index(drop=True)


def _timeline(day: dt.date, settings: ForumSettings, calendar: WorkCalendar, period: str) -> pd.DataFrame:
    """Each step on a working day: before the forum the working day at or before, after it the one at
    or after; the on-the-day step is the forum day itself."""
    steps = sorted(settings.timeline_days.items(), key=lambda item: item[1])
    dates = []
    for _, offset in steps:
        raw = day + dt.timedelta(days=offset)
        dates.append(raw if offset == 0 else calendar.previous_workday(raw, inclusive=True) if offset < 0
                     else calendar.next_workday(raw, inclusive=True))
    out = pd.DataFrame({"step": [s for s, _ in steps], "offset_days": [o for _, o in steps],
                        "date": pd.to_datetime(dates).astype("datetime64[ns]")})
    out["late"] = out["date"] < pd.Timestamp(month_start(plan_month(period)))
    return out


def forum_date(settings: ForumSettings, calendar: WorkCalendar,
               period: str) -> tuple[dt.date | None, str | None]:
    """The forum's day, or why there is none ('window_passed', 'no_date')."""
    lead = -min(0, *settings.timeline_days.values())
    return event_date(settings.window, settings.preferred_weekdays, calendar, period, lead_days=lead)


def no_forum_warning(settings: ForumSettings, reason: str) -> Notice:
    """Why params that ask for a forum got none: forum.window_passed or forum.no_date."""
    start, end = settings.window
    return notice(f"forum.{reason}", start=start.isoformat(), end=end.isoformat())


def plan_forum(clients: pd.DataFrame, staff: pd.DataFrame, activities: pd.DataFrame | None,
               settings: ForumSettings | None, calendar: WorkCalendar, period: str) -> ForumPlan | None:
    """The forum plan, or None without forum settings or a usable day (see `forum_date`)."""
    if settings is None:
        return None
    day, _ = forum_date(settings, calendar, period)
    if day is None:
        return None
    warnings: list[Notice] = []
    team = branch_staff(staff, clients)
    need = math.ceil(round(settings.capacity / settings.expected_attendance_rate, 9))
    keep = clients["in_scope"].astype(bool) & clients["tier"].astype(str).isin(settings.invite_tiers)
    invitees = _ranked(clients, keep, team["name"].astype(str)).head(need)
    guests = min(settings.capacity, math.floor(len(invitees) * settings.expected_attendance_rate + 0.5))
    if len(invitees) < need:
        warnings.append(notice("forum.few", n=len(invitees), need=need, guests=guests,
                               capacity=settings.capacity))
    n_hosts = max(1, math.ceil(guests / settings.guests_per_host))
    hosts = _hosts(team, invitees, n_hosts)
    if len(hosts) < n_hosts:
        warnings.append(notice("forum.hosts", need=n_hosts, n=len(hosts)))
    timeline = _timeline(day, settings, calendar, period)
    late = timeline.loc[timeline["late"]]
    if not late.empty:
        steps = [notice("forum.late_step", step=notice(f"forum.step.{step}"), date=when.date().isoformat())
                 for step, when in zip(late["step"], late["date"], strict=True)]
        warnings.append(notice("forum.late", month=plan_month(period), steps=steps))
    start = dt.datetime.combine(day, settings.start_time)
    guest_cost = float(guests * settings.budget_per_guest)
    budget = {"guests": float(guests), "budget_per_guest": float(settings.budget_per_guest),
              "guest_cost": guest_cost, "fixed_cost": float(settings.fixed_cost),
              "total": guest_cost + settings.fixed_cost}
    return ForumPlan(date=day, start=start, end=start + dt.timedelta(minutes=settings.duration_minutes),
                     invitees=invitees, hosts=hosts, expected_guests=guests, budget=budget,
                     timeline=timeline, past_forum=_past_forum(activities, settings, period),
                     warnings=warnings)


@dataclass
class SalonPlan:
    """A themed salon: date is None when its window has passed or has no suitable day (see warnings).
    Its title is said from the theme (a product line) by the report layer."""

    theme: str
    date: dt.date | None
    start: dt.datetime | None
    end: dt.datetime | None
    capacity: int
    invitees: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)


def _gap_ids(clients: pd.DataFrame, gap_lines: pd.DataFrame | None, theme: str) -> pd.Series:
    """Who lacks the theme's product: from the analytics' gap list, else whoever holds none of it."""
    if gap_lines is not None:
        missing = gap_lines.loc[gap_lines["line"] == theme, "client_id"].astype(str)
        return clients["client_id"].astype(str).isin(set(missing))
    return clients[theme] <= 0


def plan_salons(clients: pd.DataFrame, gap_lines: pd.DataFrame | None, salons: Sequence[SalonSettings],
                calendar: WorkCalendar, period: str, staff: pd.DataFrame | None = None,
                avoid: Collection[dt.date] = ()) -> list[SalonPlan]:
    """One plan per salon in the params, on distinct days and not on the `avoid` days (the forum)."""
    taken, out = set(avoid), []
    names = branch_staff(staff, clients)["name"].astype(str) if staff is not None else pd.Series(dtype=str)
    month = plan_month(period)
    for salon in salons:
        title = notice("salon.title", theme=notice(f"code.{salon.theme}"))
        window = salon.window or (month_start(month), month_end(month))
        day, why = event_date(window, salon.preferred_weekdays, calendar, period, avoid=taken)
        keep = clients["in_scope"].astype(bool) & _gap_ids(clients, gap_lines, salon.theme)
        invitees = _ranked(clients, keep, names).head(salon.capacity)
        warnings = []
        if why is not None:
            warnings.append(notice(f"salon.{why}", title=title, start=window[0].isoformat(),
                                   end=window[1].isoformat()))
        if invitees.empty:
            warnings.append(notice("salon.empty", title=title))
        start = dt.datetime.combine(day, salon.start_time) if day else None
        end = start + dt.timedelta(minutes=salon.duration_minutes) if start else None
        if day:
            taken.add(day)
        out.append(SalonPlan(salon.theme, day, start, end, salon.capacity, invitees, warnings))
    return out
