"""Data-quality warnings: counted and listed, never fatal.

The plan still runs when a birth date or risk level is missing or a maintainer has left; the
analyst sees how many clients are affected and which, and can fix the source system.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.base.settings import Thresholds
from toolkit.branch.maintainers import Assignment, assign_maintainers

#: Kinds in display order, with the per-client message and the count line (zh, en).
KINDS: tuple[str, ...] = (
    "no_birth_date", "no_risk_level", "maintainer_unknown", "maintainer_other_branch", "no_staff_for_role",
)
_MESSAGES: dict[str, dict[str, str]] = {
    "no_birth_date": {"zh": "缺少出生日期（按{age}岁以下计）",
                      "en": "no birth date (counted as under {age})"},
    "no_risk_level": {"zh": "未做风险评估（只能推荐R1产品）",
                      "en": "no risk assessment (R1 products only)"},
    "maintainer_unknown": {"zh": "维护人{m}不在员工名单中（可能已离职）",
                           "en": "maintainer {m} is not in the staff list (may have left)"},
    "maintainer_other_branch": {"zh": "维护人{m}属于其他机构",
                                "en": "maintainer {m} belongs to another branch"},
    "no_staff_for_role": {"zh": "本机构没有该层级对应岗位的员工，未分配维护人",
                          "en": "no staff of this tier's role in the branch; no maintainer given"},
}
_LINES: dict[str, dict[str, str]] = {
    "no_birth_date": {"zh": "{n} 位维护对象缺少出生日期（按{age}岁以下计）",
                      "en": "{n} maintained clients have no birth date (counted as under {age})"},
    "no_risk_level": {"zh": "{n} 位维护对象未做风险评估",
                      "en": "{n} maintained clients have no risk assessment"},
    "maintainer_unknown": {"zh": "{n} 位维护对象的维护人不在员工名单中（可能已离职）",
                           "en": "{n} maintained clients have a maintainer not in the staff list (may have left)"},
    "maintainer_other_branch": {"zh": "{n} 位维护对象的维护人属于其他机构",
                                "en": "{n} maintained clients have a maintainer from another branch"},
    "no_staff_for_role": {"zh": "{n} 位维护对象因本机构无对应岗位员工而未分配维护人",
                          "en": "{n} maintained clients got no maintainer: no staff of their tier's role"},
}
_LABELS: dict[str, dict[str, str]] = {
    "no_birth_date": {"zh": "缺少出生日期", "en": "No birth date"},
    "no_risk_level": {"zh": "未做风险评估", "en": "No risk assessment"},
    "maintainer_unknown": {"zh": "维护人不在员工名单中", "en": "Maintainer not in the staff list"},
    "maintainer_other_branch": {"zh": "维护人属于其他机构", "en": "Maintainer from another branch"},
    "no_staff_for_role": {"zh": "无对应岗位员工，未分配维护人", "en": "No staff of the tier's role"},
}
_ISSUE_KIND = {"left": "maintainer_unknown", "other_branch": "maintainer_other_branch",
               "no_staff_for_role": "no_staff_for_role"}


def data_quality(current_classified: pd.DataFrame, staff: pd.DataFrame, assignment: Assignment | None = None,
                 thresholds: Thresholds | None = None, language: str = "zh") -> pd.DataFrame:
    """One row per (client, problem) among in-scope clients: client_id, kind, message.

    Maintainer problems come from the assignment (computed here from `staff` when not given).
    Sorted by kind (in KINDS order), then client_id.
    """
    t = thresholds or Thresholds()
    df = current_classified
    scope = df["in_scope"].to_numpy(dtype=bool)
    parts = []
    for kind, mask in (("no_birth_date", scope & df["birth_date"].isna().to_numpy()),
                       ("no_risk_level", scope & df["risk_level"].isna().to_numpy())):
        text = _MESSAGES[kind][language].format(age=t.potential_b_max_age)
        parts.append(pd.DataFrame({"client_id": df["client_id"].to_numpy()[mask], "kind": kind, "message": text}))
    issues = (assignment or assign_maintainers(df, staff)).issues
    kinds = issues["issue"].astype("str").map(_ISSUE_KIND)
    ids = issues["maintainer_id"].astype("str").fillna("")
    messages = pd.Series("", index=issues.index, dtype="str")
    for kind in _ISSUE_KIND.values():  # three kinds, each vectorised over its clients
        hit = (kinds == kind).to_numpy()
        pre, mark, post = _MESSAGES[kind][language].partition("{m}")
        messages[hit] = (pre + ids[hit] + post) if mark else pre
    parts.append(pd.DataFrame({"client_id": issues["client_id"].to_numpy(), "kind": kinds.to_numpy(),
                               "message": messages.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["kind"] = pd.Categorical(out["kind"], categories=list(KINDS))
    out["client_id"] = out["client_id"].astype("str")
    out["message"] = out["message"].astype("str")
    return out.sort_values(["kind", "client_id"], kind="stable").reset_index(drop=True)


def warning_lines(quality: pd.DataFrame, language: str = "zh", thresholds: Thresholds | None = None) -> list[str]:
    """Count lines like "12 位维护对象缺少出生日期（按60岁以下计）", one per kind present, in KINDS order."""
    t = thresholds or Thresholds()
    counts = quality["kind"].astype("str").value_counts()
    return [_LINES[k][language].format(n=int(counts[k]), age=t.potential_b_max_age)
            for k in KINDS if counts.get(k, 0) > 0]


def counts(quality: pd.DataFrame) -> dict[str, int]:
    """Clients per kind, every kind present (zeros included), for tables and tests."""
    c = quality["kind"].astype("str").value_counts()
    return {k: int(c.get(k, np.int64(0))) for k in KINDS}


def kind_label(kind: str, language: str = "zh") -> str:
    """A problem kind as a short label for a report table (the code itself if unknown)."""
    return _LABELS.get(kind, {}).get("zh" if language == "zh" else "en", kind)


def issue_label(issue: str, language: str = "zh") -> str:
    """A maintainer-assignment issue code (maintainers.ISSUES) as a short report label."""
    return kind_label(_ISSUE_KIND.get(issue, issue), language)
