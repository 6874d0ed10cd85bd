"""The one entry point: forum first (hosts blocked), then visits, greetings, salons; outputs; speed."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import icalendar
import numpy as np
import pandas as pd
from openpyxl import load_workbook

from tests.branch.test_visits import activity_log, client_book, staff_table
from toolkit.base.notices import Notice, notice
from toolkit.base.schema import ROLES
from toolkit.branch.actions import plan_branch, plan_month
from toolkit.inputs.params import BranchParams
from toolkit.report.files import write_work_lists
from toolkit.report.text import say_notice

D = dt.date
STAFF = staff_table([("S1", "王经理", "wealth_manager", None), ("S2", "李理财", "financial_advisor", None)])


def params(**extra: object) -> BranchParams:
    raw = {
        "branch_id": "B001",
        "branch_name": "瓯海支行",
        "data": {"clients": ["c.xlsx"], "staff": "s.xlsx"},
        "visits": {"default_max_per_month": 100},
    }
    return BranchParams.model_validate({**raw, **extra})


def two_staff_book() -> pd.DataFrame:
    """S1 maintains 60 private-wealth clients, S2 60 wealth clients; nobody visited yet."""
    rows = [
        {"client_id": f"P{i:02d}", "aum": 3e6 + i, "maintainer_id": "S1", "birth_date": "1970-11-18"}
        for i in range(60)
    ]
    rows += [
        {"client_id": f"W{i:02d}", "tier": "wealth", "aum": 5e5 + i, "maintainer_id": "S2"} for i in range(60)
    ]
    return client_book(rows)


def test_forum_hosts_are_kept_free_on_the_forum_day(tmp_path: Path) -> None:
    forum = {
        "window": ["2026-11-01", "2026-11-30"],
        "capacity": 10,
        "expected_attendance_rate": 1.0,
        "preferred_weekdays": ["wed"],
    }
    plan = plan_branch(two_staff_book(), STAFF, None, "2026-10", params(forum=forum), outflow_ids=set())
    assert plan.plan_month == plan_month("2026-10") == "2026-11"
    assert plan.forum is not None and plan.forum.date == D(2026, 11, 4)
    assert plan.forum.hosts["staff_id"].tolist() == ["S1"]
    schedule = plan.visits.schedule
    s1_days = set(schedule.loc[schedule["staff_id"] == "S1", "date"].dt.date)
    assert D(2026, 11, 4) not in s1_days and len(s1_days) == 20  # 21 working days in November, less the forum
    assert D(2026, 11, 4) in set(schedule.loc[schedule["staff_id"] == "S2", "date"].dt.date)
    assert plan.summary_parts() == {
        "visits": {"planned": 120, "due_unscheduled": 0},
        "forum": {"date": "2026-11-04", "invitees": 10},
    }
    assert len(plan.greetings) == 60 and set(plan.greetings["date"].dt.date) == {D(2026, 11, 18)}
    files = write_work_lists(plan, tmp_path / "out")
    assert [f.name for f in files] == ["visits.xlsx", "visits.ics", "forum_invitees.xlsx"]
    assert all(f.is_file() for f in files)
    calendar = icalendar.Calendar.from_ical(files[1].read_bytes())
    assert len(list(calendar.walk("VEVENT"))) == 120 + 1 + 5
    assert load_workbook(files[2]).sheetnames[:2] == ["概况", "邀请名单"]


def test_without_forum_and_with_a_passed_window(tmp_path: Path) -> None:
    clients = two_staff_book()
    plain = plan_branch(clients, STAFF, None, "2026-10", params(), outflow_ids=set())
    assert plain.forum is None and plain.summary_parts()["forum"] is None and plain.warnings == []
    files = write_work_lists(plain, tmp_path / "a")
    assert load_workbook(files[2]).active["A2"].value == "本计划没有座谈会。"
    passed = plan_branch(
        clients,
        STAFF,
        None,
        "2026-10",
        params(forum={"window": ["2026-06-01", "2026-06-30"]}, language="en"),
        outflow_ids=set(),
    )
    note = "The forum window (2026-06-01 to 2026-06-30) has passed: set the next window in the params file."
    # The planning holds the notice; the report layer says it in the params' language.
    assert passed.forum is None and passed.forum_note in passed.warnings
    assert passed.forum_note == notice("forum.window_passed", start="2026-06-01", end="2026-06-30")
    assert say_notice(passed.forum_note, "en") == note
    assert load_workbook(write_work_lists(passed, tmp_path / "b", "en")[2]).active["A2"].value == note
    zh = "座谈会时间窗口（2026-06-01至2026-06-30）已过，请在参数文件中设定下一次的时间窗口。"
    assert load_workbook(write_work_lists(passed, tmp_path / "c")[2]).active["A2"].value == zh


def test_calendar_from_params_and_fallback_warning() -> None:
    clients = client_book([{"client_id": "A", "maintainer_id": "S1"}])
    plan = plan_branch(
        clients,
        STAFF,
        None,
        "2026-12",
        params(extra_holidays=["2027-01-04", "2027-01-05"], extra_workdays=["2027-01-09"]),
        set(),
    )
    # January 2027 has no official schedule: 1 Jan (元旦) is off; the params add 4–5 Jan off and Sat 9 Jan on.
    assert plan.visits.schedule["date"].dt.date.tolist() == [D(2027, 1, 6)]
    assert plan.warnings[0] == notice("calendar.fallback", year=2027)
    assert say_notice(plan.warnings[0]).startswith("2027年尚无官方节假日安排")
    assert all(isinstance(w, Notice) for w in plan.warnings)
    assert plan.calendar.is_workday(D(2027, 1, 9))


def test_salons_and_outflow_pass_through() -> None:
    clients = client_book(
        [{"client_id": "A", "maintainer_id": "S1"}, {"client_id": "B", "maintainer_id": "S1", "aum": 2.1e6}]
    )
    gaps = pd.DataFrame({"client_id": ["A", "B"], "line": ["insurance", "funds"]})
    plan = plan_branch(clients, STAFF, None, "2026-10", params(salons=[{"theme": "insurance"}]), {"B"}, gaps)
    assert plan.visits.schedule["client_id"].tolist()[0] == "B"  # outflow watch first despite lower AUM
    [salon] = plan.salons
    assert salon.invitees["client_id"].tolist() == ["A"] and salon.date == D(2026, 11, 7)


def branch_of(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, set[str]]:
    rng = np.random.default_rng(seed)
    aum = rng.lognormal(11.5, 1.3, n)
    tiers = np.select(
        [aum >= 2e6, aum >= 2e5, aum >= 1e5, aum >= 5e4],
        ["private_wealth", "wealth", "potential_a", "potential_b"],
        "out_of_scope",
    )
    staff = staff_table([(f"S{i:02d}", f"员工{i}", ROLES[i % len(ROLES)], None) for i in range(12)])
    clients = client_book(
        [
            {
                "client_id": f"C{i:05d}",
                "tier": t,
                "aum": a,
                "maintainer_id": f"S{i % 12:02d}",
                "district": f"D{i % 5}",
                "birth_date": "1970-01-01",
            }
            for i, (t, a) in enumerate(zip(tiers, aum, strict=True))
        ]
    )
    clients["birth_date"] = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 18000, n), unit="D")
    picks = rng.integers(0, n, 2 * n)
    acts = activity_log(
        [
            (pd.Timestamp("2025-10-01") + pd.Timedelta(days=int(d)), "S01", f"C{c:05d}", k)
            for d, c, k in zip(
                rng.integers(0, 390, 2 * n), picks, rng.choice(["visit", "call", "event"], 2 * n), strict=True
            )
        ]
    )
    return clients, staff, acts, {f"C{i:05d}" for i in rng.integers(0, n, 40)}


def test_a_5000_client_branch_plans_in_under_a_second() -> None:
    clients, staff, acts, outflow = branch_of(5000)
    p = params(
        forum={"window": ["2026-12-01", "2026-12-20"]}, salons=[{"theme": "funds"}, {"theme": "bonds"}]
    )
    plan_branch(clients, staff, acts, "2026-10", p, outflow)  # warm-up: imports and the calendar's first year
    started = time.perf_counter()
    plan = plan_branch(clients, staff, acts, "2026-10", p, outflow)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"planning took {elapsed:.2f} s"
    parts = plan.summary_parts()["visits"]
    assert parts["planned"] > 0 and parts["planned"] + parts["due_unscheduled"] > 400
