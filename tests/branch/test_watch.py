"""Watch lists: outflows, upgrade candidates and product gaps, with their boundaries."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import canonical_clients
from toolkit.base.settings import Thresholds
from toolkit.branch.tiers import classify
from toolkit.branch.watch import (
    next_tier,
    outflows,
    product_gaps,
    upgrade_candidates,
    usual_lines,
)
from toolkit.report.actions_text import describe_lines


def frame(rows: list[dict], snapshot: str = "2026-11-30") -> pd.DataFrame:
    return classify(canonical_clients(rows, snapshot_date=snapshot, name="王五", maintainer_id="T1"))


def test_outflows_boundaries_absent_clients_and_order():
    base = frame([
        {"client_id": "o1", "funds": 1_000_000.0},   # -> 700,000: exactly 30% and 300,000: in
        {"client_id": "o2", "funds": 1_000_000.0},   # -> 700,001: 29.9999%: out
        {"client_id": "o3", "funds": 333_333.0},     # -> 233,334: 30% but 99,999: out
        {"client_id": "o4", "funds": 400_000.0},     # no row at C: everything went, in
        {"client_id": "o6", "funds": 200_000.0},     # -> 100,000 in another branch: exactly 100,000, in
        {"client_id": "o7", "demand_deposit": 30_000.0, "card_level": "gold"},  # small client: out
    ], "2026-10-31")
    current = frame([
        {"client_id": "o1", "funds": 700_000.0}, {"client_id": "o2", "funds": 700_001.0},
        {"client_id": "o3", "funds": 233_334.0}, {"client_id": "o6", "funds": 100_000.0, "branch_id": "B2"},
        {"client_id": "o7", "card_level": "gold"},
    ])
    out = outflows(base, current)
    assert out["client_id"].tolist() == ["o4", "o1", "o6"]
    assert out["outflow"].tolist() == [400_000.0, 300_000.0, 100_000.0]
    assert out["outflow_share"].tolist() == pytest.approx([1.0, 0.3, 0.5])
    assert out["absent"].tolist() == [True, False, False]
    assert out["current_aum"].tolist() == [0.0, 700_000.0, 100_000.0]
    assert out["base_tier"].astype(str).tolist() == ["wealth", "wealth", "wealth"]
    assert out["current_tier"].isna().tolist() == [True, False, False]
    stricter = outflows(base, current, Thresholds(outflow_share=0.5, outflow_amount=50_000))
    assert stricter["client_id"].tolist() == ["o4", "o6"]


def test_upgrade_candidates_by_next_threshold():
    current = frame([
        {"client_id": "u1", "funds": 180_000.0},                                   # potential_a, 90% of 200k
        {"client_id": "u2", "funds": 179_999.0},                                   # just under 90%
        {"client_id": "u3", "funds": 1_800_000.0},                                 # wealth, 90% of 2M
        {"client_id": "u4", "funds": 90_000.0, "birth_date": "1960-01-01"},        # basic at 66: next is potential_a
        {"client_id": "u5", "funds": 45_000.0, "card_level": "gold"},              # basic at 46: next potential_b
        {"client_id": "u6", "funds": 45_000.0, "card_level": "gold", "birth_date": "1956-01-01"},  # 45% of 100k
        {"client_id": "u7", "funds": 5_000_000.0},                                 # top tier: never
        {"client_id": "u8", "funds": 49_000.0},                                    # out of scope
        {"client_id": "u9", "funds": 95_000.0},                                    # potential_b -> potential_a
    ])
    out = upgrade_candidates(current)
    assert out["client_id"].tolist() == ["u3", "u1", "u9", "u4", "u5"]
    assert out["next_tier"].astype(str).tolist() == ["private_wealth", "wealth", "potential_a", "potential_a",
                                                     "potential_b"]
    assert out["gap"].tolist() == [200_000.0, 20_000.0, 5_000.0, 10_000.0, 5_000.0]
    assert out["progress"].tolist() == pytest.approx([0.9, 0.9, 0.95, 0.9, 0.9])
    nxt, bound = next_tier(current)
    assert pd.isna(nxt.iloc[6]) and pd.isna(bound.iloc[6])


def _gap_book() -> pd.DataFrame:
    return frame([
        {"client_id": "w1", "demand_deposit": 100_000.0, "funds": 100_000.0, "wealth_products": 100_000.0},
        {"client_id": "w2", "demand_deposit": 200_000.0, "funds": 200_000.0},
        {"client_id": "w3", "demand_deposit": 250_000.0, "wealth_products": 250_000.0},
        {"client_id": "w4", "demand_deposit": 300_000.0, "insurance": 300_000.0},
        {"client_id": "p1", "demand_deposit": 60_000.0},
        {"client_id": "x1", "demand_deposit": 1_000.0},
    ])


def test_usual_lines_are_shares_per_tier():
    share = usual_lines(_gap_book())
    assert share.loc["wealth", ["demand_deposit", "funds", "wealth_products", "insurance", "bonds"]].tolist() == \
        [1.0, 0.5, 0.5, 0.25, 0.0]
    assert share.loc["potential_b", "demand_deposit"] == 1.0 and share.loc["basic"].isna().all()


def test_product_gaps_list_missing_usual_lines_largest_first():
    out = product_gaps(_gap_book())
    assert out["client_id"].tolist() == ["w4", "w3", "w2"]
    assert out["missing"].tolist() == ["wealth_products,funds", "funds", "wealth_products"]
    assert out["n_missing"].tolist() == [2, 1, 1]
    assert describe_lines(out["missing"]).tolist() == ["理财产品、基金", "基金", "理财产品"]
    assert describe_lines(out["missing"], "en").tolist()[0] == "Wealth products, Funds"
    strict = product_gaps(_gap_book(), Thresholds(product_gap_usual_share=0.75))
    assert strict.empty  # only demand deposits are held by ≥ 75% of the wealth tier, and everyone has them
