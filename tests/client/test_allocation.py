"""Investable surplus, the model allocation, and ratios after the plan."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import PRODUCT_SHELF
from toolkit.base.schema import ASSET_COLUMNS
from toolkit.base.settings import ProposalSettings
from toolkit.client.allocation import (
    ALLOCATION_COLUMNS,
    after_plan_ratios,
    allocate,
    investable,
    mix_level,
    totals_after_plan,
    unallocated,
)
from toolkit.client.household import derive
from toolkit.client.suitability import assess, enforce

AS_OF = dt.date(2026, 11, 30)
C3 = assess("C3", dt.date(2026, 3, 1), None, AS_OF)
NO_ASSESSMENT = assess(None, None, None, AS_OF)
SHELF = PRODUCT_SHELF


def balance(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"type": [r[0] for r in rows], "item": [r[1] for r in rows],
                         "amount": [float(r[2]) for r in rows]})


def test_investable_by_hand():
    # spending 120,000 a year -> 10,000 a month; 6 months = 60,000 emergency fund;
    # liquid 100,000 -> 40,000 excess; time deposits 400,000 + 100,000, half maturing = 250,000.
    t = derive(income=200_000, expense=100_000, debt_payment=20_000, liquid=100_000, financial=600_000,
               real=0, liabilities=0)
    bal = balance([("liquid", "活期存款", 100_000), ("financial", "定期存款", 400_000),
                   ("financial", "Time Deposit 1y", 100_000), ("financial", "基金", 100_000),
                   ("liquid", "定期到期款(已在活期)", 0)])
    inv = investable(t, bal, ProposalSettings())
    assert inv["emergency_fund"] == pytest.approx(60_000)
    assert inv["excess_liquid"] == pytest.approx(40_000)
    assert inv["time_deposits"] == pytest.approx(500_000)
    assert inv["from_time_deposits"] == pytest.approx(250_000)
    assert inv["investable"] == pytest.approx(290_000)
    assert inv["liquid_shortfall"] == 0


def test_maturing_deposits_top_up_a_short_emergency_fund_before_anything_is_invested():
    # Emergency fund 30,000, liquid 20,000: 10,000 short. 20% of 50,000 = 10,000 matures: all of it
    # tops up the fund, nothing is left to invest.
    t = derive(income=100_000, expense=120_000, debt_payment=0, liquid=20_000, financial=50_000, real=0,
               liabilities=0)
    inv = investable(t, balance([("financial", "三年定期", 50_000)]),
                     ProposalSettings(emergency_months=3, time_deposit_investable_share=0.2))
    assert inv["emergency_fund"] == pytest.approx(30_000)
    assert inv["liquid_shortfall"] == pytest.approx(10_000)
    assert inv["maturing_deposits"] == pytest.approx(10_000) and inv["to_emergency_fund"] == pytest.approx(10_000)
    assert inv["investable"] == pytest.approx(0) and inv["shortfall_after_refill"] == pytest.approx(0)
    # 40% matures (20,000): 10,000 tops up the fund, 10,000 can be invested; after the plan the
    # fund is full (liquid 30,000) and the reinvested 10,000 stays in financial.
    inv = investable(t, balance([("financial", "三年定期", 50_000)]),
                     ProposalSettings(emergency_months=3, time_deposit_investable_share=0.4))
    assert inv["to_emergency_fund"] == pytest.approx(10_000) and inv["investable"] == pytest.approx(10_000)
    placed = pd.DataFrame({"product_id": ["TD1"], "name": ["定期"], "category": ["time_deposit"],
                           "risk_rating": ["R1"], "amount": [10_000.0], "expected_return": [0.02]})
    after = totals_after_plan(t, inv, placed)
    assert after["liquid"] == pytest.approx(30_000) and after["financial"] == pytest.approx(40_000)
    assert after["net_assets"] == pytest.approx(t["net_assets"])


def test_worked_allocation_by_hand():
    # C3 mix of 395,000: insurance (10% = 39,500 < IN1's 50,000) and precious metals (5% = 19,750 <
    # PM1's 100,000) cannot place, so their weight goes to the other four pro rata (÷ 0.85):
    # time deposit 69,705.88 -> 69,000; bonds 92,941.18 -> 92,000; wealth 139,411.76 -> 139,000;
    # funds 92,941.18 -> 92,000; 3,000 stays as cash. WP2 (R4) and FD2 (R5) are above C3.
    out = allocate(395_000, SHELF, C3, "C3")
    assert tuple(out.columns) == ALLOCATION_COLUMNS
    assert list(out["product_id"]) == ["TD1", "BD1", "WP1", "FD1"]
    assert list(out["amount"]) == [69_000, 92_000, 139_000, 92_000]
    assert unallocated(395_000, out) == 3_000


def test_without_assessment_the_c1_mix_and_r1_products_only():
    # C1 mix: time deposit 50%, bonds 30%, wealth 20%; no R1 wealth product, so 5/8 and 3/8 of 100,000.
    out = allocate(100_000, SHELF, NO_ASSESSMENT, "C5")
    assert list(out["product_id"]) == ["TD1", "BD1"]
    assert list(out["amount"]) == [62_000, 37_000]
    assert set(out["risk_rating"]) == {"R1"}


def test_mix_level_is_never_above_the_ceiling_or_the_stated_level():
    assert mix_level(C3, "C5") == "C3"
    assert mix_level(C3, "C2") == "C2"
    assert mix_level(NO_ASSESSMENT, "C4") == "C1"
    assert mix_level(C3, None) == "C1"


ALL_FUNDS = ProposalSettings(model_mix={lv: {"funds": 1.0} for lv in ("C1", "C2", "C3", "C4", "C5")})


def fund(pid: str, minimum: float, ret: float | None, rating: str = "R1") -> dict:
    return {"product_id": pid, "name": pid, "category": "funds", "risk_rating": rating, "min_amount": minimum,
            "expected_return": ret}


@pytest.mark.parametrize(("amount", "placed"), [(1_800, 1_500), (2_800, 2_000), (1_400, None)])
def test_rounding_down_to_steps_but_never_below_the_minimum(amount, placed):
    shelf = pd.DataFrame([fund("F", 1_500, 0.04)])
    out = allocate(amount, shelf, C3, "C3", ALL_FUNDS)
    assert (list(out["amount"]) == [placed]) if placed else out.empty


def test_best_return_then_deterministic_tie_break():
    shelf = pd.DataFrame([fund("B", 1_000, 0.04, "R2"), fund("A", 1_000, 0.04, "R2"),
                          fund("C", 1_000, 0.04, "R1"), fund("D", 500, 0.04, "R1"),
                          fund("E", 1_000, None, "R1"), fund("X", 1_000, 0.09, "R4")])
    assert allocate(10_000, shelf, C3, "C3", ALL_FUNDS)["product_id"].tolist() == ["D"]
    assert allocate(10_000, shelf.iloc[[0, 1]], C3, "C3", ALL_FUNDS)["product_id"].tolist() == ["A"]
    assert allocate(10_000, shelf.iloc[[4, 0]], C3, "C3", ALL_FUNDS)["product_id"].tolist() == ["B"]


def test_unaffordable_best_product_gives_way_to_an_affordable_one():
    shelf = pd.DataFrame([fund("BIG", 1_000_000, 0.08), fund("SMALL", 1_000, 0.03)])
    assert allocate(50_000, shelf, C3, "C3", ALL_FUNDS)["product_id"].tolist() == ["SMALL"]


def test_nothing_to_invest_or_nothing_suitable_gives_an_empty_allocation():
    assert allocate(0, SHELF, C3, "C3").empty
    assert allocate(-5, SHELF, C3, "C3").empty
    assert allocate(100_000, SHELF.iloc[0:0], C3, "C3").empty
    too_risky = allocate(100_000, SHELF[SHELF["risk_rating"] == "R5"], C3, "C3")
    assert too_risky.empty and tuple(too_risky.columns) == ALLOCATION_COLUMNS


def test_after_plan_moves_liquid_into_financial():
    t = derive(income=450_000, expense=150_000, debt_payment=60_000, liquid=300_000, financial=500_000,
               real=3_000_000, liabilities=800_000)
    inv = investable(t, balance([("financial", "定期存款", 400_000)]))
    out = allocate(inv["investable"], SHELF, C3, "C3")
    after = totals_after_plan(t, inv, out)
    assert after["liquid"] == pytest.approx(105_000)  # 195,000 of the 392,000 placed came out of liquid
    assert after["financial"] == pytest.approx(695_000)
    assert after["net_assets"] == t["net_assets"]
    ratios = after_plan_ratios(t, inv, out).set_index("key")
    assert ratios.loc["liquidity_ratio", "value"] == pytest.approx(6.0)
    assert ratios.loc["investment_to_net_assets", "value"] == pytest.approx(695_000 / 3_000_000)


# --- properties -------------------------------------------------------------------------------
product = st.fixed_dictionaries({
    "category": st.sampled_from(ASSET_COLUMNS),
    "risk_rating": st.sampled_from(["R1", "R2", "R3", "R4", "R5"]),
    "min_amount": st.sampled_from([0.0, 1.0, 500.0, 1_000.0, 1_500.0, 10_000.0, 50_000.0, 300_000.0, 1e6]),
    "expected_return": st.one_of(st.none(), st.floats(0, 0.12)),
})
shelves = st.lists(product, min_size=1, max_size=12).map(lambda rows: pd.DataFrame(
    [{"product_id": f"P{i:02d}", "name": f"产品{i}", **r} for i, r in enumerate(rows)]))
statuses = st.builds(lambda lv, fresh: assess(lv, dt.date(2026, 6, 1) if fresh else None, None, AS_OF),
                     st.sampled_from([None, "C1", "C2", "C3", "C4", "C5"]), st.booleans())


@settings(max_examples=150, deadline=None)
@given(shelf=shelves, status=statuses, amount=st.floats(0, 5e6),
       stated=st.sampled_from([None, "C1", "C3", "C5"]),
       step=st.sampled_from([1.0, 100.0, 1_000.0, 10_000.0]))
def test_allocation_is_always_suitable_and_never_over_allocated(shelf, status, amount, stated, step):
    s = ProposalSettings(allocation_step=step)
    out = allocate(amount, shelf, status, stated, s)
    assert out["amount"].sum() <= amount
    if out.empty:
        return
    merged = out.merge(shelf, on="product_id", suffixes=("", "_shelf"))
    assert len(merged) == len(out)
    assert (merged["risk_rating_shelf"].str[1].astype(int) <= status.max_product_risk).all()
    assert (merged["amount"] >= merged["min_amount"]).all() and (merged["amount"] > 0).all()
    assert ((merged["amount"] % step == 0) | (merged["amount"] == merged["min_amount"])).all()
    assert out["category"].is_unique and out["product_id"].is_unique
    assert set(out["category"]) <= set(s.model_mix[mix_level(status, stated)])
    enforce(out, shelf, status)
