"""Maintainer assignment: keep, fill by water level, report; balance and determinism as properties."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.base.schema import TIERS
from toolkit.branch.maintainers import TIER_ROLES, assign_maintainers
from toolkit.branch.tiers import TIER_DTYPE


def clients(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """(client_id, branch_id, tier, maintainer_id) -> the columns assignment reads."""
    df = pd.DataFrame(rows, columns=["client_id", "branch_id", "tier", "maintainer_id"])
    df["tier"] = pd.Categorical(df["tier"], dtype=TIER_DTYPE)
    df["in_scope"] = (df["tier"] != "out_of_scope").to_numpy()
    df["maintainer_id"] = df["maintainer_id"].astype("str").where(df["maintainer_id"].notna())
    return df


def plain(values: pd.Series) -> dict:
    """Series -> dict with None for missing values, for exact comparisons."""
    return values.astype(object).where(values.notna(), None).to_dict()


def staff(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([(s, f"员工{s}", b, r) for s, b, r in rows], columns=["staff_id", "name", "branch_id", "role"])


STAFF = staff([("P1", "B1", "branch_president"), ("W1", "B1", "wealth_manager"), ("F1", "B1", "financial_advisor"),
               ("F2", "B1", "financial_advisor"), ("D1", "B1", "branch_director"), ("L1", "B1", "lobby_manager"),
               ("T1", "B1", "teller"), ("T2", "B1", "teller"), ("X1", "B2", "financial_advisor")])
BOOK = clients([
    ("c01", "B1", "wealth", "F1"), ("c02", "B1", "wealth", None), ("c03", "B1", "wealth", None),
    ("c04", "B1", "wealth", None), ("c05", "B1", "private_wealth", "T1"), ("c06", "B1", "private_wealth", None),
    ("c07", "B1", "potential_a", None), ("c08", "B1", "potential_a", None), ("c09", "B1", "potential_a", None),
    ("c10", "B1", "potential_b", None), ("c11", "B1", "potential_b", None), ("c12", "B1", "basic", None),
    ("c13", "B1", "basic", None), ("c14", "B1", "out_of_scope", None), ("c15", "B1", "out_of_scope", "T2"),
    ("c16", "B1", "wealth", "S99"), ("c17", "B1", "wealth", "X1"), ("c20", "B3", "wealth", None),
])


def test_hand_computed_assignment():
    # Loads before: F1 1, T1 1 (kept, in scope); T2's only client is out of scope and does not count.
    # private_wealth: c06 -> W1. wealth pool F1(1), F2(0): c02 -> F2, c03 -> F1 (tie at 1, by id), c04 -> F2.
    # potential_a pool D1, L1 (0, 0): c07 D1, c08 L1, c09 D1. potential_b T1(1), T2(0): c10 T2, c11 T1.
    # basic pool L1 (1 after potential_a): c12, c13 -> L1. Branch B3 has nobody: c20 unassigned.
    out = assign_maintainers(BOOK, STAFF)
    got = out.clients.set_index("client_id")
    assert plain(got["maintainer_id"]) == {
        "c01": "F1", "c02": "F2", "c03": "F1", "c04": "F2", "c05": "T1", "c06": "W1", "c07": "D1", "c08": "L1",
        "c09": "D1", "c10": "T2", "c11": "T1", "c12": "L1", "c13": "L1", "c14": None, "c15": "T2",
        "c16": "S99", "c17": "X1", "c20": None}
    assert plain(got["maintainer_source"]) == {"c01": "kept", "c02": "assigned", "c03": "assigned", "c04": "assigned", "c05": "kept",
                       "c06": "assigned", "c07": "assigned", "c08": "assigned", "c09": "assigned",
                       "c10": "assigned", "c11": "assigned", "c12": "assigned", "c13": "assigned",
                       "c14": None, "c15": None, "c16": "kept", "c17": "kept", "c20": "unassigned"}
    issues = out.issues
    assert issues[["client_id", "maintainer_id"]].astype(object).fillna("").values.tolist() == [
        ["c16", "S99"], ["c17", "X1"], ["c20", ""]]
    assert issues["issue"].astype(str).tolist() == ["left", "other_branch", "no_staff_for_role"]
    assert out.loads().to_dict() == {"L1": 3, "F1": 2, "F2": 2, "D1": 2, "T1": 2, "W1": 1, "T2": 1, "S99": 1,
                                      "X1": 1}


def test_upgrade_keeps_the_maintainer_and_input_is_not_modified():
    before = BOOK.copy()
    out = assign_maintainers(BOOK, STAFF)
    pd.testing.assert_frame_equal(BOOK, before)
    assert out.clients.set_index("client_id").at["c05", "maintainer_id"] == "T1"  # a teller keeps a private client


def test_no_clients_to_assign_and_empty_staff():
    out = assign_maintainers(BOOK.iloc[:1], STAFF.iloc[:0])
    assert out.clients["maintainer_source"].astype(str).tolist() == ["kept"]
    assert out.issues["issue"].astype(str).tolist() == ["left"]


roles = st.sampled_from(["wealth_manager", "financial_advisor", "branch_director", "lobby_manager", "teller"])
staff_rows = st.lists(st.tuples(st.sampled_from(["B1", "B2"]), roles), min_size=0, max_size=10)
client_rows = st.lists(st.tuples(st.sampled_from(["B1", "B2"]), st.sampled_from(TIERS), st.integers(-4, 9)),
                       min_size=1, max_size=60)


def _book(staff_spec, client_spec):
    team = staff([(f"S{i:02d}", b, r) for i, (b, r) in enumerate(staff_spec)])
    ids = team["staff_id"].tolist()
    rows = [(f"c{i:03d}", b, tier, ids[k] if 0 <= k < len(ids) else None)
            for i, (b, tier, k) in enumerate(client_spec)]
    return clients(rows), team


@settings(max_examples=80, deadline=None)
@given(staff_rows, client_rows)
def test_balance_pool_by_pool(staff_spec, client_spec):
    book, team = _book(staff_spec, client_spec)
    out = assign_maintainers(book, team).clients
    load = book.loc[book["in_scope"] & book["maintainer_id"].notna(), "maintainer_id"].value_counts().to_dict()
    for tier, pool_roles in TIER_ROLES.items():
        for branch in ("B1", "B2"):
            pool = team.loc[(team["branch_id"] == branch) & team["role"].isin(pool_roles), "staff_id"].tolist()
            got = out.loc[(out["maintainer_source"] == "assigned") & (out["tier"] == tier)
                          & (out["branch_id"] == branch), "maintainer_id"].value_counts().to_dict()
            assert set(got) <= set(pool)  # right branch, right role
            for s, n in got.items():
                load[s] = load.get(s, 0) + n
            final = {s: load.get(s, 0) for s in pool}
            for s in got:  # a receiver ends at most one above every member of its pool
                assert all(final[s] <= final[t] + 1 for t in pool)
            need = ((book["tier"] == tier) & (book["branch_id"] == branch) & book["maintainer_id"].isna()).sum()
            assert sum(got.values()) == (need if pool else 0)
    untouched = ~book["in_scope"] | book["maintainer_id"].notna()
    assert out.loc[untouched, "maintainer_id"].equals(book.loc[untouched, "maintainer_id"])


@settings(max_examples=40, deadline=None)
@given(staff_rows, client_rows, st.randoms(use_true_random=False))
def test_same_result_whatever_the_row_order(staff_spec, client_spec, rnd):
    book, team = _book(staff_spec, client_spec)
    first = assign_maintainers(book, team)
    order = list(range(len(book)))
    rnd.shuffle(order)
    team_order = list(range(len(team)))
    rnd.shuffle(team_order)
    again = assign_maintainers(book.iloc[order], team.iloc[team_order])
    a = first.clients.set_index("client_id")["maintainer_id"].sort_index()
    b = again.clients.set_index("client_id")["maintainer_id"].sort_index()
    assert a.equals(b)
    pd.testing.assert_frame_equal(first.issues, again.issues)


def test_equal_start_ends_within_one():
    team = staff([("T1", "B1", "teller"), ("T2", "B1", "teller"), ("T3", "B1", "teller")])
    book = clients([(f"c{i}", "B1", "potential_b", None) for i in range(10)])
    counts = assign_maintainers(book, team).loads()
    assert counts.to_dict() == {"T1": 4, "T2": 3, "T3": 3}
