"""Greetings for the plan month: birthdays, the festivals (春节, 中秋) and recorded happy events.

Gift tiers get flowers or a gift carried to them, everyone else an SMS. A gift for a birthday goes
on the birthday if that is a working day, else on the working day before; a festival gift on the
last working day before the festival (seed: gifts arrive before the occasion); an SMS on the day.
Nothing is dated before the hand-out date: a gift whose day has passed goes on the first working
day from then if that is still before the occasion, else it becomes an SMS on the day (note
`gift_too_late`); an occasion already past is listed as missed, never back-dated. Happy events
(a wedding, a child's admission …) come from activities whose note names one, recorded in the
days before the hand-out and not yet answered by a gift or an SMS. The client's maintainer (or
the colleague a top client was handed over to) does it. Rows carry codes and dates only;
toolkit.report.actions_text says what to do in the report language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from toolkit.base.periods import month_end, month_start, parse_period
from toolkit.base.settings import GreetingSettings
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.visits import among, branch_staff, hand_out_day

COLUMNS = ["date", "occasion", "occasion_date", "client_id", "name", "tier", "action", "staff_id", "staff_name",
           "note"]


@dataclass
class GreetingPlan:
    """rows: the greetings to make (by date); missed: occasions before the hand-out date (birthdays
    and festivals), listed rather than back-dated."""

    rows: pd.DataFrame
    missed: pd.DataFrame


def birthdays_in(birth_dates: pd.Series, month: str) -> pd.Series:
    """This year's birthday within the month (29 Feb falls on 28 Feb in other years), NaT otherwise."""
    year, number = parse_period(month)
    born = pd.to_datetime(birth_dates)
    hit = born.dt.month == number
    last_day = month_end(month).day
    day = born.dt.day.where(hit).clip(upper=last_day)
    start = pd.Timestamp(month_start(month))
    return (start + pd.to_timedelta(day - 1, unit="D")).where(hit).astype("datetime64[ns]")


def _happy_events(activities: pd.DataFrame | None, settings: GreetingSettings, start: dt.date) -> pd.DataFrame:
    """client_id, occasion, occasion_date of happy events recorded before `start`, not yet greeted."""
    empty = pd.DataFrame({"client_id": pd.Series(dtype=str), "occasion": pd.Series(dtype=str),
                          "occasion_date": pd.Series(dtype="datetime64[ns]")})
    if activities is None or activities.empty or "note" not in activities or settings.happy_event_days == 0:
        return empty
    since = pd.Timestamp(start) - pd.Timedelta(days=settings.happy_event_days)
    recent = activities.loc[(activities["date"] >= since) & (activities["date"] < pd.Timestamp(start))]
    note = recent["note"].astype("string").fillna("").str.lower()
    found = []
    for kind, words in settings.happy_event_words.items():
        if not words:
            continue
        hit = note.str.contains("|".join(re.escape(w.lower()) for w in words), regex=True)
        rows = recent.loc[hit]
        found.append(pd.DataFrame({"client_id": rows["client_id"].astype(str), "occasion": kind,
                                   "occasion_date": rows["date"]}))
    events = pd.concat([empty, *found], ignore_index=True)
    events = events.sort_values(["client_id", "occasion_date"]).drop_duplicates("client_id", keep="last")
    greeted = activities.loc[activities["kind"].isin(["gift", "sms"]) & (activities["date"] < pd.Timestamp(start))]
    answered = greeted.groupby(greeted["client_id"].astype(str))["date"].max()
    after = pd.Series(answered.reindex(events["client_id"]).to_numpy(), index=events.index, dtype="datetime64[ns]")
    return events.loc[after.isna() | (after < events["occasion_date"])].reset_index(drop=True)


def _occasions(book: pd.DataFrame, month: str, settings: GreetingSettings, calendar: WorkCalendar,
               happy: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """client_id, occasion, occasion_date: birthdays and festivals in the month, happy events."""
    birthday = birthdays_in(book["birth_date"], month)
    parts = [pd.DataFrame({"client_id": book.loc[birthday.notna(), "client_id"], "occasion": "birthday",
                           "occasion_date": birthday[birthday.notna()]})]
    year, _ = parse_period(month)
    for code in settings.festivals:
        day = calendar.festival(code, year)
        if day is not None and month_start(month) <= day <= month_end(month):
            parts.append(pd.DataFrame({"client_id": book["client_id"], "occasion": code,
                                       "occasion_date": pd.Timestamp(day)}))
    known = happy.loc[among(happy["client_id"], book["client_id"])]
    parts.append(known)
    return pd.concat(parts, ignore_index=True).astype({"occasion_date": "datetime64[ns]"})


def plan_greetings(clients: pd.DataFrame, staff: pd.DataFrame, period: str, settings: GreetingSettings,
                   calendar: WorkCalendar, as_of: dt.date | None = None, activities: pd.DataFrame | None = None,
                   visitor: pd.Series | None = None) -> GreetingPlan:
    """The plan month's (period + 1) greetings from the hand-out date on, by date, and the missed ones."""
    month = plan_month(period)
    start = hand_out_day(month, as_of)
    book = clients.loc[clients["in_scope"].astype(bool)].drop_duplicates("client_id")
    book = book.assign(client_id=book["client_id"].astype(str))
    rows = _occasions(book, month, settings, calendar, _happy_events(activities, settings, start), start)
    info = book.set_index("client_id")
    rows["name"] = rows["client_id"].map(info["name"])
    rows["tier"] = rows["client_id"].map(info["tier"].astype(str))
    gift = rows["tier"].isin(settings.gift_tiers)
    rows["action"] = gift.map({True: "flowers_or_gift", False: "sms"}).astype(str)
    # Few distinct days: look each up once in the calendar, then map.
    occasion = rows["occasion_date"]
    birthday = rows["occasion"] == "birthday"
    happy = ~rows["occasion"].isin(["birthday", *settings.festivals])
    pairs = set(zip(occasion.dt.date[~happy], birthday[~happy], strict=True))
    first_workday = calendar.next_workday(start, inclusive=True)
    gift_day = {}
    for day, is_birthday in pairs:
        planned = calendar.previous_workday(day, inclusive=is_birthday)
        if planned < start:
            planned = first_workday if first_workday <= day else None
        gift_day[(day, is_birthday)] = planned
    # A happy event already happened: greet from the hand-out on (a gift on the first working day).
    when = pd.Series([first_workday if h else gift_day[(d, b)]
                      for d, b, h in zip(occasion.dt.date, birthday, happy, strict=True)], index=rows.index,
                     dtype=object)
    too_late = gift & when.isna() & (occasion >= pd.Timestamp(start))
    occasion = occasion.where(~happy, pd.Timestamp(start))  # the day an SMS goes out
    rows.loc[too_late, "action"] = "sms"
    rows["note"] = too_late.map({True: "gift_too_late", False: ""})
    use_gift = rows["action"] == "flowers_or_gift"
    gift_dates = pd.to_datetime(when.where(use_gift)).astype("datetime64[ns]")
    rows["date"] = gift_dates.where(use_gift, occasion)
    maintainer = rows["client_id"].map(info["maintainer_id"]).astype("string")
    if visitor is not None and len(visitor):
        maintainer = rows["client_id"].map(visitor).astype("string").fillna(maintainer)
    rows["staff_id"] = maintainer
    team = branch_staff(staff, clients)
    rows["staff_name"] = rows["staff_id"].map(team["name"].astype(str))
    rows = rows.sort_values(["date", "occasion", "client_id"], kind="mergesort")[COLUMNS]
    missed = (rows["occasion_date"] < pd.Timestamp(start)) & ~happy.reindex(rows.index)
    gone = rows.loc[missed].assign(date=lambda f: f["occasion_date"])  # when it was, not when to act
    return GreetingPlan(rows.loc[~missed].reset_index(drop=True), gone.reset_index(drop=True))
