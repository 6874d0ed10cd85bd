"""The one entry point: forum first (hosts blocked), then visits, greetings, salons; outputs; speed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.branch.test_visits import activity_log, client_book, staff_table
from toolkit.base.errors import InputError
from toolkit.base.notices import Notice, notice
from toolkit.base.schema import ROLES
from toolkit.branch.actions import default_as_of, plan_branch, plan_month
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
        "preferred_weekdays": ["sat"],
        "venue": "瓯海支行三楼会议室",
    }
    plan = plan_branch(two_staff_book(), STAFF, None, "2026-10", params(forum=forum, as_of="2026-11-02"),
                       outflow_ids=set())
    assert plan.plan_month == plan_month("2026-10") == "2026-11"
    # Handed out 11-02: no Saturday of the window leaves 30 days' notice, so the one with the most.
    assert plan.forum is not None and plan.forum.date == D(2026, 11, 28)
    assert plan.forum.hosts["staff_id"].tolist() == ["S1"]
    assert [w.key for w in plan.warnings] == ["forum.short_notice", "forum.late"]
    schedule = plan.visits.schedule
    s1_days = set(schedule.loc[schedule["staff_id"] == "S1", "date"].dt.date)
    assert D(2026, 11, 28) not in s1_days and len(s1_days) == 21  # every working day from 11-02
    assert plan.summary_parts() == {
        "as_of": "2026-11-02",
        "visits": {"planned": 120, "due_unscheduled": 0, "outflow": 0, "outflow_scheduled": 0},
        "coverage": {"top_without_maintainer": 0, "handovers": 0, "change_offers": 0},
        "forum": {"date": "2026-11-28", "invitees": 10},
        "forum_status": {"last_held": None, "due": False},
    }
    assert len(plan.greetings) == 60 and set(plan.greetings["date"].dt.date) == {D(2026, 11, 18)}
    files = write_work_lists(plan, tmp_path / "out")
    assert [f.name for f in files] == ["visits.xlsx", "visits.ics", "forum_invitees.xlsx", "visits_S1.ics",
                                       "visits_S2.ics"]
    assert all(f.is_file() for f in files)
    events = list(icalendar.Calendar.from_ical(files[1].read_bytes()).walk("VEVENT"))
    assert len(events) == 120 + 60 + 1 + 5  # visits, gift deliveries, the forum and its steps
    mine = list(icalendar.Calendar.from_ical(files[3].read_bytes()).walk("VEVENT"))
    assert len(mine) == 60 + 60 + 6  # S1: their visits, their gifts, the forum they host
    forum_event = next(e for e in mine if str(e["summary"]) == "年度客户座谈会")
    assert str(forum_event["location"]) == "瓯海支行三楼会议室"
    assert len(list(icalendar.Calendar.from_ical(files[4].read_bytes()).walk("VEVENT"))) == 60
    assert load_workbook(files[2]).sheetnames[:2] == ["概况", "邀请名单"]


def test_top_clients_are_covered_and_upgraded_clients_offered_a_change() -> None:
    """A 500万 client in a branch without a wealth manager, one whose maintainer left: the president
    takes them (a handover), visits and greets them; a wealth client kept by a teller is offered a
    financial advisor."""
    staff = staff_table([("S0", "陈行长", "branch_president", None), ("S2", "李理财", "financial_advisor", None),
                         ("S3", "张柜员", "teller", None)])
    clients = client_book([
        {"client_id": "A", "aum": 5e6, "birth_date": "1970-11-20"},
        {"client_id": "B", "aum": 7.06e6, "maintainer_id": "S9"},
        {"client_id": "C", "tier": "wealth", "aum": 3e5, "maintainer_id": "S3"},
        {"client_id": "D", "tier": "wealth", "aum": 4e5, "maintainer_id": "S2"},
    ])
    plan = plan_branch(clients, staff, None, "2026-10", params(as_of="2026-11-02"), set())
    c = plan.coverage
    assert c is not None and c.summary() == {"top_without_maintainer": 2, "handovers": 2, "change_offers": 1}
    assert c.handovers[["client_id", "previous_id", "issue", "staff_id"]].astype(object).values.tolist() == [
        ["B", "S9", "left", "S0"], ["A", pd.NA, "no_maintainer", "S0"]]
    assert c.change_offers[["client_id", "role", "fitting_role", "suggested_id"]].values.tolist() == [
        ["C", "teller", "financial_advisor", "S2"]]
    visits = plan.visits.schedule.set_index("client_id")
    assert visits.loc["A", "staff_id"] == visits.loc["B", "staff_id"] == "S0"
    assert visits.loc["A", "handover"] and not visits.loc["D", "handover"]
    assert plan.greetings.set_index("client_id").loc["A", "staff_id"] == "S0"
    assert notice("coverage.handovers", n=2) in plan.warnings
    assert notice("coverage.change_offers", n=1) in plan.warnings


def test_the_hand_out_date() -> None:
    clients = two_staff_book()
    assert default_as_of("2026-12", D(2026, 12, 2)) == D(2026, 12, 2)
    assert default_as_of("2026-12", D(2026, 11, 28)) == D(2026, 12, 1)
    assert default_as_of("2026-12", D(2027, 1, 3)) == D(2026, 12, 1)
    with pytest.raises(InputError, match="after the plan month"):
        plan_branch(clients, STAFF, None, "2026-10", params(as_of="2026-12-01"), set())
    late = plan_branch(clients, STAFF, None, "2026-10", params(), set(), as_of=D(2026, 11, 20))
    assert late.as_of == D(2026, 11, 20) and (late.visits.schedule["date"] >= pd.Timestamp("2026-11-20")).all()
    assert len(late.missed_greetings) == 60 and late.greetings.empty  # the 11-18 birthdays are missed
    assert notice("greetings.missed", n=60, as_of="2026-11-20") in late.warnings


def test_without_forum_and_with_a_passed_window(tmp_path: Path) -> None:
    clients = two_staff_book()
    plain = plan_branch(clients, STAFF, None, "2026-10", params(), outflow_ids=set())
    assert plain.forum is None and plain.summary_parts()["forum"] is None
    assert plain.warnings == [notice("forum.due_never")]  # no forum on record, none planned
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
    assert passed.forum is None and passed.forum_note in passed.warnings and passed.forum_status.due
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
    assert plan.warnings[0] == notice("calendar.fallback", year=2027)  # then forum.due_never
    assert say_notice(plan.warnings[0]).startswith("2027年尚无官方节假日安排")
    assert all(isinstance(w, Notice) for w in plan.warnings)
    assert plan.calendar.is_workday(D(2027, 1, 9))


def test_salons_and_outflow_pass_through() -> None:
    clients = client_book(
        [{"client_id": "A", "maintainer_id": "S1"}, {"client_id": "B", "maintainer_id": "S1", "aum": 2.1e6}]
    )
    gaps = pd.DataFrame({"client_id": ["A", "B"], "line": ["insurance", "funds"]})
    plan = plan_branch(clients, STAFF, None, "2026-10", params(salons=[{"theme": "insurance"}]), {"B"}, gaps)
    assert plan.visits.schedule["reason"].tolist()[0] == "outflow_watch"
    assert plan.visits.schedule.loc[plan.visits.schedule["client_id"] == "B", "date"].iloc[0] <= pd.Timestamp(
        "2026-11-06")  # within 5 working days of the hand-out (11-01, a Sunday)
    [salon] = plan.salons
    # 14 days' notice for the invitation calls from 11-01: the first Saturday from 11-15 is 11-21.
    assert salon.invitees["client_id"].tolist() == ["A"] and salon.date == D(2026, 11, 21)


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


def test_a_5000_client_branch_plans_every_due_client() -> None:
    """The bench's branch (bench/bench_schedule.py times it): every due client is planned or listed."""
    clients, staff, acts, outflow = branch_of(5000)
    p = params(
        forum={"window": ["2026-12-01", "2026-12-20"]}, salons=[{"theme": "funds"}, {"theme": "bonds"}]
    )
    plan = plan_branch(clients, staff, acts, "2026-10", p, outflow, as_of=D(2026, 11, 2))
    parts = plan.summary_parts()["visits"]
    assert parts["planned"] > 0 and parts["planned"] + parts["due_unscheduled"] > 400
    assert not set(plan.visits.schedule["client_id"]) & set(plan.visits.unscheduled["client_id"])


def test_handovers_respect_the_limit_per_person_then_the_next_role() -> None:
    from toolkit.base.settings import CoverageSettings
    from toolkit.branch.coverage import plan_coverage

    staff = staff_table([("S0", "陈行长", "branch_president", None), ("S1", "王经理", "wealth_manager", None)])
    clients = client_book([{"client_id": f"T{i}", "aum": 3e6 + i * 1e5} for i in range(5)])
    c = plan_coverage(clients, staff, CoverageSettings(max_handovers_per_staff=2))
    # The largest clients first: two to the president, two to the wealth manager, one left over.
    assert c.handovers[["client_id", "staff_id"]].values.tolist() == [["T4", "S0"], ["T3", "S0"], ["T2", "S1"],
                                                                      ["T1", "S1"]]
    assert c.uncovered["client_id"].tolist() == ["T0"] and c.top_without_maintainer == 5
    only_wm = plan_coverage(clients, staff, CoverageSettings(fallback_roles=("wealth_manager",)))
    assert set(only_wm.handovers["staff_id"]) == {"S1"}
