"""The 500万 list: the seed's marketing targets are households with net assets of 500万元 or more
(Thresholds.marketing_net_assets, inclusive).

What the branch knows of a client's wealth is their AUM here; a fact-find (表3) gives their net
assets. So a client with a fact-find is measured by net assets (total assets − liabilities), and
one without by AUM (a floor: what they hold with us). At or above the line: `target`; from
TargetSettings.near_target up to it: `near_target`. `branch_share` is AUM / net assets where a
fact-find exists: how much of their wealth the branch holds, the room to grow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.base.settings import TargetSettings, Thresholds

COLUMNS = ["maintainer_id", "client_id", "name", "phone", "tier", "aum", "net_assets", "branch_share", "basis",
           "measure", "gap", "status"]
STATUSES: tuple[str, ...] = ("target", "near_target")


def net_assets(fact_find_assets: pd.DataFrame | None) -> pd.Series:
    """client_id -> net assets from the fact-find balance sums (liquid + financial + real − liability)."""
    if fact_find_assets is None or fact_find_assets.empty:
        return pd.Series(dtype="float64", name="net_assets")
    f = fact_find_assets.assign(client_id=fact_find_assets["client_id"].astype(str)).set_index("client_id")
    return (f["liquid"] + f["financial"] + f["real"] - f["liability"]).rename("net_assets")


def marketing_targets(clients: pd.DataFrame, fact_find_assets: pd.DataFrame | None = None,
                      thresholds: Thresholds | None = None, settings: TargetSettings | None = None) -> pd.DataFrame:
    """In-scope clients at or near the line, per maintainer, targets first, then the largest measure."""
    t, s = thresholds or Thresholds(), settings or TargetSettings()
    scope = clients.loc[clients["in_scope"].astype(bool)].drop_duplicates("client_id").copy()
    scope["client_id"] = scope["client_id"].astype(str)
    scope["net_assets"] = scope["client_id"].map(net_assets(fact_find_assets)).astype("float64")
    known = scope["net_assets"].notna()
    scope["basis"] = np.where(known, "fact_find", "aum")
    scope["measure"] = scope["net_assets"].where(known, scope["aum"]).astype("float64")
    positive = known & (scope["net_assets"] > 0)
    scope["branch_share"] = (scope["aum"] / scope["net_assets"]).where(positive)
    line = t.marketing_net_assets
    scope["status"] = np.select([scope["measure"] >= line, scope["measure"] >= min(s.near_target, line)],
                                ["target", "near_target"], "")
    scope["gap"] = (line - scope["measure"]).where(scope["measure"] < line)  # NaN for a target: no gap
    out = scope.loc[scope["status"] != ""].copy()
    out["maintainer_id"] = out["maintainer_id"].astype("string")
    out["_s"] = out["status"].map({st: i for i, st in enumerate(STATUSES)})
    out = out.sort_values(["maintainer_id", "_s", "measure", "client_id"], ascending=[True, True, False, True],
                          na_position="last", kind="mergesort")
    for col in ("name", "phone", "tier"):
        if col not in out:
            out[col] = None
    out["tier"] = out["tier"].astype(str)
    return out[COLUMNS].reset_index(drop=True)


def counts(targets: pd.DataFrame) -> dict[str, int]:
    """summary.json's `marketing_targets`: {targets, near_targets}."""
    return {"targets": int((targets["status"] == "target").sum()),
            "near_targets": int((targets["status"] == "near_target").sum())}
