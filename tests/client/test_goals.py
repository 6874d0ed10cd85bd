"""Goal projections: hand-computed cases, the pro-rata split, and the seeded Monte Carlo."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.base.settings import ProposalSettings
from toolkit.client.goals import GOAL_COLUMNS, project_goals, success_probability

AS_OF = dt.date(2026, 6, 30)
LEVELS = ("C1", "C2", "C3", "C4", "C5")


def goals(*rows: tuple[str, float, int]) -> pd.DataFrame:
    return pd.DataFrame({"goal": [r[0] for r in rows], "target_amount": [float(r[1]) for r in rows],
                         "target_year": pd.Series([r[2] for r in rows], dtype="int64")})


def test_one_goal_by_hand():
    # 100,000 today in 2036 (10 years) at 2.5% inflation: 100,000 × 1.025^10 = 128,008.45.
    # C2 returns 3%: 50,000 × 1.03^10 = 67,195.82, plus 5,000 a year at each year end
    # 5,000 × (1.03^10 − 1)/0.03 = 57,319.40, together 124,515.22; gap 3,493.24;
    # monthly saving 3,493.24 / (12 × 11.463879) = 25.39.
    out = project_goals(goals(("教育", 100_000, 2036)), AS_OF, "C2", 50_000, 5_000)
    assert tuple(out.columns) == GOAL_COLUMNS
    row = out.iloc[0]
    assert row["years"] == 10 and not row["due_now"]
    assert row["target_future"] == pytest.approx(128_008.45, abs=0.01)
    assert row["projected"] == pytest.approx(124_515.22, abs=0.01)
    assert row["gap"] == pytest.approx(3_493.24, abs=0.01)
    assert row["monthly_saving_needed"] == pytest.approx(25.39, abs=0.01)
    assert 0 < row["probability"] < 1


def test_savings_are_split_pro_rata_to_present_value_of_need():
    # Same horizon, so present values are in proportion to the targets: 1/4 and 3/4.
    out = project_goals(goals(("A", 100_000, 2031), ("B", 300_000, 2031)), AS_OF, "C3", 80_000, 20_000)
    assert list(out["earmarked_savings"]) == pytest.approx([20_000, 60_000])
    assert list(out["earmarked_annual_saving"]) == pytest.approx([5_000, 15_000])


def test_present_value_weights_favour_the_nearer_goal():
    # 100,000 in 5 and in 15 years at C1 (2%) and 2.5% inflation: need now is 100,000 × (1.025/1.02)^n.
    out = project_goals(goals(("near", 100_000, 2031), ("far", 100_000, 2041)), AS_OF, "C1", 100_000, 0)
    pv = [(1.025 / 1.02) ** 5, (1.025 / 1.02) ** 15]
    assert list(out["earmarked_savings"]) == pytest.approx([100_000 * p / sum(pv) for p in pv])


def test_due_now_goal_can_only_use_what_is_set_aside():
    out = project_goals(goals(("装修", 200_000, 2026), ("旧目标", 50_000, 2020)), AS_OF, "C3", 100_000, 50_000)
    assert list(out["years"]) == [0, 0] and out["due_now"].all()
    assert list(out["target_future"]) == pytest.approx([200_000, 50_000])
    assert list(out["projected"]) == pytest.approx([80_000, 20_000])  # 4:1 split of 100,000
    assert list(out["gap"]) == pytest.approx([120_000, 30_000])
    assert out["monthly_saving_needed"].isna().all()
    assert list(out["probability"]) == [0.0, 0.0]


def test_met_goal_has_no_gap_and_no_saving_needed():
    out = project_goals(goals(("车", 100_000, 2028)), AS_OF, "C1", 500_000, 0)
    assert out.loc[0, "gap"] == 0 and out.loc[0, "monthly_saving_needed"] == 0
    assert out.loc[0, "probability"] == pytest.approx(1.0)


def test_no_goals_gives_an_empty_frame_with_the_columns():
    for empty in (None, goals()):
        out = project_goals(empty, AS_OF, "C3", 1e6, 1e5)
        assert out.empty and tuple(out.columns) == GOAL_COLUMNS


def test_unknown_level_is_projected_at_c1():
    g = goals(("x", 100_000, 2036))
    assert project_goals(g, AS_OF, None, 50_000, 5_000).equals(project_goals(g, AS_OF, "C1", 50_000, 5_000))


def test_zero_volatility_makes_the_simulation_the_projection():
    calm = ProposalSettings(volatility=dict.fromkeys(LEVELS, 0.0))
    two = goals(("short", 128_000, 2036), ("long", 129_000, 2036))
    out = project_goals(two, AS_OF, "C2", 100_000, 10_000, calm)
    assert list(out["probability"]) == [1.0 if g == 0 else 0.0 for g in out["gap"]]


def test_monte_carlo_matches_the_lognormal_formula():
    # Lump sum S0 for 10 years, target S0·1.06^10 (exactly the expected value): success needs the
    # sum of 10 log returns N(10μ, 10σ²), μ = ln 1.06 − σ²/2, to exceed 10·ln 1.06, so
    # P = Φ(−√(10σ²)/2) with σ² = ln(1 + 0.12²/1.06²): 0.42919.
    p = success_probability(np.array([1.06 ** 10]), np.array([10]), np.array([1.0]), np.array([0.0]),
                            0.06, 0.12, trials=20_000, seed=7)
    sigma2 = math.log(1 + 0.12 ** 2 / 1.06 ** 2)
    expected = 0.5 * (1 + math.erf(-math.sqrt(10 * sigma2) / 2 / math.sqrt(2)))
    assert expected == pytest.approx(0.42919, abs=1e-5)
    assert p[0] == pytest.approx(expected, abs=0.015)  # about 4 standard errors


def test_monte_carlo_is_seeded_and_uses_the_trial_setting():
    g = goals(("x", 400_000, 2040))
    a = project_goals(g, AS_OF, "C4", 100_000, 10_000, ProposalSettings(seed=1))
    b = project_goals(g, AS_OF, "C4", 100_000, 10_000, ProposalSettings(seed=1))
    assert a.equals(b)
    for n in (1000, 1237):  # a probability over n trials is a multiple of 1/n
        p = project_goals(g, AS_OF, "C4", 100_000, 10_000, ProposalSettings(seed=1, monte_carlo_trials=n))
        k = p.loc[0, "probability"] * n
        assert 0 < k < n and k == pytest.approx(round(k), abs=1e-6)
    with pytest.raises(ValueError):
        ProposalSettings(monte_carlo_trials=999)


goal_rows = st.lists(st.tuples(st.sampled_from(["教育", "退休", "购房"]), st.integers(0, 5_000_000),
                               st.integers(2015, 2070)), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(goal_rows, st.sampled_from(LEVELS), st.integers(0, 3_000_000), st.integers(0, 500_000),
       st.integers(1, 500_000))
def test_projection_properties(rows, level, savings, annual, more):
    g = goals(*rows)
    s = ProposalSettings(monte_carlo_trials=1000)
    out = project_goals(g, AS_OF, level, savings, annual, s)
    assert len(out) == len(rows)
    assert out["earmarked_savings"].sum() == pytest.approx(savings, abs=1e-6)
    assert out["earmarked_annual_saving"].sum() == pytest.approx(annual, abs=1e-6)
    assert ((out["probability"] >= 0) & (out["probability"] <= 1)).all()
    assert (out["gap"] >= 0).all()
    assert (out["gap"] == 0).eq(out["monthly_saving_needed"] == 0).all()
    # saving the suggested amount closes the gap exactly (year-end credits of 12 × monthly)
    r = s.expected_return[level]
    open_ = out[(out["gap"] > 0) & ~out["due_now"]]
    n = open_["years"].to_numpy(dtype=float)
    closes = open_["projected"] + 12 * open_["monthly_saving_needed"] * ((1 + r) ** n - 1) / r
    assert np.allclose(closes, open_["target_future"], rtol=1e-9)
    # more money never lowers a goal's simulated chance (common random numbers)
    richer = project_goals(g, AS_OF, level, savings + more, annual, s)
    assert (richer["probability"].to_numpy() >= out["probability"].to_numpy()).all()
