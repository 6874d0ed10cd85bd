"""The suitability gate (CONTRACT §4): assessment validity, age, the shelf filter and `enforce`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.base.errors import ClientcareError
from toolkit.base.settings import ProposalSettings
from toolkit.client.suitability import (
    SuitabilityError,
    age_on,
    assess,
    enforce,
    risk_number,
    suitable_products,
)
from toolkit.report.proposal_doc import disclosure_points
from toolkit.report.proposal_words import say_notice

AS_OF = dt.date(2026, 11, 30)
SHELF = pd.DataFrame({
    "product_id": ["P1", "P2", "P3", "P4", "P5"],
    "name": ["定期", "国债", "理财", "基金", "股票基金"],
    "category": ["time_deposit", "bonds", "wealth_products", "funds", "funds"],
    "risk_rating": ["R1", "R1", "R2", "R3", "R5"],
    "min_amount": [50_000.0, 100.0, 10_000.0, 1_000.0, 1_000.0],
    "expected_return": [0.0175, 0.022, 0.03, 0.05, 0.09],
})


def test_valid_assessment_sets_the_ceiling():
    s = assess("C3", dt.date(2026, 3, 1), dt.date(1980, 5, 20), AS_OF)
    assert (s.max_product_risk, s.needs_assessment, s.extra_care, s.age) == (3, False, False, 46)
    assert s.effective_level == "C3" and s.risk_level == "C3"
    assert s.reasons == ()


def test_chinese_level_names_are_understood():
    assert assess("成长型", dt.date(2026, 6, 1), None, AS_OF).max_product_risk == 4
    assert risk_number("R5") == 5 and risk_number("C2") == 2 and risk_number("x") is None
    assert risk_number(None) is None and risk_number(float("nan")) is None


@pytest.mark.parametrize(("level", "on", "reason"), [
    (None, None, "no_assessment"),
    (None, dt.date(2026, 6, 1), "no_assessment"),
    ("C4", None, "assessment_undated"),
    ("C4", dt.date(2025, 11, 29), "assessment_expired"),  # 12 months and a day
    ("C4", dt.date(2027, 1, 1), "assessment_in_future"),
])
def test_no_valid_assessment_means_r1_only(level, on, reason):
    s = assess(level, on, dt.date(1980, 1, 1), AS_OF)
    assert s.needs_assessment and s.max_product_risk == 1 and s.effective_level == "C1"
    assert s.reasons[0] == reason
    first = s.notices()[0]
    assert first.key == f"proposal.reason.{reason}"
    zh, en = say_notice(first, "zh"), say_notice(first, "en")
    assert "R1" in zh and "风险评估" in zh
    assert "R1" in en and "risk assessment" in en


def test_assessment_exactly_twelve_months_old_is_still_valid():
    assert not assess("C4", dt.date(2025, 11, 30), None, AS_OF).needs_assessment
    short = ProposalSettings(risk_assessment_valid_months=6)
    assert assess("C4", dt.date(2026, 5, 29), None, AS_OF, short).needs_assessment


def test_aged_65_and_over_are_flagged_from_their_birthday():
    assert assess("C2", dt.date(2026, 6, 1), dt.date(1961, 11, 30), AS_OF).extra_care  # 65 today
    s = assess("C2", dt.date(2026, 6, 1), dt.date(1961, 12, 1), AS_OF)  # 65 tomorrow
    assert not s.extra_care and s.age == 64
    old = assess("C2", dt.date(2026, 6, 1), pd.Timestamp("1950-01-01"), AS_OF)
    assert old.extra_care and old.max_product_risk == 2  # flagged, not restricted
    assert old.notices()[0].values["age"] == 76 and "76" in say_notice(old.notices()[0])


def test_unknown_age_is_reported_not_flagged():
    s = assess("C2", dt.date(2026, 6, 1), None, AS_OF)
    assert not s.extra_care and s.age is None and s.reasons == ("age_unknown",)


def test_age_on_leap_day():
    assert age_on(dt.date(2000, 2, 29), dt.date(2026, 2, 28)) == 25
    assert age_on(dt.date(2000, 2, 29), dt.date(2026, 3, 1)) == 26


def test_suitable_products_filters_by_rating():
    c3 = assess("C3", dt.date(2026, 3, 1), None, AS_OF)
    assert list(suitable_products(SHELF, c3)["product_id"]) == ["P1", "P2", "P3", "P4"]
    none = assess(None, None, None, AS_OF)
    assert list(suitable_products(SHELF, none)["product_id"]) == ["P1", "P2"]


def test_enforce_passes_legal_recommendations_unchanged():
    c3 = assess("C3", dt.date(2026, 3, 1), None, AS_OF)
    recs = pd.DataFrame({"product_id": ["P1", "P4"], "amount": [50_000.0, 1_000.0]})
    assert enforce(recs, SHELF, c3) is recs
    assert enforce(recs.iloc[0:0], SHELF, c3).empty


def test_enforce_names_every_violation():
    c2 = assess("C2", dt.date(2026, 3, 1), None, AS_OF)
    recs = pd.DataFrame({"product_id": ["P4", "P1", "ZZ", "P3"], "amount": [5_000.0, 49_999.0, 1_000.0, 0.0],
                         "risk_rating": ["R1", "R1", "R1", "R1"]})  # a lying rating column is ignored
    with pytest.raises(SuitabilityError) as err:
        enforce(recs, SHELF, c2)
    assert isinstance(err.value, ClientcareError)
    text = str(err.value)
    assert "P4" in text and "above" in text
    assert "P1" in text and "minimum" in text
    assert "ZZ" in text and "shelf" in text
    assert "P3" in text and "positive" in text
    assert len(err.value.violations) == 4  # one line per offending row, in row order
    assert err.value.violations[3].startswith("row 4: P3") and "minimum" in err.value.violations[3]


def test_enforce_without_assessment_refuses_r2():
    none = assess("C5", None, None, AS_OF)
    with pytest.raises(SuitabilityError):
        enforce(pd.DataFrame({"product_id": ["P3"], "amount": [10_000.0]}), SHELF, none)


def test_risk_disclosure_names_level_and_ceiling():
    c3 = assess("C3", dt.date(2026, 3, 1), dt.date(1950, 1, 1), AS_OF)
    zh, en = " ".join(disclosure_points(c3)), " ".join(disclosure_points(c3, "en"))
    assert "C3（平衡型）" in zh and "R3" in zh and "理财非存款" in zh and "65" in zh
    assert "C3 (Balanced)" in en and "R3" in en and "not deposits" in en
    none = " ".join(disclosure_points(assess(None, None, None, AS_OF)))
    assert "尚需完成有效的风险承受能力评估" in none and "R1" in none


@settings(max_examples=100, deadline=None)
@given(level=st.sampled_from([None, "C1", "C2", "C3", "C4", "C5"]),
       months_ago=st.one_of(st.none(), st.integers(-3, 30)),
       rating=st.sampled_from(["R1", "R2", "R3", "R4", "R5"]))
def test_gate_agrees_with_the_rule(level, months_ago, rating):
    on = None if months_ago is None else (pd.Timestamp(AS_OF) - pd.DateOffset(months=months_ago)).date()
    s = assess(level, on, None, AS_OF)
    valid = level is not None and months_ago is not None and 0 <= months_ago <= 12
    allowed = int(rating[1]) <= (int(level[1]) if valid else 1)
    shelf = SHELF.assign(risk_rating=rating)
    assert len(suitable_products(shelf, s)) == (len(shelf) if allowed else 0)
    recs = pd.DataFrame({"product_id": ["P4"], "amount": [1_000.0]})
    if allowed:
        enforce(recs, shelf, s)
    else:
        with pytest.raises(SuitabilityError):
            enforce(recs, shelf, s)
