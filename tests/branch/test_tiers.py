"""Scope and tiers (CONTRACT §2): hand-computed boundaries and a partition property."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import canonical_clients
from toolkit.base.schema import ASSET_COLUMNS, TIER_RANK, TIERS
from toolkit.base.settings import Thresholds
from toolkit.branch.tiers import age_at, aum, classify, products_held

SNAP = "2026-11-30"


def frame(rows: list[dict], snapshot: str = SNAP) -> pd.DataFrame:
    """Canonical client rows: zero amounts, normal card, born 1980 unless a row says otherwise."""
    return canonical_clients([{"client_id": str(i), **r} for i, r in enumerate(rows)], snapshot_date=snapshot)


def test_aum_sums_the_eight_asset_columns_only():
    df = frame([{c: float(i + 1) for i, c in enumerate(ASSET_COLUMNS)} | {"credit_card_annual_spend": 1e6,
                                                                          "loan_balance": 1e6}])
    assert aum(df).tolist() == [36.0]


def test_products_held_counts_ten_lines_with_a_positive_value():
    df = frame([{"demand_deposit": 1.0, "funds": 5.0, "credit_card_annual_spend": 10.0, "loan_balance": 3.0},
                {},
                {c: 1.0 for c in ASSET_COLUMNS} | {"credit_card_annual_spend": 1.0, "loan_balance": 1.0}])
    assert products_held(df).tolist() == [4, 0, 10]


def test_age_in_whole_years_with_birthday_boundaries():
    birth = pd.Series(pd.to_datetime(["1966-11-30", "1966-12-01", None, "2000-02-29", "2000-02-29"]))
    at = pd.Series(pd.to_datetime(["2026-11-30", "2026-11-30", "2026-11-30", "2025-02-28", "2025-03-01"]))
    ages = age_at(birth, at)
    assert str(ages.dtype) == "Int64"
    assert ages.tolist()[:2] == [60, 59]
    assert ages.isna().tolist() == [False, False, True, False, False]
    assert ages.tolist()[3:] == [24, 25]
    assert age_at(birth.iloc[:2], dt.date(2026, 11, 29)).tolist() == [59, 59]


def test_boundaries_are_inclusive():
    rows = [
        {"demand_deposit": 50_000.0},                      # exactly the eligibility and potential_b bound
        {"demand_deposit": 49_999.99},                     # just below: out of scope
        {"time_deposit": 2_000_000.0},                     # exactly private_wealth
        {"time_deposit": 1_999_999.99},                    # just below: wealth
        {"funds": 200_000.0},                              # exactly wealth
        {"funds": 100_000.0},                              # exactly potential_a
        {"demand_deposit": 60_000.0, "birth_date": "1966-11-30"},  # age exactly 60: not potential_b
        {"demand_deposit": 60_000.0, "birth_date": "1966-12-01"},  # 59: potential_b
        {"demand_deposit": 60_000.0, "birth_date": None},  # unknown age counts as under 60
    ]
    out = classify(frame(rows))
    assert out["tier"].astype(str).tolist() == [
        "potential_b", "out_of_scope", "private_wealth", "wealth", "wealth", "potential_a", "basic",
        "potential_b", "potential_b"]
    assert out["age"].tolist()[6:8] == [60, 59]
    assert out["age_unknown"].tolist() == [False] * 8 + [True]


def test_each_eligibility_route_and_its_boundary():
    rows = [
        {"credit_card_annual_spend": 50_000.0}, {"credit_card_annual_spend": 49_999.0},
        {"loan_balance": 300_000.0}, {"loan_balance": 299_999.0},
        {"custody_margin": 10_000.0}, {"custody_margin": 9_999.0},
        {"card_level": "gold"}, {"card_level": "platinum"}, {"card_level": "diamond"}, {"card_level": "normal"},
    ]
    out = classify(frame(rows))
    assert out["in_scope"].tolist() == [True, False] * 3 + [True, True, True, False]
    assert out["tier"].astype(str).tolist() == ["basic", "out_of_scope"] * 3 + ["basic"] * 3 + ["out_of_scope"]
    assert out.loc[4, "aum"] == 10_000.0  # custody margin is part of AUM


def test_columns_dtypes_and_the_input_is_left_alone():
    df = frame([{"funds": 300_000.0}, {}])
    before = list(df.columns)
    out = classify(df)
    assert list(df.columns) == before
    assert list(out.columns) == [*before, "aum", "products_held", "age", "in_scope", "tier", "rank", "age_unknown"]
    assert out["tier"].dtype == pd.CategoricalDtype(list(TIERS), ordered=True)
    assert out["rank"].tolist() == [TIER_RANK["wealth"], TIER_RANK["out_of_scope"]]
    assert out["in_scope"].dtype == bool and out["age_unknown"].dtype == bool
    assert out["tier"].iloc[0] > out["tier"].iloc[1]


def test_thresholds_are_settings():
    t = Thresholds(private_wealth=6_000_000, wealth=500_000, potential_a=200_000, potential_b=50_000,
                   potential_b_max_age=55, eligible_card_levels=("platinum", "diamond"))
    out = classify(frame([{"funds": 2_500_000.0}, {"funds": 300_000.0}, {"card_level": "gold"},
                          {"funds": 60_000.0, "birth_date": "1970-01-01"}]), t)
    assert out["tier"].astype(str).tolist() == ["wealth", "potential_a", "out_of_scope", "basic"]


def test_age_is_taken_at_each_rows_own_snapshot():
    df = pd.concat([frame([{"funds": 60_000.0, "birth_date": "1966-11-15"}], "2026-10-31"),
                    frame([{"funds": 60_000.0, "birth_date": "1966-11-15"}], "2026-11-30")], ignore_index=True)
    assert classify(df)["tier"].astype(str).tolist() == ["potential_b", "basic"]


amounts = st.one_of(st.just(0.0), st.sampled_from([9_999.0, 10_000.0, 49_999.99, 50_000.0, 100_000.0,
                                                   199_999.0, 200_000.0, 2_000_000.0, 300_000.0]),
                    st.floats(0, 3_000_000, allow_nan=False))
client = st.fixed_dictionaries({
    "demand_deposit": amounts, "funds": amounts, "custody_margin": amounts,
    "credit_card_annual_spend": amounts, "loan_balance": amounts,
    "card_level": st.sampled_from(["normal", "gold", "platinum", "diamond"]),
    "birth_date": st.one_of(st.none(), st.dates(dt.date(1930, 1, 1), dt.date(2004, 1, 1)).map(str)),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(client, min_size=1, max_size=30))
def test_tiers_partition_the_in_scope_clients(rows):
    out = classify(frame(rows))
    t = Thresholds()
    scope = out["in_scope"].to_numpy()
    assert ((out["tier"] != "out_of_scope").to_numpy() == scope).all()
    counts = out.loc[scope, "tier"].value_counts()
    assert counts.sum() == scope.sum() and counts.get("out_of_scope", 0) == 0
    money = out["aum"].to_numpy()
    young = out["age"].isna().to_numpy() | (out["age"].to_numpy(dtype=float, na_value=np.nan) < 60)
    bands = {  # exactly one band per in-scope client, recomputed independently
        "private_wealth": money >= t.private_wealth,
        "wealth": (money >= t.wealth) & (money < t.private_wealth),
        "potential_a": (money >= t.potential_a) & (money < t.wealth),
        "potential_b": (money >= t.potential_b) & (money < t.potential_a) & young,
    }
    bands["basic"] = ~np.logical_or.reduce(list(bands.values()))
    member = np.stack([bands[name] for name in TIERS[1:]])
    assert (member[:, scope].sum(axis=0) == 1).all()
    expected = np.array(TIERS[1:])[member[:, scope].argmax(axis=0)]
    assert (out.loc[scope, "tier"].astype(str).to_numpy() == expected).all()


@pytest.mark.parametrize("at", [dt.date(2026, 11, 30), pd.Timestamp("2026-11-30")])
def test_age_at_accepts_a_scalar_date(at):
    assert age_at(pd.Series(pd.to_datetime(["1990-11-30"])), at).tolist() == [36]


def _plain_age(born: dt.date, at: dt.date) -> int:
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dates(dt.date(1800, 1, 1), dt.date(2199, 12, 31)), min_size=1, max_size=30),
       st.dates(dt.date(1850, 1, 1), dt.date(2250, 12, 31)))
def test_age_at_agrees_with_calendar_arithmetic_inside_and_beyond_the_day_table(births, at):
    ages = age_at(pd.Series(pd.to_datetime(births)), at)
    assert ages.tolist() == [_plain_age(b, at) for b in births]
