"""A household's totals and the six ratios of CONTRACT §4 (表2 income/spending, 表3 assets/liabilities).

The ratios are the advisor's diagnosis: each one is compared with a benchmark from settings and
flagged low/ok/high. A ratio whose denominator is zero or negative (no income, no assets,
insolvent household) is `None` with a reason code, because a proposal must still be produced.
Boundaries count as meeting the benchmark ("50%以上" includes 50%). Only codes and numbers leave
this module: the labels, benchmarks and explanations a reader sees are worded by the report layer
(toolkit.report.proposal_sections with toolkit.report.text).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from toolkit.base.settings import RatioBenchmarks
from toolkit.inputs.factfind import FactFind

RATIO_KEYS: tuple[str, ...] = (
    "savings_ratio",
    "liquidity_ratio",
    "liquid_to_net_assets",
    "solvency_ratio",
    "debt_service_ratio",
    "investment_to_net_assets",
)
TOTAL_KEYS: tuple[str, ...] = ("income", "expense", "debt_payment", "spending", "surplus", "liquid",
                               "financial", "real", "liabilities", "total_assets", "net_assets")
RATIO_COLUMNS: tuple[str, ...] = ("key", "value", "flag", "null_reason")
_EPS = 1e-9  # boundary slack so a value exactly on a benchmark edge is not flagged by float noise


def _sum(frame: pd.DataFrame, kind: str, column: str) -> float:
    if frame is None or frame.empty:
        return 0.0
    return float(frame.loc[frame["type"] == kind, column].astype(float).sum())


def totals(ff: FactFind) -> dict[str, float]:
    """The sums every ratio, goal and allocation is built from (annual cash flows, balance-sheet stocks)."""
    income = _sum(ff.cashflow, "income", "annual_amount")
    expense = _sum(ff.cashflow, "expense", "annual_amount")
    debt_payment = _sum(ff.cashflow, "debt_payment", "annual_amount")
    liquid = _sum(ff.balance, "liquid", "amount")
    financial = _sum(ff.balance, "financial", "amount")
    real = _sum(ff.balance, "real", "amount")
    liabilities = _sum(ff.balance, "liability", "amount")
    return derive(income=income, expense=expense, debt_payment=debt_payment, liquid=liquid,
                  financial=financial, real=real, liabilities=liabilities)


def derive(*, income: float, expense: float, debt_payment: float, liquid: float, financial: float,
           real: float, liabilities: float) -> dict[str, float]:
    """Totals from the seven raw sums, so a plan can change liquid/financial and recompute the rest."""
    spending = expense + debt_payment
    total_assets = liquid + financial + real
    return {"income": income, "expense": expense, "debt_payment": debt_payment, "spending": spending,
            "surplus": income - spending, "liquid": liquid, "financial": financial, "real": real,
            "liabilities": liabilities, "total_assets": total_assets,
            "net_assets": total_assets - liabilities}


@dataclass(frozen=True)
class _Ratio:
    key: str
    numerator: Callable[[dict[str, float]], float]
    denominator: Callable[[dict[str, float]], float]
    null_reason: str  # why the ratio is null: income_missing, spending_missing, assets_missing, net_assets_negative


_RATIOS: tuple[_Ratio, ...] = (
    _Ratio("savings_ratio", lambda t: t["surplus"], lambda t: t["income"], "income_missing"),
    _Ratio("liquidity_ratio", lambda t: t["liquid"], lambda t: t["spending"] / 12, "spending_missing"),
    _Ratio("liquid_to_net_assets", lambda t: t["liquid"], lambda t: t["net_assets"], "net_assets_negative"),
    _Ratio("solvency_ratio", lambda t: t["net_assets"], lambda t: t["total_assets"], "assets_missing"),
    _Ratio("debt_service_ratio", lambda t: t["debt_payment"], lambda t: t["income"], "income_missing"),
    _Ratio("investment_to_net_assets", lambda t: t["financial"], lambda t: t["net_assets"],
           "net_assets_negative"),
)


def ratio_values(t: dict[str, float]) -> dict[str, float | None]:
    """The six ratios as plain numbers; None where the denominator is ≤ 0 (CONTRACT §4)."""
    out: dict[str, float | None] = {}
    for r in _RATIOS:
        den = r.denominator(t)
        out[r.key] = float(r.numerator(t) / den) if den > 0 and math.isfinite(den) else None
    return out


def flag(key: str, value: float | None, b: RatioBenchmarks) -> str | None:
    """low / ok / high against the benchmark of CONTRACT §4; None for a null ratio."""
    if value is None:
        return None
    band = {
        "savings_ratio": (b.savings_ratio - b.savings_ratio_tolerance,
                          b.savings_ratio + b.savings_ratio_tolerance),
        "liquidity_ratio": (b.liquidity_ratio_min, b.liquidity_ratio_max),
        "liquid_to_net_assets": (b.liquid_to_net_assets - b.liquid_to_net_assets_tolerance,
                                 b.liquid_to_net_assets + b.liquid_to_net_assets_tolerance),
        "solvency_ratio": (b.solvency_ratio_min, math.inf),
        "debt_service_ratio": (-math.inf, b.debt_service_ratio_max),
        "investment_to_net_assets": (b.investment_to_net_assets_min, math.inf),
    }[key]
    if value < band[0] - _EPS:
        return "low"
    if value > band[1] + _EPS:
        return "high"
    return "ok"


def compute_ratios(totals: dict[str, float], benchmarks: RatioBenchmarks | None = None) -> pd.DataFrame:
    """One row per ratio key of CONTRACT §4, in that order: value, low/ok/high flag, null reason code."""
    b = benchmarks or RatioBenchmarks()
    values = ratio_values(totals)
    rows = [{"key": r.key, "value": values[r.key], "flag": flag(r.key, values[r.key], b),
             "null_reason": r.null_reason if values[r.key] is None else None} for r in _RATIOS]
    # object columns keep None (not NaN) for null ratios, as summary.json needs
    out = pd.DataFrame({c: pd.Series([row[c] for row in rows], dtype=object) for c in RATIO_COLUMNS})
    out.attrs["totals"] = dict(totals)  # lets advice size its amounts from the ratios frame alone
    return out


def compare(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Ratios before → after a plan, side by side (key, before, after, flag_before, flag_after)."""
    b = before.set_index("key")
    a = after.set_index("key").reindex(b.index)
    out = pd.DataFrame({
        "key": b.index, "before": b["value"].to_numpy(dtype=object), "after": a["value"].to_numpy(dtype=object),
        "flag_before": b["flag"].to_numpy(dtype=object), "flag_after": a["flag"].to_numpy(dtype=object),
    })
    return out.reset_index(drop=True)
