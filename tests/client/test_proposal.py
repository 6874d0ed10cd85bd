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
from toolkit.client.household import RATIO_KEYS, compute_ratios
from toolkit.client.proposal import build_proposal, service_plan
from toolkit.inputs.factfind import FactFind
from toolkit.report.proposal_doc import advisor_note_texts, disclosure_points
from toolkit.report.proposal_sections import (
    action_texts,
    holdings_before_after,
    ratio_table,
    say_notice,
    summary_json,
)
from toolkit.report.text import WORDS, label

SUMMARY_KEYS = {"client_id", "as_of", "tier", "ratios", "flags", "ratios_after", "actions", "goals",
                "recommendations", "advisor_notes", "warnings"}

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
    # Resources: 6 × 17,500 = 105,000 is the emergency fund (liquidity 17.1 months is high, nothing tops it
    # up); liquid assets are 10% of net assets, the floor of the 15% ± 5% band the diagnosis calls fine,
    # so no liquid money leaves (300,000 = 10% × 3,000,000): the cash is 50% of the 400,000 定期存款 =
    # 200,000; 300,000 of financial assets stay (kept); 20,000 a month of surplus.
    r = p.plan.resources
    assert r["emergency_fund"] == pytest.approx(105_000) and r["top_up"] == 0 and r["excess_liquid"] == 0
    assert r["cash"] == pytest.approx(200_000) and r["kept"] == pytest.approx(300_000)
    assert r["goals_monthly"] == pytest.approx(20_000)
    summary = summary_json(p)
    assert set(summary) == SUMMARY_KEYS and summary["tier"] == "wealth"  # AUM 780,000 on 2026-11-30
    assert summary["flags"] == {"savings_ratio": "ok", "liquidity_ratio": "high", "liquid_to_net_assets": "ok",
                                "solvency_ratio": "ok", "debt_service_ratio": "ok",
                                "investment_to_net_assets": "low"}
    json.dumps(summary, allow_nan=False)
    # Goals: 500,000 in 2036 = 640,042.27; 4,000,000 in 2045 = 6,394,600.74 (2.5% inflation).
    g = {x["goal"]: x for x in summary["goals"]}
    assert g["子女教育"]["target_amount_future"] == pytest.approx(640_042.27, abs=0.01)
    assert g["退休"]["target_amount_future"] == pytest.approx(6_394_600.74, abs=0.01)
    assert g["子女教育"]["target_year"] == 2036 and g["子女教育"]["target_amount_today"] == 500_000
    # education (nearer) is funded to the 80% target; every goal is at least as likely as before
    assert g["子女教育"]["probability_after"] >= 0.8
    assert all(x["probability_after"] >= x["probability_before"] for x in g.values())
    # every yuan recommended has a purpose; goal money ends before the goal's year
    purposes = {(x["purpose"], x["goal"]) for x in summary["recommendations"]}
    assert purposes <= {("goal", "子女教育"), ("goal", "退休"), ("general", None), ("emergency_fund", None)}
    assert sum(x["amount"] for x in summary["recommendations"]) <= 200_000
    # liquid money stays (liquid-to-net-assets stays sound); the maturing deposits are reinvested
    after = p.ratio_changes.set_index("key")
    assert after.loc["liquid_to_net_assets", "flag_after"] == "ok"
    kinds = [a["kind"] for a in summary["actions"]]
    assert kinds[:3] == ["emergency_ok", "move_at_maturity", "keep"] and kinds.count("goal") == 2
    assert summary["actions"][0]["ratio"] is None and "10%以上" in summary["actions"][0]["text"]
    # Service plan: wealth tier, every 3 months; last visit 2026-09-15 (the December one is after as_of).
    sp = p.service_plan
    assert sp["next_review"] == dt.date(2027, 5, 30) and sp["cadence_months"] == 3
    assert sp["last_visit"] == dt.date(2026, 9, 15) and sp["next_visit_due"] == dt.date(2026, 12, 15)
    assert sp["forum_candidate"] is True and sp["maintainer_id"] == "S01" and sp["advisor"] == "王经理"
    # Profile, holdings, family, validity and disclosure.
    assert p.holdings["aum"] == 780_000 and p.holdings["products_held"] == 5
    assert p.profile["age"] == 46 and label(p.profile["risk_level"]) == "平衡型" and not p.profile["marketing_target"]
    assert list(p.family["age"]) == [46, 44, 12]
    assert p.valid_until == dt.date(2027, 2, 28)
    text = " ".join(disclosure_points(p.status))
    assert "C3（平衡型）" in text and "R3" in text and "理财非存款" in text and "过往业绩" in text


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
    notes = summary_json(p)["advisor_notes"]
    assert any("风险评估" in n and "R1" in n for n in notes)  # for the advisor …
    assert not any("风险评估已超过" in t for t in action_texts(p))  # … not in the client's plan
    assert "仅可配置R1" in " ".join(disclosure_points(p.status))


def test_aged_65_and_over_is_flagged_for_the_advisor_only():
    p = build_proposal(fact_find(birth_date=dt.date(1958, 1, 1)), SHELF, AS_OF, client_rows=book(),
                       language="en")
    assert p.status.extra_care and p.profile["age"] == 68 and p.life_stage == "retired"
    assert any("68" in n and "extra care" in n for n in summary_json(p)["advisor_notes"])
    assert not any("68" in t for t in action_texts(p))


def test_birth_date_falls_back_to_the_client_book():
    p = build_proposal(fact_find(birth_date=None), SHELF, AS_OF, client_rows=book(birth_date="1955-03-01"))
    assert p.status.extra_care and p.profile["age"] == 71


def test_book_and_fact_find_disagreements_are_warnings():
    rows = book(risk_level="C5", demand=(0.0, 2_000_000.0))
    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=rows)
    text = " ".join(summary_json(p)["warnings"])
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


def test_the_500_wan_flag_and_the_tier_are_advisor_notes():
    rich = fact_find(balance=[("liquid", "活期存款", 300_000), ("financial", "基金", 100_000),
                              ("real", "自住房", 6_000_000)])
    p = build_proposal(rich, SHELF, AS_OF, client_rows=book())
    notes = advisor_note_texts(p)
    assert p.profile["marketing_target"] and any("500万元" in n for n in notes)
    assert any("理财客户" in n for n in notes)


def test_english_proposal():
    p = build_proposal(fact_find(risk_level=None), SHELF, AS_OF, language="en")
    assert ratio_table(p.ratios, p.benchmarks, p.language).loc[0, "label"] == "Savings ratio"
    notes = summary_json(p)["advisor_notes"]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in w) or "0001" in w for w in notes)
    assert "risk assessment" in " ".join(notes)
    assert say_notice(p.service_plan["lines"][0], "en").startswith("Next review")


def test_the_proposal_model_holds_notices_not_words():
    p = build_proposal(fact_find(risk_level=None), SHELF, AS_OF, client_rows=book(risk_level="C5"))
    said = [*p.warnings, *p.advisor_notes, *p.service_plan["lines"], *(a.notice for a in p.actions)]
    assert said and all(isinstance(n, Notice) and n.key in WORDS for n in said)
    assert "member_label" not in p.family
    # the same model words in either language
    assert summary_json(p)["advisor_notes"] != summary_json(build_proposal(
        fact_find(risk_level=None), SHELF, AS_OF, client_rows=book(risk_level="C5"), language="en"))["advisor_notes"]


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
    assert set(summary) == SUMMARY_KEYS
    assert list(summary["ratios"]) == list(RATIO_KEYS) and list(summary["flags"]) == list(RATIO_KEYS)
    assert list(summary["ratios_after"]) == list(RATIO_KEYS)
    json.dumps(summary, allow_nan=False)
    # suitability and min_amount, checked against the shelf, not the allocation's own columns
    recs = pd.DataFrame(summary["recommendations"], columns=["product_id", "amount"])
    recs = recs.merge(shelf, on="product_id")
    assert len(recs) == len(summary["recommendations"])
    assert (recs["risk_rating"].str[1].astype(int) <= p.status.max_product_risk).all()
    assert (recs["amount"] >= recs["min_amount"]).all()
    assert recs["amount"].sum() <= p.plan.resources["cash"] + p.plan.resources["top_up"] + 1e-6
    if p.status.needs_assessment:
        assert set(recs["risk_rating"]) <= {"R1"}
        assert any("R1" in w for w in summary["advisor_notes"])
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
    # cash-like purchases (R1, withdrawable within 90 days) count as liquid though held as products
    cash_like = p.plan.cash_like()
    assert after["demand_deposit"] + cash_like == pytest.approx(ta["liquid"])
    r, recs = p.plan.resources, p.allocation
    bought = float(recs.loc[recs["purpose"] != "emergency_fund", "amount"].sum())
    emergency = float(recs.loc[recs["purpose"] == "emergency_fund", "amount"].sum())
    assert after["demand_deposit"] - before["demand_deposit"] == pytest.approx(
        r["top_up"] - min(bought, r["excess_liquid"]) - emergency)
    # and the after-plan ratios are those of these totals
    again = compute_ratios(ta, p.benchmarks)
    assert list(again["value"]) == list(p.ratios_after["value"])
    assert set(after) == set(ASSET_COLUMNS)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_households_own_figures_are_not_headed_as_a_recommendation(language):
    """The cash-flow, balance-sheet and holdings tables show what the client has: 金额（元）, and the
    product table's name column is headed 产品名称, not 姓名."""
    from toolkit.report.proposal_sections import products, situation

    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=book(), activities=ACTIVITIES, language=language)
    col = 0 if language == "zh" else 1
    pages = "".join(str(part) for part in situation(p) if isinstance(part, str))
    assert pages.count(f">{WORDS['proposal.col.own_amount'][col]}</th>") == 3  # cash flow, balance, holdings
    shelf = "".join(str(part) for part in products(p) if isinstance(part, str))
    assert f">{WORDS['proposal.col.product_name'][col]}</th>" in shelf
    assert f">{WORDS['proposal.col.name'][col]}</th>" not in shelf


@pytest.mark.parametrize("language", ["zh", "en"])
def test_advisor_notes_never_reach_the_clients_document(language):
    """65+ and 双录, an expired assessment, the 500万 flag and the tier are for the advisor: every
    note is in summary.json and advisor_notes.html, none in any section of the client's document."""
    from toolkit.report import proposal_sections as report
    from toolkit.report.proposal_doc import advisor_notes_html

    rich = fact_find(birth_date=dt.date(1955, 1, 1), assessed_on=dt.date(2024, 1, 1),
                     balance=[("liquid", "活期存款", 300_000), ("financial", "定期存款", 400_000),
                              ("real", "自住房", 6_000_000)])
    p = build_proposal(rich, SHELF, AS_OF, client_rows=book(), activities=ACTIVITIES, language=language)
    notes = summary_json(p)["advisor_notes"]
    assert len(notes) >= 4  # extra care, expired assessment, 500万, tier (+ the service lines)
    sections = ("cover", "summary", "situation", "diagnosis", "goals", "plan", "products", "after_plan", "service",
                "levels", "disclosure", "signature")
    document = "".join(str(part) for name in sections for part in getattr(report, name)(p) if isinstance(part, str))
    page = advisor_notes_html(p)
    for note in notes:
        assert note not in document
        assert note.replace("'", "&#39;").replace('"', "&#34;") in page
    assert label(p.tier, language) not in document


def test_the_cover_names_bank_branch_client_and_the_advisor_with_phone():
    from toolkit.report.proposal_doc import cover

    staff = pd.DataFrame({"staff_id": ["S01", "S02"], "name": ["王芳", "李强"], "branch_id": ["B001"] * 2,
                          "role": ["wealth_manager"] * 2, "phone": ["13805770001", None]})
    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=book(), advisor="S01", staff=staff,
                       bank_name="样例商业银行", branch_name="瓯海支行")
    page = "".join(str(x) for x in cover(p))
    for shown in ("样例商业银行", "瓯海支行", "张三丰", "2026-11-30", "王芳", "13805770001", "2027-02-28"):
        assert shown in page
    assert "S01" not in page  # the advisor by name, not by staff id
    unknown = build_proposal(fact_find(), SHELF, AS_OF, advisor="S09", staff=staff)
    assert unknown.advisor == {"id": "S09", "name": None, "phone": None}
