"""Due visits and the visit schedule: hand-computed fixtures around real 2026 holidays, and properties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.base.notices import notice
from toolkit.base.periods import month_end, month_start, shift
from toolkit.base.schema import ASSET_COLUMNS, TIER_RANK
from toolkit.base.settings import VisitSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.visits import due_visits, plan_visits
from toolkit.report.actions_text import unscheduled_reasons, visit_reasons
from toolkit.report.text import say_notice

D = dt.date
T = pd.Timestamp


def client_book(rows: Sequence[dict], snapshot: str = "2026-08-31") -> pd.DataFrame:
    """A classified current snapshot (what the analytics hand to planning) from a few fields per client."""
    frame = pd.DataFrame(list(rows)) if rows else pd.DataFrame({"client_id": pd.Series(dtype=str)})
    n = len(frame)
    defaults = {
        "name": [f"客户{i}" for i in range(n)],
        "branch_id": "B001",
        "phone": [f"1381234{i:04d}" for i in range(n)],
        "district": None,
        "maintainer_id": None,
        "birth_date": None,
        "tier": "private_wealth",
        "aum": 3e6,
    }
    for col, value in defaults.items():
        if col not in frame:
            frame[col] = value
        elif not isinstance(value, list) and value is not None:
            frame[col] = frame[col].fillna(value)
    frame["snapshot_date"] = T(snapshot)
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    frame["gender"] = None
    for col in ASSET_COLUMNS:
        frame[col] = frame["aum"].astype(float) if col == "demand_deposit" else 0.0
    frame["credit_card_annual_spend"] = 0.0
    frame["loan_balance"] = 0.0
    frame["card_level"] = "normal"
    frame["risk_level"] = None
    frame["in_scope"] = frame["tier"] != "out_of_scope"
    frame["rank"] = frame["tier"].map(TIER_RANK).astype("int64")
    frame["products_held"] = 1
    frame["age"] = pd.array([pd.NA] * n, dtype="Int64")
    return frame


def staff_table(rows: Sequence[tuple]) -> pd.DataFrame:
    """(staff_id, name, role, max_visits_per_month or None[, branch_id])."""
    rows = [(*r, "B001") if len(r) == 4 else r for r in rows]
    frame = pd.DataFrame(rows, columns=["staff_id", "name", "role", "max_visits_per_month", "branch_id"])
    frame["max_visits_per_month"] = frame["max_visits_per_month"].astype("Int64")
    return frame


def activity_log(rows: Sequence[tuple]) -> pd.DataFrame:
    """(date, staff_id, client_id, kind)."""
    frame = pd.DataFrame(rows, columns=["date", "staff_id", "client_id", "kind"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["note"] = None
    return frame


STAFF = staff_table([("S1", "王经理", "wealth_manager", None), ("S2", "李理财", "financial_advisor", None)])


def test_due_visits_by_cadence() -> None:
    clients = client_book(
        [
            {"client_id": "C1"},  # never visited
            {"client_id": "C2"},  # 09-15 + 1 month = 10-15
            {"client_id": "C3", "tier": "wealth", "aum": 5e5},  # 08-31 + 3 = 11-30: not due
            {"client_id": "C4", "tier": "wealth", "aum": 5e5},  # 07-31 + 3 = 10-31
            {"client_id": "C5", "tier": "potential_a", "aum": 1.5e5},  # 03-31 + 6 = 09-30
            {"client_id": "C6", "tier": "potential_b", "aum": 6e4},  # phone only
            {"client_id": "C7", "tier": "wealth", "aum": 5e5},  # 05-10 + 3 = 08-10; October visit ignored
            {"client_id": "C8"},  # only a call: never visited
            {"client_id": "C9"},  # 08-31 + 1 = 09-30 (clipped)
            {"client_id": "C10", "tier": "out_of_scope", "aum": 1e3},
        ]
    )
    acts = activity_log(
        [
            ("2026-09-15", "S1", "C2", "visit"),
            ("2026-08-31", "S2", "C3", "visit"),
            ("2026-07-31", "S2", "C4", "visit"),
            ("2026-03-31", "S2", "C5", "visit"),
            ("2026-05-10", "S2", "C7", "visit"),
            ("2026-10-05", "S2", "C7", "visit"),
            ("2026-09-20", "S1", "C8", "call"),
            ("2026-08-31", "S1", "C9", "visit"),
            ("2026-02-01", "S1", "C9", "visit"),
        ]
    )
    due = due_visits(clients, acts, "2026-10", VisitSettings()).set_index("client_id")
    assert list(due.index) == ["C1", "C2", "C4", "C5", "C7", "C8", "C9"]
    assert due.loc["C2", "due_date"] == T("2026-10-15") and due.loc["C2", "days_overdue"] == -14
    assert due.loc["C4", "due_date"] == T("2026-10-31") and due.loc["C4", "days_overdue"] == -30
    assert due.loc["C5", "days_overdue"] == 1
    assert due.loc["C7", "last_visit"] == T("2026-05-10") and due.loc["C7", "days_overdue"] == 52
    assert due.loc["C9", "due_date"] == T("2026-09-30")
    assert pd.isna(due.loc["C1", "last_visit"]) and pd.isna(due.loc["C1", "days_overdue"])
    assert pd.isna(due.loc["C8", "last_visit"])


def test_cadence_is_a_setting() -> None:
    clients = client_book([{"client_id": "C1", "tier": "potential_b", "aum": 6e4}, {"client_id": "C2"}])
    due = due_visits(clients, None, "2026-10", VisitSettings(cadence_months={"potential_b": 12}))
    assert list(due["client_id"]) == ["C1"]


def test_national_day_schedule_outflow_first_and_make_up_saturday() -> None:
    clients = client_book(
        [{"client_id": c, "aum": a, "maintainer_id": "S1"} for c, a in (("A", 5e6), ("B", 4e6), ("C", 3e6))]
    )
    plan = plan_visits(
        clients, STAFF, None, "2026-09", VisitSettings(max_per_day=1), WorkCalendar(), outflow_ids={"C"}
    )
    got = plan.schedule[["date", "client_id", "staff_name", "reason"]].values.tolist()
    assert got == [
        [T("2026-10-08"), "C", "王经理", "outflow_watch"],
        [T("2026-10-09"), "A", "王经理", "never_visited"],
        [T("2026-10-10"), "B", "王经理", "never_visited"],
    ]
    assert visit_reasons(plan.schedule)[0] == "资金流出预警；从未上门拜访"
    assert plan.schedule.loc[0, "start"] == T("2026-10-08 09:30") and plan.schedule.loc[0, "end"] == T(
        "2026-10-08 11:00"
    )
    assert plan.summary() == {"planned": 3, "due_unscheduled": 0, "outflow": 1, "outflow_scheduled": 1}
    assert plan.warnings == []


def test_one_district_shares_a_day() -> None:
    clients = client_book(
        [
            {"client_id": f"P{i}", "aum": 9e6 - i * 1e5, "maintainer_id": "S1", "district": d}
            for i, d in enumerate(["东区", "东区", "西区", "东区", "西区"], start=1)
        ]
    )
    plan = plan_visits(clients, STAFF, None, "2026-09", VisitSettings(), WorkCalendar())
    got = plan.schedule[["client_id", "date", "slot"]].values.tolist()
    # Five visits over 17 working days: one a day (the load spread evenly comes first).
    assert [d for _, d, _ in got] == [T("2026-10-08"), T("2026-10-09"), T("2026-10-10"), T("2026-10-12"),
                                      T("2026-10-13")]
    # 22 visits over 17 days: the even level is 2, so a district shares a day where it costs nothing.
    many = client_book([{"client_id": f"P{i:02d}", "aum": 9e6 - i * 1e5, "maintainer_id": "S1",
                         "district": ["东区", "西区", "南区", "北区"][i % 4]} for i in range(22)])
    busy = plan_visits(many, STAFF, None, "2026-09", VisitSettings(), WorkCalendar()).schedule
    per_day = busy.groupby("date").size()
    assert per_day.max() == 2 and busy.groupby("date")["district"].nunique().eq(1).all()
    # The second visit of a day would start at 11:30 and run into lunch (11:30–13:30): it starts after it.
    assert set(busy.loc[busy["slot"] == 2, "start"].dt.strftime("%H:%M")) == {"13:30"}


def test_slots_skip_lunch() -> None:
    from toolkit.branch.visits import slot_minutes

    hours = [f"{m // 60:02d}:{m % 60:02d}" for m in slot_minutes(VisitSettings(), 4)]
    assert hours == ["09:30", "13:30", "15:30", "17:30"]
    early = VisitSettings(first_visit_at="08:30", slot_minutes=90, visit_minutes=60)
    assert [m // 60 * 100 + m % 60 for m in slot_minutes(early, 4)] == [830, 1000, 1330, 1500]


def test_every_due_client_not_scheduled_has_a_reason() -> None:
    staff = staff_table([("S1", "王经理", "wealth_manager", 2), ("S3", "外行员工", "teller", None, "B002")])
    clients = client_book(
        [
            {"client_id": "A", "aum": 5e6, "maintainer_id": "S1"},
            {"client_id": "B", "aum": 4e6, "maintainer_id": "S1"},
            {"client_id": "C", "aum": 3e6, "maintainer_id": "S1"},
            {"client_id": "D"},
            {"client_id": "E", "maintainer_id": "S99"},
            {"client_id": "F", "maintainer_id": "S3"},
        ]
    )
    plan = plan_visits(clients, staff, None, "2026-09", VisitSettings(), WorkCalendar())
    assert plan.schedule["client_id"].tolist() == ["A", "B"]
    reasons = plan.unscheduled.set_index("client_id")["reason"].to_dict()
    assert reasons == {
        "C": "month_limit",
        "D": "no_maintainer",
        "E": "maintainer_not_in_branch",
        "F": "maintainer_not_in_branch",
    }
    text = unscheduled_reasons(plan.unscheduled, "en").set_axis(plan.unscheduled["client_id"])
    # Nobody of the fitting role has room left this month: the first date is next month's first working day.
    assert text["C"] == "王经理's monthly visit limit is reached; earliest possible: 2026-11-02"
    assert text["D"] == "No maintainer assigned; with a colleague of the fitting role, earliest possible: 2026-11-02"
    assert text["E"] == ("Maintainer S99 is not on this branch's staff list; with a colleague of the fitting "
                         "role, earliest possible: 2026-11-02")
    assert plan.summary() == {"planned": 2, "due_unscheduled": 4, "outflow": 0, "outflow_scheduled": 0}
    # The domain says it as a notice (codes and counts, no words); the report layer words it.
    parts = [
        notice("visits.count.month_limit", n=1),
        notice("visits.count.no_maintainer", n=1),
        notice("visits.count.maintainer_not_in_branch", n=2),
    ]
    assert plan.warnings == [notice("visits.unscheduled", n=4, parts=parts)]
    assert [say_notice(w, "en") for w in plan.warnings] == [
        "4 due clients could not be given a home visit this month "
        "(monthly limit reached: 1, no maintainer: 1, maintainer not in branch: 2); see visits.xlsx."
    ]
    assert [say_notice(w, "zh") for w in plan.warnings] == [
        "4位到期客户本月未能安排上门拜访（月拜访上限已满1位，无维护人1位，维护人不在本网点2位），名单见 visits.xlsx。"
    ]


def test_blocked_days_and_spring_festival() -> None:
    clients = client_book(
        [{"client_id": f"C{i:02d}", "aum": 9e6 - i, "maintainer_id": "S1"} for i in range(20)]
    )
    plan = plan_visits(
        clients,
        STAFF,
        None,
        "2026-01",
        VisitSettings(max_per_day=1),
        WorkCalendar(),
        blocked={"S1": {D(2026, 2, 2)}},
    )
    days = [d.day for d in plan.schedule["date"].dt.date]
    # February 2026 has 16 working days (make-up Saturdays 14 and 28); 2 Feb is blocked.
    assert days == [3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28]
    assert plan.unscheduled["reason"].eq("capacity").sum() == 5


def test_september_uses_the_make_up_sunday_and_skips_mid_autumn() -> None:
    clients = client_book(
        [{"client_id": f"C{i:02d}", "aum": 9e6 - i, "maintainer_id": "S2"} for i in range(30)]
    )
    plan = plan_visits(clients, STAFF, None, "2026-08", VisitSettings(max_per_day=1), WorkCalendar())
    dates = set(plan.schedule["date"].dt.date)
    assert D(2026, 9, 20) in dates and D(2026, 9, 25) not in dates and len(dates) == 22
    assert plan.summary()["planned"] == 22 and plan.summary()["due_unscheduled"] == 8


def test_staff_monthly_limit_falls_back_to_the_setting() -> None:
    clients = client_book(
        [{"client_id": f"C{i:02d}", "aum": 9e6 - i, "maintainer_id": "S1"} for i in range(12)]
    )
    plan = plan_visits(
        clients, STAFF, None, "2026-09", VisitSettings(default_max_per_month=5), WorkCalendar()
    )
    assert plan.summary()["planned"] == 5 and plan.summary()["due_unscheduled"] == 7
    assert plan.schedule["client_id"].tolist() == [f"C{i:02d}" for i in range(5)]  # highest AUM first


# --- properties ---------------------------------------------------------------------------------------------

_TIERS = ["private_wealth", "wealth", "potential_a", "potential_b"]
_MONTHS = ["2026-01", "2026-08", "2026-09", "2026-10", "2027-09"]


@st.composite
def branches(draw: st.DrawFn) -> dict:
    n = draw(st.integers(0, 40))
    rows = []
    for i in range(n):
        rows.append(
            {
                "client_id": f"C{i:03d}",
                "tier": draw(st.sampled_from(_TIERS)),
                "aum": float(draw(st.integers(5, 90))) * 1e5,
                "maintainer_id": draw(st.sampled_from(["S1", "S2", "S3", "S9", None])),
                "district": draw(st.sampled_from(["东区", "西区", None])),
            }
        )
    visited = draw(st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, 500)), max_size=n))
    limits = draw(st.lists(st.one_of(st.none(), st.integers(0, 12)), min_size=3, max_size=3))
    month = draw(st.sampled_from(_MONTHS))
    first = month_start(month)
    blocked_days = draw(st.lists(st.integers(0, 27), max_size=6))
    return {
        "clients": rows,
        "acts": [
            (pd.Timestamp(first) - pd.Timedelta(days=d), "S1", f"C{i:03d}", "visit") for i, d in visited if n
        ],
        "staff": [
            ("S1", "甲", "wealth_manager", limits[0]),
            ("S2", "乙", "financial_advisor", limits[1]),
            ("S3", "丙", "teller", limits[2], draw(st.sampled_from(["B001", "B002"]))),
        ],
        "period": shift(month, -1),
        "month": month,
        "as_of": first + dt.timedelta(days=draw(st.integers(0, 25))),
        "max_per_day": draw(st.integers(1, 4)),
        "blocked": {"S1": {first + dt.timedelta(days=d) for d in blocked_days}},
        "outflow": set(draw(st.lists(st.sampled_from([f"C{i:03d}" for i in range(max(n, 1))]), max_size=5))),
        "seed": draw(st.integers(0, 2**16)),
    }


def _plan(b: dict, clients: pd.DataFrame | None = None):
    clients = client_book(b["clients"]) if clients is None else clients
    return plan_visits(
        clients,
        staff_table(b["staff"]),
        activity_log(b["acts"]),
        b["period"],
        VisitSettings(max_per_day=b["max_per_day"], default_max_per_month=15),
        WorkCalendar(),
        b["outflow"],
        b["blocked"],
        as_of=b["as_of"],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(branches())
def test_schedule_properties(b: dict) -> None:
    if not b["clients"]:
        assert _plan(b).summary() == {"planned": 0, "due_unscheduled": 0, "outflow": 0, "outflow_scheduled": 0}
        return
    clients = client_book(b["clients"])
    plan = _plan(b, clients)
    cal, s = WorkCalendar(), plan.schedule
    staff = staff_table(b["staff"]).set_index("staff_id")
    as_of, end = b["as_of"], month_end(b["month"])
    # Nothing before the hand-out date; visits only on working days (调休 make-up days count), none
    # outside the plan month, none on a day of host duty.
    assert all(cal.is_workday(d) for d in s["date"].dt.date)
    assert s["date"].between(T(as_of), T(end)).all()
    assert not any(d in b["blocked"]["S1"] for d in s.loc[s["staff_id"] == "S1", "date"].dt.date)
    # Per-day and per-month limits; no staff day above max(max_per_day, ceil(visits / days) + 1);
    # each visit goes to the client's own maintainer.
    per_day = s.groupby(["staff_id", "date"]).size()
    assert per_day.le(b["max_per_day"]).all()
    days = cal.workdays(as_of, end)
    for staff_id, n in s.groupby("staff_id").size().items():
        limit = staff.loc[staff_id, "max_visits_per_month"]
        assert n <= (15 if pd.isna(limit) else limit)
        assert per_day[staff_id].max() <= max(b["max_per_day"], -(-n // max(len(days), 1)) + 1)
    owner = clients.set_index("client_id")["maintainer_id"]
    assert (s["staff_id"] == s["client_id"].map(owner)).all()
    # No client twice; every due client (and every outflow client) scheduled or listed with a
    # reason, never both; the first date it could be fitted is a working day from the hand-out on.
    assert s["client_id"].is_unique
    due = set(due_visits(clients, activity_log(b["acts"]), b["month"], VisitSettings(), as_of)["client_id"])
    due |= b["outflow"] & set(clients["client_id"])
    listed = set(plan.unscheduled["client_id"])
    assert set(s["client_id"]) | listed == due and not set(s["client_id"]) & listed
    assert plan.unscheduled["reason"].isin(["capacity", "month_limit", "no_maintainer",
                                            "maintainer_not_in_branch"]).all()
    assert unscheduled_reasons(plan.unscheduled).str.len().gt(0).all()
    firsts = plan.unscheduled["first_date"]
    assert firsts.notna().all() and (firsts >= T(as_of)).all() and all(cal.is_workday(d) for d in firsts.dt.date)
    # Every outflow client with a reachable maintainer is visited within 5 working days of the
    # hand-out when that maintainer's capacity allows.
    window = days[:5]
    for staff_id in staff.index[staff["branch_id"] == "B001"]:
        mine = {c for c in b["outflow"] if owner.get(c) == staff_id}
        off = b["blocked"].get(staff_id, set())
        room = b["max_per_day"] * sum(d not in off for d in window)
        limit = staff.loc[staff_id, "max_visits_per_month"]
        if mine and len(mine) <= min(room, 15 if pd.isna(limit) else limit):
            visited = s.loc[s["client_id"].isin(mine), "date"].dt.date
            assert len(visited) == len(mine) and all(d in window for d in visited)
    summary = plan.summary()
    assert summary["outflow"] == len(b["outflow"] & set(clients["client_id"]))
    assert summary["outflow_scheduled"] == int(((s["reason"] == "outflow_watch") & s["date"].dt.date.isin(
        window)).sum())
    # Reproducible: the same plan whatever the row order of the input.
    shuffled = clients.sample(frac=1, random_state=b["seed"]).reset_index(drop=True)
    again = _plan(b, shuffled)
    pd.testing.assert_frame_equal(again.schedule, plan.schedule)
    pd.testing.assert_frame_equal(again.unscheduled, plan.unscheduled)


def test_a_client_due_late_in_the_month_is_not_visited_at_its_start() -> None:
    """Last visited 11-16, due 12-16: visited from 12-13 on (due_lead_days 3), never on 12-01."""
    clients = client_book([{"client_id": "A", "maintainer_id": "S1"}, {"client_id": "B", "maintainer_id": "S1"}])
    acts = activity_log([("2026-11-16", "S1", "A", "visit"), ("2026-10-20", "S1", "B", "visit")])
    plan = plan_visits(clients, STAFF, acts, "2026-11", VisitSettings(), WorkCalendar(), as_of=D(2026, 12, 2))
    got = dict(zip(plan.schedule["client_id"], plan.schedule["date"].dt.date, strict=True))
    assert got == {"B": D(2026, 12, 2), "A": D(2026, 12, 14)}  # 12-13 is a Sunday


def test_every_outflow_client_is_due_now_whatever_the_cadence() -> None:
    """The issue's case: an outflow client visited last month (not due by cadence) and one of a
    phone-only tier are both visited within 5 working days of the hand-out."""
    clients = client_book([{"client_id": "A", "maintainer_id": "S1"},
                           {"client_id": "B", "tier": "potential_b", "aum": 6e4, "maintainer_id": "S2"}])
    acts = activity_log([("2026-11-20", "S1", "A", "visit")])
    plan = plan_visits(clients, STAFF, acts, "2026-11", VisitSettings(), WorkCalendar(), outflow_ids={"A", "B"},
                       as_of=D(2026, 12, 2))
    assert sorted(plan.schedule["client_id"]) == ["A", "B"]
    assert (plan.schedule["date"] <= T("2026-12-08")).all() and plan.summary()["outflow_scheduled"] == 2


def test_a_busy_maintainer_spreads_the_month_evenly() -> None:
    """40 overdue clients, 3 a day at most, 21 working days left: two a day (one on the last two), not
    three a day then nothing."""
    clients = client_book([{"client_id": f"C{i:02d}", "aum": 9e6 - i, "maintainer_id": "S1"} for i in range(40)])
    plan = plan_visits(clients, STAFF, None, "2026-11", VisitSettings(), WorkCalendar(), as_of=D(2026, 12, 3))
    per_day = plan.schedule.groupby("date").size()
    assert len(plan.schedule) == 40 and len(per_day) == 21 and per_day.max() == 2 and per_day.min() == 1
    assert plan.schedule["date"].min() == T("2026-12-03") and plan.schedule["date"].max() == T("2026-12-31")


def _edf_fits(release: list[int], deadline: list[int], caps: list[int]) -> bool:
    """Independent oracle: earliest deadline first over the days (optimal for unit visits)."""
    waiting: list[int] = []
    jobs = sorted(range(len(release)), key=lambda i: release[i])
    k = 0
    for day, cap in enumerate(caps):
        while k < len(jobs) and release[jobs[k]] <= day:
            waiting.append(deadline[jobs[k]])
            k += 1
        waiting.sort()
        if waiting and waiting[0] < day:
            return False
        waiting = waiting[cap:]
    return not waiting and k == len(jobs)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(-1, 3)), max_size=40),
       st.lists(st.integers(0, 3), min_size=1, max_size=10), st.integers(0, 40))
def test_scheduler_properties(jobs: list[tuple[int, int]], caps: list[int], month_cap: int) -> None:
    """schedule_staff: every visit in its window and under the caps; a client left out for capacity
    would not fit beside the ones kept (checked by EDF), nor one of lower priority kept instead."""
    from toolkit.branch.schedule import schedule_staff

    last = len(caps) - 1
    release = [min(r, last) for r, _ in jobs]
    deadline = [last] * len(jobs)
    district = np.array([d for _, d in jobs])
    out = schedule_staff(np.array(release, dtype=np.int64), np.array(deadline, dtype=np.int64), district,
                         np.array(caps), month_cap)
    kept = [i for i in range(len(jobs)) if out.day[i] >= 0]
    assert all(release[i] <= out.day[i] <= deadline[i] for i in kept)
    loads = np.bincount(out.day[out.day >= 0], minlength=len(caps))
    assert (loads <= np.array(caps)).all() and len(kept) <= month_cap
    for i in range(len(jobs)):
        if out.day[i] < 0:
            assert out.reason[i] in ("capacity", "month_limit")
            if out.reason[i] == "capacity":
                ahead = [j for j in kept if j < i] + [i]
                assert not _edf_fits([release[j] for j in ahead], [deadline[j] for j in ahead], caps)
    if all(r == 0 for r in release) and kept:
        even = -(-len(kept) // max(sum(c > 0 for c in caps), 1))
        assert loads.max() <= even + 1


@pytest.mark.parametrize("language", ["zh", "en"])
def test_reason_texts_exist_in_both_languages(language: str) -> None:
    clients = client_book(
        [{"client_id": "A", "maintainer_id": "S1"}, {"client_id": "B", "maintainer_id": "S1"}]
    )
    acts = activity_log([("2026-08-01", "S1", "B", "visit")])
    plan = plan_visits(clients, STAFF, acts, "2026-09", VisitSettings(), WorkCalendar())
    texts = dict(zip(plan.schedule["client_id"], visit_reasons(plan.schedule, language), strict=True))
    expected = {
        "zh": {"A": "从未上门拜访", "B": "逾期30天（上次拜访2026-08-01）"},
        "en": {"A": "Never visited", "B": "30 days overdue (last visit 2026-08-01)"},
    }
    assert texts == expected[language]
    assert np.all(plan.schedule["reason"] == ["never_visited", "overdue"])


def test_the_plan_holds_codes_and_numbers_not_words() -> None:
    """Reasons are codes, the reader's sentences come from toolkit.report (any language)."""
    clients = client_book([{"client_id": "A", "maintainer_id": "S1"}, {"client_id": "D"}])
    plan = plan_visits(clients, STAFF, None, "2026-09", VisitSettings(), WorkCalendar(), outflow_ids={"A"})
    assert "reason_text" not in plan.schedule and "reason_text" not in plan.unscheduled
    assert plan.schedule["reason"].tolist() == ["outflow_watch"]
    assert plan.unscheduled["reason"].tolist() == ["no_maintainer"]
    assert all(w.key.startswith("visits.") for w in plan.warnings)
    assert visit_reasons(plan.schedule, "en").tolist() == ["Outflow watch; Never visited"]
