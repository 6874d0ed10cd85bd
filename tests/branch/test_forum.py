"""The annual forum (date, invitees, hosts, budget, timeline, past forum) and the themed salons."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tests.branch.test_visits import activity_log, client_book, staff_table
from toolkit.base.notices import Notice, notice
from toolkit.base.settings import ForumSettings, SalonSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.forum import forum_date, no_forum_warning, plan_forum, plan_salons
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
    forum = plan_forum(book(), STAFF, None, DECEMBER, WorkCalendar(), "2026-10")
    assert forum is not None
    assert forum.date == D(2026, 12, 5)  # the first Saturday, 30 days after the plan month (November) starts
    assert forum.start == dt.datetime(2026, 12, 5, 14, 30) and forum.end == dt.datetime(2026, 12, 5, 17, 30)
    # 60 seats at 80% attendance: 75 invitations, private wealth first, then wealth by AUM.
    assert len(forum.invitees) == 75 and forum.expected_guests == 60
    assert forum.invitees["client_id"].tolist()[:10] == [f"P{i:02d}" for i in range(9, -1, -1)]
    assert forum.invitees["client_id"].tolist()[10:] == [f"W{i:02d}" for i in range(65)]
    # One host per 40 guests, from the maintainers of the most invitees.
    assert forum.hosts[["staff_id", "invitees"]].values.tolist() == [["S2", 45], ["S3", 20]]
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


def test_short_notice_is_flagged() -> None:
    forum = plan_forum(book(), STAFF, None, DECEMBER, WorkCalendar(), "2026-11")
    assert forum is not None and forum.date == D(2026, 12, 5)
    assert forum.timeline.loc[forum.timeline["late"], "step"].tolist() == [
        "invitations",
        "confirmation_calls",
        "materials",
    ]
    [late] = forum.warnings
    assert late.key == "forum.late" and late.values["month"] == "2026-12"
    assert [(n.values["step"].key, n.values["date"]) for n in late.values["steps"]] == [
        ("forum.step.invitations", "2026-11-05"),
        ("forum.step.confirmation_calls", "2026-11-20"),
        ("forum.step.materials", "2026-11-27"),
    ]
    assert say_notice(late, "en") == (
        "These steps fall before the plan month (2026-12): do them at once: "
        "Send invitations (2026-11-05); Phone to confirm attendance (2026-11-20); "
        "Prepare materials (2026-11-27)."
    )
    assert say_notice(late, "zh") == (
        "以下准备步骤的日期早于本计划月（2026-12），请立即安排：发出邀请（2026-11-05）、电话确认出席（2026-11-20）、"
        "准备会议材料（2026-11-27）。"
    )


def test_date_around_national_day() -> None:
    cal = WorkCalendar()
    window = ForumSettings(window=(D(2026, 9, 28), D(2026, 10, 12)), preferred_weekdays=("sat",))
    assert forum_date(window, cal, "2026-08") == (D(2026, 10, 10), None)  # 3 Oct is a holiday
    fri = window.model_copy(update={"preferred_weekdays": ("fri",)})
    assert forum_date(fri, cal, "2026-08") == (D(2026, 10, 9), None)  # 2 Oct is a holiday
    golden_week = ForumSettings(window=(D(2026, 10, 1), D(2026, 10, 7)))
    assert forum_date(golden_week, cal, "2026-08") == (None, "no_date")
    assert plan_forum(book(), STAFF, None, golden_week, cal, "2026-08") is None
    assert forum_date(DECEMBER, cal, "2026-12") == (None, "window_passed")
    passed = no_forum_warning(DECEMBER, "window_passed")
    assert passed == notice("forum.window_passed", start="2026-12-01", end="2026-12-20")
    assert say_notice(passed, "en") == (
        "The forum window (2026-12-01 to 2026-12-20) has passed: set the next window in the params file."
    )
    assert say_notice(no_forum_warning(golden_week, "no_date")) == "座谈会时间窗口（2026-10-01至2026-10-07）内没有非节假日的日期。"
    assert plan_forum(book(), STAFF, None, None, cal, "2026-10") is None


def test_few_clients_and_past_forum() -> None:
    clients = client_book([{"client_id": f"P{i}", "maintainer_id": "S1"} for i in range(5)])
    acts = activity_log(
        [
            ("2026-06-13", "S1", "P1", "event"),
            ("2026-06-13", "S1", "P2", "event"),
            ("2026-06-13", "S2", "P3", "event"),
            ("2025-06-01", "S1", "P4", "event"),
            ("2026-07-01", "S1", "P4", "visit"),
        ]
    )
    forum = plan_forum(clients, STAFF, acts, DECEMBER, WorkCalendar(), "2026-10")
    assert forum is not None and forum.expected_guests == 4 and len(forum.hosts) == 1
    assert forum.hosts.loc[0, "staff_id"] == "S1"
    assert forum.warnings == [notice("forum.few", n=5, need=75, guests=4, capacity=60)]
    assert [say_notice(w) for w in forum.warnings] == ["符合邀请条件的客户只有5位（需要75位），预计到场4人，少于容量60人。"]
    assert say_notice(forum.past_forum) == "过去12个月内已举办座谈会：2026-06-13（3位客户参加）。"
    older = plan_forum(clients, STAFF, acts.iloc[3:], DECEMBER, WorkCalendar(), "2026-10")
    assert older is not None and say_notice(older.past_forum).startswith("过去12个月内没有座谈会记录")


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
        SalonSettings(theme="insurance", capacity=5),
        SalonSettings(theme="bonds", window=(D(2026, 9, 1), D(2026, 9, 30))),
    ]
    plans = plan_salons(clients, gaps, salons, WorkCalendar(), "2026-10", staff=STAFF, avoid={D(2026, 11, 7)})
    funds, insurance, bonds = plans
    assert funds.invitees["client_id"].tolist() == ["B", "A"]  # capacity 2, best first; X is out of scope
    assert funds.invitees["staff_name"].tolist() == ["王经理", "王经理"]
    assert funds.date == D(2026, 11, 14) and salon_title(funds.theme) == "基金主题沙龙"  # 11-07 is the forum
    assert insurance.date == D(2026, 11, 21)  # a different Saturday from the funds salon
    assert insurance.invitees["client_id"].tolist() == ["A"]
    assert bonds.date is None and bonds.start is None
    assert [w.key for w in bonds.warnings] == ["salon.window_passed", "salon.empty"]
    assert say_notice(bonds.warnings[0]) == "国债主题沙龙的时间窗口（2026-09-01至2026-09-30）已过。"
    assert say_notice(bonds.warnings[1]).startswith("国债主题沙龙没有符合条件的客户")
    assert say_notice(bonds.warnings[0], "en") == "The Bonds salon window (2026-09-01 to 2026-09-30) has passed."


def test_salon_without_gap_list_uses_holdings() -> None:
    clients = client_book([{"client_id": "A"}, {"client_id": "B"}])
    clients.loc[clients["client_id"] == "A", "funds"] = 1e5
    [salon] = plan_salons(
        clients, None, [SalonSettings(theme="funds")], WorkCalendar(), "2026-10"
    )
    assert salon.invitees["client_id"].tolist() == ["B"] and salon_title(salon.theme, "en") == "Funds salon"
    assert salon.start == dt.datetime(2026, 11, 7, 14, 30)


def test_forum_and_salons_hold_codes_and_notices_not_words() -> None:
    """Titles, step labels, warnings and the past forum are codes or notices; toolkit.report words them."""
    forum = plan_forum(book(), STAFF, None, DECEMBER, WorkCalendar(), "2026-11")
    assert forum is not None and not hasattr(forum, "title") and "label" not in forum.timeline
    assert isinstance(forum.past_forum, Notice) and all(isinstance(w, Notice) for w in forum.warnings)
    [salon] = plan_salons(book(), None, [SalonSettings(theme="funds")], WorkCalendar(), "2026-10")
    assert not hasattr(salon, "title") and all(isinstance(w, Notice) for w in salon.warnings)
