"""The annual client forum (座谈会) and themed salons (沙龙).

The forum is held at least once a year (`forum_status` tracks the last one from activities; a
salon is not a forum): a rest day in the params window (never a 调休 make-up working day, never a
holiday; the preferred weekday first), with the invitations' full notice from the hand-out date
when the window allows, else the day with the most notice and a warning; the top clients invited
so that the expected attendance fills the room, the branch president and one host per 40 guests
from their maintainers, the budget, the venue, and a preparation timeline dated on working days.
Salons are smaller: a theme (a product line), the clients missing it, invitation, confirmation and
follow-up calls on working days, and a host. What the reader is told (warnings, the past forum,
why there is none) are notices; titles and step labels are said from codes by
toolkit.report.actions_text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from toolkit.base.notices import Notice, notice
from toolkit.base.periods import month_end, month_start
from toolkit.base.schema import ROLES
from toolkit.base.settings import ForumSettings, SalonSettings
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.visits import among, branch_staff

INVITEE_COLUMNS = ["client_id", "name", "phone", "tier", "aum", "maintainer_id", "staff_name"]
#: Words in an event's note that name the annual forum.
FORUM_WORDS = ("座谈会", "forum")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def event_date(window: tuple[dt.date, dt.date], preferred: Sequence[str], calendar: WorkCalendar,
               start: dt.date, lead_days: int = 0,
               avoid: Collection[dt.date] = ()) -> tuple[dt.date | None, str | None, bool]:
    """(date, None, short_notice) for a client event in the window, or (None, 'window_passed' |
    'no_date', False).

    Only rest days qualify (toolkit.base.workdays: never a 调休 make-up working day, never a holiday),
    from the hand-out date `start` on, not in `avoid`. A day at least lead_days after `start` has full
    notice: the first such day of the first preferred weekday wins, else the first such day. With no
    day of full notice, the day with the most notice (the latest, a preferred weekday first) and
    short_notice True.
    """
    if window[1] < start:
        return None, "window_passed", False
    first = max(window[0], start)
    days = [first + dt.timedelta(days=i) for i in range((window[1] - first).days + 1)]
    days = [d for d in days if calendar.is_rest_day(d) and d not in avoid]
    if not days:
        return None, "no_date", False
    timely = [d for d in days if d >= start + dt.timedelta(days=lead_days)]
    for weekday in preferred:
        hits = [d for d in timely if _WEEKDAYS[d.weekday()] == weekday]
        if hits:
            return hits[0], None, False
    if timely:
        return timely[0], None, False
    for weekday in preferred:
        hits = [d for d in days if _WEEKDAYS[d.weekday()] == weekday]
        if hits:
            return hits[-1], None, True
    return days[-1], None, True


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
    venue: str | None = None
    warnings: list[Notice] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "invitees": int(len(self.invitees))}


def forum_events(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Activities that record a forum: kind event, with a note that names the forum (座谈会, forum) or
    no note at all; an event whose note names something else (a salon) is not the annual forum."""
    if activities is None or activities.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "client_id": pd.Series(dtype=str)})
    events = activities.loc[activities["kind"] == "event"]
    note = events["note"].astype("string").fillna("") if "note" in events else pd.Series("", index=events.index)
    named = note.str.contains("|".join(FORUM_WORDS), case=False, regex=True)
    return events.loc[named | (note.str.strip() == "")]


@dataclass
class ForumStatus:
    """The yearly forum per branch: the last one held (from activities) and whether one is due, i.e.
    none held or planned within the 12 months up to the plan month's end (seed: at least yearly)."""

    last_held: dt.date | None
    due: bool

    def summary(self) -> dict[str, object]:
        return {"last_held": self.last_held.isoformat() if self.last_held else None, "due": bool(self.due)}


def forum_status(activities: pd.DataFrame | None, start: dt.date, month: str,
                 planned: dt.date | None) -> ForumStatus:
    """The last forum before the hand-out date `start`, and whether the yearly forum is still due."""
    events = forum_events(activities)
    events = events.loc[events["date"] < pd.Timestamp(start)]
    last = events["date"].max().date() if len(events) else None
    since = pd.Timestamp(month_end(month)) - pd.DateOffset(years=1)
    held = last is not None and pd.Timestamp(last) > since
    return ForumStatus(last, not held and planned is None)


def _past_forum(activities: pd.DataFrame | None, settings: ForumSettings, start: dt.date) -> Notice:
    since = pd.Timestamp(start) - pd.DateOffset(months=settings.recent_forum_months)
    events = forum_events(activities)
    events = events.loc[(events["date"] >= since) & (events["date"] < pd.Timestamp(start))]
    if events.empty:
        return notice("forum.no_past", months=settings.recent_forum_months)
    last = events["date"].max()
    attended = events.loc[events["date"] == last, "client_id"].nunique()
    return notice("forum.past", months=settings.recent_forum_months, date=last.date().isoformat(),
                  n=int(attended))


def _hosts(team: pd.DataFrame, invitees: pd.DataFrame, needed: int) -> pd.DataFrame:
    """The branch president first (the seed's co-maintainer of top clients), then the maintainers
    of the most invitees, then by seniority of role, then staff_id."""
    load = invitees["maintainer_id"].value_counts()
    hosts = pd.DataFrame({"staff_id": team.index, "name": team["name"].astype(str).to_numpy(),
                          "role": team["role"].astype(str).to_numpy()})
    hosts["invitees"] = hosts["staff_id"].map(load).fillna(0).astype("int64")
    hosts["_president"] = hosts["role"] != "branch_president"
    hosts["_role"] = hosts["role"].map({r: i for i, r in enumerate(ROLES)}).fillna(len(ROLES))
    hosts = hosts.sort_values(["_president", "invitees", "_role", "staff_id"], ascending=[True, False, True, True],
                              kind="mergesort")
    return hosts.drop(columns=["_role", "_president"]).head(needed).reset_index(drop=True)


def timeline(day: dt.date, steps: Mapping[str, int], calendar: WorkCalendar, start: dt.date) -> pd.DataFrame:
    """Each step on a working day: before the event the working day at or before, after it the one at
    or after; the on-the-day step is the event day itself. late: before the hand-out date `start`."""
    ordered = sorted(steps.items(), key=lambda item: item[1])
    dates = []
    for _, offset in ordered:
        raw = day + dt.timedelta(days=offset)
        dates.append(raw if offset == 0 else calendar.previous_workday(raw, inclusive=True) if offset < 0
                     else calendar.next_workday(raw, inclusive=True))
    out = pd.DataFrame({"step": [s for s, _ in ordered], "offset_days": [o for _, o in ordered],
                        "date": pd.to_datetime(dates).astype("datetime64[ns]")})
    out["late"] = out["date"] < pd.Timestamp(start)
    return out


def forum_date(settings: ForumSettings, calendar: WorkCalendar,
               start: dt.date) -> tuple[dt.date | None, str | None, bool]:
    """The forum's day, or why there is none ('window_passed', 'no_date'), and whether notice is short."""
    lead = -min(0, *settings.timeline_days.values())
    return event_date(settings.window, settings.preferred_weekdays, calendar, start, lead_days=lead)


def no_forum_warning(settings: ForumSettings, reason: str) -> Notice:
    """Why params that ask for a forum got none: forum.window_passed or forum.no_date."""
    start, end = settings.window
    return notice(f"forum.{reason}", start=start.isoformat(), end=end.isoformat())


def _late(steps: pd.DataFrame, prefix: str, start: dt.date, **extra: object) -> list[Notice]:
    """A `<prefix>.late` notice naming the steps dated before the hand-out date (they are due now)."""
    late = steps.loc[steps["late"]]
    if late.empty:
        return []
    parts = [notice("forum.late_step", step=notice(f"{prefix}.step.{step}"), date=when.date().isoformat())
             for step, when in zip(late["step"], late["date"], strict=True)]
    return [notice(f"{prefix}.late", as_of=start.isoformat(), steps=parts, **extra)]


def _start(start: dt.date | str) -> dt.date:
    """The hand-out date; a period (as earlier callers gave) means its plan month's first day."""
    return start if isinstance(start, dt.date) else month_start(plan_month(start))


def plan_forum(clients: pd.DataFrame, staff: pd.DataFrame, activities: pd.DataFrame | None,
               settings: ForumSettings | None, calendar: WorkCalendar, start: dt.date | str) -> ForumPlan | None:
    """The forum plan from the hand-out date `start`, or None without forum settings or a usable day."""
    if settings is None:
        return None
    start = _start(start)
    day, _, short = forum_date(settings, calendar, start)
    if day is None:
        return None
    warnings: list[Notice] = []
    lead = -min(0, *settings.timeline_days.values())
    if short:
        warnings.append(notice("forum.short_notice", date=day.isoformat(), days=(day - start).days, lead=lead))
    team = branch_staff(staff, clients)
    need = math.ceil(round(settings.capacity / settings.expected_attendance_rate, 9))
    keep = clients["in_scope"].astype(bool) & clients["tier"].astype(str).isin(settings.invite_tiers)
    invitees = _ranked(clients, keep, team["name"].astype(str)).head(need)
    guests = min(settings.capacity, math.floor(len(invitees) * settings.expected_attendance_rate + 0.5))
    if len(invitees) < need:
        warnings.append(notice("forum.few", n=len(invitees), need=need, guests=guests,
                               capacity=settings.capacity))
    n_hosts = max(1, math.ceil(guests / settings.guests_per_host))
    president = int((team["role"].astype(str) == "branch_president").any())
    hosts = _hosts(team, invitees, n_hosts + president if president and n_hosts < len(team) else n_hosts)
    if len(hosts) < n_hosts:
        warnings.append(notice("forum.hosts", need=n_hosts, n=len(hosts)))
    steps = timeline(day, settings.timeline_days, calendar, start)
    warnings += _late(steps, "forum", start)
    begin = dt.datetime.combine(day, settings.start_time)
    guest_cost = float(guests * settings.budget_per_guest)
    budget = {"guests": float(guests), "budget_per_guest": float(settings.budget_per_guest),
              "guest_cost": guest_cost, "fixed_cost": float(settings.fixed_cost),
              "total": guest_cost + settings.fixed_cost}
    return ForumPlan(date=day, start=begin, end=begin + dt.timedelta(minutes=settings.duration_minutes),
                     invitees=invitees, hosts=hosts, expected_guests=guests, budget=budget,
                     timeline=steps, past_forum=_past_forum(activities, settings, start), venue=settings.venue,
                     warnings=warnings)


@dataclass
class SalonPlan:
    """A themed salon: date is None when its window has passed or has no suitable day (see warnings).
    Its title is said from the theme (a product line) by the report layer. The invitees are the
    clients missing the theme's product line (the gap list); their maintainers make the invitation
    and confirmation calls and the follow-up calls on the timeline's dates; the host is the
    maintainer of the most invitees."""

    theme: str
    date: dt.date | None
    start: dt.datetime | None
    end: dt.datetime | None
    capacity: int
    invitees: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)
    timeline: pd.DataFrame | None = None  # step (invitation_calls, confirmation_calls, follow_up_calls), date
    hosts: pd.DataFrame | None = None
    venue: str | None = None


def _gap_ids(clients: pd.DataFrame, gap_lines: pd.DataFrame | None, theme: str) -> pd.Series:
    """Who lacks the theme's product: from the analytics' gap list, else whoever holds none of it."""
    if gap_lines is not None:
        missing = gap_lines.loc[gap_lines["line"] == theme, "client_id"].astype(str)
        return pd.Series(among(clients["client_id"].astype(str), missing), index=clients.index)
    return clients[theme] <= 0


def plan_salons(clients: pd.DataFrame, gap_lines: pd.DataFrame | None, salons: Sequence[SalonSettings],
                calendar: WorkCalendar, start: dt.date | str, staff: pd.DataFrame | None = None,
                avoid: Collection[dt.date] = ()) -> list[SalonPlan]:
    """One plan per salon in the params, from the hand-out date `start`, on distinct rest days and
    not on the `avoid` days (the forum); the window defaults to the plan month."""
    start = _start(start)
    taken, out = set(avoid), []
    team = branch_staff(staff, clients) if staff is not None else None
    names = team["name"].astype(str) if team is not None else pd.Series(dtype=str)
    for salon in salons:
        title = notice("salon.title", theme=notice(f"code.{salon.theme}"))
        window = salon.window or (start.replace(day=1), month_end(f"{start.year:04d}-{start.month:02d}"))
        lead = -min(0, *salon.timeline_days.values())
        day, why, short = event_date(window, salon.preferred_weekdays, calendar, start, lead_days=lead,
                                     avoid=taken)
        keep = clients["in_scope"].astype(bool) & _gap_ids(clients, gap_lines, salon.theme)
        invitees = _ranked(clients, keep, names).head(salon.capacity)
        warnings = []
        if why is not None:
            warnings.append(notice(f"salon.{why}", title=title, start=window[0].isoformat(),
                                   end=window[1].isoformat()))
        if invitees.empty:
            warnings.append(notice("salon.empty", title=title))
        steps = hosts = None
        if day:
            taken.add(day)
            steps = timeline(day, salon.timeline_days, calendar, start)
            if short:
                warnings.append(notice("salon.short_notice", title=title, date=day.isoformat(),
                                       days=(day - start).days, lead=lead))
            if team is not None and len(team):
                hosts = _hosts(team.loc[team["role"] != "branch_president"] if len(team) > 1 else team,
                               invitees, 1)
        begin = dt.datetime.combine(day, salon.start_time) if day else None
        end = begin + dt.timedelta(minutes=salon.duration_minutes) if begin else None
        out.append(SalonPlan(salon.theme, day, begin, end, salon.capacity, invitees, warnings, steps, hosts,
                             salon.venue))
    return out
