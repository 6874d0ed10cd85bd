"""Household totals and the six ratios (CONTRACT §4): hand-computed fixtures and property tests."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.base.settings import RatioBenchmarks
from toolkit.client.household import RATIO_COLUMNS, RATIO_KEYS, compare, compute_ratios, flag, totals
from toolkit.inputs.factfind import FactFind
from toolkit.report.proposal_sections import ratio_table


def make_ff(cashflow: list[tuple[str, float]], balance: list[tuple[str, float]]) -> FactFind:
    return FactFind(
        source="test.xlsx",
        profile={"client_id": "C1", "name": "张三", "birth_date": None, "risk_level": None,
                 "risk_assessed_on": None},
        family=pd.DataFrame(columns=["member", "name", "birth_date", "occupation"]),
        cashflow=pd.DataFrame({"type": [t for t, _ in cashflow], "item": ["项目"] * len(cashflow),
                               "annual_amount": [float(a) for _, a in cashflow]}),
        balance=pd.DataFrame({"type": [t for t, _ in balance], "item": ["项目"] * len(balance),
                              "amount": [float(a) for _, a in balance]}),
    )


# Worked household: income 300,000 + 150,000; expense 120,000 + 30,000; mortgage payments 60,000;
# cash 20,000 + demand 280,000; time deposit 400,000 + funds 100,000; home 3,000,000; mortgage 800,000.
WORKED = make_ff(
    [("income", 300_000), ("income", 150_000), ("expense", 120_000), ("expense", 30_000),
     ("debt_payment", 60_000)],
    [("liquid", 20_000), ("liquid", 280_000), ("financial", 400_000), ("financial", 100_000),
     ("real", 3_000_000), ("liability", 800_000)],
)


def by_key(df: pd.DataFrame) -> dict[str, dict]:
    return {r["key"]: r for r in df.to_dict("records")}


def test_totals_of_the_worked_household():
    t = totals(WORKED)
    assert t == {"income": 450_000, "expense": 150_000, "debt_payment": 60_000, "spending": 210_000,
                 "surplus": 240_000, "liquid": 300_000, "financial": 500_000, "real": 3_000_000,
                 "liabilities": 800_000, "total_assets": 3_800_000, "net_assets": 3_000_000}


def test_worked_household_ratios_by_hand():
    r = by_key(compute_ratios(totals(WORKED)))
    assert list(r) == list(RATIO_KEYS)
    assert r["savings_ratio"]["value"] == pytest.approx(240_000 / 450_000)  # 0.5333
    assert r["savings_ratio"]["flag"] == "ok"  # within 0.60 ± 0.10
    assert r["liquidity_ratio"]["value"] == pytest.approx(300_000 / 17_500)  # 17.14 months
    assert r["liquidity_ratio"]["flag"] == "high"
    assert r["liquid_to_net_assets"]["value"] == pytest.approx(0.10)
    assert r["liquid_to_net_assets"]["flag"] == "ok"  # 0.15 − 0.05 is the lower edge: ok
    assert r["solvency_ratio"]["value"] == pytest.approx(3_000_000 / 3_800_000)  # 0.789
    assert r["solvency_ratio"]["flag"] == "ok"
    assert r["debt_service_ratio"]["value"] == pytest.approx(60_000 / 450_000)  # 0.133
    assert r["debt_service_ratio"]["flag"] == "ok"
    assert r["investment_to_net_assets"]["value"] == pytest.approx(500_000 / 3_000_000)  # 0.167
    assert r["investment_to_net_assets"]["flag"] == "low"
    assert all(v["null_reason"] is None for v in r.values())


@pytest.mark.parametrize(("cashflow", "expected", "flag_"), [
    ([("income", 100_000), ("expense", 80_000)], 0.20, "low"),
    ([("income", 100_000), ("expense", 40_000)], 0.60, "ok"),
    ([("income", 100_000), ("expense", 20_000)], 0.80, "high"),
    ([("income", 100_000), ("expense", 90_000), ("debt_payment", 30_000)], -0.20, "low"),
])
def test_savings_ratio(cashflow, expected, flag_):
    r = by_key(compute_ratios(totals(make_ff(cashflow, [("liquid", 1)]))))["savings_ratio"]
    assert r["value"] == pytest.approx(expected)
    assert r["flag"] == flag_


@pytest.mark.parametrize(("liquid", "expected", "flag_"), [
    (20_000, 2.0, "low"), (30_000, 3.0, "ok"), (60_000, 6.0, "ok"), (90_000, 9.0, "high")])
def test_liquidity_ratio_is_months_of_spending(liquid, expected, flag_):
    # spending 96,000 + 24,000 debt = 120,000 a year = 10,000 a month
    ff = make_ff([("income", 200_000), ("expense", 96_000), ("debt_payment", 24_000)], [("liquid", liquid)])
    r = by_key(compute_ratios(totals(ff)))["liquidity_ratio"]
    assert r["value"] == pytest.approx(expected)
    assert r["flag"] == flag_


@pytest.mark.parametrize(("liquid", "flag_"), [(50_000, "low"), (150_000, "ok"), (300_000, "high")])
def test_liquid_to_net_assets(liquid, flag_):
    ff = make_ff([("income", 1)], [("liquid", liquid), ("real", 1_000_000 - liquid + 200_000),
                                   ("liability", 200_000)])  # net assets exactly 1,000,000
    r = by_key(compute_ratios(totals(ff)))["liquid_to_net_assets"]
    assert r["value"] == pytest.approx(liquid / 1_000_000)
    assert r["flag"] == flag_


@pytest.mark.parametrize(("liabilities", "expected", "flag_"), [
    (200_000, 0.80, "ok"), (500_000, 0.50, "ok"), (700_000, 0.30, "low"), (1_500_000, -0.50, "low")])
def test_solvency_ratio(liabilities, expected, flag_):
    ff = make_ff([("income", 1)], [("liquid", 100_000), ("real", 900_000), ("liability", liabilities)])
    r = by_key(compute_ratios(totals(ff)))["solvency_ratio"]
    assert r["value"] == pytest.approx(expected)
    assert r["flag"] == flag_


@pytest.mark.parametrize(("payments", "expected", "flag_"), [
    (120_000, 0.40, "ok"), (180_000, 0.60, "ok"), (210_000, 0.70, "high")])
def test_debt_service_ratio(payments, expected, flag_):
    # monthly repayment / monthly income = annual / annual
    ff = make_ff([("income", 300_000), ("debt_payment", payments)], [("liquid", 1)])
    r = by_key(compute_ratios(totals(ff)))["debt_service_ratio"]
    assert r["value"] == pytest.approx(expected)
    assert r["flag"] == flag_


@pytest.mark.parametrize(("financial", "expected", "flag_"), [
    (200_000, 0.25, "low"), (400_000, 0.50, "ok"), (700_000, 0.875, "ok")])
def test_investment_to_net_assets(financial, expected, flag_):
    # real 1,000,000 − financial, liability 200,000: net assets exactly 800,000
    ff = make_ff([("income", 1)], [("financial", financial), ("real", 1_000_000 - financial),
                                   ("liability", 200_000)])
    r = by_key(compute_ratios(totals(ff)))["investment_to_net_assets"]
    assert r["value"] == pytest.approx(expected)
    assert r["flag"] == flag_


def test_zero_income_and_negative_net_assets_give_nulls_with_reasons():
    ff = make_ff([("expense", 50_000)], [("liquid", 10_000), ("liability", 500_000)])
    r = by_key(compute_ratios(totals(ff)))
    for key in ("savings_ratio", "debt_service_ratio", "liquid_to_net_assets", "investment_to_net_assets"):
        assert r[key]["value"] is None and r[key]["flag"] is None
        assert r[key]["null_reason"] in ("income_missing", "net_assets_negative")
    worded = by_key(ratio_table(compute_ratios(totals(ff)), RatioBenchmarks()))
    assert worded["savings_ratio"]["explanation"] == "未填写税后收入（收入为0），无法计算结余比例"
    assert worded["investment_to_net_assets"]["explanation"].startswith("净资产为零或为负")
    assert r["liquidity_ratio"]["value"] == pytest.approx(10_000 / (50_000 / 12))
    assert r["solvency_ratio"]["value"] == pytest.approx((10_000 - 500_000) / 10_000)


def test_empty_fact_find_is_all_null_not_an_error():
    ff = make_ff([], [])
    df = compute_ratios(totals(ff))
    assert df["value"].isna().all()
    assert df["null_reason"].map(bool).all()
    assert tuple(df.columns) == RATIO_COLUMNS


def test_ratios_are_codes_and_numbers_not_words():
    df = compute_ratios(totals(make_ff([], [])))
    assert set(df["null_reason"]) <= {"income_missing", "spending_missing", "assets_missing", "net_assets_negative"}
    assert not any(isinstance(v, str) and any("\u4e00" <= ch <= "\u9fff" for ch in v)
                   for v in df.to_numpy().ravel())


def test_labels_and_explanations_in_both_languages():
    zh = ratio_table(compute_ratios(totals(WORKED)), RatioBenchmarks())
    en = ratio_table(compute_ratios(totals(WORKED)), RatioBenchmarks(), "en")
    assert zh.loc[0, "label"] == "结余比例" and en.loc[0, "label"] == "Savings ratio"
    assert "53.3%" in zh.loc[0, "explanation"] and "53.3%" in en.loc[0, "explanation"]
    assert zh.loc[1, "benchmark"] == "3–6个月" and en.loc[1, "benchmark"] == "3–6 months"
    assert "低于50%" in zh.loc[5, "explanation"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in zh["explanation"])
    assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in en["explanation"])


def test_benchmarks_come_from_settings():
    b = RatioBenchmarks(savings_ratio=0.30, savings_ratio_tolerance=0.05, debt_service_ratio_max=0.40)
    r = by_key(compute_ratios(totals(WORKED), b))
    assert r["savings_ratio"]["flag"] == "high"  # 0.533 > 0.35
    assert by_key(ratio_table(compute_ratios(totals(WORKED), b), b))["savings_ratio"]["benchmark"] == "约30%（±5%）"
    assert flag("debt_service_ratio", 0.45, b) == "high"
    assert flag("debt_service_ratio", 0.45, RatioBenchmarks()) == "ok"


def test_compare_before_after():
    before = compute_ratios(totals(WORKED))
    after_ff = make_ff(
        [("income", 450_000), ("expense", 150_000), ("debt_payment", 60_000)],
        [("liquid", 105_000), ("financial", 695_000), ("real", 3_000_000), ("liability", 800_000)])
    out = compare(before, compute_ratios(totals(after_ff)))
    row = out.set_index("key").loc["liquidity_ratio"]
    assert row["before"] == pytest.approx(300_000 / 17_500) and row["after"] == pytest.approx(6.0)
    assert (row["flag_before"], row["flag_after"]) == ("high", "ok")


# --- properties -------------------------------------------------------------------------------
# whole yuan, so the module's sums and the direct ones are exact and the ≤ 0 tests agree
amounts = st.one_of(st.just(0.0), st.integers(min_value=0, max_value=50_000_000).map(float))
cash_rows = st.lists(st.tuples(st.sampled_from(["income", "expense", "debt_payment"]), amounts), max_size=8)
balance_rows = st.lists(st.tuples(st.sampled_from(["liquid", "financial", "real", "liability"]), amounts),
                        max_size=10)


def direct(cashflow: list[tuple[str, float]], balance: list[tuple[str, float]]) -> dict[str, float | None]:
    """The CONTRACT §4 formulas written out again, independently of the module."""
    s = {k: sum(a for t, a in cashflow + balance if t == k) for k in
         ("income", "expense", "debt_payment", "liquid", "financial", "real", "liability")}
    spending = s["expense"] + s["debt_payment"]
    total = s["liquid"] + s["financial"] + s["real"]
    net = total - s["liability"]

    def div(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    return {"savings_ratio": div(s["income"] - spending, s["income"]),
            "liquidity_ratio": div(s["liquid"], spending / 12),
            "liquid_to_net_assets": div(s["liquid"], net), "solvency_ratio": div(net, total),
            "debt_service_ratio": div(s["debt_payment"], s["income"]),
            "investment_to_net_assets": div(s["financial"], net)}


@settings(max_examples=150, deadline=None)
@given(cash_rows, balance_rows)
def test_ratios_match_a_direct_recomputation(cashflow, balance):
    got = compute_ratios(totals(make_ff(cashflow, balance)))
    want = direct(cashflow, balance)
    assert list(got["key"]) == list(RATIO_KEYS)
    for row in got.to_dict("records"):
        expected = want[row["key"]]
        if expected is None:
            assert row["value"] is None and row["flag"] is None and row["null_reason"]
        else:
            assert math.isclose(row["value"], expected, rel_tol=1e-9, abs_tol=1e-12)
            assert row["flag"] in ("low", "ok", "high") and row["null_reason"] is None
    # every row the report words has an explanation: a null reason or the flag's sentence
    assert ratio_table(got, RatioBenchmarks())["explanation"].map(bool).all()
