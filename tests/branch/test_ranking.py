"""The province view against a three-branch network computed by hand: ranks, ties, totals, the
trend, staff ranked within their role, the rank change and the action load."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import canonical_clients
from toolkit.branch.network_kpi import TOTAL_ROWS, action_load, network_figures, network_view
from toolkit.branch.ranking import RANK_COLUMNS, with_rank_change
from toolkit.inputs.books import BranchInputs
from toolkit.inputs.params import BranchParams

SEP, OCT, NOV = "2026-09-30", "2026-10-31", "2026-11-30"
K = 1_000.0


def row(day: str, cid: str, branch: str, funds: float, maintainer: str | None = None, lines: int = 1) -> dict:
    """A client holding `funds` yuan, spread over `lines` product lines (3 lines = covered, 挖)."""
    cols = ("funds", "demand_deposit", "time_deposit")[:lines]
    return {"snapshot_date": day, "client_id": cid, "branch_id": branch, "maintainer_id": maintainer,
            **{c: funds / lines for c in cols}}


# B1: a1 kept, a2 up (potential_a -> wealth), a3 leaves, a4 kept, a5 new (3 lines), c2 arrives from B3.
# B2: b1 b2 kept, b3 b4 new (3 lines each).  B3: c1 up (wealth -> private), c2 moves to B1, c3 kept,
# c4 falls out of scope (40,000).  September holds a1 and c1 only (the October KPIs' base).
CLIENTS = canonical_clients([
    row(SEP, "a1", "B1", 300 * K, "F1"), row(SEP, "c1", "B3", 1_000 * K, "F3"),
    row(OCT, "a1", "B1", 300 * K, "F1"), row(OCT, "a2", "B1", 150 * K, "F1"), row(OCT, "a3", "B1", 80 * K),
    row(OCT, "a4", "B1", 60 * K), row(OCT, "b1", "B2", 100 * K, "L2"), row(OCT, "b2", "B2", 55 * K, "L2"),
    row(OCT, "c1", "B3", 1_000 * K, "F3"), row(OCT, "c2", "B3", 500 * K, "F3"), row(OCT, "c3", "B3", 200 * K, "F3"),
    row(OCT, "c4", "B3", 90 * K),
    row(NOV, "a1", "B1", 300 * K, "F1"), row(NOV, "a2", "B1", 250 * K, "F1"), row(NOV, "a4", "B1", 60 * K),
    row(NOV, "a5", "B1", 120 * K, lines=3), row(NOV, "c2", "B1", 500 * K, "F1"),
    row(NOV, "b1", "B2", 100 * K, "L2"), row(NOV, "b2", "B2", 55 * K, "L2"), row(NOV, "b3", "B2", 70 * K, lines=3),
    row(NOV, "b4", "B2", 51 * K, lines=3),
    row(NOV, "c1", "B3", 2_100 * K, "F3"), row(NOV, "c3", "B3", 200 * K, "F3"), row(NOV, "c4", "B3", 40 * K),
])
STAFF = pd.DataFrame({"staff_id": ["F1", "L2", "F3", "T3"], "name": ["甲一", "乙二", "丙三", "丁四"],
                      "branch_id": ["B1", "B2", "B3", "B3"],
                      "role": ["financial_advisor", "lobby_manager", "financial_advisor", "teller"]})
NAMES = {"B1": "瓯海", "B2": "鹿城", "B3": "龙湾"}
PARAMS = BranchParams.model_validate({"branch_id": "B1", "branch_name": "瓯海",
                                      "data": {"clients": ["c.csv"], "staff": "s.csv"}})
BOOKS = [(PARAMS, BranchInputs(clients=CLIENTS, staff=STAFF, products=None, activities=pd.DataFrame()))]


@pytest.fixture(scope="module")
def view():
    return network_view(BOOKS, "2026-11", NAMES, status={"B1": "ok", "B2": "failed", "B3": "ok"})


def test_branch_figures_and_ranks_by_hand(view):
    t = view.table.set_index("branch_id")
    # B1: base a1-a4 (590k), now a1 a2 a4 a5 c2 (1,230k): a3 churned, a2 up, 1 of 5 covered, +1 client.
    # B2: base b1 b2 (155k), now +b3 b4 (276k).  B3: base c1-c4 (1,790k), now c1 c3 (2,300k).
    expected = {"churn_rate": [0.25, 0.0, 0.5], "upgrade_rate": [0.25, 0.0, 0.25],
                "product_coverage_rate": [0.2, 0.5, 0.0], "client_growth_rate": [0.25, 1.0, -0.5],
                "aum_growth": [640 / 590, 121 / 155, 510 / 1_790]}
    for col, values in expected.items():
        assert t.loc[["B1", "B2", "B3"], col].astype(float).tolist() == pytest.approx(values), col
    ranks = {"rank_churn_rate": [2, 1, 3], "rank_upgrade_rate": [1, 3, 1],  # B1 and B3 tie on 争
             "rank_product_coverage_rate": [2, 1, 3], "rank_client_growth_rate": [2, 1, 3],
             "rank_aum_growth": [1, 2, 3]}
    for col, values in ranks.items():
        assert t.loc[["B1", "B2", "B3"], col].tolist() == values, col
    assert t.loc[["B1", "B2", "B3"], "mean_rank"].tolist() == pytest.approx([1.6, 1.6, 2.6])
    # B1 and B2 tie overall (both 1); the larger AUM is listed first.
    assert view.table["branch_id"].tolist() == ["B1", "B2", "B3"]
    assert view.table["overall_rank"].tolist() == [1, 1, 3]
    assert t.loc[["B1", "B2", "B3"], "current_aum"].tolist() == [1_230 * K, 276 * K, 2_300 * K]
    assert t.loc["B2", "status"] == "failed"


def test_network_totals_by_hand(view):
    t = view.totals
    assert list(t.index) == list(TOTAL_ROWS) and (view.period, view.base_period) == ("2026-11", "2026-10")
    # The network as one: c2 moved between two of its branches, so it is neither churn nor new.
    assert (t.at["clients", "current"], t.at["clients", "base"], t.at["clients", "change"]) == (11, 10, 1)
    assert (t.at["aum", "current"], t.at["aum", "base"]) == (3_806 * K, 2_535 * K)
    assert t.at["churn_rate", "current"] == pytest.approx(2 / 10)  # a3, c4
    assert t.at["upgrade_rate", "current"] == pytest.approx(2 / 10)  # a2, c1
    assert t.at["downgrade_rate", "current"] == 0
    assert t.at["new_clients", "current"] == 3 and t.at["net_growth", "current"] == 1  # a5 b3 b4
    assert t.at["product_coverage_rate", "current"] == pytest.approx(3 / 11)
    assert t.at["aum_growth", "current"] == pytest.approx(1_271 / 2_535)
    assert t.at["top20_aum_share", "current"] == pytest.approx((2_100 + 500 + 300) / 3_806)  # top 3 of 11
    # October against September (a1, c1 -> all ten): no churn, eight new; the change is now - then.
    assert t.at["churn_rate", "base"] == 0 and t.at["net_growth", "base"] == 8
    assert t.at["net_growth", "change"] == -7 and t.at["churn_rate", "change"] == pytest.approx(0.2)


def test_trend_has_one_row_per_month_with_a_snapshot(view):
    trend = view.trend
    assert list(trend.index) == ["2026-09", "2026-10", "2026-11"]
    assert pd.isna(trend.at["2026-09", "churn_rate"])  # no August snapshot to compare with
    assert trend["current_clients"].tolist() == [2, 10, 11]
    assert trend.at["2026-11", "net_growth"] == 1 and trend.at["2026-10", "net_growth"] == 8


def test_staff_are_ranked_within_their_role(view):
    s = view.staff.set_index("staff_id")
    assert list(view.staff["staff_id"]) == ["F3", "F1", "L2"]  # roles in ROLES order; T3 holds no client
    # F1 keeps a1 a2 (a2 up); F3 keeps c1 c2 c3 (c2 moved branch, still F3's), c1 up.
    assert s.at["F1", "upgrade_rate"] == pytest.approx(0.5) and s.at["F3", "upgrade_rate"] == pytest.approx(1 / 3)
    assert s.at["F3", "aum_growth"] == pytest.approx(1_100 / 1_700) and s.at["F1", "aum_growth"] == pytest.approx(
        100 / 450)
    # Advisors: 争 F1 1st, F3 2nd; 培 F3 1st, F1 2nd; tied on the rest: both rank 1 (F3, more AUM, first).
    assert (s.at["F1", "rank_upgrade_rate"], s.at["F3", "rank_upgrade_rate"]) == (1, 2)
    assert (s.at["F1", "rank_aum_growth"], s.at["F3", "rank_aum_growth"]) == (2, 1)
    assert (s.at["F3", "overall_rank"], s.at["F1", "overall_rank"], s.at["L2", "overall_rank"]) == (1, 1, 1)
    assert s.at["F1", "branch_name"] == "瓯海" and s.at["F3", "name"] == "丙三"


def test_rank_change_since_the_last_batch(view):
    previous = {"B1": {"overall_rank": 3, "rank_churn_rate": 2}, "B3": {"overall_rank": 1}}
    moved = with_rank_change(view.table, previous).set_index("branch_id")
    assert moved.at["B1", "change_overall_rank"] == 2 and moved.at["B3", "change_overall_rank"] == -2
    assert moved.at["B1", "change_rank_churn_rate"] == 0
    assert pd.isna(moved.at["B2", "change_overall_rank"]) and pd.isna(moved.at["B3", "change_rank_aum_growth"])
    assert with_rank_change(view.table, None)[[f"change_{c}" for c in RANK_COLUMNS]].isna().all().all()
    odd = with_rank_change(view.table, {"B1": {"overall_rank": "2"}, "B2": [1], "B3": {"overall_rank": True}})
    assert odd["change_overall_rank"].isna().all()  # a hand-edited network.json is no rank


def test_action_load_reads_the_summaries_and_tolerates_missing_keys():
    load = action_load({
        "B1": {"visits": {"due_unscheduled": 4, "outflow": 2, "outflow_scheduled": 1},
               "risk_assessment": {"missing": 7, "expiring": 3}, "coverage": {"top_without_maintainer": 5},
               "forum_status": {"due": True}, "watch": {"outflow": ["x"]}},
        "B2": {"visits": {"planned": 3}, "watch": {"outflow": ["x", "y", "z"]}},
        "B3": None,
    })
    assert load.loc["B1"].tolist() == [4, 2, 1, 7, 3, 5, 1]
    assert load.at["B2", "outflow"] == 3 and pd.isna(load.at["B2", "due_unscheduled"])  # len(watch.outflow)
    assert load.loc["B3"].isna().all()


def test_compare_to_sets_the_network_base():
    figures = network_figures(BOOKS, "2026-11", NAMES, compare_to="quarter_start")
    assert figures.compare_to == "quarter_start" and figures.totals.attrs["base_period"] == "2026-09"
    # September held a1 (B1) and c1 (B3): B2 has no base, so its rates are null and ranked last.
    t = network_view(BOOKS, "2026-11", NAMES, figures=figures).table.set_index("branch_id")
    assert figures.totals.at["clients", "base"] == 2 and t.at["B2", "rank_churn_rate"] == 3


def test_two_data_sets_add_up_to_the_same_network():
    """B2 in one export, B1 and B3 (between which c2 moved) in another: the counts and the rates
    made of them are those of the one-export network."""
    def part(branches: set[str]) -> tuple[BranchParams, BranchInputs]:
        rows = CLIENTS.loc[CLIENTS["branch_id"].isin(branches)].reset_index(drop=True)
        return PARAMS, BranchInputs(clients=rows, staff=STAFF, products=None, activities=pd.DataFrame())

    split = network_view([part({"B2"}), part({"B1", "B3"})], "2026-11", NAMES).totals
    whole = network_view(BOOKS, "2026-11", NAMES).totals
    for key in ("clients", "aum", "churn_rate", "upgrade_rate", "new_clients", "net_growth",
                "product_coverage_rate", "aum_growth"):
        assert split.at[key, "current"] == pytest.approx(whole.at[key, "current"]), key
    # B2's export has no September snapshot: October's figures against September are unknown.
    assert pd.isna(split.at["net_growth", "base"]) and whole.at["net_growth", "base"] == 8


def test_role_summary_pools_each_role(view):
    from toolkit.branch.network_kpi import role_summary

    roles = role_summary(view.staff)
    assert list(roles.index) == ["financial_advisor", "lobby_manager"]
    fa = roles.loc["financial_advisor"]
    # F1 (a1 a2) and F3 (c1 c2 c3): 5 base clients, 2 upgrades, none lost; 1,150k -> 2,800 + 550k.
    assert (fa["staff"], fa["current_clients"], fa["first"], fa["last"]) == (2, 5, "F3", "F1")
    assert fa["churn_rate"] == 0 and fa["upgrade_rate"] == pytest.approx(2 / 5)
    assert fa["aum_growth"] == pytest.approx((3_350 - 2_150) / 2_150)
    assert roles.at["lobby_manager", "first"] == roles.at["lobby_manager", "last"] == "L2"
