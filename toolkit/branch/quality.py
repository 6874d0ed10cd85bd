"""Data-quality warnings: counted and listed, never fatal.

The plan still runs when a birth date or risk level is missing or a maintainer has left; the
analyst sees how many clients are affected and which, and can fix the source system. The rules
return kinds and notices (codes with values); the words are the report's
(toolkit.report.text, keys `quality.*`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.base.notices import Notice, notice
from toolkit.base.settings import Thresholds
from toolkit.branch.maintainers import Assignment, assign_maintainers

#: Kinds in display order.
KINDS: tuple[str, ...] = (
    "no_birth_date", "no_risk_level", "maintainer_unknown", "maintainer_other_branch", "no_staff_for_role",
)
#: The data-quality kind of each maintainer-assignment issue (maintainers.ISSUES).
ISSUE_KIND: dict[str, str] = {"left": "maintainer_unknown", "other_branch": "maintainer_other_branch",
                              "no_staff_for_role": "no_staff_for_role"}


def data_quality(current_classified: pd.DataFrame, staff: pd.DataFrame, assignment: Assignment | None = None,
                 thresholds: Thresholds | None = None) -> pd.DataFrame:
    """One row per (client, problem) among in-scope clients: client_id, kind, maintainer_id.

    maintainer_id is the kept maintainer a maintainer problem is about (NA for the other kinds);
    a row's sentence is `row_notice`. Maintainer problems come from the assignment (computed
    here from `staff` when not given). Sorted by kind (in KINDS order), then client_id.
    """
    df = current_classified
    scope = df["in_scope"].to_numpy(dtype=bool)
    parts = []
    for kind, mask in (("no_birth_date", scope & df["birth_date"].isna().to_numpy()),
                       ("no_risk_level", scope & df["risk_level"].isna().to_numpy())):
        parts.append(pd.DataFrame({"client_id": df["client_id"].to_numpy()[mask], "kind": kind,
                                   "maintainer_id": None}))
    issues = (assignment or assign_maintainers(df, staff)).issues
    kinds = issues["issue"].astype("str").map(ISSUE_KIND)
    parts.append(pd.DataFrame({"client_id": issues["client_id"].to_numpy(), "kind": kinds.to_numpy(),
                               "maintainer_id": issues["maintainer_id"].astype("str").to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["kind"] = pd.Categorical(out["kind"], categories=list(KINDS))
    out["client_id"] = out["client_id"].astype("str")
    out["maintainer_id"] = out["maintainer_id"].astype("str")
    return out.sort_values(["kind", "client_id"], kind="stable").reset_index(drop=True)


def row_notice(kind: str, maintainer_id: object = None, thresholds: Thresholds | None = None) -> Notice:
    """What one row of `data_quality` tells the reader: `quality.row.<kind>` with its values."""
    t = thresholds or Thresholds()
    m = "" if maintainer_id is None or pd.isna(maintainer_id) else str(maintainer_id)
    return notice(f"quality.row.{kind}", m=m, age=t.potential_b_max_age)


def warnings(quality: pd.DataFrame, thresholds: Thresholds | None = None) -> list[Notice]:
    """One count notice per kind present, in KINDS order (`quality.count.<kind>`: n, age)."""
    t = thresholds or Thresholds()
    c = quality["kind"].astype("str").value_counts()
    return [notice(f"quality.count.{k}", n=int(c[k]), age=t.potential_b_max_age)
            for k in KINDS if c.get(k, 0) > 0]


def counts(quality: pd.DataFrame) -> dict[str, int]:
    """Clients per kind, every kind present (zeros included), for tables and tests."""
    c = quality["kind"].astype("str").value_counts()
    return {k: int(c.get(k, np.int64(0))) for k in KINDS}
