"""Birthday greetings for the plan month: flowers or a gift for top tiers, an SMS for the others.

A gift has to be carried to the client, so it goes out on the birthday if that is a working day,
else on the working day before; an SMS can be sent on the day itself. The client's maintainer
does it, so every row says who.
"""

from __future__ import annotations

import pandas as pd

from toolkit.base.periods import month_end, month_start, parse_period
from toolkit.base.schema import label
from toolkit.base.settings import GreetingSettings
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.branch.visits import branch_staff, fill_text

COLUMNS = ["date", "birthday", "client_id", "name", "tier", "action", "staff_id", "staff_name", "text"]
_TEXT = {
    "zh": {"flowers_or_gift": "{birthday}生日：鲜花或礼品，由{staff}于{date}送达",
           "sms": "{birthday}生日：当天由{staff}发送生日祝福短信", "nobody": "（未指定维护人）"},
    "en": {"flowers_or_gift": "Birthday {birthday}: flowers or a gift, delivered by {staff} on {date}",
           "sms": "Birthday {birthday}: a birthday SMS from {staff} on the day", "nobody": "(no maintainer)"},
}


def birthdays_in(birth_dates: pd.Series, month: str) -> pd.Series:
    """This year's birthday within the month (29 Feb falls on 28 Feb in other years), NaT otherwise."""
    year, number = parse_period(month)
    born = pd.to_datetime(birth_dates)
    hit = born.dt.month == number
    last_day = month_end(month).day
    day = born.dt.day.where(hit).clip(upper=last_day)
    start = pd.Timestamp(month_start(month))
    return (start + pd.to_timedelta(day - 1, unit="D")).where(hit).astype("datetime64[ns]")


def _day_text(days: pd.Series, language: str) -> pd.Series:
    """10月3日 in Chinese, 3 Oct in English."""
    if language == "zh":
        return days.dt.month.astype(str) + "月" + days.dt.day.astype(str) + "日"
    return days.dt.day.astype(str) + " " + days.dt.strftime("%b")


def plan_greetings(clients: pd.DataFrame, staff: pd.DataFrame, period: str, settings: GreetingSettings,
                   calendar: WorkCalendar, language: str = "zh") -> pd.DataFrame:
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
    t = _TEXT["zh" if language == "zh" else "en"]
    who = rows["staff_name"].astype(object).where(rows["staff_name"].notna(), t["nobody"])
    args = {"birthday": _day_text(rows["birthday"], language), "staff": who,
            "date": _day_text(rows["date"], language)}
    rows["text"] = fill_text(t["flowers_or_gift"], rows.index, **args).where(
        gift, fill_text(t["sms"], rows.index, **args))
    rows["text"] = (rows["tier"].map(lambda code: label(code, language)) + " · " + rows["text"]).astype(str)
    return rows.sort_values(["date", "client_id"], kind="mergesort")[COLUMNS].reset_index(drop=True)
