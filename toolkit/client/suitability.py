"""Suitability (风险匹配, CONTRACT §4) for a proposal: the one gate of toolkit.base.suitability.

The rule lives in base so the branch plan (a maturing holding's suggested product) passes the
same gate as a proposal; the proposal modules import it from here under its usual name.
"""

from __future__ import annotations

from toolkit.base.suitability import (
    REASONS,
    SuitabilityError,
    SuitabilityStatus,
    age_on,
    assess,
    enforce,
    risk_number,
    suitable_products,
)

__all__ = ["REASONS", "SuitabilityError", "SuitabilityStatus", "age_on", "assess", "enforce", "risk_number",
           "suitable_products"]
