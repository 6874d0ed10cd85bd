"""Advice: every flag and goal gap becomes a recommendation (a notice) with the right amount; the
sentences are checked as the report words them (toolkit.report.proposal_sections.say_notice)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from toolkit.base.notices import Notice
from toolkit.client.advice import advise
from toolkit.client.allocation import allocate, investable
from toolkit.client.goals import project_goals
from toolkit.client.household import compute_ratios, derive
from toolkit.client.suitability import assess
from toolkit.report.proposal_sections import say_notice
from toolkit.report.proposal_sections import sentence_money as money
from toolkit.report.text import WORDS

AS_OF = dt.date(2026, 11, 30)
C3 = assess("C3", dt.date(2026, 3, 1), dt.date(1980, 1, 1), AS_OF)
SHELF = pd.DataFrame({
    "product_id": ["TD1", "BD1", "WP1", "FD1"], "name": ["三年定期", "储蓄国债", "稳健理财", "平衡基金"],
    "category": ["time_deposit", "bonds", "wealth_products", "funds"],
    "risk_rating": ["R1", "R1", "R2", "R3"],
    "min_amount": [50_000.0, 1_000, 10_000, 1_000], "expected_return": [0.0175, 0.022, 0.032, 0.06]})
NO_GOALS = project_goals(None, AS_OF, "C3", 0, 0)


def run(status=C3, goals=NO_GOALS, language="zh", **money_) -> list[dict]:
    t = derive(**{"income": 0.0, "expense": 0.0, "debt_payment": 0.0, "liquid": 0.0, "financial": 0.0,
                  "real": 0.0, "liabilities": 0.0, **money_})
    inv = investable(t, None)
    plan = allocate(inv["investable"], SHELF, status, status.risk_level)
    return worded(advise(compute_ratios(t), goals, inv, plan, status, totals=t), language)


def worded(items: list[dict], language: str = "zh") -> list[dict]:
    """The items with the sentence the report shows for each."""
    return [{**i, "text": say_notice(i["notice"], language)} for i in items]


def topic(items: list[dict], name: str) -> dict:
    found = [i for i in items if i["topic"] == name]
    assert len(found) == 1, [i["topic"] for i in items]
    return found[0]


def test_totals_default_to_those_behind_the_ratios():
    t = derive(income=100_000, expense=80_000, debt_payment=0, liquid=40_000, financial=0, real=100_000,
               liabilities=0)
    inv = investable(t, None)
    plan = allocate(inv["investable"], SHELF, C3, "C3")
    implicit = advise(compute_ratios(t), NO_GOALS, inv, plan, C3)
    assert implicit == advise(compute_ratios(t), NO_GOALS, inv, plan, C3, totals=t)
    assert topic(implicit, "savings_ratio")["amount"] == pytest.approx(40_000)


def test_money_in_yuan_and_wan():
    assert money(125_000) == "12.5万元" and money(1_234_567) == "123.46万元" and money(10_000) == "1万元"
    assert money(8_000) == "8,000元" and money(125_000, "en") == "125,000 yuan"


def test_low_savings_names_the_yearly_and_monthly_cut():
    # income 100,000, surplus 20,000; 60% needs 60,000: save 40,000 more a year, 3,333 a month
    item = topic(run(income=100_000, expense=80_000, liquid=40_000, real=100_000), "savings_ratio")
    assert item["amount"] == pytest.approx(40_000)
    assert "4万元" in item["text"] and "3,333元" in item["text"] and "20%" in item["text"]


def test_high_savings_suggests_a_monthly_plan():
    item = topic(run(income=120_000, expense=12_000, liquid=6_000), "savings_ratio")
    assert item["amount"] == pytest.approx(108_000 / 12)
    assert "定投" in item["text"]


def test_low_liquidity_tops_up_the_emergency_fund_first():
    # spending 120,000 a year: 2 months held, 6 months = 60,000 wanted, 40,000 short
    items = run(income=200_000, expense=120_000, liquid=20_000, financial=100_000)
    item = topic(items, "liquidity_ratio")
    assert item["amount"] == pytest.approx(40_000)
    assert "2.0个月" in item["text"] and "6个月" in item["text"] and "4万元" in item["text"]
    assert topic(items, "allocation")["amount"] == 0


def test_high_liquidity_moves_the_excess_into_the_allocation():
    # spending 60,000 a year: 6 months = 30,000; liquid 330,000 -> 300,000 excess
    items = run(income=200_000, expense=60_000, liquid=330_000, financial=1_000_000)
    item = topic(items, "liquidity_ratio")
    assert item["amount"] == pytest.approx(300_000)
    assert "30万元" in item["text"] and "3万元" in item["text"]
    # 15% of 300,000 = 45,000 is below TD1's 50,000 minimum, so time deposits drop out of the mix
    assert "国债" in item["text"] and "基金" in item["text"] and "定期存款" not in item["text"]
    head = topic(items, "allocation")
    products = [i for i in items if i["topic"] == "product"]
    assert head["amount"] == pytest.approx(sum(p["amount"] for p in products))
    assert all("R" in p["text"] for p in products)


def test_investable_money_with_nothing_suitable_stays_in_cash():
    # no assessment: R1 only, and the only R1 products need 50,000 (TD1) or sit in bonds (BD1)
    shelf_r2 = SHELF[SHELF["risk_rating"] != "R1"]
    t = derive(income=200_000, expense=60_000, debt_payment=0, liquid=330_000, financial=0, real=0,
               liabilities=0)
    inv = investable(t, None)
    status = assess(None, None, None, AS_OF)
    plan = allocate(inv["investable"], shelf_r2, status, None)
    items = worded(advise(compute_ratios(t), NO_GOALS, inv, plan, status, totals=t))
    assert plan.empty
    assert "低风险的R1产品" in topic(items, "liquidity_ratio")["text"]
    head = topic(items, "allocation")
    assert head["amount"] == 0 and "30万元" in head["text"] and "R1" in head["text"]


def test_high_debt_service_names_the_repayment_cut():
    # 210,000 / 300,000 = 70%: 17,500 a month against a cap of 60% × 25,000 = 15,000 -> cut 2,500
    item = topic(run(income=300_000, debt_payment=210_000, liquid=200_000), "debt_service_ratio")
    assert item["amount"] == pytest.approx(2_500)
    assert "70%" in item["text"] and "1.75万元" in item["text"] and "1.5万元" in item["text"]


def test_low_solvency_and_low_investment():
    # assets 1,000,000, debts 700,000: solvency 30%, 200,000 of debt over half the assets;
    # net 300,000, financial 100,000: investment 33%, 50% needs 150,000 -> 50,000 more
    items = run(income=100_000, expense=40_000, liquid=0, financial=100_000, real=900_000,
                liabilities=700_000)
    assert topic(items, "solvency_ratio")["amount"] == pytest.approx(200_000)
    assert topic(items, "investment_to_net_assets")["amount"] == pytest.approx(50_000)


def test_liquid_to_net_assets_low_and_high():
    low = topic(run(income=100_000, expense=60_000, liquid=20_000, real=980_000), "liquid_to_net_assets")
    assert low["amount"] == pytest.approx(0.15 * 1_000_000 - 20_000)
    high = topic(run(income=100_000, expense=60_000, liquid=400_000, real=600_000), "liquid_to_net_assets")
    assert high["amount"] == pytest.approx(400_000 - 150_000)


def test_null_ratios_give_one_notice_each():
    items = run(expense=50_000, liquid=10_000, liabilities=500_000)
    assert topic(items, "income_missing")["amount"] is None
    assert "净资产为零或为负" in topic(items, "net_assets_negative")["text"]


def test_assessment_needed_comes_first():
    items = run(status=assess(None, None, None, AS_OF), income=100_000, expense=40_000, liquid=100_000)
    assert items[0]["topic"] == "risk_assessment" and "风险评估" in items[0]["text"]
    old = assess("C3", dt.date(2026, 3, 1), dt.date(1950, 1, 1), AS_OF)
    assert topic(run(status=old, income=1, liquid=1), "extra_care")["amount"] is None


def test_goal_advice_with_gap_met_and_due():
    goals = project_goals(pd.DataFrame({"goal": ["教育", "装修"], "target_amount": [1e6, 3e5],
                                        "target_year": [2036, 2026]}), AS_OF, "C3", 100_000, 10_000)
    items = [i for i in run(goals=goals, income=1, liquid=1) if i["topic"] == "goal"]
    assert len(items) == 2
    assert items[0]["amount"] == pytest.approx(goals.loc[0, "monthly_saving_needed"], abs=0.01)
    assert "缺口" in items[0]["text"] and "每月" in items[0]["text"] and "2036年" in items[0]["text"]
    assert items[1]["amount"] == pytest.approx(goals.loc[1, "gap"], abs=0.01) and "目标年份已到" in items[1]["text"]
    met = project_goals(pd.DataFrame({"goal": ["旅行"], "target_amount": [1e4], "target_year": [2028]}),
                        AS_OF, "C3", 100_000, 0)
    item = next(i for i in run(goals=met, income=1, liquid=1) if i["topic"] == "goal")
    assert met.loc[0, "gap"] == 0 and item["amount"] is None and "足以实现" in item["text"]


def test_english_advice_has_no_chinese_apart_from_names():
    items = run(language="en", income=200_000, expense=60_000, liquid=330_000, financial=1_000_000)
    names = set(SHELF["name"])
    for item in items:
        text = item["text"]
        for name in names:
            text = text.replace(name, "")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_maturing_deposits_top_up_the_emergency_fund_and_the_advice_says_so(language: str):
    # Spending 120,000 a year: a 6-month fund is 60,000; liquid 20,000 is 40,000 short. Half of the
    # 500,000 time deposit matures (250,000): 40,000 tops up the fund, 210,000 can be invested.
    t = derive(income=200_000, expense=120_000, debt_payment=0, liquid=20_000, financial=500_000, real=0,
               liabilities=0)
    bal = pd.DataFrame({"type": ["financial"], "item": ["定期存款"], "amount": [500_000.0]})
    inv = investable(t, bal)
    assert inv["to_emergency_fund"] == pytest.approx(40_000) and inv["investable"] == pytest.approx(210_000)
    plan = allocate(inv["investable"], SHELF, C3, "C3")
    items = worded(advise(compute_ratios(t), NO_GOALS, inv, plan, C3, totals=t), language)
    refill = topic(items, "liquidity_ratio")
    assert refill["amount"] == pytest.approx(40_000)
    assert money(40_000, language) in refill["text"] and money(60_000, language) in refill["text"]
    assert ("补入应急金" if language == "zh" else "tops it up first") in refill["text"]
    allocation = topic(items, "allocation")["text"]
    assert money(210_000, language) in allocation and money(250_000, language) in allocation


def _words_in(value: object) -> list[str]:
    if isinstance(value, Notice):
        return [w for v in value.values.values() for w in _words_in(v)]
    if isinstance(value, tuple):
        return [w for v in value for w in _words_in(v)]
    return [value] if isinstance(value, str) else []


def test_advice_is_codes_and_numbers_not_words():
    goals = project_goals(pd.DataFrame({"goal": ["教育"], "target_amount": [1e6], "target_year": [2036]}),
                          AS_OF, "C3", 100_000, 10_000)
    t = derive(income=200_000, expense=60_000, debt_payment=0, liquid=330_000, financial=1_000_000, real=0,
               liabilities=0)
    inv = investable(t, None)
    items = advise(compute_ratios(t), goals, inv, allocate(inv["investable"], SHELF, C3, "C3"), C3, totals=t)
    allowed = {*SHELF["name"], *SHELF["product_id"], *SHELF["category"], *SHELF["risk_rating"], "教育"}
    for item in items:
        assert "text" not in item and item["notice"].key in WORDS
        assert set(_words_in(item["notice"])) <= allowed, item
