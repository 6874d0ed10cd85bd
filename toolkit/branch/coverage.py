"""Coverage of the top clients: nobody of 200万+ is left without someone on the staff to care for them.

The seed has the wealth manager maintain 200万+ clients with the branch president. Maintainers are
never moved silently (toolkit.branch.maintainers), but a top client whose maintainer is missing,
has left or sits in another branch would get no visit at all; here they are handed over, for this
plan, to the first fallback role present on the staff (settings: the branch president, then a
wealth manager), at most `max_handovers_per_staff` each, the largest clients first. The handover
list says who took whom, so the branch can make it permanent.

Upgraded clients whose maintainer's role is junior to their tier's role are listed as "offer a
change of maintainer": the client chooses (seed), so it is an offer, with a suggested colleague of
the fitting role (the least loaded), never a move.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from toolkit.base.schema import ROLES
from toolkit.base.settings import CoverageSettings
from toolkit.branch.maintainers import TIER_ROLES
from toolkit.branch.visits import branch_staff

HANDOVER_COLUMNS = ["client_id", "name", "tier", "aum", "previous_id", "issue", "staff_id", "staff_name", "role"]
OFFER_COLUMNS = ["client_id", "name", "tier", "aum", "maintainer_id", "staff_name", "role", "fitting_role",
                 "suggested_id", "suggested_name"]
_SENIORITY = {r: i for i, r in enumerate(ROLES)}  # 0 = most senior


@dataclass
class Coverage:
    """handovers: top clients given to a fallback for this plan (issue: no_maintainer, left,
    other_branch); uncovered: top clients for whom no fallback had room; change_offers: upgraded
    clients whose maintainer's role no longer fits; top_without_maintainer counts before fallback."""

    handovers: pd.DataFrame
    uncovered: pd.DataFrame
    change_offers: pd.DataFrame
    top_without_maintainer: int

    def visitor(self) -> pd.Series:
        """client_id -> the staff_id who visits instead of the (missing) maintainer."""
        return self.handovers.set_index("client_id")["staff_id"]

    def summary(self) -> dict[str, int]:
        return {"top_without_maintainer": int(self.top_without_maintainer),
                "handovers": int(len(self.handovers)), "change_offers": int(len(self.change_offers))}


def _issue(maintainer: pd.Series, team: pd.DataFrame, staff_ids: set[str]) -> pd.Series:
    """no_maintainer / left / other_branch, or None when the maintainer is on the branch's staff."""
    m = maintainer.astype("string")
    out = pd.Series(None, index=m.index, dtype=object)
    out[m.isna()] = "no_maintainer"
    known = m.notna()
    out[known & ~m.isin(team.index) & m.isin(staff_ids)] = "other_branch"
    out[known & ~m.isin(staff_ids)] = "left"
    return out


def _fallbacks(team: pd.DataFrame, settings: CoverageSettings) -> list[str]:
    """Fallback staff in role order, by staff_id within a role."""
    out: list[str] = []
    for role in settings.fallback_roles:
        out += sorted(str(s) for s in team.index[team["role"].astype(str) == role])
    return out


def plan_coverage(clients: pd.DataFrame, staff: pd.DataFrame, settings: CoverageSettings) -> Coverage:
    """Handovers for uncovered top clients and change-of-maintainer offers for one branch's snapshot."""
    team = branch_staff(staff, clients)
    staff_ids = set(staff["staff_id"].astype(str))
    book = clients.loc[clients["in_scope"].astype(bool)].drop_duplicates("client_id")
    book = book.assign(client_id=book["client_id"].astype(str), tier=book["tier"].astype(str),
                       maintainer_id=book["maintainer_id"].astype("string"))
    top = book.loc[book["tier"].isin(settings.top_tiers)]
    issue = _issue(top["maintainer_id"], team, staff_ids)
    lost = top.loc[issue.notna()].assign(issue=issue[issue.notna()])
    lost = lost.sort_values(["aum", "client_id"], ascending=[False, True], kind="mergesort")
    names, roles = team["name"].astype(str), team["role"].astype(str)
    room = dict.fromkeys(_fallbacks(team, settings), settings.max_handovers_per_staff)
    taken = []
    for _cid in lost["client_id"]:
        who = next((s for s, left in room.items() if left > 0), None)
        taken.append(who)
        if who is not None:
            room[who] -= 1
    lost = lost.assign(previous_id=lost["maintainer_id"], staff_id=pd.Series(taken, index=lost.index,
                                                                              dtype="string"))
    lost["staff_name"] = lost["staff_id"].map(names)
    lost["role"] = lost["staff_id"].map(roles)
    handovers = lost.loc[lost["staff_id"].notna(), HANDOVER_COLUMNS].reset_index(drop=True)
    uncovered = lost.loc[lost["staff_id"].isna(), HANDOVER_COLUMNS].reset_index(drop=True)
    return Coverage(handovers, uncovered, _change_offers(book, team), int(len(lost)))


def _change_offers(book: pd.DataFrame, team: pd.DataFrame) -> pd.DataFrame:
    """Clients whose maintainer (on the staff, not the president) is junior to their tier's role."""
    roles = team["role"].astype(str)
    mine = book.loc[book["maintainer_id"].isin(team.index)].copy()
    mine["role"] = mine["maintainer_id"].map(roles)
    best = mine["tier"].map({t: min(_SENIORITY[r] for r in rs) for t, rs in TIER_ROLES.items()})
    junior = mine["role"].map(_SENIORITY).fillna(len(ROLES)) > best.fillna(len(ROLES))
    offers = mine.loc[junior & (mine["role"] != "branch_president")].copy()
    offers = offers.sort_values(["rank", "aum", "client_id"], ascending=[False, False, True], kind="mergesort")
    offers["fitting_role"] = offers["tier"].map({t: rs[0] for t, rs in TIER_ROLES.items()})
    load = {str(k): int(v) for k, v in book["maintainer_id"].value_counts().items()}
    members = {role: [str(s) for s in team.index[roles == role]] for role in offers["fitting_role"].unique()}
    suggested = []
    for role in offers["fitting_role"]:  # the least loaded colleague, counting the offers made so far
        pick = min(members[role], key=lambda s: (load.get(s, 0), s)) if members[role] else None
        if pick is not None:
            load[pick] = load.get(pick, 0) + 1
        suggested.append(pick)
    offers["suggested_id"] = pd.Series(suggested, index=offers.index, dtype="string")
    offers["staff_name"] = offers["maintainer_id"].map(team["name"].astype(str))
    offers["suggested_name"] = offers["suggested_id"].map(team["name"].astype(str))
    return offers[OFFER_COLUMNS].reset_index(drop=True)
