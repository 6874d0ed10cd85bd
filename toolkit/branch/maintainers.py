"""Who maintains whom (CONTRACT §2 "Maintainer role"): keep, fill, and report.

Rules, in order:
1. A client who already has a maintainer keeps them, whatever their tier now (no forced move on
   upgrade; revenue stays with who first maintained them). Only in-scope clients are considered.
2. An in-scope client without one gets a staff member of their branch whose role serves their tier
   (potential_a pools branch directors and lobby managers).
3. Kept maintainers who are not in the staff table (left) or sit in another branch are reported,
   not moved: a handover is a management decision, so the analyst sees it in the warnings.

"Balanced" (what the property tests check). A *pool* is one branch's staff of one tier's roles.
A staff member's *load* is the number of in-scope clients whose maintainer they are (kept, plus
any given earlier in this run). Pools are filled one tier at a time, highest tier first, each
against the loads left by the pools before it. Filling a pool gives its new clients, in client_id
order, to the least-loaded member first, ties by staff_id (water filling). Consequence: every
member who received a new client ends with a load at most one above every other member of the
pool, so members who started equal end within one of each other; members already loaded above
the water line receive nobody. The result depends only on the rows' content, never their order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.branch.tiers import TIER_DTYPE

#: Staff roles that may be given a client of each in-scope tier, highest tier first (fill order).
TIER_ROLES: dict[str, tuple[str, ...]] = {
    "private_wealth": ("wealth_manager",),
    "wealth": ("financial_advisor",),
    "potential_a": ("branch_director", "lobby_manager"),
    "potential_b": ("teller",),
    "basic": ("lobby_manager",),
}
SOURCES = pd.CategoricalDtype(["kept", "assigned", "unassigned"])
ISSUES = ("left", "other_branch", "no_staff_for_role")


@dataclass
class Assignment:
    """`clients`: the input rows with maintainer_id filled and maintainer_source (kept/assigned/
    unassigned; NA for out-of-scope rows, which nobody is assigned to). `issues`: one row per
    in-scope client whose maintainer left, belongs to another branch, or could not be given one."""

    clients: pd.DataFrame
    issues: pd.DataFrame

    def loads(self) -> pd.Series:
        """In-scope clients per maintainer after assignment (staff_id -> count)."""
        c = self.clients
        return c.loc[c["in_scope"], "maintainer_id"].value_counts().rename("clients")


def _text(values: pd.Series) -> pd.Series:
    return values.astype("str").where(values.notna())


def _fill_pool(need: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
    """Water-fill one tier's pools for all branches at once.

    need: branch_id, client_id of clients to place. pool: branch_id, staff_id, load.
    Returns need's rows with staff_id (NA where the branch has no staff of the role).
    Every member gets "slots" at levels load, load+1, …; the pool's n clients take the n lowest
    slots ordered by (level, staff_id) — exactly what giving each next client to the currently
    least-loaded member does, computed in one sort instead of a loop.
    """
    need = need.sort_values(["branch_id", "client_id"], kind="stable").reset_index(drop=True)
    need["k"] = need.groupby("branch_id", sort=False).cumcount()
    demand = need.groupby("branch_id", sort=False).size().rename("n")
    pool = pool.merge(demand, left_on="branch_id", right_index=True, how="inner")
    if pool.empty:
        return need.assign(staff_id=pd.Series(pd.NA, index=need.index, dtype="str")).drop(columns="k")
    lowest = pool.groupby("branch_id")["load"].transform("min")
    slots_each = np.maximum(lowest + pool["n"] - pool["load"], 0).to_numpy(dtype="int64")
    rows = np.repeat(np.arange(len(pool)), slots_each)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(slots_each) - slots_each, slots_each)
    slots = pd.DataFrame({
        "branch_id": pool["branch_id"].to_numpy()[rows],
        "staff_id": pool["staff_id"].to_numpy()[rows],
        "level": pool["load"].to_numpy(dtype="int64")[rows] + step,
    }).sort_values(["branch_id", "level", "staff_id"], kind="stable")
    slots["k"] = slots.groupby("branch_id", sort=False).cumcount()
    placed = need.merge(slots[["branch_id", "k", "staff_id"]], on=["branch_id", "k"], how="left")
    return placed.drop(columns="k")


def assign_maintainers(current_classified: pd.DataFrame, staff: pd.DataFrame) -> Assignment:
    """Keep existing maintainers, give in-scope clients without one a balanced maintainer, report issues."""
    clients = current_classified.copy(deep=False)
    scope = clients["in_scope"].to_numpy(dtype=bool)
    maintainer = _text(clients["maintainer_id"])
    branch = _text(clients["branch_id"])
    staff = staff.assign(staff_id=_text(staff["staff_id"]), branch_id=_text(staff["branch_id"]))
    staff_branch = staff.set_index("staff_id")["branch_id"]

    has = maintainer.notna().to_numpy() & scope
    home = maintainer.map(staff_branch)
    left = has & home.isna().to_numpy()
    other = has & home.notna().to_numpy() & (home != branch).to_numpy(dtype=bool)

    loads = maintainer[has].value_counts()
    new_id = maintainer.copy()
    unassigned = np.zeros(len(clients), dtype=bool)
    tiers = clients["tier"].astype("str").to_numpy()
    ids = _text(clients["client_id"]).to_numpy()
    for tier, roles in TIER_ROLES.items():
        mask = scope & ~has & (tiers == tier)
        if not mask.any():
            continue
        need = pd.DataFrame({"branch_id": branch.to_numpy()[mask], "client_id": ids[mask],
                             "row": np.flatnonzero(mask)})
        members = staff.loc[staff["role"].isin(roles), ["branch_id", "staff_id"]]
        members = members.assign(load=members["staff_id"].map(loads).fillna(0).astype("int64"))
        placed = _fill_pool(need, members)
        got = placed["staff_id"].notna().to_numpy()
        new_id.iloc[placed.loc[got, "row"].to_numpy()] = placed.loc[got, "staff_id"].to_numpy()
        unassigned[placed.loc[~got, "row"].to_numpy()] = True
        loads = loads.add(placed.loc[got, "staff_id"].value_counts(), fill_value=0).astype("int64")

    source = np.full(len(clients), None, dtype=object)
    source[scope] = "assigned"
    source[has] = "kept"
    source[unassigned] = "unassigned"
    clients["maintainer_id"] = new_id
    clients["maintainer_source"] = pd.Categorical(source, dtype=SOURCES)

    issue = np.full(len(clients), None, dtype=object)
    issue[left] = "left"
    issue[other] = "other_branch"
    issue[unassigned] = "no_staff_for_role"
    flagged = pd.notna(issue)
    issues = pd.DataFrame({
        "client_id": clients["client_id"].to_numpy()[flagged],
        "branch_id": clients["branch_id"].to_numpy()[flagged],
        "tier": pd.Categorical(clients["tier"].to_numpy()[flagged], dtype=TIER_DTYPE),
        "maintainer_id": maintainer.to_numpy()[flagged],
        "issue": issue[flagged],
    })
    issues["issue"] = pd.Categorical(issues["issue"], categories=list(ISSUES))
    issues = issues.sort_values(["issue", "client_id"], kind="stable").reset_index(drop=True)
    return Assignment(clients=clients, issues=issues)
