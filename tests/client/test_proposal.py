"""One full worked proposal by hand, the summary.json contract, and properties over random fact-finds."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PRODUCT_SHELF
from toolkit.base.notices import Notice
from toolkit.base.schema import ASSET_COLUMNS
from toolkit.base.settings import ProposalSettings, VisitSettings
from toolkit.client.allocation import plan_moves
from toolkit.client.household import RATIO_KEYS, compute_ratios
from toolkit.client.proposal import build_proposal, service_plan
from toolkit.inputs.factfind import FactFind
from toolkit.report.proposal_sections import (
    advice_texts,
    holdings_before_after,
    ratio_table,
    risk_disclosure,
    say_notice,
    summary_json,
    warning_texts,
)
from toolkit.report.text import WORDS, label

AS_OF = dt.date(2026, 11, 30)
SHELF = PRODUCT_SHELF


def fact_find(client_id: str = "0001", risk_level: str | None = "C3",
              assessed_on: dt.date | None = dt.date(2026, 3, 1),
              birth_date: dt.date | None = dt.date(1980, 5, 20), cashflow=None, balance=None, goals=None) -> FactFind:
    cashflow = cashflow or [("income", "工资", 300_000), ("income", "配偶工资", 150_000),
                            ("expense", "生活", 120_000), ("expense", "教育", 30_000),
                            ("debt_payment", "房贷月供", 60_000)]
    balance = balance or [("liquid", "现金", 20_000), ("liquid", "活期存款", 280_000),
                          ("financial", "定期存款", 400_000), ("financial", "基金", 100_000),
                          ("real", "自住房", 3_000_000), ("liability", "房贷", 800_000)]
    goals = goals if goals is not None else [("子女教育", 500_000, 2036), ("退休", 4_000_000, 2045)]
    return FactFind(
        source="worked.xlsx",
        profile={"client_id": client_id, "name": "张三丰", "birth_date": birth_date, "risk_level": risk_level,
                 "risk_assessed_on": assessed_on},
        family=pd.DataFrame({"member": ["self", "spouse", "child"], "name": ["张三丰", "李四", "张小"],
                             "birth_date": pd.to_datetime(["1980-05-20", "1982-01-01", "2014-09-01"]),
                             "occupation": ["工程师", "教师", "学生"]}),
        cashflow=pd.DataFrame({"type": [r[0] for r in cashflow], "item": [r[1] for r in cashflow],
                               "annual_amount": [float(r[2]) for r in cashflow]}),
        balance=pd.DataFrame({"type": [r[0] for r in balance], "item": [r[1] for r in balance],
                              "amount": [float(r[2]) for r in balance]}),
        goals=pd.DataFrame({"goal": [g[0] for g in goals], "target_amount": [float(g[1]) for g in goals],
                            "target_year": pd.Series([g[2] for g in goals], dtype="int64")}),
    )


def book(client_id: str = "0001", demand=(250_000.0, 280_000.0), risk_level: str | None = "C3",
         birth_date: str | None = "1980-05-20") -> pd.DataFrame:
    n = len(demand)
    zeros = [0.0] * n
    return pd.DataFrame({
        "snapshot_date": pd.to_datetime(["2026-10-31", "2026-11-30"][:n]), "client_id": [client_id] * n,
        "name": ["张三丰"] * n, "branch_id": ["B001"] * n, "phone": ["13812345678"] * n,
        "maintainer_id": ["S01"] * n, "district": [None] * n, "gender": ["M"] * n,
        "birth_date": pd.to_datetime([birth_date] * n), "demand_deposit": list(demand),
        "time_deposit": [400_000.0] * n, "wealth_products": zeros, "funds": [100_000.0] * n, "bonds": zeros,
        "insurance": zeros, "precious_metals": zeros, "custody_margin": zeros,
        "credit_card_annual_spend": [60_000.0] * n, "loan_balance": [800_000.0] * n,
        "card_level": ["gold"] * n, "risk_level": [risk_level] * n})


ACTIVITIES = pd.DataFrame({"date": pd.to_datetime(["2026-09-15", "2026-10-01", "2026-12-05"]),
                           "staff_id": ["S01"] * 3, "client_id": ["0001"] * 3,
                           "kind": ["visit", "call", "visit"], "note": [None] * 3})


def test_full_worked_proposal_by_hand():
    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=book(), activities=ACTIVITIES, advisor="王经理")
    # Totals: income 450,000; spending 150,000 + 60,000 = 210,000; surplus 240,000; liquid 300,000;
    # financial 500,000; real 3,000,000; debts 800,000; total 3,800,000; net 3,000,000.
    assert p.totals["surplus"] == 240_000 and p.totals["net_assets"] == 3_000_000
    # Investable: 6 × 17,500 = 105,000 kept; 195,000 excess + 50% of the 400,000 定期存款 = 395,000.
    assert p.investable["investable"] == pytest.approx(395_000)
    # C3 mix with insurance and precious metals unaffordable, re-weighted over 0.85 and floored to 1,000s.
    summary = summary_json(p)
    assert summary == {
        "client_id": "0001", "as_of": "2026-11-30", "tier": "wealth",  # AUM 780,000 on 2026-11-30
        "ratios": {"savings_ratio": pytest.approx(240_000 / 450_000),
                   "liquidity_ratio": pytest.approx(300_000 / 17_500),
                   "liquid_to_net_assets": pytest.approx(0.10),
                   "solvency_ratio": pytest.approx(3_000_000 / 3_800_000),
                   "debt_service_ratio": pytest.approx(60_000 / 450_000),
                   "investment_to_net_assets": pytest.approx(500_000 / 3_000_000)},
        "flags": {"savings_ratio": "ok", "liquidity_ratio": "high", "liquid_to_net_assets": "ok",
                  "solvency_ratio": "ok", "debt_service_ratio": "ok", "investment_to_net_assets": "low"},
        "recommendations": [{"product_id": "TD1", "amount": 69_000.0},
                            {"product_id": "BD1", "amount": 92_000.0},
                            {"product_id": "WP1", "amount": 139_000.0},
                            {"product_id": "FD1", "amount": 92_000.0}],
        "warnings": [],
    }
    json.dumps(summary, allow_nan=False)
    # After the plan 195,000 leaves liquid: 105,000 liquid (6.0 months), 695,000 financial.
    after = p.ratio_changes.set_index("key")
    assert after.loc["liquidity_ratio", "after"] == pytest.approx(6.0)
    assert after.loc["liquidity_ratio", "flag_after"] == "ok"
    assert after.loc["investment_to_net_assets", "after"] == pytest.approx(695_000 / 3_000_000)
    assert after.loc["liquid_to_net_assets", "flag_after"] == "low"  # 105,000 / 3,000,000 = 3.5%
    # Goals: 500,000 in 2036 = 640,042.27; 4,000,000 in 2045 = 6,394,600.74 (2.5% inflation).
    # Present values at 4.5%: 412,140.94 and 2,770,791.94, so education gets 12.948% of the 695,000 set
    # aside (financial + excess liquid) and of the 240,000 yearly surplus: 521,626.82 by 2036, a gap of
    # 118,415.45, closed by 803.04 a month. Retirement reaches 7,468,340.91: no gap.
    g = p.goals.set_index("goal")
    assert g.loc["子女教育", "target_future"] == pytest.approx(640_042.27, abs=0.01)
    assert g.loc["子女教育", "projected"] == pytest.approx(521_626.82, abs=0.01)
    assert g.loc["子女教育", "gap"] == pytest.approx(118_415.45, abs=0.01)
    assert g.loc["子女教育", "monthly_saving_needed"] == pytest.approx(803.04, abs=0.01)
    assert g.loc["退休", "target_future"] == pytest.approx(6_394_600.74, abs=0.01)
    assert g.loc["退休", "projected"] == pytest.approx(7_468_340.91, abs=0.01)
    assert g.loc["退休", "gap"] == 0
    assert g.loc["退休", "probability"] > g.loc["子女教育", "probability"]
    # Advice in order, with amounts.
    topics = [a["topic"] for a in p.advice]
    assert topics == ["liquidity_ratio", "investment_to_net_assets", "goal", "goal", "allocation",
                      "product", "product", "product", "product", "cash"]
    assert p.advice[0]["amount"] == 195_000 and "10.5万元" in advice_texts(p)[0]
    assert p.advice[1]["amount"] == 1_000_000  # 50% × 3,000,000 − 500,000
    assert p.advice[2]["amount"] == pytest.approx(803.04, abs=0.01)
    assert p.advice[-1]["amount"] == 3_000
    # Service plan: wealth tier, every 3 months; last visit 2026-09-15 (the December one is after as_of).
    sp = p.service_plan
    assert sp["next_review"] == dt.date(2027, 5, 30) and sp["cadence_months"] == 3
    assert sp["last_visit"] == dt.date(2026, 9, 15) and sp["next_visit_due"] == dt.date(2026, 12, 15)
    assert sp["forum_candidate"] is True and sp["maintainer_id"] == "S01" and sp["advisor"] == "王经理"
    # Profile, holdings, family and disclosure.
    assert p.holdings["aum"] == 780_000 and p.holdings["products_held"] == 5
    assert p.profile["age"] == 46 and label(p.profile["risk_level"]) == "平衡型" and not p.profile["marketing_target"]
    assert list(p.family["age"]) == [46, 44, 12]
    assert "C3(平衡型)" in risk_disclosure(p.status) and "R3" in risk_disclosure(p.status)


def test_latest_snapshot_on_or_before_as_of_sets_the_tier():
    rows = book()
    rows.loc[0, ["demand_deposit", "time_deposit", "funds"]] = [150_000.0, 0.0, 0.0]  # AUM 150,000 in October
    assert build_proposal(fact_find(), SHELF, dt.date(2026, 11, 15), client_rows=rows).tier == "potential_a"
    assert build_proposal(fact_find(), SHELF, AS_OF, client_rows=rows).tier == "wealth"
    other = book(client_id="0002")
    mixed = build_proposal(fact_find(), SHELF, AS_OF, client_rows=pd.concat([rows, other]))
    assert mixed.holdings["aum"] == 780_000


@pytest.mark.parametrize("rows", [None, "empty", "later", "other"])
def test_client_not_in_the_book_has_no_tier_and_a_warning(rows):
    as_of = dt.date(2026, 9, 30) if rows == "later" else AS_OF  # every snapshot is after as_of
    rows = {None: None, "empty": book().iloc[0:0], "later": book(), "other": book(client_id="0009")}[rows]
    p = build_proposal(fact_find(), SHELF, as_of, client_rows=rows)
    summary = summary_json(p)
    assert summary["tier"] is None and p.holdings is None
    assert any("0001" in w and "客户清单" in w for w in summary["warnings"])
    assert p.service_plan["contact"] == "phone_only" and not p.service_plan["forum_candidate"]
    json.dumps(summary, allow_nan=False)


def test_expired_assessment_limits_the_plan_to_r1_and_says_so():
    p = build_proposal(fact_find(assessed_on=dt.date(2025, 6, 1)), SHELF, AS_OF, client_rows=book())
    assert p.status.needs_assessment and p.status.max_product_risk == 1
    assert set(p.allocation["risk_rating"]) == {"R1"} and not p.allocation.empty
    assert any("风险评估" in w and "R1" in w for w in summary_json(p)["warnings"])
    assert p.advice[0]["topic"] == "risk_assessment"
    assert "仅可配置R1" in risk_disclosure(p.status)
    # C1 mix (time deposit 50%, bonds 30%, wealth 20%; no R1 wealth product): 395,000 × 5/8 and × 3/8
    assert list(p.allocation["amount"]) == [246_000, 148_000]


def test_aged_65_and_over_is_flagged():
    p = build_proposal(fact_find(birth_date=dt.date(1958, 1, 1)), SHELF, AS_OF, client_rows=book(),
                       language="en")
    assert p.status.extra_care and p.profile["age"] == 68
    assert any("68" in w and "extra care" in w for w in summary_json(p)["warnings"])


def test_birth_date_falls_back_to_the_client_book():
    p = build_proposal(fact_find(birth_date=None), SHELF, AS_OF, client_rows=book(birth_date="1955-03-01"))
    assert p.status.extra_care and p.profile["age"] == 71


def test_book_and_fact_find_disagreements_are_warnings():
    rows = book(risk_level="C5", demand=(0.0, 2_000_000.0))
    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=rows)
    text = " ".join(warning_texts(p))
    assert "C5" in text and "不一致" in text
    assert "本行系统内金融资产250万元" in text and "80万元" in text


def test_zero_income_and_negative_net_assets_give_nulls_not_errors():
    ff = fact_find(cashflow=[("expense", "生活", 60_000)],
                   balance=[("liquid", "活期", 10_000), ("liability", "经营贷", 900_000)], goals=[])
    summary = summary_json(build_proposal(ff, SHELF, AS_OF))
    for key in ("savings_ratio", "debt_service_ratio", "liquid_to_net_assets", "investment_to_net_assets"):
        assert summary["ratios"][key] is None and summary["flags"][key] is None
    assert summary["ratios"]["solvency_ratio"] == pytest.approx((10_000 - 900_000) / 10_000)
    assert summary["recommendations"] == []
    json.dumps(summary, allow_nan=False)


def test_english_proposal():
    p = build_proposal(fact_find(risk_level=None), SHELF, AS_OF, language="en")
    assert ratio_table(p.ratios, p.benchmarks, p.language).loc[0, "label"] == "Savings ratio"
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in w) or "0001" in w for w in warning_texts(p))
    assert "risk assessment" in " ".join(warning_texts(p))
    assert say_notice(p.service_plan["lines"][0], "en").startswith("Next review")


def test_the_proposal_model_holds_notices_not_words():
    p = build_proposal(fact_find(risk_level=None), SHELF, AS_OF, client_rows=book(risk_level="C5"))
    said = [*p.warnings, *p.service_plan["lines"], *(a["notice"] for a in p.advice)]
    assert said and all(isinstance(n, Notice) and n.key in WORDS for n in said)
    assert "text" not in p.advice[0] and "member_label" not in p.family
    # the same model words in either language; warnings are summary.json's only text field
    assert summary_json(p)["warnings"] != summary_json(build_proposal(
        fact_find(risk_level=None), SHELF, AS_OF, client_rows=book(risk_level="C5"), language="en"))["warnings"]


def test_service_plan_cadence_and_phone_only():
    s, v = ProposalSettings(review_months=12), VisitSettings()
    never = service_plan("private_wealth", AS_OF, s, v, None, "0001")
    assert never["cadence_months"] == 1 and never["next_visit_due"] == AS_OF and never["last_visit"] is None
    assert never["next_review"] == dt.date(2027, 11, 30) and never["forum_candidate"]
    half_year = service_plan("potential_a", AS_OF, s, v, ACTIVITIES, "0001")
    assert half_year["next_visit_due"] == dt.date(2027, 3, 15) and not half_year["visit_overdue"]
    assert not half_year["forum_candidate"]
    overdue = service_plan("private_wealth", AS_OF, s, v, ACTIVITIES, "0001")  # due 2026-10-15
    assert overdue["next_visit_due"] == AS_OF and overdue["visit_overdue"]
    assert any("已逾期" in say_notice(line) for line in overdue["lines"])
    phone = service_plan("basic", AS_OF, s, v, ACTIVITIES, "0001")
    assert phone["contact"] == "phone_only" and phone["cadence_months"] is None
    assert "phone only" in " ".join(say_notice(line, "en") for line in phone["lines"]).lower()


# --- properties over random fact-finds and shelves -----------------------------------------------
money_ = st.integers(0, 20_000_000).map(float)
cash_rows = st.lists(st.tuples(st.sampled_from(["income", "expense", "debt_payment"]), st.just("项目"),
                               st.integers(0, 2_000_000).map(float)), max_size=6)
balance_rows = st.lists(st.tuples(st.sampled_from(["liquid", "financial", "real", "liability"]),
                                  st.sampled_from(["活期", "定期存款", "Time deposit", "基金", "住房", "贷款"]), money_),
                        max_size=8)
goal_rows = st.lists(st.tuples(st.sampled_from(["教育", "退休"]), st.integers(0, 5_000_000),
                               st.integers(2020, 2060)), max_size=3)
fact_finds = st.builds(
    lambda cash, bal, liquid, goals, level, months, born: fact_find(
        risk_level=level, cashflow=cash or [("expense", "生活", 0.0)], balance=[("liquid", "活期", liquid), *bal],
        goals=goals, birth_date=born,
        assessed_on=None if months is None else (pd.Timestamp(AS_OF) - pd.DateOffset(months=months)).date()),
    cash_rows, balance_rows, st.integers(0, 3_000_000).map(float), goal_rows,
    st.sampled_from([None, "C1", "C2", "C3", "C4", "C5"]),
    st.sampled_from([None, 0, 3, 11, 12, 13, 30]),  # months since the assessment; > 12 is expired
    st.one_of(st.none(), st.dates(dt.date(1930, 1, 1), dt.date(2005, 1, 1))))
shelves = st.lists(st.fixed_dictionaries({
    "category": st.sampled_from(["time_deposit", "bonds", "wealth_products", "funds", "insurance",
                                 "precious_metals", "demand_deposit"]),
    "risk_rating": st.sampled_from(["R1", "R2", "R3", "R4", "R5"]),
    "min_amount": st.sampled_from([0.0, 1.0, 1_000.0, 1_500.0, 50_000.0, 1e6]),
    "expected_return": st.one_of(st.none(), st.floats(0, 0.1))}), max_size=12).map(
    lambda rows: pd.DataFrame([{"product_id": f"P{i}", "name": f"产品{i}", **r} for i, r in enumerate(rows)],
                              columns=["product_id", "name", "category", "risk_rating", "min_amount",
                                       "expected_return"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ff=fact_finds, shelf=shelves)
def test_any_fact_find_gives_a_legal_serialisable_proposal(ff, shelf):
    p = build_proposal(ff, shelf, AS_OF, settings=ProposalSettings(monte_carlo_trials=1000))
    summary = summary_json(p)
    assert set(summary) == {"client_id", "as_of", "tier", "ratios", "flags", "recommendations", "warnings"}
    assert list(summary["ratios"]) == list(RATIO_KEYS) and list(summary["flags"]) == list(RATIO_KEYS)
    json.dumps(summary, allow_nan=False)
    # suitability and min_amount, checked against the shelf, not the allocation's own columns
    recs = pd.DataFrame(summary["recommendations"], columns=["product_id", "amount"])
    recs = recs.merge(shelf, on="product_id")
    assert len(recs) == len(summary["recommendations"])
    assert (recs["risk_rating"].str[1].astype(int) <= p.status.max_product_risk).all()
    assert (recs["amount"] >= recs["min_amount"]).all()
    assert recs["amount"].sum() <= p.investable["investable"]
    if p.status.needs_assessment:
        assert set(recs["risk_rating"]) <= {"R1"}
        assert any("R1" in w for w in summary["warnings"])
    # nulls exactly where the denominators are ≤ 0
    t = p.totals
    dens = {"savings_ratio": t["income"], "liquidity_ratio": t["spending"],
            "liquid_to_net_assets": t["net_assets"], "solvency_ratio": t["total_assets"],
            "debt_service_ratio": t["income"],
            "investment_to_net_assets": t["net_assets"]}
    for key, den in dens.items():
        assert (summary["ratios"][key] is None) == (den <= 0)


# --- one after-plan money rule: the holdings shown and the after-plan ratios agree ----------------
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(liquid=st.integers(0, 600_000).map(float), deposits=st.integers(0, 2_000_000).map(float),
       funds=st.integers(0, 500_000).map(float), expense=st.integers(0, 400_000).map(float),
       level=st.sampled_from(["C1", "C3", "C5"]))
def test_after_plan_holdings_follow_the_same_money_as_the_after_plan_ratios(liquid, deposits, funds, expense,
                                                                             level):
    """When the bank holds what the fact-find declares, the holdings after the plan (allocation chart)
    and the liquid/financial totals after it (ratios_after) are the same money: demand deposits are
    the liquid assets, the whole is unchanged, and maturing deposits that top up the emergency fund
    show up in demand deposits (the copy in the report once forgot them)."""
    ff = fact_find(risk_level=level, cashflow=[("income", "工资", 300_000), ("expense", "生活", expense)],
                   balance=[("liquid", "活期", liquid), ("financial", "定期存款", deposits),
                            ("financial", "基金", funds)], goals=[])
    rows = book(demand=(liquid,), risk_level=level).assign(time_deposit=deposits, funds=funds)
    p = build_proposal(ff, SHELF, AS_OF, client_rows=rows, settings=ProposalSettings(monte_carlo_trials=1000))
    before, after = holdings_before_after(p)
    ta = p.totals_after
    assert sum(before.values()) == pytest.approx(p.totals["liquid"] + p.totals["financial"])
    assert sum(after.values()) == pytest.approx(ta["liquid"] + ta["financial"])
    assert after["demand_deposit"] == pytest.approx(ta["liquid"])
    assert sum(v for c, v in after.items() if c != "demand_deposit") == pytest.approx(ta["financial"])
    moves = plan_moves(p.investable, p.allocation)
    assert after["demand_deposit"] - before["demand_deposit"] == pytest.approx(
        moves["to_emergency_fund"] - moves["from_liquid"])
    # and the after-plan ratios are those of these totals
    again = compute_ratios(ta, p.benchmarks)
    assert list(again["value"]) == list(p.ratios_after["value"])
    assert set(after) == set(ASSET_COLUMNS)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_households_own_figures_are_not_headed_as_a_recommendation(language):
    """The cash-flow, balance-sheet and holdings tables show what the client has: 金额, not the
    allocation's 建议金额 (a recommended amount), which a client across the desk would misread."""
    from toolkit.report.proposal_sections import finances

    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=book(), activities=ACTIVITIES, language=language)
    pages = "".join(str(part) for part in finances(p) if hasattr(part, "_repr_html_") or isinstance(part, str))
    own, recommended = WORDS["proposal.col.own_amount"], WORDS["proposal.col.amount"]
    assert pages.count(f">{own[0 if language == 'zh' else 1]}</th>") == 3  # cash flow, balance, holdings
    if language == "zh":
        assert recommended[0] not in pages
