"""The branch summary.json (CONTRACT §7) as it is written and printed: the plan's figures with its
notices said in the report language.

The figures come from the one model (`BranchPlan.summary()`); only the words are added here, so
`clientcare profile`, the report and summary.json cannot disagree.
"""

from __future__ import annotations

from typing import Any

from toolkit.base.notices import Notice
from toolkit.branch.plan import BranchPlan
from toolkit.report.text import say_notice


def said(item: Notice | str, language: str = "zh") -> str:
    """A notice as a sentence in `language` (a text already in words stays as it is)."""
    return say_notice(item, language) if isinstance(item, Notice) else str(item)


def branch_summary(plan: BranchPlan) -> dict[str, Any]:
    """The branch summary.json of CONTRACT §7, JSON-ready, its warnings in the plan's language."""
    out = plan.summary()
    out["warnings"] = [said(w, plan.language) for w in out["warnings"]]
    return out
