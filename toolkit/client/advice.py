"""The plan's actions (建议): each sentence of the advice is one action of the plan.

An action is {kind, ratio, goal, amount, notice, date}: `ratio` names the ratio it acts on (only a
ratio the diagnosis flags low or high, and only when the plan moves that ratio the advised way or
leaves it where it is), `goal` the goal it funds, `amount` its money in yuan. The notice (text key
`proposal.act.<kind…>`) carries the numbers; the report layer words it. Nothing here chooses a
product: the plan did, through the suitability gate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.base.notices import Notice
from toolkit.base.schema import ASSET_COLUMNS
from toolkit.base.settings import RatioBenchmarks
from toolkit.client.plan import Plan

#: The way each flag asks a ratio to move.
_DIRECTION = {"low": 1, "high": -1}


@dataclass(frozen=True)
class Action:
    """One step of the plan, as codes and numbers; `notice` is what the reader is told."""

    kind: str
    notice: Notice
    amount: float | None = None
    ratio: str | None = None
    goal: str | None = None
    date: Any = None


def _n(key: str, **values: Any) -> Notice:
    return Notice(f"proposal.act.{key}", values)


def _value(frame: pd.DataFrame, key: str) -> float | None:
    v = frame.loc[frame["key"] == key, "value"]
    if v.empty or v.iloc[0] is None or (isinstance(v.iloc[0], float) and math.isnan(v.iloc[0])):
        return None
    return float(v.iloc[0])


def moves_as_advised(key: str, flag: str | None, before: pd.DataFrame, after: pd.DataFrame,
                     strictly: bool = False) -> bool:
    """Does the plan move ratio `key` the way its flag asks (or leave it, unless `strictly`)?"""
    if flag not in _DIRECTION:
        return False
    b, a = _value(before, key), _value(after, key)
    if b is None or a is None:
        return False
    change = (a - b) * _DIRECTION[flag]
    return change > 1e-12 if strictly else change > -1e-12


def _change(key: str, before: pd.DataFrame, after: pd.DataFrame) -> Notice | None:
    """'the liquidity ratio goes from 32.1 to 6.0 months': names the ratio an action targets."""
    b, a = _value(before, key), _value(after, key)
    if b is None or a is None or abs(a - b) < 0.05:
        return None
    return _n("liquidity_change", months_held=b, months_after=a)


def _emergency(plan: Plan, flags: dict[str, Any], ratios: pd.DataFrame, after: pd.DataFrame,
               b: RatioBenchmarks) -> list[Action]:
    res = plan.resources
    common = {"months_held": _value(ratios, "liquidity_ratio"), "months": res["emergency_months"],
              "fund": res["emergency_fund"]}
    if res["liquidity_low"]:
        emergency = plan.recommendations[plan.recommendations["purpose"] == "emergency_fund"]
        product = None if emergency.empty else _n("in_product", name=emergency["name"].iloc[0],
                                                   pid=emergency["product_id"].iloc[0])
        rest = None
        if res["rest"] > 0.5 and math.isfinite(res["months_to_fill"]):
            rest = _n("emergency_rest", missing=res["rest"], monthly=res["to_emergency_monthly"],
                      n=math.ceil(res["months_to_fill"] - 1e-9))
        elif res["rest"] > 0.5:
            rest = _n("emergency_rest_none", missing=res["rest"])
        key = "emergency_top_up" if res["top_up"] > 0 else "emergency_save"
        change = _change("liquidity_ratio", ratios, after)
        return [Action(key, _n(key, short=res["shortfall"], amount=res["top_up"], product=product, rest=rest,
                               change=change, **common),
                       res["shortfall"], "liquidity_ratio", date=plan.buy_by)]
    moved = min(plan.placed - plan.placed_for("emergency_fund"), res["excess_liquid"])
    if moved >= 1:
        ratio = "liquidity_ratio" if flags.get("liquidity_ratio") == "high" else None
        if ratio and not moves_as_advised(ratio, "high", ratios, after, strictly=True):
            ratio = None
        change = _change(ratio, ratios, after) if ratio else None
        return [Action("invest_excess", _n("invest_excess", amount=moved, change=change, **common), moved, ratio,
                       date=plan.buy_by)]
    if flags.get("liquidity_ratio") == "high":  # kept liquid for the liquid-to-net-assets floor
        return [Action("emergency_ok", _n("emergency_high_kept", floor=b.liquid_to_net_assets
                                          - b.liquid_to_net_assets_tolerance, **common), res["emergency_fund"])]
    return [Action("emergency_ok", _n("emergency_ok", **common), res["emergency_fund"])]


def _holdings(plan: Plan, holdings: dict[str, Any] | None) -> list[Action]:
    res, out = plan.resources, []
    if res["maturing"] >= 1:
        key = "move_at_maturity" if res["top_up"] >= 1 else "move_at_maturity_reinvest"
        out.append(Action("move_at_maturity",
                          _n(key, amount=res["maturing"], share=plan_share(res), top_up=res["top_up"],
                             reinvest=res["from_deposits"]), res["maturing"]))
    if res["kept"] >= 1:
        where = tuple(c for c in ASSET_COLUMNS if holdings and c not in ("demand_deposit", "custody_margin")
                      and float(holdings.get(c, 0) or 0) > 0)
        to_goals = float(plan.goals["lump_kept"].sum()) if not plan.goals.empty else 0.0
        out.append(Action("keep", _n("keep" if to_goals >= 1 else "keep_general", amount=res["kept"], where=where,
                                     to_goals=to_goals), res["kept"]))
    return out


def plan_share(res: dict[str, float]) -> float:
    return res["maturing"] / res["time_deposits"] if res["time_deposits"] > 0 else 0.0


def _goals(plan: Plan, life_stage: str) -> list[Action]:
    out = []
    for g in plan.goals.itertuples(index=False):
        lump = float(g.lump_kept) + float(g.lump_cash)
        placed = plan.placed_for("goal", g.goal)
        funding = [n for n, amount in ((_n("fund_kept", kept=g.lump_kept), g.lump_kept),
                                       (_n("fund_cash", cash=placed), placed),
                                       (_n("fund_monthly", monthly=g.monthly_saving), g.monthly_saving))
                   if amount >= 1] or [_n("fund_none")]
        # every goal's products end before its year; low levels are said as low-risk products
        mix = _n("mix_short", year=g.target_year) if g.level in ("C1", "C2") else _n("mix_level", level=g.level)
        up = g.probability_after > g.probability_before + 1e-9
        chance = (_n("chance_up", before=g.probability_before, after=g.probability_after) if up
                  else _n("chance_same", after=g.probability_after))
        extra = g.extra_monthly_needed
        short = (_n("goal_short_retired" if life_stage == "retired" else "goal_short", extra=extra)
                 if isinstance(extra, float) and math.isfinite(extra) and extra >= 1 else None)
        out.append(Action("goal", _n("goal", goal=g.goal, year=g.target_year, future=g.target_future,
                                     today=g.target_today, funding=funding, mix=mix, chance=chance, short=short),
                          lump, goal=g.goal, date=plan.buy_by))
    return out


def _general(plan: Plan, flags: dict[str, Any], ratios: pd.DataFrame, after: pd.DataFrame) -> list[Action]:
    placed = plan.placed_for("general")
    out: list[Action] = []
    if placed >= 1:
        ratio = "investment_to_net_assets"
        targeted = flags.get(ratio) == "low" and moves_as_advised(ratio, "low", ratios, after, strictly=True)
        out.append(Action("general", _n("general_ratio" if targeted else "general", amount=placed, level=plan.level,
                                        v=_value(ratios, ratio), after=_value(after, ratio)),
                          placed, ratio if targeted else None, date=plan.buy_by))
    left = plan.resources["cash"] - (plan.placed - plan.placed_for("emergency_fund"))
    if plan.resources["cash"] >= 1 and plan.placed - plan.placed_for("emergency_fund") < 1:
        out.append(Action("nothing_suitable", _n("nothing_suitable", amount=plan.resources["cash"]),
                          plan.resources["cash"]))
    elif left >= 1:
        out.append(Action("cash", _n("cash", amount=left), left))
    return out


def _flows(plan: Plan, flags: dict[str, Any], totals: dict[str, float], b: RatioBenchmarks, life_stage: str,
           ratios: pd.DataFrame) -> list[Action]:
    out: list[Action] = []
    m = plan.monthly
    if m["surplus"] > 0:
        emergency = _n("surplus_emergency", emergency=m["to_emergency"]) if m["to_emergency"] >= 1 else None
        out.append(Action("surplus", _n("surplus" if m["left"] >= 1 else "surplus_full", surplus=m["surplus"], goals=m["to_goals"], emergency=emergency,
                                        left=m["left"]), m["surplus"]))
    v = _value(ratios, "savings_ratio")
    if flags.get("savings_ratio") == "low" and v is not None:
        if life_stage == "retired":
            gap = max(0.0, -totals["surplus"])
            out.append(Action("spending_gap", _n("retired_spending", v=v, amount=gap, monthly=gap / 12),
                              gap, "savings_ratio"))
        else:
            extra = totals["income"] * b.savings_ratio - totals["surplus"]
            out.append(Action("savings", _n("savings_low", v=v, target=b.savings_ratio, amount=extra,
                                            monthly=extra / 12), extra, "savings_ratio"))
    if flags.get("solvency_ratio") == "low":
        need = totals["liabilities"] - b.solvency_ratio_min * totals["total_assets"]
        out.append(Action("debt", _n("solvency_low", v=_value(ratios, "solvency_ratio"),
                                     target=b.solvency_ratio_min, amount=need), need, "solvency_ratio"))
    if flags.get("debt_service_ratio") == "high":
        income, pay = totals["income"] / 12, totals["debt_payment"] / 12
        cap = b.debt_service_ratio_max * income
        out.append(Action("debt_service", _n("debt_service_high", v=_value(ratios, "debt_service_ratio"),
                                             target=b.debt_service_ratio_max, pay=pay, cap=cap, amount=pay - cap),
                          pay - cap, "debt_service_ratio"))
    return out


def _liquid_to_net(flags: dict[str, Any], ratios: pd.DataFrame, after: pd.DataFrame) -> list[Action]:
    key = "liquid_to_net_assets"
    flag = flags.get(key)
    if flag in _DIRECTION and moves_as_advised(key, flag, ratios, after, strictly=True):
        return [Action("liquid_to_net", _n(f"liquid_to_net_{flag}", v=_value(ratios, key), after=_value(after, key)),
                       None, key)]
    return []


def plan_actions(plan: Plan, ratios: pd.DataFrame, ratios_after: pd.DataFrame, totals: dict[str, float],
                 benchmarks: RatioBenchmarks, holdings: dict[str, Any] | None, life_stage: str) -> list[Action]:
    """The plan's actions in reading order: emergency fund, holdings, goals, general portfolio, cash
    flow and debts. Only ratios flagged low/high are named, and only when the plan moves them as advised."""
    flags = dict(zip(ratios["key"], ratios["flag"], strict=True))
    stage = ([Action("life_stage", _n("retired_focus", months=plan.resources["emergency_months"]))]
             if life_stage == "retired" else [])
    out = [*stage, *_emergency(plan, flags, ratios, ratios_after, benchmarks), *_liquid_to_net(flags, ratios, ratios_after),
           *_holdings(plan, holdings), *_goals(plan, life_stage), *_general(plan, flags, ratios, ratios_after),
           *_flows(plan, flags, totals, benchmarks, life_stage, ratios)]
    return out
