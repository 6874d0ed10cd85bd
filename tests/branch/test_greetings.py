"""Birthday greetings: action by tier, delivery on a working day, who does it, both languages."""

from __future__ import annotations

import pandas as pd

from tests.branch.test_visits import STAFF, client_book
from toolkit.base.settings import GreetingSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.greetings import plan_greetings
from toolkit.report.actions_text import greeting_texts

T = pd.Timestamp


def october_book() -> pd.DataFrame:
    return client_book(
        [
            {
                "client_id": "P",
                "tier": "private_wealth",
                "birth_date": "1961-10-03",
                "maintainer_id": "S1",
            },  # holiday
            {
                "client_id": "W",
                "tier": "wealth",
                "aum": 5e5,
                "birth_date": "1975-10-10",
                "maintainer_id": "S2",
            },  # make-up Sat
            {
                "client_id": "B",
                "tier": "basic",
                "aum": 1e4,
                "birth_date": "1990-10-05",
                "maintainer_id": "S2",
            },
            {
                "client_id": "X",
                "tier": "out_of_scope",
                "aum": 1e3,
                "birth_date": "1980-10-06",
                "maintainer_id": "S2",
            },
            {
                "client_id": "N",
                "tier": "wealth",
                "aum": 5e5,
                "birth_date": "1980-11-06",
                "maintainer_id": "S2",
            },
            {
                "client_id": "U",
                "tier": "potential_a",
                "aum": 1.5e5,
                "birth_date": None,
                "maintainer_id": "S2",
            },
            {"client_id": "M", "tier": "private_wealth", "birth_date": "1970-10-20"},  # no maintainer
        ]
    )


def test_october_greetings_around_national_day() -> None:
    g = plan_greetings(october_book(), STAFF, "2026-09", GreetingSettings(), WorkCalendar())
    got = g[["client_id", "date", "birthday", "action", "staff_id"]].astype(object).values.tolist()
    assert got == [
        [
            "P",
            T("2026-09-30"),
            T("2026-10-03"),
            "flowers_or_gift",
            "S1",
        ],  # the working day before the holiday
        ["B", T("2026-10-05"), T("2026-10-05"), "sms", "S2"],  # an SMS goes out on the day
        [
            "W",
            T("2026-10-10"),
            T("2026-10-10"),
            "flowers_or_gift",
            "S2",
        ],  # a make-up Saturday is a working day
        ["M", T("2026-10-20"), T("2026-10-20"), "flowers_or_gift", pd.NA],
    ]
    texts = greeting_texts(g).set_axis(g["client_id"])
    assert texts["P"] == "私行/财富客户 · 10月3日生日：鲜花或礼品，由王经理于9月30日送达"
    assert texts["B"] == "基础客户 · 10月5日生日：当天由李理财发送生日祝福短信"
    assert "未指定维护人" in texts["M"]


def test_english_text_and_gift_tiers_setting() -> None:
    g = plan_greetings(
        october_book(),
        STAFF,
        "2026-09",
        GreetingSettings(gift_tiers=("private_wealth",)),
        WorkCalendar(),
    )
    texts = greeting_texts(g, "en").set_axis(g["client_id"])
    assert texts["W"] == "Wealth management · Birthday 10 Oct: a birthday SMS from 李理财 on the day"
    assert texts["P"] == "Private & wealth · Birthday 3 Oct: flowers or a gift, delivered by 王经理 on 30 Sep"
    assert "(no maintainer)" in texts["M"]


def test_leap_day_birthday_in_a_common_year() -> None:
    clients = client_book(
        [
            {
                "client_id": "L",
                "tier": "wealth",
                "aum": 5e5,
                "birth_date": "1972-02-29",
                "maintainer_id": "S2",
            },
            {
                "client_id": "S",
                "tier": "potential_b",
                "aum": 6e4,
                "birth_date": "1988-02-16",
                "maintainer_id": "S2",
            },
            {
                "client_id": "G",
                "tier": "wealth",
                "aum": 5e5,
                "birth_date": "1988-02-17",
                "maintainer_id": "S2",
            },
        ]
    )
    g = plan_greetings(clients, STAFF, "2026-01", GreetingSettings(), WorkCalendar()).set_index("client_id")
    assert g.loc["L", "birthday"] == T("2026-02-28") and g.loc["L", "date"] == T(
        "2026-02-28"
    )  # make-up Saturday
    assert (
        g.loc["S", "date"] == T("2026-02-16") and g.loc["S", "action"] == "sms"
    )  # Spring Festival: SMS anyway
    assert g.loc["G", "date"] == T("2026-02-14")  # gift before the festival: the make-up Saturday


def test_no_birthdays_gives_an_empty_table_with_the_columns() -> None:
    g = plan_greetings(october_book(), STAFF, "2026-02", GreetingSettings(), WorkCalendar())
    assert g.empty
    assert list(g.columns) == [
        "date",
        "birthday",
        "client_id",
        "name",
        "tier",
        "action",
        "staff_id",
        "staff_name",
    ]
    assert greeting_texts(g).empty


def test_rows_hold_codes_and_dates_not_words() -> None:
    """What to do is a code (flowers_or_gift or sms); the sentence comes from toolkit.report."""
    g = plan_greetings(october_book(), STAFF, "2026-09", GreetingSettings(), WorkCalendar())
    assert "text" not in g and set(g["action"]) == {"flowers_or_gift", "sms"}
    assert set(g["tier"]) <= {"private_wealth", "wealth", "potential_a", "potential_b", "basic"}
