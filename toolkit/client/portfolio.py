"""Model portfolios: per risk level a target mix by category (settings.model_mix), each category
filled from the shelf by category and risk.

A sleeve of money (the emergency fund, one goal, the general portfolio) is invested at one level
C1–C5. For each category of that level's mix the picker takes the product whose rating is the
highest the sleeve allows (R ≤ the level and ≤ the client's suitability ceiling), then the best
stated return (a product without one, such as an equity fund, is not passed over for that), then
the lower minimum and product id. So a C5 sleeve holds equity funds when the shelf has them, and a
C3 sleeve a balanced fund. A sleeve may also require that a product's term ends within `max_days`
(money a goal needs in its year is never locked past it). Amounts are rounded down to whole
`allocation_step`s but never below a product's minimum; a category nothing can fill gives its weight
to the others, and what cannot be placed stays as cash. Plain Python over the shelf's few dozen
rows: the plan builds several sleeves for every risk level it compares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from toolkit.client.suitability import risk_number

LINE_COLUMNS: tuple[str, ...] = ("product_id", "name", "category", "risk_rating", "amount", "expected_return",
                                 "term_days")


@dataclass(frozen=True)
class Product:
    """One shelf row as the picker needs it."""

    product_id: str
    name: str
    category: str
    risk: int
    minimum: float
    term_days: int | None
    expected_return: float  # NaN when the shelf states none

    @property
    def rating(self) -> str:
        return f"R{self.risk}"


def shelf(products: pd.DataFrame | None) -> list[Product]:
    """The rated shelf rows as Products (unrated rows cannot be offered and are left out)."""
    if products is None or products.empty:
        return []
    out = []
    terms = products["term_days"] if "term_days" in products else pd.Series(None, index=products.index)
    rets = products["expected_return"] if "expected_return" in products else pd.Series(None, index=products.index)
    for pid, name, cat, rating, minimum, term, ret in zip(
            products["product_id"], products["name"], products["category"], products["risk_rating"],
            pd.to_numeric(products["min_amount"], errors="coerce").fillna(0.0), terms, rets, strict=True):
        risk = risk_number(rating)
        if risk is None:
            continue
        term_days = None if term is None or pd.isna(term) else int(term)
        value = float("nan") if ret is None or pd.isna(ret) else float(ret)
        out.append(Product(str(pid), str(name), str(cat), risk, float(minimum), term_days, value))
    return out


def fits(p: Product, max_risk: int, max_days: int | None) -> bool:
    """A product the sleeve may hold: rated within its ceiling, its term ending within `max_days`."""
    return p.risk <= max_risk and (max_days is None or p.term_days is None or p.term_days <= max_days)


def pick(products: list[Product], category: str, max_risk: int, max_days: int | None, budget: float,
         step: float) -> Product | None:
    """The category's product for the sleeve: highest rating allowed, best return, lower minimum, id."""
    best: Product | None = None
    best_key: tuple = ()
    for p in products:
        if p.category != category or not fits(p, max_risk, max_days):
            continue
        if (p.minimum if p.minimum > 0 else step) > budget + 1e-9:
            continue
        key = (-p.risk, -(p.expected_return if math.isfinite(p.expected_return) else -1.0), p.minimum, p.product_id)
        if best is None or key < best_key:
            best, best_key = p, key
    return best


def floor_amount(budget: float, step: float, minimum: float) -> float:
    """Largest whole number of steps ≤ budget, or exactly the minimum if only that fits."""
    amount = math.floor(budget / step + 1e-9) * step
    if amount < minimum <= budget:
        amount = minimum
    return float(amount) if amount >= minimum and amount > 0 else 0.0


def fill(amount: float, weights: dict[str, float], products: list[Product], max_risk: int, max_days: int | None,
         step: float) -> list[dict]:
    """Spread `amount` over `weights` (category -> weight); never more than `amount` in total."""
    weights = {c: w for c, w in weights.items() if w > 0}
    if amount <= 0 or not products:
        return []
    picks: dict[str, Product | None] = {}
    budgets: dict[str, float] = {}
    while weights:
        total = sum(weights.values())
        budgets = {c: amount * w / total for c, w in weights.items()}
        picks = {c: pick(products, c, max_risk, max_days, budgets[c], step) for c in weights}
        failed = [c for c, p in picks.items() if p is None]
        if not failed:
            break
        for c in failed:
            del weights[c]
    rows = []
    for category in weights:
        p = picks[category]
        assert p is not None
        placed = floor_amount(budgets[category], step, p.minimum)
        if placed > 0:
            rows.append({"product_id": p.product_id, "name": p.name, "category": p.category,
                         "risk_rating": p.rating, "amount": placed, "expected_return": p.expected_return,
                         "term_days": p.term_days, "_min": p.minimum})
    while rows and sum(r["amount"] for r in rows) > amount + 1e-6:  # float noise: trim the largest line
        big = max(rows, key=lambda r: r["amount"])
        if big["amount"] - step >= max(big["_min"], step):
            big["amount"] -= step
        else:
            rows.remove(big)
    for r in rows:
        del r["_min"]
    return rows


def emergency_product(products: list[Product], categories: tuple[str, ...], max_days: int,
                      budget: float, step: float) -> Product | None:
    """Where emergency money may sit: R1, withdrawable within `max_days`, the best return."""
    best: Product | None = None
    for p in products:
        if p.category not in categories or p.risk != 1 or (p.term_days is not None and p.term_days > max_days):
            continue
        if (p.minimum if p.minimum > 0 else step) > budget + 1e-9:
            continue
        ret = p.expected_return if math.isfinite(p.expected_return) else -1.0
        best_ret = -2.0 if best is None else (best.expected_return if math.isfinite(best.expected_return) else -1.0)
        if best is None or (ret, -p.minimum) > (best_ret, -best.minimum):
            best = p
    return best


def high_risk_share(lines: pd.DataFrame, from_risk: int = 3) -> float:
    """Share of the recommended amount in products rated R`from_risk` or above (0 when none)."""
    if lines.empty:
        return 0.0
    total = float(lines["amount"].sum())
    risky = float(lines.loc[lines["risk_rating"].map(risk_number).fillna(0) >= from_risk, "amount"].sum())
    return risky / total if total > 0 else 0.0
