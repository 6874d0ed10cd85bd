"""The seed's practices, hand-computed: corporate classes at their boundaries and the contacts per
role, maturity calls on weekends, holidays and 调休 days, risk assessments due, the 500万 list."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from toolkit.base.settings import AssessmentSettings, CorporateSettings, MaturitySettings, TargetSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.assessments import assessments_due
from toolkit.branch.assessments import counts as assessment_counts
from toolkit.branch.corporate import classify_corporate, required_contacts, schedule_contacts
from toolkit.branch.maturities import call_date, maturity_calls
from toolkit.branch.practices import plan_practices
from toolkit.branch.targets import marketing_targets
from toolkit.inputs.books import BranchInputs
from toolkit.inputs.params import BranchParams

D = dt.date
WAN = 10_000
YI = 100_000_000


def book(rows: list[dict]) -> pd.DataFrame:
    """A classified current snapshot with just what the practices read."""
    base = {"name": "客户", "phone": "13812345678", "tier": "wealth", "aum": 5e5, "in_scope": True,
            "maintainer_id": "S1", "risk_level": "C3", "risk_assessed_on": pd.Timestamp("2026-03-01"),
            "birth_date": pd.Timestamp("1975-05-05"), "branch_id": "B001"}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["risk_assessed_on"] = pd.to_datetime(frame["risk_assessed_on"])
    return frame


def corporate(rows: list[tuple]) -> pd.DataFrame:
    """(client_id, deposits, target credit, manager_id[, leader_id])."""
    out = pd.DataFrame([(*r, None)[:5] for r in rows],
                       columns=["client_id", "deposit_balance", "target_credit", "manager_id", "leader_id"])
    return out.assign(name=[f"企业{c}" for c in out["client_id"]], branch_id="B001", head_id=None, director_id=None)


STAFF = pd.DataFrame({"staff_id": ["P1", "V1", "H1", "M1", "D1"], "name": ["行长", "副行长", "主任", "经理", "网点"],
                      "branch_id": "B001",
                      "role": ["branch_president", "vice_president", "corporate_head", "corporate_manager",
                               "branch_director"],
                      "max_visits_per_month": pd.array([None] * 5, dtype="Int64")})


def test_corporate_classes_at_the_boundaries() -> None:
    rows = corporate([("A", 2 * YI, 0, "M1"), ("B", 2 * YI - 0.01, 0, "M1"), ("C", 5000 * WAN, 0, "M1"),
                      ("D", 5000 * WAN - 0.01, 0, "M1"), ("E", 1 * YI, 2 * YI, "M1"), ("F", 0, 2 * YI - 1, "M1"),
                      ("G", None, None, "M1")])
    assert classify_corporate(rows).tolist() == ["class_1", "class_2", "class_2", "class_3", "class_1", "class_3",
                                                 "class_3"]
    # Thresholds are settings: 三千万 makes D a 二类 client.
    assert classify_corporate(rows, CorporateSettings(class_2_deposits=3000 * WAN)).iloc[3] == "class_2"


def test_required_contacts_per_role_follow_the_seed() -> None:
    rows = corporate([("A", 3 * YI, 0, "M1"), ("B", 1 * YI, 0, "M1"), ("C", 100 * WAN, 0, "M1"),
                      ("X", 100 * WAN, 0, "M9")])
    req = required_contacts(rows, STAFF, "B001")
    got = {(r.client_id, r.contact_role): (r.staff_id, r.required, r.problem) for r in req.itertuples()}
    assert got == {
        ("A", "leader"): ("P1", 1, None), ("A", "head"): ("H1", 2, None), ("A", "manager"): ("M1", 3, None),
        ("B", "leader"): ("V1", 1, None), ("B", "head"): ("H1", 2, None), ("B", "manager"): ("M1", 3, None),
        ("B", "director"): ("D1", 2, None),
        ("C", "manager"): ("M1", 3, None), ("C", "director"): ("D1", 2, None),
        ("X", "manager"): ("M9", 3, "not_in_branch"), ("X", "director"): ("D1", 2, None),
    }
    assert int(req["required"].sum()) == 6 + 8 + 5 + 5
    # No corporate head on the staff: the head's contacts are a shortfall with a reason, never dropped.
    no_head = required_contacts(rows, STAFF.loc[STAFF["role"] != "corporate_head"], "B001")
    assert no_head.loc[no_head["contact_role"] == "head", "problem"].tolist() == ["no_staff", "no_staff"]


def test_contacts_spread_over_the_month_and_the_rest_is_shortfall() -> None:
    req = required_contacts(corporate([("A", 3 * YI, 0, "M1"), ("B", 1 * YI, 0, "M1"), ("C", 1, 0, "M1")]),
                            STAFF.loc[STAFF["staff_id"] == "M1"], "B001",
                            CorporateSettings(contacts={"manager": {"class_1": 3, "class_2": 3, "class_3": 3}}))
    days = [D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 5)]
    # Three contacts over four days: windows [0], [1], [2–3]. Day 0 has one retail visit (room 1 of 2).
    contacts, short = schedule_contacts(req, days, {"M1": 5}, per_day=2, busy={("M1", D(2026, 11, 2)): 1})
    by_client = contacts.groupby("client_id")["date"].apply(lambda s: [d.day for d in s]).to_dict()
    # 一类 A takes days 0, 1 and 2; B's first contact finds day 0 full and goes late (day 3), its second
    # takes day 1; then the month's five are used: B's third and all of C are the shortfall.
    assert by_client == {"A": [2, 3, 4], "B": [3, 5]}
    assert short[["client_id", "planned", "missing", "reason"]].values.tolist() == [
        ["B", 2, 1, "month_limit"], ["C", 0, 3, "month_limit"]]
    # A full day (host duty) is never used; nobody in the role is a shortfall with its reason.
    contacts, short = schedule_contacts(req, days, {"M1": 20}, per_day=2,
                                        busy={("M1", d): 2 for d in days[:3]})
    assert set(contacts["date"].dt.day) == {5} and len(contacts) == 2
    assert set(short["reason"]) == {"capacity"} and int(short["missing"].sum()) == 9 - 2


@pytest.mark.parametrize(("maturity", "expected"), [
    (D(2026, 11, 18), D(2026, 11, 11)),  # a Wednesday: five working days before
    (D(2026, 11, 14), D(2026, 11, 6)),  # a Saturday: counted from Friday 11-13
    (D(2026, 10, 5), D(2026, 9, 22)),  # 国庆 holiday: from 9-30, skipping 中秋 9-25 and the weekend
    (D(2026, 10, 11), D(2026, 9, 28)),  # a Sunday after 调休 Saturday 10-10, a working day
])
def test_call_date_counts_working_days_before_the_maturity(maturity: dt.date, expected: dt.date) -> None:
    assert call_date(maturity, 5, WorkCalendar()) == expected


SHELF = pd.DataFrame({
    "product_id": ["WP1", "WP2", "WP3", "WP4", "WP5", "TD1"],
    "name": ["现金", "稳享", "平衡", "进取", "大额平衡", "定期"],
    "category": ["wealth_products"] * 5 + ["time_deposit"],
    "risk_rating": ["R1", "R2", "R3", "R4", "R3", "R1"],
    "min_amount": [1.0, 10_000.0, 50_000.0, 10_000.0, 200_000.0, 50.0],
    "term_days": [None, 90, 365, 365, 365, 365],
    "expected_return": [0.019, 0.028, 0.05, 0.06, 0.07, 0.0155],
})


def test_maturity_calls_in_the_plan_month_with_a_suitable_product() -> None:
    clients = book([{"client_id": "C1"}, {"client_id": "C2", "risk_level": None, "risk_assessed_on": None},
                    {"client_id": "C3", "in_scope": False}])
    holdings = pd.DataFrame({
        "client_id": ["C1", "C1", "C2", "C1", "C3"],
        "product_id": ["WP2", None, "TD1", None, None],
        "category": [None, "time_deposit", None, "funds", "funds"],
        "amount": [100_000.0, 30_000.0, 80_000.0, 5_000.0, 9e5],
        "start_date": pd.to_datetime(["2026-05-14", None, None, None, None]),
        "maturity_date": pd.to_datetime(["2026-11-14", "2026-11-03", "2026-11-30", "2026-12-01", "2026-11-20"]),
    })
    calls = maturity_calls(holdings, clients, SHELF, "2026-11", WorkCalendar(), MaturitySettings())
    got = calls[["client_id", "contact_date", "maturity_date", "late", "category", "suggested_product_id"]]
    assert got.astype({"contact_date": str, "maturity_date": str}).values.tolist() == [
        # 11-03 minus five working days is 10-27, before the month: called on its first working day, late.
        ["C1", "2026-11-02", "2026-11-03", True, "time_deposit", "TD1"],
        # Saturday 11-14 -> Friday 11-13 -> 11-06. WP2 is a wealth product: WP3 is the best R3 ≤ 10万 (WP5 needs 20万).
        ["C1", "2026-11-06", "2026-11-14", False, "wealth_products", "WP3"],
        # No assessment: R1 only, the same category (time deposit) first.
        ["C2", "2026-11-23", "2026-11-30", False, "time_deposit", "TD1"],
    ]
    assert calls["max_product_risk"].tolist() == [3, 3, 1] and calls["needs_assessment"].tolist() == [False, False, True]
    assert calls["amount"].sum() == 210_000.0
    # The maintainer hosts the forum on Friday 11-06: the call moves to the working day before.
    hosted = maturity_calls(holdings, clients, SHELF, "2026-11", WorkCalendar(), MaturitySettings(),
                            blocked={"S1": {D(2026, 11, 6), D(2026, 11, 5)}})
    assert hosted["contact_date"].dt.strftime("%m-%d").tolist() == ["11-02", "11-04", "11-23"]


def test_assessments_due_per_maintainer_by_aum() -> None:
    clients = book([
        {"client_id": "A", "risk_level": None, "risk_assessed_on": None, "aum": 1e6},
        {"client_id": "B", "risk_assessed_on": None, "aum": 2e6},  # a level without a date
        {"client_id": "C", "risk_assessed_on": "2025-10-31", "aum": 3e6},  # valid to 10-31: expired on 11-01
        {"client_id": "D", "risk_assessed_on": "2025-11-01", "aum": 4e6},  # valid through 11-01: expiring
        {"client_id": "E", "risk_assessed_on": "2026-01-01", "aum": 5e6},  # last valid day 2027-01-01: expiring
        {"client_id": "F", "risk_assessed_on": "2026-01-02", "aum": 6e6},  # last valid day 2027-01-02: beyond two months
        {"client_id": "G", "risk_level": None, "risk_assessed_on": None, "aum": 7e6, "maintainer_id": "S2"},
        {"client_id": "H", "risk_level": None, "in_scope": False},
    ])
    due = assessments_due(clients, D(2026, 11, 1), AssessmentSettings())
    assert due[["maintainer_id", "priority", "client_id", "status"]].values.tolist() == [
        ["S1", 1, "E", "expiring"], ["S1", 2, "D", "expiring"], ["S1", 3, "C", "expired"],
        ["S1", 4, "B", "undated"], ["S1", 5, "A", "missing"], ["S2", 1, "G", "missing"]]
    assert assessment_counts(due) == {"missing": 4, "expiring": 2}


def test_marketing_targets_from_net_assets_or_aum() -> None:
    clients = book([{"client_id": "A", "aum": 5e6}, {"client_id": "B", "aum": 5e6 - 1},
                    {"client_id": "C", "aum": 3e6}, {"client_id": "D", "aum": 2.99e6},
                    {"client_id": "E", "aum": 1e6}, {"client_id": "F", "aum": 6e6}])
    assets = pd.DataFrame({"client_id": ["E", "F"], "liquid": [2e5, 1e6], "financial": [8e5, 2e6],
                           "real": [5e6, 1e6], "liability": [1e6, 1e6]})
    got = marketing_targets(clients, assets, settings=TargetSettings())
    # E: net 5e6 (500万 inclusive) through the fact-find although AUM is 100万; F: net 3e6, near only.
    assert got[["client_id", "status", "basis", "measure"]].values.tolist() == [
        ["A", "target", "aum", 5e6], ["E", "target", "fact_find", 5e6], ["B", "near_target", "aum", 5e6 - 1],
        ["C", "near_target", "aum", 3e6], ["F", "near_target", "fact_find", 3e6]]
    assert got.set_index("client_id").loc["E", "branch_share"] == pytest.approx(0.2)


def test_plan_practices_summary_and_absent_tables() -> None:
    params = BranchParams.model_validate({"branch_id": "B001", "branch_name": "瓯海支行",
                                          "data": {"clients": ["c.csv"], "staff": "s.csv"}})
    clients = book([{"client_id": "C1", "risk_level": None, "risk_assessed_on": None}])
    bare = BranchInputs(clients=clients, staff=STAFF, products=SHELF, activities=pd.DataFrame())
    plan = plan_practices(params, clients, bare, "2026-11", WorkCalendar())
    assert not plan.corporate_given and not plan.holdings_given
    assert plan.summary_parts() == {"risk_assessment": {"missing": 1, "expiring": 0},
                                    "maturities": {"count": 0, "amount": 0.0},
                                    "marketing_targets": {"targets": 0, "near_targets": 0},
                                    "corporate": {"clients": 0, "required_contacts": 0, "shortfall": 0}}
    full = BranchInputs(clients=clients, staff=STAFF, products=SHELF, activities=pd.DataFrame(),
                        corporate_clients=corporate([("A", 3 * YI, 0, "M1"), ("Z", 1, 0, "M1")]).assign(
                            branch_id=["B001", "B002"]),
                        holdings=pd.DataFrame({"client_id": ["C1"], "product_id": ["TD1"], "category": [None],
                                               "amount": [60_000.0], "start_date": [pd.NaT],
                                               "maturity_date": pd.to_datetime(["2026-11-20"])}))
    plan = plan_practices(params, clients, full, "2026-11", WorkCalendar())
    parts = plan.summary_parts()
    assert parts["corporate"] == {"clients": 1, "required_contacts": 6, "shortfall": 0}
    assert parts["maturities"] == {"count": 1, "amount": 60_000.0}
    assert len(plan.contacts) == 6 and plan.assessment_ids() == {"C1"}


def test_an_assessment_on_29_february_is_valid_through_28_february() -> None:
    clients = book([{"client_id": "L", "risk_assessed_on": "2024-02-29"}])
    assert assessments_due(clients, D(2025, 3, 1))["status"].tolist() == ["expired"]
    due = assessments_due(clients, D(2025, 2, 28))
    assert due["status"].tolist() == ["expiring"] and due["expires_on"].dt.date.tolist() == [D(2025, 2, 28)]
