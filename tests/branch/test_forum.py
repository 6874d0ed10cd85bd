"""The annual forum (date, invitees, hosts, budget, timeline, past forum) and the themed salons."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.branch.test_visits import activity_log, client_book, staff_table
from toolkit.base.notices import Notice, notice
from toolkit.base.settings import ForumSettings, SalonSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.forum import forum_date, forum_status, no_forum_warning, plan_forum, plan_salons
from toolkit.report.actions_text import salon_title, step_labels
from toolkit.report.text import say_notice

D = dt.date
T = pd.Timestamp
STAFF = staff_table(
    [
        ("S1", "王经理", "wealth_manager", None),
        ("S2", "李理财", "financial_advisor", None),
        ("S3", "赵理财", "financial_advisor", None),
        ("S0", "陈行长", "branch_president", None),
    ]
)
DECEMBER = ForumSettings(window=(D(2026, 12, 1), D(2026, 12, 20)))


def book() -> pd.DataFrame:
    """10 private-wealth clients of S1, 90 wealth clients (S2 the richer 45, S3 the others), 5 basic."""
    rows = [{"client_id": f"P{i:02d}", "aum": 2.5e6 + i * 1e4, "maintainer_id": "S1"} for i in range(10)]
    rows += [
        {
            "client_id": f"W{i:02d}",
            "tier": "wealth",
            "aum": 1.9e6 - i * 1e4,
            "maintainer_id": "S2" if i < 45 else "S3",
        }
        for i in range(90)
    ]
    rows += [{"client_id": f"B{i}", "tier": "basic", "aum": 2e4, "maintainer_id": "S3"} for i in range(5)]
    return client_book(rows)


def test_forum_plan_for_december() -> None:
    forum = plan_forum(book(), STAFF, None, DECEMBER.model_copy(update={"venue": "瓯海支行三楼会议室"}),
                       WorkCalendar(), D(2026, 11, 2))
    assert forum is not None
    assert forum.date == D(2026, 12, 5)  # the first Saturday 30 days after the hand-out (11-02)
    assert forum.start == dt.datetime(2026, 12, 5, 14, 30) and forum.end == dt.datetime(2026, 12, 5, 17, 30)
    assert forum.venue == "瓯海支行三楼会议室"
    # 60 seats at 80% attendance: 75 invitations, private wealth first, then wealth by AUM.
    assert len(forum.invitees) == 75 and forum.expected_guests == 60
    assert forum.invitees["client_id"].tolist()[:10] == [f"P{i:02d}" for i in range(9, -1, -1)]
    assert forum.invitees["client_id"].tolist()[10:] == [f"W{i:02d}" for i in range(65)]
    # The president hosts (the seed's co-maintainer of top clients), plus one host per 40 guests
    # from the maintainers of the most invitees.
    assert forum.hosts[["staff_id", "invitees"]].values.tolist() == [["S0", 0], ["S2", 45], ["S3", 20]]
    assert forum.budget == {
        "guests": 60.0,
        "budget_per_guest": 800.0,
        "guest_cost": 48_000.0,
        "fixed_cost": 5000.0,
        "total": 53_000.0,
    }
    timeline = dict(zip(forum.timeline["step"], forum.timeline["date"].dt.date, strict=True))
    assert timeline == {
        "invitations": D(2026, 11, 5),
        "confirmation_calls": D(2026, 11, 20),  # 11-21 is a Saturday
        "materials": D(2026, 11, 27),
        "sms_reminder": D(2026, 12, 4),
        "feedback_forms": D(2026, 12, 5),
        "thank_you_calls": D(2026, 12, 8),
    }
    assert not forum.timeline["late"].any() and forum.warnings == []
    assert forum.summary() == {"date": "2026-12-05", "invitees": 75}
    assert forum.past_forum == notice("forum.no_past", months=12)
    assert say_notice(forum.past_forum).startswith("过去12个月内没有座谈会记录")
    assert step_labels(forum.timeline).tolist()[:2] == ["发出邀请", "电话确认出席"]


def test_without_full_notice_the_day_with_the_most_notice_and_a_warning() -> None:
    """Handed out 12-01 for a 12-01..12-20 window: not the first Saturday (4 days' notice) but the
    last one, 12-19, with a warning; the invitation step is already late."""
    forum = plan_forum(book(), STAFF, None, DECEMBER, WorkCalendar(), D(2026, 12, 1))
    assert forum is not None and forum.date == D(2026, 12, 19)
    short, late = forum.warnings
    assert short == notice("forum.short_notice", date="2026-12-19", days=18, lead=30)
    assert say_notice(short, "en") == ("No rest day in the window leaves 30 days' notice: the forum is on "
                                       "2026-12-19, the most notice possible (18 days after the hand-out); "
                                       "send the invitations now.")
    assert forum.timeline.loc[forum.timeline["late"], "step"].tolist() == ["invitations"]
    assert late.key == "forum.late" and late.values["as_of"] == "2026-12-01"
    assert say_notice(late, "zh") == "以下准备步骤的日期早于计划下发日（2026-12-01），请立即安排：发出邀请（2026-11-19）。"


def test_date_around_national_day() -> None:
    """October 2026: 10-01..10-07 holidays, 10-10 a make-up Saturday (a working day: clients are at
    work), so a Saturday-preferring forum lands on Sunday 10-11, never on 10-10."""
    cal = WorkCalendar()
    window = ForumSettings(window=(D(2026, 9, 28), D(2026, 10, 12)), preferred_weekdays=("sat",))
    assert forum_date(window, cal, D(2026, 9, 1)) == (D(2026, 10, 11), None, False)
    fri = window.model_copy(update={"preferred_weekdays": ("fri",)})
    assert forum_date(fri, cal, D(2026, 9, 1)) == (D(2026, 10, 11), None, False)  # 10-02 holiday, 10-09 work
    golden_week = ForumSettings(window=(D(2026, 10, 1), D(2026, 10, 7)))
    assert forum_date(golden_week, cal, D(2026, 9, 1)) == (None, "no_date", False)
    assert plan_forum(book(), STAFF, None, golden_week, cal, D(2026, 9, 1)) is None
    assert forum_date(DECEMBER, cal, D(2027, 1, 4)) == (None, "window_passed", False)
    passed = no_forum_warning(DECEMBER, "window_passed")
    assert passed == notice("forum.window_passed", start="2026-12-01", end="2026-12-20")
    assert say_notice(passed, "en") == (
        "The forum window (2026-12-01 to 2026-12-20) has passed: set the next window in the params file."
    )
    assert say_notice(no_forum_warning(golden_week, "no_date")) == (
        "座谈会时间窗口（2026-10-01至2026-10-07）内没有可用的休息日（节假日和调休上班日除外）。")
    assert plan_forum(book(), STAFF, None, None, cal, D(2026, 11, 2)) is None


def test_date_around_spring_festival_2026() -> None:
    """February 2026: 02-14 and 02-28 are make-up Saturdays, 02-15..02-23 the holiday. Handed out
    02-02, the only rest-day Saturday is 02-07 (short notice); with March open, 03-07 has full notice."""
    cal = WorkCalendar()
    assert forum_date(ForumSettings(window=(D(2026, 2, 1), D(2026, 2, 28))), cal, D(2026, 2, 2)) == (
        D(2026, 2, 7), None, True)
    assert forum_date(ForumSettings(window=(D(2026, 2, 1), D(2026, 3, 31))), cal, D(2026, 2, 2)) == (
        D(2026, 3, 7), None, False)
    for day in (D(2026, 2, 14), D(2026, 2, 28)):
        assert not cal.is_rest_day(day)


def test_few_clients_and_past_forum() -> None:
    clients = client_book([{"client_id": f"P{i}", "maintainer_id": "S1"} for i in range(5)])
    acts = activity_log(
        [
            ("2026-06-13", "S1", "P1", "event"),
            ("2026-06-13", "S1", "P2", "event"),
            ("2026-06-13", "S2", "P3", "event"),
            ("2025-06-01", "S1", "P4", "event"),
            ("2026-07-01", "S1", "P4", "visit"),
            ("2026-09-12", "S1", "P4", "event"),
        ]
    )
    acts["note"] = ["年度客户座谈会", None, "年度客户座谈会", "座谈会", None, "基金主题沙龙"]
    forum = plan_forum(clients, STAFF, acts, DECEMBER, WorkCalendar(), D(2026, 11, 2))
    assert forum is not None and forum.expected_guests == 4 and len(forum.hosts) == 2
    assert forum.hosts["staff_id"].tolist() == ["S0", "S1"]
    assert forum.warnings == [notice("forum.few", n=5, need=75, guests=4, capacity=60)]
    assert [say_notice(w) for w in forum.warnings] == ["符合邀请条件的客户只有5位（需要75位），预计到场4人，少于容量60人。"]
    # The salon on 09-12 is not a forum: the last forum is 06-13.
    assert say_notice(forum.past_forum) == "过去12个月内已举办座谈会：2026-06-13（3位客户参加）。"
    older = plan_forum(clients, STAFF, acts.iloc[3:], DECEMBER, WorkCalendar(), D(2026, 11, 2))
    assert older is not None and say_notice(older.past_forum).startswith("过去12个月内没有座谈会记录")


def test_the_yearly_forum_is_tracked() -> None:
    acts = activity_log([("2025-11-08", "S1", "P1", "event"), ("2026-09-12", "S1", "P2", "event")])
    acts["note"] = ["年度客户座谈会", "基金主题沙龙"]
    # The last forum 2025-11-08: in December 2026 it is more than a year ago, and a salon does not count.
    status = forum_status(acts, D(2026, 12, 2), "2026-12", planned=None)
    assert status.summary() == {"last_held": "2025-11-08", "due": True}
    assert forum_status(acts, D(2026, 12, 2), "2026-12", planned=D(2026, 12, 19)).due is False
    # Due once a year has passed by the plan month's end: in November 2026 (11-08 is the anniversary),
    # not yet in October.
    assert forum_status(acts, D(2026, 11, 2), "2026-11", planned=None).due is True
    assert forum_status(acts, D(2026, 10, 9), "2026-10", planned=None).due is False
    assert forum_status(None, D(2026, 11, 2), "2026-11", None).summary() == {"last_held": None, "due": True}


def test_salons_invite_clients_with_the_gap() -> None:
    clients = client_book(
        [
            {"client_id": "A", "aum": 3e6, "maintainer_id": "S1"},
            {"client_id": "B", "aum": 4e6, "maintainer_id": "S1"},
            {"client_id": "C", "tier": "wealth", "aum": 5e5, "maintainer_id": "S2"},
            {"client_id": "X", "tier": "out_of_scope", "aum": 1e3},
        ]
    )
    gaps = pd.DataFrame({"client_id": ["A", "B", "C", "X", "A"], "line": ["funds"] * 4 + ["insurance"]})
    salons = [
        SalonSettings(theme="funds", capacity=2),
        SalonSettings(theme="insurance", capacity=5, venue="网点贵宾室"),
        SalonSettings(theme="bonds", window=(D(2026, 9, 1), D(2026, 9, 30))),
    ]
    plans = plan_salons(clients, gaps, salons, WorkCalendar(), D(2026, 11, 2), staff=STAFF,
                        avoid={D(2026, 11, 21)})
    funds, insurance, bonds = plans
    assert funds.invitees["client_id"].tolist() == ["B", "A"]  # capacity 2, best first; X is out of scope
    assert funds.invitees["staff_name"].tolist() == ["王经理", "王经理"]
    # 14 days' notice for the invitation calls: from 11-16; 11-21 is the forum.
    assert funds.date == D(2026, 11, 28) and salon_title(funds.theme) == "基金主题沙龙"
    assert insurance.date == D(2026, 11, 22) and insurance.venue == "网点贵宾室"  # no Saturday left: Sunday
    assert insurance.invitees["client_id"].tolist() == ["A"]
    calls = dict(zip(funds.timeline["step"], funds.timeline["date"].dt.date, strict=True))
    assert calls == {"invitation_calls": D(2026, 11, 13), "confirmation_calls": D(2026, 11, 25),
                     "follow_up_calls": D(2026, 12, 1)}
    assert step_labels(funds.timeline, "zh", "salon").tolist() == ["电话邀请", "电话确认出席", "会后电话回访"]
    assert funds.hosts["staff_id"].tolist() == ["S1"]  # the maintainer of the most invitees
    assert bonds.date is None and bonds.start is None and bonds.timeline is None
    assert [w.key for w in bonds.warnings] == ["salon.window_passed", "salon.empty"]
    assert say_notice(bonds.warnings[0]) == "国债主题沙龙的时间窗口（2026-09-01至2026-09-30）已过。"
    assert say_notice(bonds.warnings[1]).startswith("国债主题沙龙没有符合条件的客户")
    assert say_notice(bonds.warnings[0], "en") == "The Bonds salon window (2026-09-01 to 2026-09-30) has passed."


def test_salon_without_gap_list_uses_holdings() -> None:
    clients = client_book([{"client_id": "A"}, {"client_id": "B"}])
    clients.loc[clients["client_id"] == "A", "funds"] = 1e5
    [salon] = plan_salons(clients, None, [SalonSettings(theme="funds")], WorkCalendar(), D(2026, 11, 1))
    assert salon.invitees["client_id"].tolist() == ["B"] and salon_title(salon.theme, "en") == "Funds salon"
    assert salon.start == dt.datetime(2026, 11, 21, 14, 30)  # the first Saturday with 14 days' notice


def test_forum_and_salons_hold_codes_and_notices_not_words() -> None:
    """Titles, step labels, warnings and the past forum are codes or notices; toolkit.report words them."""
    forum = plan_forum(book(), STAFF, None, DECEMBER, WorkCalendar(), D(2026, 12, 1))
    assert forum is not None and not hasattr(forum, "title") and "label" not in forum.timeline
    assert isinstance(forum.past_forum, Notice) and all(isinstance(w, Notice) for w in forum.warnings)
    [salon] = plan_salons(book(), None, [SalonSettings(theme="funds")], WorkCalendar(), D(2026, 11, 2))
    assert not hasattr(salon, "title") and all(isinstance(w, Notice) for w in salon.warnings)


@settings(max_examples=80, deadline=None)
@given(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 20)), st.integers(0, 60), st.integers(0, 40),
       st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), max_size=3))
def test_events_only_on_rest_days_from_the_hand_out(first: dt.date, length: int, lead: int,
                                                    preferred: list[str]) -> None:
    """Never a 调休 make-up working day, never a holiday, never before the hand-out; full notice
    when the window has such a day, else the latest possible day."""
    from toolkit.branch.forum import event_date

    cal = WorkCalendar()
    window = (first, min(first + dt.timedelta(days=length), dt.date(2026, 12, 31)))
    start = first + dt.timedelta(days=length // 3)
    day, why, short = event_date(window, preferred, cal, start, lead_days=lead)
    rest = [window[0] + dt.timedelta(days=i) for i in range((window[1] - window[0]).days + 1)]
    rest = [d for d in rest if d >= start and cal.is_rest_day(d)]
    if not rest:
        assert day is None and why in ("no_date", "window_passed")
        return
    assert day in rest and not cal.is_workday(day) and not cal.is_holiday(day)
    timely = [d for d in rest if (d - start).days >= lead]
    assert short == (not timely)
    # The first preferred weekday that has a day wins: its first timely day, else its latest day.
    pool = timely or rest
    hits = next(([d for d in pool if d.strftime("%a").lower() == w] for w in preferred
                 if any(d.strftime("%a").lower() == w for d in pool)), None)
    if hits:
        assert day == (hits[0] if timely else hits[-1])
    else:
        assert day == (timely[0] if timely else rest[-1])
