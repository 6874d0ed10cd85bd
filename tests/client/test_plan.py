"""The one plan (toolkit.client.plan): a hand fixture whose surplus covers every goal, the model
portfolios, life stage, and properties over random households and shelves."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.client.test_proposal import AS_OF, SHELF, book, fact_find, fact_finds, shelves
from toolkit.base.settings import LifeStageSettings, ProposalSettings, RatioBenchmarks
from toolkit.client import lifestage, portfolio
from toolkit.client.advice import moves_as_advised
from toolkit.client.plan import Paths, annual_needed, chance, lump_needed
from toolkit.client.proposal import build_proposal
from toolkit.client.suitability import risk_number
from toolkit.report.proposal_sections import action_texts

FAST = ProposalSettings(monte_carlo_trials=1000)


def test_a_surplus_that_covers_every_goal_reaches_75_percent_on_each_and_says_how():
    """Income 600,000, spending 240,000: 30,000 a month of surplus. Liquid money is exactly the
    6-month emergency fund (120,000) and nothing else is held, so the goals live on the surplus alone.
    Saving for them at 0% would take: education 400,000 × 1.025^10 = 512,034 over 10 years = 4,267 a
    month; a flat 600,000 × 1.025^6 = 695,816 over 6 years = 9,664 a month; 13,931 in all, well inside
    the 30,000 (the plan's mixes earn more than 0%, and the 80% target is met with that margin)."""
    ff = fact_find(cashflow=[("income", "工资", 600_000), ("expense", "生活", 240_000)],
                   balance=[("liquid", "活期存款", 120_000), ("real", "自住房", 2_000_000)],
                   goals=[("子女教育", 400_000, 2036), ("购房首付", 600_000, 2032)])
    p = build_proposal(ff, SHELF, AS_OF, settings=FAST)
    goals = p.goals.set_index("goal")
    assert (goals["probability_after"] >= 0.75).all(), goals
    assert goals["monthly_saving"].sum() <= 30_000 + 1e-6
    assert p.plan.strategy == "priority"
    texts = " ".join(action_texts(p))
    for name in ("子女教育", "购房首付"):
        monthly = goals.loc[name, "monthly_saving"]
        assert f"每月从结余中定投{monthly / 10_000:.2f}".rstrip("0").rstrip(".") in texts or \
            f"每月从结余中定投{monthly:,.0f}元" in texts
    assert "达成概率由0%提高到" in texts


def test_quantiles_are_the_smallest_money_that_reaches_the_chance():
    s = ProposalSettings(monte_carlo_trials=1000)
    paths = Paths(s, 10)
    x, y = paths.xy("C3", 10)
    lump = lump_needed(x, 1_000_000, 0.8)
    assert chance(x, y, 1_000_000, lump, 0) >= 0.8 > chance(x, y, 1_000_000, lump * 0.99, 0)
    annual = annual_needed(x, y, 1_000_000, 200_000, 0.8)
    assert chance(x, y, 1_000_000, 200_000, annual) >= 0.8 > chance(x, y, 1_000_000, 200_000, annual * 0.99)
    assert annual_needed(x, y, 1_000_000, lump, 0.8) == 0


def test_a_c5_portfolio_holds_equity_funds_and_c3_a_balanced_one():
    shelf = portfolio.shelf(SHELF)
    c5 = portfolio.fill(1_000_000, ProposalSettings().model_mix["C5"], shelf, 5, None, 1000)
    c3 = portfolio.fill(1_000_000, ProposalSettings().model_mix["C3"], shelf, 3, None, 1000)
    assert {r["product_id"] for r in c5 if r["category"] == "funds"} == {"FD2"}  # R5 股票基金, no return stated
    assert {r["product_id"] for r in c3 if r["category"] == "funds"} == {"FD1"}
    share = [portfolio.high_risk_share(pd.DataFrame(x)) for x in (c3, c5)]
    assert share[1] > share[0]


def test_goal_money_ends_before_the_goal_and_near_goals_stay_low_risk():
    ff = fact_find(risk_level="C5", goals=[("留学", 800_000, 2028)],
                   balance=[("liquid", "活期存款", 2_000_000), ("real", "自住房", 3_000_000)])
    p = build_proposal(ff, SHELF, AS_OF, settings=FAST)
    goal = p.allocation[p.allocation["purpose"] == "goal"]
    assert not goal.empty
    assert (goal["risk_rating"].map(risk_number) <= 2).all()
    assert "TD1" not in set(goal["product_id"])  # the 3-year deposit would lock the money past 2028


def test_retirees_are_not_told_to_save_60_percent():
    ff = fact_find(birth_date=dt.date(1955, 1, 1),
                   cashflow=[("income", "退休金", 96_000), ("expense", "生活", 80_000)])
    p = build_proposal(ff, SHELF, AS_OF, settings=FAST)
    assert p.life_stage == "retired" and p.benchmarks.savings_ratio == pytest.approx(0.15)
    assert dict(zip(p.ratios["key"], p.ratios["flag"], strict=True))["savings_ratio"] == "ok"  # 16.7%
    assert not any(a.kind == "savings" for a in p.actions)
    assert p.actions[0].kind == "life_stage" and "医疗" in action_texts(p)[0]
    working = build_proposal(fact_find(cashflow=[("income", "工资", 96_000), ("expense", "生活", 80_000)]),
                             SHELF, AS_OF, settings=FAST)
    assert any(a.kind == "savings" and a.ratio == "savings_ratio" for a in working.actions)


def test_life_stage_from_age_or_occupation():
    family = pd.DataFrame({"member": ["self"], "occupation": ["退休教师"]})
    assert lifestage.stage(55, family) == "retired" and lifestage.stage(55, None) == "working"
    assert lifestage.stage(61, None) == "retired"
    b = lifestage.benchmarks(RatioBenchmarks(), "retired", LifeStageSettings(retired_benchmarks={}))
    assert b == RatioBenchmarks()


def test_emergency_fund_rule_and_diagnosis_share_the_band():
    with pytest.raises(ValueError, match="emergency_months"):
        ProposalSettings(emergency_months=8)
    # 4 months of liquid money is within 3–6: the plan neither tops it up nor calls it short
    ff = fact_find(cashflow=[("income", "工资", 300_000), ("expense", "生活", 120_000)],
                   balance=[("liquid", "活期存款", 40_000), ("financial", "定期存款", 400_000)], goals=[])
    p = build_proposal(ff, SHELF, AS_OF, settings=FAST)
    assert p.plan.resources["top_up"] == 0 and not any(a.ratio == "liquidity_ratio" for a in p.actions)
    assert [a.kind for a in p.actions][0] == "emergency_ok"
    # 1 month is low: maturing deposits top it up, into an R1 product withdrawable at once
    low = build_proposal(fact_find(cashflow=[("income", "工资", 300_000), ("expense", "生活", 120_000)],
                                   balance=[("liquid", "活期存款", 10_000), ("financial", "定期存款", 400_000)],
                                   goals=[]), SHELF, AS_OF, settings=FAST)
    assert low.plan.resources["top_up"] == pytest.approx(50_000)
    assert low.actions[0].kind == "emergency_top_up" and low.actions[0].ratio == "liquidity_ratio"


# --- properties over random households and shelves ------------------------------------------------
def _shelf_with_terms(shelf: pd.DataFrame, terms: list[int | None]) -> pd.DataFrame:
    out = shelf.copy()
    out["term_days"] = pd.array([terms[i % len(terms)] for i in range(len(out))], dtype="Int64")
    return out


term_lists = st.lists(st.sampled_from([None, 7, 90, 180, 365, 730, 1095, 1825]), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ff=fact_finds, shelf=shelves, terms=term_lists)
def test_plan_properties(ff, shelf, terms):
    shelf = _shelf_with_terms(shelf, terms)
    p = build_proposal(ff, shelf, AS_OF, settings=FAST)
    flags = dict(zip(p.ratios["key"], p.ratios["flag"], strict=True))
    for a in p.actions:
        if a.ratio is not None:  # no action targets a ratio flagged ok; it moves the advised way or stays
            assert flags[a.ratio] in ("low", "high")
            assert moves_as_advised(a.ratio, flags[a.ratio], p.ratios, p.ratios_after)
    after = dict(zip(p.ratios_after["key"], p.ratios_after["flag"], strict=True))
    for key in ("liquidity_ratio", "liquid_to_net_assets"):  # the plan never makes a sound ratio low
        assert not (flags[key] == "ok" and after[key] == "low")
    goals = p.goals
    assert (goals["probability_after"] >= goals["probability_before"] - 1e-12).all()
    recs = p.allocation.merge(shelf[["product_id", "term_days", "risk_rating", "min_amount"]], on="product_id",
                              suffixes=("", "_shelf"))
    assert len(recs) == len(p.allocation)
    year = dict(zip(goals["goal"], goals["target_year"], strict=True))
    for r in recs.itertuples(index=False):
        term = None if pd.isna(r.term_days_shelf) else int(r.term_days_shelf)
        if r.purpose == "goal" and term is not None:  # never locked past the goal's year
            assert AS_OF + dt.timedelta(days=term) <= dt.date(int(year[r.goal]), 12, 31)
        if r.purpose == "emergency_fund":  # R1 and withdrawable within 90 days
            assert r.risk_rating_shelf == "R1" and (term is None or term <= 90)
        assert risk_number(r.risk_rating_shelf) <= p.status.max_product_risk
        assert r.amount >= r.min_amount - 0.005 and r.amount > 0


levels = st.sampled_from(["C1", "C2", "C3", "C4", "C5"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ff=fact_finds, shelf=shelves, terms=term_lists)
def test_a_higher_risk_level_never_holds_less_in_r3_and_above(ff, shelf, terms):
    shelf = _shelf_with_terms(shelf, terms)
    shares = []
    for level in ("C1", "C2", "C3", "C4", "C5"):
        ff.profile.update(risk_level=level, risk_assessed_on=dt.date(2026, 6, 1))
        p = build_proposal(ff, shelf, AS_OF, settings=FAST, client_rows=book(risk_level=level))
        shares.append(portfolio.high_risk_share(p.allocation))
    assert all(b >= a - 1e-12 for a, b in zip(shares, shares[1:], strict=False)), shares


def test_the_plan_is_seeded():
    a = build_proposal(fact_find(), SHELF, AS_OF, settings=FAST)
    b = build_proposal(fact_find(), SHELF, AS_OF, settings=FAST)
    assert np.array_equal(a.goals["probability_after"], b.goals["probability_after"])
    assert a.allocation.equals(b.allocation)


def test_a_c5_client_with_a_long_horizon_holds_equity_funds():
    ff = fact_find(risk_level="C5", goals=[("退休", 3_000_000, 2046)],
                   balance=[("liquid", "活期存款", 1_500_000), ("real", "自住房", 3_000_000)])
    p = build_proposal(ff, SHELF, AS_OF, settings=FAST)
    funds = p.allocation[p.allocation["category"] == "funds"]
    assert "FD2" in set(funds["product_id"])  # the R5 股票基金, which states no benchmark return
    c3 = build_proposal(fact_find(risk_level="C3", goals=[("退休", 3_000_000, 2046)],
                                  balance=[("liquid", "活期存款", 1_500_000), ("real", "自住房", 3_000_000)]),
                        SHELF, AS_OF, settings=FAST)
    assert portfolio.high_risk_share(p.allocation) >= portfolio.high_risk_share(c3.allocation)
