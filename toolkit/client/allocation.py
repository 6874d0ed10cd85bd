"""The investable surplus and a suitable model allocation from the product shelf.

Investable (可投资金额) = liquid assets above the emergency fund + a share of time deposits:
- emergency fund = `emergency_months` × monthly spending (spending = expense + debt payments);
- time deposits are the balance sheet's *financial* items whose item text contains one of
  `settings.time_deposit_words` (定期 / "time deposit"); `time_deposit_investable_share` of them is
  assumed to mature within the plan. Maturing money first tops up an emergency fund that is short
  (the advice says no new investment before it is full); only the rest is reinvested.
The plan draws first on the excess liquid money, then on maturing deposits, so after the plan
liquid falls and financial rises by the part that came out of liquid, and the deposits that
topped up the emergency fund move from financial to liquid. That after-plan money rule is
`plan_moves`, the one place both the after-plan totals (and so the after-plan ratios) and the
after-plan holdings by category (the allocation chart) are computed from.

Allocation: the model mix of the client's effective risk level (C1 without a valid assessment),
one product per category (the best expected return the client may buy and can afford, ties broken
by lower risk, lower minimum, then product id), amounts rounded down to `allocation_step` yuan but
never below the product's minimum. Categories that cannot place money give their weight to the
others; rounding remainders stay as cash. The result always passes `suitability.enforce`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd

from toolkit.base.settings import ProposalSettings, RatioBenchmarks
from toolkit.client.household import compute_ratios, derive
from toolkit.client.suitability import SuitabilityStatus, enforce, risk_number, suitable_products

ALLOCATION_COLUMNS: tuple[str, ...] = ("product_id", "name", "category", "risk_rating", "amount",
                                       "expected_return")


def investable(totals: dict[str, float], ff_balance: pd.DataFrame | None,
               settings: ProposalSettings | None = None) -> dict[str, float]:
    """How much can be invested now, and how it was found (emergency fund, excess liquid, deposits)."""
    s = settings or ProposalSettings()
    monthly_spending = max(totals["spending"], 0.0) / 12
    emergency = s.emergency_months * monthly_spending
    excess_liquid = max(0.0, totals["liquid"] - emergency)
    deposits = 0.0
    if ff_balance is not None and not ff_balance.empty:
        words = "|".join(map(re.escape, s.time_deposit_words))
        is_deposit = (ff_balance["type"] == "financial") & ff_balance["item"].astype(str).str.contains(
            words, case=False, regex=True, na=False)
        deposits = float(ff_balance.loc[is_deposit, "amount"].astype(float).sum())
    maturing = s.time_deposit_investable_share * deposits
    shortfall = max(0.0, emergency - totals["liquid"])
    to_emergency = min(maturing, shortfall)
    from_deposits = maturing - to_emergency
    return {"monthly_spending": monthly_spending, "emergency_months": s.emergency_months,
            "emergency_fund": emergency, "liquid": totals["liquid"], "excess_liquid": excess_liquid,
            "liquid_shortfall": shortfall, "time_deposits": deposits,
            "time_deposit_share": s.time_deposit_investable_share, "maturing_deposits": maturing,
            "to_emergency_fund": to_emergency, "shortfall_after_refill": shortfall - to_emergency,
            "from_time_deposits": from_deposits, "investable": excess_liquid + from_deposits}


def mix_level(status: SuitabilityStatus, risk_level: str | None) -> str:
    """The model mix to use: never riskier than either the stated level or the suitability ceiling."""
    stated = risk_number(risk_level) or 1
    return f"C{min(stated, status.max_product_risk)}"


def _floor(budget: float, step: float, minimum: float) -> float:
    """Largest amount ≤ budget that is a whole step, or exactly the minimum if that is all that fits."""
    amount = math.floor(budget / step + 1e-9) * step
    if amount < minimum <= budget:
        amount = minimum
    return float(amount) if amount >= minimum and amount > 0 else 0.0


def _pick(candidates: pd.DataFrame, budget: float) -> pd.Series | None:
    """Best affordable product of a category: highest expected return, then safer, cheaper, lower id.

    Affordable means the budget reaches the product's minimum (or one whole step if it has none).
    """
    affordable = candidates[candidates["_need"] <= budget]
    if affordable.empty:
        return None
    ranked = affordable.sort_values(["_ret", "_risk", "_min", "_pid"], ascending=[False, True, True, True])
    return ranked.iloc[0]


def allocate(amount: float, products: pd.DataFrame, status: SuitabilityStatus, risk_level: str | None,
             settings: ProposalSettings | None = None) -> pd.DataFrame:
    """Spread `amount` over the model mix with suitable products; never more than `amount` in total."""
    s = settings or ProposalSettings()
    empty = pd.DataFrame({c: pd.Series(dtype=float if c in ("amount", "expected_return") else object)
                          for c in ALLOCATION_COLUMNS})
    if not amount or amount <= 0 or products is None or products.empty:
        return empty
    shelf = suitable_products(products, status)
    returns = shelf.get("expected_return", pd.Series(math.nan, index=shelf.index))
    minimum = pd.to_numeric(shelf["min_amount"], errors="coerce").fillna(0.0).astype(float)
    shelf = shelf.assign(
        _min=minimum, _need=minimum.where(minimum > 0, s.allocation_step),
        _ret=pd.to_numeric(returns, errors="coerce").astype(float).fillna(-math.inf),
        _risk=shelf["risk_rating"].map(risk_number).astype(float),
        _pid=shelf["product_id"].astype(str),
    )
    weights = {c: w for c, w in s.model_mix[mix_level(status, risk_level)].items() if w > 0}
    by_category = {c: shelf[shelf["category"] == c] for c in weights}
    while weights:
        total = sum(weights.values())
        budgets = {c: amount * w / total for c, w in weights.items()}
        picks = {c: _pick(by_category[c], budgets[c]) for c in weights}
        failed = [c for c, p in picks.items() if p is None]
        if not failed:
            break
        for c in failed:
            del weights[c]
    rows = []
    for category in weights:  # at most eight categories: the mix, not the clients
        pick = picks[category]
        placed = _floor(budgets[category], s.allocation_step, float(pick["_min"]))
        if placed > 0:
            rows.append({"product_id": pick["product_id"], "name": pick["name"], "category": category,
                         "risk_rating": pick["risk_rating"], "amount": placed,
                         "expected_return": float(pick["_ret"]) if math.isfinite(pick["_ret"]) else math.nan})
    if not rows:
        return empty
    out = _within(pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS)), amount, s.allocation_step,
                  shelf.set_index("_pid")["_min"])
    return enforce(out, products, status)


def _within(out: pd.DataFrame, amount: float, step: float, minimum: pd.Series) -> pd.DataFrame:
    """Guard against float noise pushing the total over `amount`: trim the largest line by a step."""
    out = out.reset_index(drop=True)
    while not out.empty and out["amount"].sum() > amount:
        i = int(out["amount"].idxmax())
        reduced = out.at[i, "amount"] - step
        if reduced >= minimum[str(out.at[i, "product_id"])] and reduced > 0:
            out.at[i, "amount"] = reduced
        else:
            out = out.drop(index=i).reset_index(drop=True)
    return out


def unallocated(amount: float, allocation: pd.DataFrame) -> float:
    """What the plan leaves as cash (rounding remainders, categories with nothing suitable)."""
    placed = float(allocation["amount"].sum()) if not allocation.empty else 0.0
    return max(0.0, float(amount) - placed)


def plan_moves(invest: dict[str, float], allocation: pd.DataFrame) -> dict[str, float]:
    """Where the plan's money comes from: first liquid money above the emergency fund, then maturing
    time deposits; maturing deposits that top up a short emergency fund move into liquid money."""
    placed = float(allocation["amount"].sum()) if not allocation.empty else 0.0
    from_liquid = min(placed, invest["excess_liquid"])
    return {"placed": placed, "from_liquid": from_liquid, "from_deposits": placed - from_liquid,
            "to_emergency_fund": invest["to_emergency_fund"],
            "out_of_liquid": from_liquid - invest["to_emergency_fund"]}


def totals_after_plan(totals: dict[str, float], invest: dict[str, float],
                      allocation: pd.DataFrame) -> dict[str, float]:
    """Household totals once the plan is carried out: liquid moves into financial, deposits roll over
    (those that top up the emergency fund move into liquid)."""
    moved = plan_moves(invest, allocation)["out_of_liquid"]
    return derive(income=totals["income"], expense=totals["expense"], debt_payment=totals["debt_payment"],
                  liquid=totals["liquid"] - moved, financial=totals["financial"] + moved,
                  real=totals["real"], liabilities=totals["liabilities"])


def holdings_after_plan(holdings: Mapping[str, float], invest: dict[str, float],
                        allocation: pd.DataFrame) -> dict[str, float]:
    """Holdings by category once the plan is carried out, by the same moves as `totals_after_plan`:
    demand deposits pay what comes out of liquid money and receive the emergency-fund top-up; time
    deposits pay the rest and the top-up; each recommended category receives its amount. A
    category never goes below zero (the bank may hold less than the fact-find declares)."""
    m = plan_moves(invest, allocation)
    after = {c: float(v) for c, v in holdings.items()}
    after["demand_deposit"] = max(0.0, after.get("demand_deposit", 0.0) - m["out_of_liquid"])
    after["time_deposit"] = max(0.0, after.get("time_deposit", 0.0) - m["from_deposits"] - m["to_emergency_fund"])
    if not allocation.empty:
        for cat, amount in allocation.groupby("category")["amount"].sum().items():
            after[str(cat)] = after.get(str(cat), 0.0) + float(amount)
    return after


def after_plan_ratios(totals: dict[str, float], invest: dict[str, float], allocation: pd.DataFrame,
                      benchmarks: RatioBenchmarks | None = None) -> pd.DataFrame:
    """The six ratios recomputed after the plan, same shape as `household.compute_ratios`."""
    return compute_ratios(totals_after_plan(totals, invest, allocation), benchmarks)
