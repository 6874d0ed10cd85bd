"""Greetings: birthdays, 春节 and 中秋 by tier, happy events from activities; delivery on working days,
nothing dated before the hand-out date (missed occasions listed), who does it, both languages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.branch.test_visits import STAFF, activity_log, client_book
from toolkit.base.settings import GreetingSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.greetings import COLUMNS, plan_greetings
from toolkit.report.actions_text import greeting_texts

T = pd.Timestamp
D = dt.date
NO_FESTIVALS = GreetingSettings(festivals=())


def october_book() -> pd.DataFrame:
    return client_book(
        [
            {"client_id": "P", "tier": "private_wealth", "birth_date": "1961-10-03", "maintainer_id": "S1"},  # holiday
            {"client_id": "W", "tier": "wealth", "aum": 5e5, "birth_date": "1975-10-10",
             "maintainer_id": "S2"},  # make-up Saturday
            {"client_id": "B", "tier": "basic", "aum": 1e4, "birth_date": "1990-10-05", "maintainer_id": "S2"},
            {"client_id": "X", "tier": "out_of_scope", "aum": 1e3, "birth_date": "1980-10-06",
             "maintainer_id": "S2"},
            {"client_id": "N", "tier": "wealth", "aum": 5e5, "birth_date": "1980-11-06", "maintainer_id": "S2"},
            {"client_id": "U", "tier": "potential_a", "aum": 1.5e5, "birth_date": None, "maintainer_id": "S2"},
            {"client_id": "M", "tier": "private_wealth", "birth_date": "1970-10-20"},  # no maintainer
        ]
    )


def _rows(g: pd.DataFrame) -> list:
    return g[["client_id", "occasion", "date", "action", "staff_id", "note"]].astype(object).values.tolist()


def test_october_greetings_around_national_day() -> None:
    """The plan month is October, handed out on 10-01 (a holiday): the 10-03 birthday can no longer
    get a gift on a working day before it, so it becomes an SMS on the day, not a gift dated 09-30."""
    g = plan_greetings(october_book(), STAFF, "2026-09", NO_FESTIVALS, WorkCalendar(), as_of=D(2026, 10, 1))
    assert _rows(g.rows) == [
        ["P", "birthday", T("2026-10-03"), "sms", "S1", "gift_too_late"],
        ["B", "birthday", T("2026-10-05"), "sms", "S2", ""],  # an SMS goes out on the day
        ["W", "birthday", T("2026-10-10"), "flowers_or_gift", "S2", ""],  # a make-up Saturday is a working day
        ["M", "birthday", T("2026-10-20"), "flowers_or_gift", pd.NA, ""],
    ]
    assert g.missed.empty
    texts = greeting_texts(g.rows).set_axis(g.rows["client_id"])
    assert texts["P"] == "私行/财富客户 · 生日（10月3日）：10月3日由王经理发送祝福短信（礼品已来不及在此前的工作日送达）"
    assert texts["W"] == "理财客户 · 生日（10月10日）：鲜花或礼品，由李理财于10月10日送达"
    assert "未指定维护人" in texts["M"]


def test_a_birthday_before_the_hand_out_is_missed_not_back_dated() -> None:
    g = plan_greetings(october_book(), STAFF, "2026-09", NO_FESTIVALS, WorkCalendar(), as_of=D(2026, 10, 9))
    assert g.rows["client_id"].tolist() == ["W", "M"] and (g.rows["date"] >= T("2026-10-09")).all()
    assert g.missed[["client_id", "occasion", "date"]].values.tolist() == [
        ["B", "birthday", T("2026-10-05")], ["P", "birthday", T("2026-10-03")]]


def test_english_text_and_gift_tiers_setting() -> None:
    g = plan_greetings(october_book(), STAFF, "2026-09", GreetingSettings(gift_tiers=("private_wealth",),
                                                                          festivals=()), WorkCalendar()).rows
    texts = greeting_texts(g, "en").set_axis(g["client_id"])
    assert texts["W"] == "Wealth management · Birthday (10 Oct): a greeting SMS from 李理财 on 10 Oct"
    assert texts["P"] == ("Private & wealth · Birthday (3 Oct): a greeting SMS from 王经理 on 3 Oct "
                          "(too late for a gift on a working day before)")  # handed out on 10-01, a holiday
    assert "(no maintainer)" in texts["M"]


def test_february_2026_spring_festival_and_make_up_saturdays() -> None:
    """春节 is 02-17 (holiday 02-15..02-23; 02-14 and 02-28 are make-up Saturdays): festival gifts
    arrive on the last working day before it, the make-up Saturday 02-14; SMS on the day."""
    clients = client_book([
        {"client_id": "L", "tier": "wealth", "aum": 5e5, "birth_date": "1972-02-29", "maintainer_id": "S2"},
        {"client_id": "S", "tier": "potential_b", "aum": 6e4, "birth_date": "1988-02-16", "maintainer_id": "S2"},
        {"client_id": "G", "tier": "wealth", "aum": 5e5, "birth_date": "1988-02-17", "maintainer_id": "S2"},
    ])
    g = plan_greetings(clients, STAFF, "2026-01", GreetingSettings(), WorkCalendar(), as_of=D(2026, 2, 2)).rows
    got = {(c, o): (d, a) for c, o, d, a in g[["client_id", "occasion", "date", "action"]].values.tolist()}
    assert got == {
        ("L", "birthday"): (T("2026-02-28"), "flowers_or_gift"),  # 29 Feb falls on 28 Feb: a make-up Saturday
        ("S", "birthday"): (T("2026-02-16"), "sms"),
        ("G", "birthday"): (T("2026-02-14"), "flowers_or_gift"),  # on the holiday: the working day before
        ("L", "spring_festival"): (T("2026-02-14"), "flowers_or_gift"),
        ("G", "spring_festival"): (T("2026-02-14"), "flowers_or_gift"),
        ("S", "spring_festival"): (T("2026-02-17"), "sms"),
    }
    assert list(g["date"]) == sorted(g["date"])


def test_mid_autumn_is_a_festival_greeting_in_september() -> None:
    g = plan_greetings(october_book(), STAFF, "2026-08", GreetingSettings(), WorkCalendar()).rows
    autumn = g.loc[g["occasion"] == "mid_autumn"]
    # 中秋 2026 is Friday 09-25 (a holiday): gifts on Thursday 09-24, SMS on the day.
    assert set(zip(autumn["action"], autumn["date"], strict=True)) == {
        ("flowers_or_gift", T("2026-09-24")), ("sms", T("2026-09-25"))}
    assert len(autumn) == 6  # every in-scope client, once
    assert greeting_texts(autumn, "en").str.contains("Mid-Autumn Festival").all()


def test_happy_events_from_activities() -> None:
    """A wedding or a child's admission recorded in the notes, not yet answered by a gift or SMS,
    is greeted from the hand-out date; one already answered is not."""
    acts = activity_log([("2026-11-20", "S2", "W", "call"), ("2026-11-10", "S2", "B", "call"),
                         ("2026-11-12", "S2", "B", "sms"), ("2026-11-30", "S1", "P", "visit"),
                         ("2026-10-01", "S2", "N", "call")])
    acts["note"] = ["客户女儿升学，考入浙大", "乔迁新居", "祝贺乔迁", "新婚，下月办婚礼", "结婚"]
    g = plan_greetings(october_book(), STAFF, "2026-11", NO_FESTIVALS, WorkCalendar(), as_of=D(2026, 12, 5),
                       activities=acts).rows
    got = g[["client_id", "occasion", "occasion_date", "date", "action"]].values.tolist()
    # 12-05 is a Saturday: gifts wait for Monday 12-07. B's move was answered by an SMS; N's
    # wedding was recorded more than 30 days before.
    assert got == [
        ["W", "admission", T("2026-11-20"), T("2026-12-07"), "flowers_or_gift"],
        ["P", "wedding", T("2026-11-30"), T("2026-12-07"), "flowers_or_gift"],
    ]
    assert greeting_texts(g, "en").str.contains("Wedding|admission").all()


def test_no_occasion_gives_an_empty_table_with_the_columns() -> None:
    g = plan_greetings(october_book(), STAFF, "2026-02", NO_FESTIVALS, WorkCalendar())
    assert g.rows.empty and list(g.rows.columns) == COLUMNS and g.missed.empty
    assert greeting_texts(g.rows).empty


def test_rows_hold_codes_and_dates_not_words() -> None:
    """What to do is a code (flowers_or_gift or sms); the sentence comes from toolkit.report."""
    g = plan_greetings(october_book(), STAFF, "2026-09", GreetingSettings(), WorkCalendar()).rows
    assert "text" not in g and set(g["action"]) == {"flowers_or_gift", "sms"}
    assert set(g["tier"]) <= {"private_wealth", "wealth", "potential_a", "potential_b", "basic"}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["2026-01", "2026-08", "2026-09", "2026-11"]), st.integers(0, 27),
       st.lists(st.tuples(st.integers(1, 12), st.integers(1, 28), st.sampled_from(
           ["private_wealth", "wealth", "potential_a", "basic"])), max_size=25))
def test_nothing_is_dated_before_the_hand_out(period: str, offset: int, people: list) -> None:
    from toolkit.base.periods import month_start
    from toolkit.base.workdays import plan_month

    clients = client_book([{"client_id": f"C{i}", "tier": t, "aum": 3e6 if t == "private_wealth" else 3e5,
                            "birth_date": f"1970-{m:02d}-{d:02d}", "maintainer_id": "S1"}
                           for i, (m, d, t) in enumerate(people)])
    start = month_start(plan_month(period)) + dt.timedelta(days=offset)
    cal = WorkCalendar()
    g = plan_greetings(clients, STAFF, period, GreetingSettings(), cal, as_of=start)
    rows = g.rows
    assert (rows["date"] >= T(start)).all() and (g.missed["occasion_date"] < T(start)).all()
    gifts = rows.loc[rows["action"] == "flowers_or_gift"]
    assert all(cal.is_workday(d) for d in gifts["date"].dt.date)
    assert (gifts["date"] <= gifts["occasion_date"]).all()
    sms = rows.loc[rows["action"] == "sms"]
    assert (sms["date"] == sms["occasion_date"]).all()
