"""Birthday greetings for the plan month: flowers or a gift for top tiers, an SMS for the others.

A gift has to be carried to the client, so it goes out on the birthday if that is a working day,
else on the working day before; an SMS can be sent on the day itself. The client's maintainer
does it, so every row says who. Rows carry codes and dates only (action: flowers_or_gift or sms);
toolkit.report.actions_text.greeting_texts says what to do in the report language.
"""

from __future__ import annotations

import pandas as pd

from toolkit.base.periods import month_end, month_start, parse_period
from toolkit.base.settings import GreetingSettings
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.visits import branch_staff

COLUMNS = ["date", "birthday", "client_id", "name", "tier", "action", "staff_id", "staff_name"]


def birthdays_in(birth_dates: pd.Series, month: str) -> pd.Series:
    """This year's birthday within the month (29 Feb falls on 28 Feb in other years), NaT otherwise."""
    year, number = parse_period(month)
    born = pd.to_datetime(birth_dates)
    hit = born.dt.month == number
    last_day = month_end(month).day
    day = born.dt.day.where(hit).clip(upper=last_day)
    start = pd.Timestamp(month_start(month))
    return (start + pd.to_timedelta(day - 1, unit="D")).where(hit).astype("datetime64[ns]")


def plan_greetings(clients: pd.DataFrame, staff: pd.DataFrame, period: str, settings: GreetingSettings,
                   calendar: WorkCalendar) -> pd.DataFrame:
    """One row per in-scope client with a birthday in the plan month (period + 1), by action date."""
    month = plan_month(period)
    in_scope = clients.loc[clients["in_scope"].astype(bool)].drop_duplicates("client_id")
    birthday = birthdays_in(in_scope["birth_date"], month)
    rows = in_scope.loc[birthday.notna(), ["client_id", "name", "tier", "maintainer_id"]].copy()
    rows["birthday"] = birthday[birthday.notna()]
    rows["tier"] = rows["tier"].astype(str)
    gift = rows["tier"].isin(settings.gift_tiers)
    rows["action"] = gift.map({True: "flowers_or_gift", False: "sms"}).astype(str)
    # At most 31 distinct days: look each up once in the calendar, then map.
    days = sorted({d.date() for d in rows.loc[gift, "birthday"]})
    gift_day = {pd.Timestamp(d): pd.Timestamp(calendar.previous_workday(d, inclusive=True)) for d in days}
    rows["date"] = rows["birthday"].where(~gift, rows["birthday"].map(gift_day)).astype("datetime64[ns]")
    rows["staff_id"] = rows["maintainer_id"].astype("string")
    team = branch_staff(staff, clients)
    rows["staff_name"] = rows["staff_id"].map(team["name"].astype(str))
    return rows.sort_values(["date", "client_id"], kind="mergesort")[COLUMNS].reset_index(drop=True)
