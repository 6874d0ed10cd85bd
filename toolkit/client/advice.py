"""Turn the diagnosis into advice: each flagged ratio, goal gap and the allocation becomes a concrete
recommendation with an amount (建议).

Advice only describes; it never chooses products. Product lines come from the allocation, which has
already passed `suitability.enforce`, so nothing here can recommend an unsuitable product.
Each recommendation is a notice (text key `proposal.advice.<code>` with its numbers: amounts in
yuan, shares as fractions, category codes), so every language says the same; the report layer
words it (toolkit.report.proposal_sections.advice_text).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from toolkit.base.notices import Notice
from toolkit.base.settings import RatioBenchmarks
from toolkit.client.suitability import SuitabilityStatus

_NULL_TOPICS = {"savings_ratio": "income_missing", "debt_service_ratio": "income_missing",
                "liquidity_ratio": "spending_missing", "solvency_ratio": "assets_missing",
                "liquid_to_net_assets": "net_assets_negative",
                "investment_to_net_assets": "net_assets_negative"}


def _say(key: str, **values: Any) -> Notice:
    return Notice(f"proposal.advice.{key}", values)


def _item(topic: str, key: str, value: float | None = None, **values: Any) -> dict[str, Any]:
    """One recommendation; `value` is its amount, quoted as {amount} unless the notice gets another."""
    if value is not None:
        values.setdefault("amount", value)
    return {"topic": topic, "notice": _say(key, **values),
            "amount": None if value is None else float(round(value, 2))}


def _categories(allocation: pd.DataFrame) -> tuple[str, ...]:
    return tuple(str(c) for c in dict.fromkeys(allocation["category"]))


def _suitability(status: SuitabilityStatus) -> list[dict[str, Any]]:
    said = dict(zip(status.reasons, status.notices(), strict=True))
    out = []
    if status.needs_assessment:
        reason = next(r for r in status.reasons if r.startswith(("no_", "assessment_")))
        out.append({"topic": "risk_assessment", "notice": said[reason], "amount": None})
    if status.extra_care:
        out.append({"topic": "extra_care", "notice": said["extra_care"], "amount": None})
    return out


def _ratio_advice(key: str, value: float, flag: str, t: dict[str, float], inv: dict[str, float],
                  allocation: pd.DataFrame, b: RatioBenchmarks) -> dict[str, Any] | None:
    if key == "savings_ratio" and flag == "low":
        extra = t["income"] * b.savings_ratio - t["surplus"]
        return _item(key, "savings_low", extra, v=value, target=b.savings_ratio, monthly=extra / 12)
    if key == "savings_ratio" and flag == "high":
        return _item(key, "savings_high", t["surplus"] / 12, v=value)
    if key == "liquidity_ratio":
        common = {"months_held": value, "months": inv["emergency_months"], "fund": inv["emergency_fund"]}
        if inv["to_emergency_fund"] > 0:
            missing = inv["shortfall_after_refill"]
            rest = _say("refill_rest", missing=missing) if missing > 0.005 else None
            return _item(key, "liquidity_refill", inv["to_emergency_fund"], short=inv["liquid_shortfall"],
                         rest=rest, **common)
        if flag == "low" or inv["liquid_shortfall"] > 0:
            return _item(key, "liquidity_short", inv["liquid_shortfall"], **common)
        if flag == "high":
            where = _categories(allocation)  # empty: low-risk R1 products
            return _item(key, "liquidity_high", inv["excess_liquid"], max=b.liquidity_ratio_max,
                         where=where, **common)
        return None
    if key == "liquid_to_net_assets" and flag == "low":
        need = b.liquid_to_net_assets * t["net_assets"] - t["liquid"]
        return _item(key, "liquid_to_net_low", need, v=value, target=b.liquid_to_net_assets)
    if key == "liquid_to_net_assets" and flag == "high":
        return _item(key, "liquid_to_net_high", t["liquid"] - b.liquid_to_net_assets * t["net_assets"], v=value)
    if key == "solvency_ratio" and flag == "low":
        need = t["liabilities"] - b.solvency_ratio_min * t["total_assets"]
        return _item(key, "solvency_low", need, v=value, target=b.solvency_ratio_min)
    if key == "debt_service_ratio" and flag == "high":
        pay, cap = t["debt_payment"] / 12, b.debt_service_ratio_max * t["income"] / 12
        return _item(key, "debt_service_high", pay - cap, v=value, target=b.debt_service_ratio_max,
                     pay=pay, cap=cap)
    if key == "investment_to_net_assets" and flag == "low":
        need = b.investment_to_net_assets_min * t["net_assets"] - t["financial"]
        placed = float(allocation["amount"].sum()) if not allocation.empty else 0.0
        return _item(key, "investment_low", need, v=value, target=b.investment_to_net_assets_min,
                     placed=placed)
    return None


def _goal_advice(goals: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for g in goals.itertuples(index=False):  # one sentence per goal the client wrote down
        head = _say("goal_head", goal=g.goal, year=g.target_year, future=g.target_future, today=g.target_today)
        common = {"head": head, "p": g.probability, "projected": g.projected}
        if g.gap <= 0:
            out.append(_item("goal", "goal_met", **common))
        elif g.due_now:
            out.append(_item("goal", "goal_due", g.gap, **common))
        else:
            out.append(_item("goal", "goal_gap", g.monthly_saving_needed, gap=g.gap, **common))
    return out


def _allocation_advice(inv: dict[str, float], allocation: pd.DataFrame,
                       status: SuitabilityStatus) -> list[dict[str, Any]]:
    amount, ceiling = inv["investable"], status.max_product_risk
    if amount <= 0:
        return [_item("allocation", "nothing_to_invest", 0.0)]
    if allocation.empty:
        return [_item("allocation", "nothing_suitable", 0.0, amount=amount, ceiling=ceiling)]
    placed = float(allocation["amount"].sum())
    out = [_item("allocation", "allocation", placed, investable=amount, excess=inv["excess_liquid"],
                 share=inv["time_deposit_share"], deposits=inv["from_time_deposits"],
                 maturing=inv["maturing_deposits"], where=_categories(allocation), ceiling=ceiling)]
    for p in allocation.itertuples(index=False):  # one line per recommended product (a handful)
        has_return = isinstance(p.expected_return, float) and math.isfinite(p.expected_return)
        ret = _say("product_return", r=p.expected_return) if has_return else None
        out.append(_item("product", "product", p.amount, name=p.name, pid=p.product_id, rating=p.risk_rating,
                         category=p.category, ret=ret))
    left = amount - placed
    if left >= 1:
        out.append(_item("cash", "cash", left))
    return out


def advise(ratios: pd.DataFrame, goals: pd.DataFrame, investable: dict[str, float], allocation: pd.DataFrame,
           status: SuitabilityStatus, *, totals: dict[str, float] | None = None,
           benchmarks: RatioBenchmarks | None = None) -> list[dict[str, Any]]:
    """Recommendations in reading order: suitability, ratio flags, goals, allocation.

    Each is {topic, notice, amount}; `amount` is in yuan (annual, monthly or one-off as the notice
    says), or None. Ratio amounts come from `totals`, by default the totals `compute_ratios` was given.
    """
    totals = totals if totals is not None else ratios.attrs.get("totals")
    b = benchmarks or RatioBenchmarks()
    out = _suitability(status)
    seen: set[str] = set()
    for r in ratios.itertuples(index=False):  # the six ratios
        if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)):
            topic = _NULL_TOPICS[r.key]
            if topic not in seen:
                seen.add(topic)
                out.append({"topic": topic, "notice": _say(topic), "amount": None})
        elif totals is not None:
            item = _ratio_advice(r.key, float(r.value), r.flag, totals, investable, allocation, b)
            if item is not None:
                out.append(item)
    if goals is not None and not goals.empty:
        out.extend(_goal_advice(goals))
    out.extend(_allocation_advice(investable, allocation, status))
    return out
