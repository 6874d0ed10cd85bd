"""KPIs of CONTRACT §3: a hand-computed four-branch fixture, migration, per staff, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import canonical_clients
from toolkit.base.schema import TIERS
from toolkit.base.settings import Thresholds
from toolkit.branch.kpi import (
    AMOUNT_KEYS,
    COUNT_KEYS,
    FIVE,
    GONE,
    KPI_KEYS,
    NEW,
    kpis,
    migration_matrix,
    staff_kpis,
    tier_table,
)
from toolkit.branch.tiers import classify
from toolkit.report.text import say


def frame(rows: list[dict], snapshot: str) -> pd.DataFrame:
    return canonical_clients(rows, snapshot_date=snapshot, name="李四")


BASE = classify(frame([
    {"client_id": "a", "branch_id": "B1", "funds": 300_000.0, "maintainer_id": "S1"},        # wealth
    {"client_id": "b", "branch_id": "B1", "funds": 150_000.0, "maintainer_id": "S1"},        # potential_a
    {"client_id": "c", "branch_id": "B1", "demand_deposit": 60_000.0, "maintainer_id": "S2"},  # potential_b
    {"client_id": "d", "branch_id": "B1", "card_level": "gold", "maintainer_id": "S2"},      # basic
    {"client_id": "e", "branch_id": "B1", "funds": 500_000.0, "maintainer_id": "S1"},        # wealth
    {"client_id": "f", "branch_id": "B1", "demand_deposit": 1_000.0},                        # out of scope
    {"client_id": "g", "branch_id": "B1", "funds": 120_000.0, "maintainer_id": "S2"},        # potential_a
    {"client_id": "z", "branch_id": "B2", "card_level": "gold"},                             # basic
    {"client_id": "y", "branch_id": "B3", "funds": 250_000.0},                               # wealth
], "2026-10-31"))
CURRENT = classify(frame([
    {"client_id": "a", "branch_id": "B1", "funds": 2_000_000.0, "time_deposit": 500_000.0,
     "credit_card_annual_spend": 60_000.0, "maintainer_id": "S3"},                           # private_wealth, 3 lines
    {"client_id": "b", "branch_id": "B1", "demand_deposit": 60_000.0, "loan_balance": 10_000.0,
     "maintainer_id": "S1"},                                                                  # potential_b, 2 lines
    {"client_id": "c", "branch_id": "B1", "demand_deposit": 70_000.0, "maintainer_id": "S2"},  # potential_b, 1
    {"client_id": "d", "branch_id": "B1"},                                                    # out of scope
    {"client_id": "f", "branch_id": "B1", "demand_deposit": 50_000.0, "insurance": 5_000.0,
     "maintainer_id": "S2"},                                                                  # potential_b, 2
    {"client_id": "h", "branch_id": "B1", "demand_deposit": 100_000.0, "time_deposit": 100_000.0,
     "wealth_products": 100_000.0, "funds": 100_000.0},                                       # wealth, 4 lines
    {"client_id": "g", "branch_id": "B2", "funds": 120_000.0, "maintainer_id": "S4"},         # moved branch
    {"client_id": "z", "branch_id": "B2", "card_level": "gold"},
    {"client_id": "x", "branch_id": "B4", "demand_deposit": 80_000.0},
], "2026-11-30"))


def row(table: pd.DataFrame, key: str) -> dict:
    return {k: (None if pd.isna(v) else v) for k, v in table.loc[key].astype(object).items()}


def test_hand_computed_branch_kpis():
    table = kpis(BASE, CURRENT)
    assert list(table.index) == ["B1", "B2", "B3", "B4"]
    assert list(table.columns[:9]) == list(KPI_KEYS)
    b1 = row(table, "B1")
    # E_B = a b c d e g (6, AUM 1,130,000); E_C = a b c f h (5, AUM 3,085,000).
    assert b1["base_clients"] == 6 and b1["current_clients"] == 5
    assert (b1["retained"], b1["churned"], b1["upgraded"], b1["downgraded"], b1["unchanged"]) == (3, 3, 1, 1, 1)
    assert b1["churn_rate"] == 0.5
    assert b1["upgrade_rate"] == pytest.approx(1 / 6) and b1["downgrade_rate"] == pytest.approx(1 / 6)
    assert b1["product_coverage_rate"] == pytest.approx(2 / 5)
    assert b1["products_per_client"] == pytest.approx(12 / 5)
    assert (b1["new_clients"], b1["net_growth"]) == (2, -1)
    assert b1["base_aum"] == 1_130_000.0 and b1["current_aum"] == 3_085_000.0
    assert b1["aum_growth"] == pytest.approx(1_955_000 / 1_130_000)
    assert b1["top20_aum_share"] == pytest.approx(2_500_000 / 3_085_000)


def test_moves_empty_sides_and_zero_aum_denominators():
    table = kpis(BASE, CURRENT)
    b2, b3, b4 = row(table, "B2"), row(table, "B3"), row(table, "B4")
    # B2: z stays basic, g arrives from B1 (new here, churn there).
    assert (b2["churn_rate"], b2["upgrade_rate"], b2["new_clients"], b2["net_growth"]) == (0.0, 0.0, 1, 1)
    assert b2["aum_growth"] is None  # base AUM 0: null, not an error
    assert b2["top20_aum_share"] == 1.0 and b2["product_coverage_rate"] == 0.0 and b2["products_per_client"] == 0.5
    # B3: nobody left at C.
    assert (b3["churn_rate"], b3["aum_growth"], b3["net_growth"], b3["new_clients"]) == (1.0, -1.0, -1, 0)
    assert b3["product_coverage_rate"] is None and b3["products_per_client"] is None
    assert b3["top20_aum_share"] is None
    # B4: nobody at B.
    assert b4["churn_rate"] is None and b4["upgrade_rate"] is None and b4["downgrade_rate"] is None
    assert (b4["new_clients"], b4["net_growth"], b4["base_clients"]) == (1, 1, 0)


def test_without_a_base_snapshot_every_comparison_is_null():
    b1 = row(kpis(None, CURRENT), "B1")
    for key in ("churn_rate", "upgrade_rate", "downgrade_rate", "new_clients", "net_growth", "aum_growth",
                "base_clients", "retained", "churned", "base_aum"):
        assert b1[key] is None, key
    assert b1["current_clients"] == 5 and b1["product_coverage_rate"] == pytest.approx(0.4)


def test_top_share_counts_ceil_of_a_fifth_without_float_drift():
    # 0.2 * 15 is 3.0000000000000004 in floating point; the top group must still be 3 clients.
    cur = classify(frame([{"client_id": f"k{i:02d}", "branch_id": "B1", "funds": 100_000.0 * (i + 1)}
                          for i in range(15)], "2026-11-30"))
    share = kpis(None, cur).at["B1", "top20_aum_share"]
    assert share == pytest.approx((15 + 14 + 13) / sum(range(1, 16)))
    six = classify(frame([{"client_id": f"k{i}", "branch_id": "B1", "funds": 100_000.0} for i in range(6)],
                         "2026-11-30"))
    assert kpis(None, six).at["B1", "top20_aum_share"] == pytest.approx(2 / 6)  # ⌈1.2⌉ = 2


def test_dtypes_are_nullable():
    table = kpis(BASE, CURRENT)
    assert str(table["churn_rate"].dtype) == "Float64" and str(table["new_clients"].dtype) == "Int64"


def test_migration_matrix_by_hand_and_consistent_with_kpis():
    b1 = migration_matrix(BASE[BASE["branch_id"] == "B1"], CURRENT[CURRENT["branch_id"] == "B1"])
    assert list(b1.index) == [*TIERS, "new"] and list(b1.columns) == [*TIERS, "gone"]
    expected = {("wealth", "private_wealth"): 1, ("wealth", "gone"): 1, ("potential_a", "potential_b"): 1,
                ("potential_a", "gone"): 1, ("potential_b", "potential_b"): 1, ("basic", "out_of_scope"): 1,
                ("out_of_scope", "potential_b"): 1, ("new", "wealth"): 1}
    cells = {(r, c): int(b1.at[r, c]) for r in b1.index for c in b1.columns if b1.at[r, c]}
    assert cells == expected
    k = kpis(BASE, CURRENT).loc["B1"]
    in_scope = list(TIERS[1:])
    churn = b1.loc[in_scope, ["out_of_scope", "gone"]].to_numpy().sum()
    grid = b1.loc[in_scope, in_scope].to_numpy()
    assert churn == k["churned"]
    assert np.triu(grid, 1).sum() == k["upgraded"] and np.tril(grid, -1).sum() == k["downgraded"]
    assert b1.loc[:, in_scope].to_numpy().sum() == k["current_clients"]


def test_tier_table_by_hand():
    b1 = tier_table(BASE[BASE["branch_id"] == "B1"], CURRENT[CURRENT["branch_id"] == "B1"])
    assert b1["base_clients"].tolist() == [1, 1, 1, 2, 2, 0]
    assert b1["base_aum"].tolist() == [1_000.0, 0.0, 60_000.0, 270_000.0, 800_000.0, 0.0]
    assert b1["current_clients"].tolist() == [1, 0, 3, 0, 1, 1]
    assert b1["current_aum"].tolist() == [0.0, 0.0, 185_000.0, 0.0, 400_000.0, 2_500_000.0]
    assert tier_table(None, CURRENT)["base_clients"].isna().all()


def test_staff_kpis_attribute_clients_to_their_base_maintainer():
    team = pd.DataFrame({"staff_id": ["S1", "S2", "S3", "S4"], "name": ["甲", "乙", "丙", "丁"],
                         "branch_id": ["B1", "B1", "B1", "B2"], "role": ["financial_advisor"] * 4})
    table = staff_kpis(BASE, CURRENT, team)
    assert list(table.index) == ["S1", "S2", "S3", "S4"] and table.at["S1", "name"] == "甲"
    s1, s2, s3 = row(table, "S1"), row(table, "S2"), row(table, "S3")
    # S1 had a, b, e; a now has maintainer S3 but stays S1's (attribution), e left.
    assert (s1["base_clients"], s1["current_clients"], s1["churned"], s1["upgraded"], s1["downgraded"]) == \
        (3, 2, 1, 1, 1)
    assert s1["aum_growth"] == pytest.approx((2_560_000 - 950_000) / 950_000)
    # S2 had c, d, g; g moved to B2 but is still S2's; d fell out of scope; f is new with S2 at C.
    assert (s2["base_clients"], s2["retained"], s2["unchanged"], s2["new_clients"], s2["net_growth"]) == \
        (3, 2, 2, 1, 0)
    assert s2["churn_rate"] == pytest.approx(1 / 3)
    assert s3["base_clients"] == 0 and s3["churn_rate"] is None and s3["current_clients"] == 0
    free = staff_kpis(BASE, CURRENT)
    assert list(free.index) == ["S1", "S2"]  # without a staff table: whoever has clients


def test_labels_in_both_languages_come_from_the_text_layer():
    assert say("kpi_long.churn_rate") == "流失率（保）" and say("kpi_long.churn_rate", "en") == "Churn rate (keep)"
    for key in (*KPI_KEYS, *COUNT_KEYS, *AMOUNT_KEYS, NEW, GONE):
        zh, en = say(f"kpi_long.{key}", "zh", p="20%"), say(f"kpi_long.{key}", "en", p="20%")
        assert not zh.isascii() and en.isascii() and zh != en


def test_one_table_of_the_five_kpis():
    """保争挖抢培 in order; 抢 shows net growth in a branch's plan but ranks on the growth rate."""
    assert "".join(k.char for k in FIVE) == "保争挖抢培"
    assert [k.key for k in FIVE] == ["churn_rate", "upgrade_rate", "product_coverage_rate", "net_growth", "aum_growth"]
    assert [k.rank_measure for k in FIVE] == ["churn_rate", "upgrade_rate", "product_coverage_rate",
                                              "client_growth_rate", "aum_growth"]
    assert [k.higher_is_better for k in FIVE] == [False, True, True, True, True]
    assert [k.is_count for k in FIVE] == [False, False, False, True, False]
    assert all(k.key in KPI_KEYS for k in FIVE)


def test_unclassified_frames_are_classified_with_the_thresholds():
    raw = frame([{"client_id": "a", "branch_id": "B1", "funds": 300_000.0}], "2026-11-30")
    t = Thresholds(eligible_aum=400_000)
    assert kpis(None, raw, thresholds=t).at["B1", "current_clients"] == 0
    assert kpis(None, raw).at["B1", "current_clients"] == 1


# --- properties -------------------------------------------------------------------------------
side = st.lists(st.tuples(st.integers(0, 25), st.sampled_from(["B1", "B2"]), st.integers(0, 5),
                          st.integers(0, 500_000_000).map(lambda cents: cents / 100), st.integers(0, 10)), max_size=40)


def minimal(rows: list[tuple]) -> pd.DataFrame:
    """Already-classified frame with the columns kpis reads; one row per client id."""
    seen = {}
    for cid, branch, rank, money, lines in rows:
        seen[f"c{cid}"] = (branch, rank, money, lines)
    return pd.DataFrame({
        "client_id": pd.Series(list(seen), dtype="str"),
        "branch_id": pd.Series([v[0] for v in seen.values()], dtype="str"),
        "rank": np.array([v[1] for v in seen.values()], dtype="int64"),
        "in_scope": np.array([v[1] > 0 for v in seen.values()], dtype=bool),
        "aum": np.array([v[2] for v in seen.values()], dtype="float64"),
        "products_held": np.array([v[3] for v in seen.values()], dtype="int64"),
    })


@settings(max_examples=80, deadline=None)
@given(side, side)
def test_shares_add_up_and_empty_bases_give_null(b_rows, c_rows):
    base, current = minimal(b_rows), minimal(c_rows)
    if current.empty:
        return
    table = kpis(base, current)
    for _, r in table.iterrows():
        n = r["base_clients"]
        if n == 0:
            assert pd.isna(r["churn_rate"]) and pd.isna(r["upgrade_rate"]) and pd.isna(r["downgrade_rate"])
            continue
        assert math.isclose(r["churn_rate"] + r["retained"] / n, 1.0)
        assert math.isclose(r["upgrade_rate"] + r["downgrade_rate"] + r["unchanged"] / n + r["churn_rate"], 1.0)
        assert r["new_clients"] == r["current_clients"] - r["retained"]
    assert kpis(None, current)["churn_rate"].isna().all()
