"""Watch lists for the month (CONTRACT §3): who to call now, who to lift, what to offer.

Each list is a DataFrame sorted for action, largest first, so the top rows are the ones to work
on today. Inputs are classified frames (`tiers.classify`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.base.schema import PRODUCT_LINES, TIERS
from toolkit.base.settings import Thresholds
from toolkit.branch.kpi import positions
from toolkit.branch.tiers import TIER_DTYPE

_INFO = ("client_id", "name", "branch_id", "maintainer_id")


def _info(df: pd.DataFrame) -> pd.DataFrame:
    return df[[c for c in _INFO if c in df.columns]].reset_index(drop=True)


def outflows(base: pd.DataFrame, current: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """In E_B, AUM fell by at least `outflow_share` and at least `outflow_amount` from B to C.

    The client's row at C is found by client_id in `current` (pass the whole snapshot to follow
    clients who changed branch). A client with no row at C at all has taken everything out as far
    as the book shows: AUM at C counts as 0 and `absent` says so. Largest outflow first.
    """
    t = thresholds or Thresholds()
    b = base.loc[base["in_scope"].to_numpy(dtype=bool)]
    pos = positions(b["client_id"], current["client_id"])
    hit = np.clip(pos, 0, None)
    absent = pos < 0
    c_aum = current["aum"].to_numpy(dtype="float64")
    now = np.where(absent, 0.0, c_aum[hit] if len(c_aum) else 0.0)
    before = b["aum"].to_numpy(dtype="float64")
    fall = before - now
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(before > 0, fall / np.where(before > 0, before, 1.0), 0.0)
    flagged = (before > 0) & (share >= t.outflow_share - 1e-12) & (fall >= t.outflow_amount)
    c_tier = current["tier"].to_numpy()
    out = _info(b.loc[flagged])
    out["base_tier"] = pd.Categorical(b["tier"].to_numpy()[flagged], dtype=TIER_DTYPE)
    now_tier = np.where(absent, None, c_tier[hit] if len(c_tier) else None)[flagged]
    out["current_tier"] = pd.Categorical(now_tier, dtype=TIER_DTYPE)
    out["base_aum"] = before[flagged]
    out["current_aum"] = now[flagged]
    out["outflow"] = fall[flagged]
    out["outflow_share"] = share[flagged]
    out["absent"] = absent[flagged]
    return out.sort_values(["outflow", "client_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def next_tier(current: pd.DataFrame, thresholds: Thresholds | None = None) -> tuple[pd.Series, pd.Series]:
    """The tier an in-scope client would reach next by AUM, and its lower bound (NA at the top).

    A basic client too old for potential_b (age ≥ potential_b_max_age) can only move up to
    potential_a, so that is their next tier.
    """
    t = thresholds or Thresholds()
    bounds = {"potential_b": t.potential_b, "potential_a": t.potential_a, "wealth": t.wealth,
              "private_wealth": t.private_wealth}
    tier = current["tier"].astype("str").to_numpy()
    age = current["age"].to_numpy(dtype="float64", na_value=np.nan)
    too_old = ~np.isnan(age) & (age >= t.potential_b_max_age)
    nxt = np.select(
        [tier == "basic", tier == "potential_b", tier == "potential_a", tier == "wealth"],
        ["potential_b", "potential_a", "wealth", "private_wealth"], default="")
    nxt = np.where((nxt == "potential_b") & too_old, "potential_a", nxt)
    bound = np.select([nxt == k for k in bounds], list(bounds.values()), default=np.nan)
    nxt_s = pd.Series(pd.Categorical(np.where(nxt == "", None, nxt), dtype=TIER_DTYPE), index=current.index)
    return nxt_s, pd.Series(bound, index=current.index, dtype="float64")


def upgrade_candidates(current: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """In E_C, AUM at least `upgrade_candidate_share` of the next tier's lower bound (and below it).

    `gap` is the yuan still needed to reach the next tier. Largest AUM first.
    """
    t = thresholds or Thresholds()
    nxt, bound = next_tier(current, t)
    money = current["aum"].to_numpy(dtype="float64")
    b = bound.to_numpy()
    ok = current["in_scope"].to_numpy(dtype=bool) & ~np.isnan(b)
    ok &= (money >= t.upgrade_candidate_share * np.nan_to_num(b, nan=np.inf) - 1e-9) & (money < b)
    rows = current.loc[ok]
    out = _info(rows)
    out["tier"] = rows["tier"].to_numpy()
    out["next_tier"] = nxt.to_numpy()[ok]
    out["aum"] = money[ok]
    out["next_threshold"] = b[ok]
    out["gap"] = b[ok] - money[ok]
    out["progress"] = money[ok] / b[ok]
    return out.sort_values(["aum", "client_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def holdings(current: pd.DataFrame) -> np.ndarray:
    """Boolean matrix rows × PRODUCT_LINES: which lines each client holds (value > 0)."""
    return np.column_stack([current[c].to_numpy(dtype="float64", na_value=0.0) > 0 for c in PRODUCT_LINES])


def usual_lines(current: pd.DataFrame) -> pd.DataFrame:
    """Share of each in-scope tier's clients holding each product line (tiers × lines; NaN for an empty tier)."""
    scope = current["in_scope"].to_numpy(dtype=bool)
    rank = current["rank"].to_numpy(dtype="int64")[scope]
    held = holdings(current)[scope]
    k = len(TIERS)
    n = np.bincount(rank, minlength=k)[:k]
    counts = np.stack([np.bincount(rank, weights=held[:, j], minlength=k)[:k] for j in range(held.shape[1])], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n[:, None] > 0, counts / np.maximum(n, 1)[:, None], np.nan)
    table = pd.DataFrame(share, index=pd.Index(list(TIERS), name="tier"), columns=list(PRODUCT_LINES))
    return table.drop(index="out_of_scope")


def product_gaps(current: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """In-scope clients missing a product line their tier usually holds.

    A line is usual for a tier when at least `product_gap_usual_share` of that tier's clients in
    `current` hold it (so the norm is the branch's own, when one branch is passed). `missing` lists
    the missing usual lines as comma-separated codes (the report shows their labels). Largest AUM first.
    """
    t = thresholds or Thresholds()
    share = usual_lines(current)
    usual = np.zeros((len(TIERS), len(PRODUCT_LINES)), dtype=bool)
    usual[1:] = share.fillna(0).to_numpy() >= t.product_gap_usual_share - 1e-12
    scope = current["in_scope"].to_numpy(dtype=bool)
    gaps = usual[current["rank"].to_numpy(dtype="int64")] & ~holdings(current) & scope[:, None]
    n_missing = gaps.sum(axis=1)
    keep = n_missing > 0
    rows = current.loc[keep]
    gaps = gaps[keep]
    text = np.full(len(rows), "", dtype=object)
    for j, line in enumerate(PRODUCT_LINES):  # ten columns, each vectorised over clients
        text = text + np.where(gaps[:, j], line + ",", "")
    out = _info(rows)
    out["tier"] = rows["tier"].to_numpy()
    out["aum"] = rows["aum"].to_numpy(dtype="float64")
    out["products_held"] = rows["products_held"].to_numpy()
    out["n_missing"] = n_missing[keep]
    out["missing"] = pd.Series(text, dtype="str").str.rstrip(",")
    return out.sort_values(["aum", "client_id"], ascending=[False, True], kind="stable").reset_index(drop=True)

