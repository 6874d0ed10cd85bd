"""The proposal's one plan: the household's money assigned, in a stated order, to
(1) the emergency fund, (2) each goal by horizon, (3) the general long-term portfolio.

Resources (`resources`):
- liquid money above the emergency fund (emergency_months × monthly spending, a figure inside the
  diagnosis's liquidity band) and above the floor of a liquid-to-net-assets ratio the diagnosis
  calls fine (so the plan never makes a sound ratio low);
- maturing time deposits (`time_deposit_investable_share` of the fact-find's 定期 items); when the
  liquidity ratio is *low* by the diagnosis (below the benchmark band, the same settings) they first
  top the emergency fund up, and whatever is still missing comes from the first year's surplus;
- the existing financial assets that stay where they are ("kept"), which fund only goals at least
  `kept_min_years` away (their terms are not known);
- the yearly surplus (income − spending), as a monthly saving.

Goals are funded nearest first: kept holdings (far goals only), then cash, then a monthly saving,
each only as much as brings the goal's simulated chance to `goal_confidence` (or to its current-path
chance when that is higher: a plan never weakens a goal). A goal is invested at its horizon's cap
(`horizon_caps`, at most the client's level) or, when cheaper for the same chance, at the current
path's low-risk level; its products' terms end before the goal's year. What is left goes to the
general portfolio at the client's level. If, with money short, that order would leave any goal
below its current path, the plan keeps the current path's shares instead (each goal then gets the
better of its two mixes), so every goal's chance after the plan is at least its chance before.

Chances are Monte Carlo with one seeded draw of yearly returns shared by every goal and level
(lognormal gross returns, savings at year ends): wealth after n years is S0·x + A·y per path, so the
lump sum or yearly saving a chance needs is a quantile, not a search.

The plan is built for every mix level up to the client's; a higher level never ends with a smaller
share in R3+ products than a lower one (the lower level's plan is kept if it would). Every purchase
passes `suitability.enforce`, the single gate.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.base.settings import ProposalSettings
from toolkit.client import portfolio
from toolkit.client.household import derive
from toolkit.client.suitability import SuitabilityStatus, enforce, risk_number

PLAN_GOAL_COLUMNS: tuple[str, ...] = (
    "goal", "target_year", "years", "target_today", "target_future", "level", "lump_kept", "lump_cash",
    "monthly_saving", "probability_before", "probability_after", "before_lump", "before_monthly",
    "extra_monthly_needed", "max_days")
RECOMMENDATION_COLUMNS: tuple[str, ...] = (*portfolio.LINE_COLUMNS, "purpose", "goal")
_REL = 1e-9  # relative slack so float noise does not fail a goal that is exactly met


def resources(totals: dict[str, float], balance: pd.DataFrame | None, liquidity_low: bool,
              settings: ProposalSettings, keep_liquid: float = 0.0) -> dict[str, float]:
    """The money the plan assigns and the emergency-fund rule (see the module docstring).

    `keep_liquid` is liquid money the plan leaves in place besides the emergency fund (the floor of a
    liquid-to-net-assets ratio the diagnosis calls fine, so the plan never pushes it out of its band)."""
    s = settings
    monthly_spending = max(totals["spending"], 0.0) / 12
    target = s.emergency_months * monthly_spending
    deposits = 0.0
    if balance is not None and not balance.empty:
        words = "|".join(map(re.escape, s.time_deposit_words))
        is_deposit = (balance["type"] == "financial") & balance["item"].astype(str).str.contains(
            words, case=False, regex=True, na=False)
        deposits = float(balance.loc[is_deposit, "amount"].astype(float).sum())
    maturing = s.time_deposit_investable_share * deposits
    shortfall = max(0.0, target - totals["liquid"]) if liquidity_low else 0.0
    top_up = min(maturing, shortfall)
    rest = shortfall - top_up
    surplus_monthly = max(totals["surplus"], 0.0) / 12
    to_emergency_monthly = min(surplus_monthly, rest / 12) if rest > 0 else 0.0
    excess = max(0.0, totals["liquid"] - max(target, keep_liquid))
    from_deposits = maturing - top_up
    return {"monthly_spending": monthly_spending, "emergency_months": s.emergency_months,
            "emergency_fund": target, "liquid": totals["liquid"], "liquidity_low": float(liquidity_low),
            "shortfall": shortfall, "top_up": top_up, "rest": rest,
            "months_to_fill": (rest / to_emergency_monthly) if to_emergency_monthly > 0 else math.inf * (rest > 0),
            "time_deposits": deposits, "maturing": maturing, "from_deposits": from_deposits,
            "excess_liquid": excess, "cash": excess + from_deposits,
            "kept": max(0.0, totals["financial"] - maturing),
            "surplus_monthly": surplus_monthly, "to_emergency_monthly": to_emergency_monthly,
            "goals_monthly": surplus_monthly - to_emergency_monthly}


class Paths:
    """One seeded draw of yearly returns (trials × horizon), turned into x, y per level and horizon."""

    def __init__(self, settings: ProposalSettings, horizon: int):
        self.s = settings
        rng = np.random.default_rng(settings.seed)
        self.z = rng.standard_normal((settings.monte_carlo_trials, max(int(horizon), 1)))
        self._cache: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}

    def xy(self, level: str, years: int) -> tuple[np.ndarray, np.ndarray]:
        """Wealth after `years` = S0·x + A·y on each path (A saved at each year end)."""
        key = (level, int(years))
        if key not in self._cache:
            n = self.z.shape[0]
            if years <= 0:
                self._cache[key] = (np.ones(n), np.zeros(n))
            else:
                mean, vol = self.s.expected_return[level], self.s.volatility[level]
                sigma2 = math.log1p(vol ** 2 / (1 + mean) ** 2)
                mu = math.log1p(mean) - sigma2 / 2
                cum = np.cumprod(np.exp(mu + math.sqrt(sigma2) * self.z[:, :years]), axis=1)
                x = cum[:, -1]
                self._cache[key] = (x, x * (1 / cum).sum(axis=1))
        return self._cache[key]


def chance(x: np.ndarray, y: np.ndarray, target: float, lump: float, annual: float) -> float:
    """Share of paths on which a lump sum and a yearly saving reach `target`."""
    if target <= 0:
        return 1.0
    return float(np.mean(lump * x + annual * y >= target * (1 - _REL)))


def _quantile(values: np.ndarray, p: float) -> float:
    k = max(1, math.ceil(p * len(values) - 1e-9))
    return float(np.partition(values, k - 1)[k - 1])


def lump_needed(x: np.ndarray, target: float, p: float) -> float:
    """The smallest lump sum that reaches `target` on a share `p` of the paths."""
    return 0.0 if target <= 0 else _quantile(target / x, p)


def annual_needed(x: np.ndarray, y: np.ndarray, target: float, lump: float, p: float) -> float:
    """The smallest yearly saving that, with `lump`, reaches `target` on a share `p` of the paths."""
    if target <= 0 or chance(x, y, target, lump, 0.0) >= p:
        return 0.0
    if not (y > 0).all():
        return math.inf
    return max(0.0, _quantile((target - lump * x) / y, p))


@dataclass
class Plan:
    """The plan's numbers: what each goal gets, what is bought with which purpose, the money moves."""

    level: str  # the mix level of the general portfolio (C1..C5)
    strategy: str  # "priority" (the stated order) or "current_shares" (the fallback)
    resources: dict[str, float]
    goals: pd.DataFrame
    recommendations: pd.DataFrame
    general_cash: float
    buy_by: dt.date
    monthly: dict[str, float] = field(default_factory=dict)
    emergency_max_days: int = 90
    cash_categories: tuple[str, ...] = ("demand_deposit", "wealth_products", "funds")

    @property
    def placed(self) -> float:
        return float(self.recommendations["amount"].sum()) if not self.recommendations.empty else 0.0

    def cash_like(self) -> float:
        """What is bought into R1 products withdrawable within the emergency limit (they count as liquid)."""
        r = self.recommendations
        if r.empty:
            return 0.0
        term = pd.to_numeric(r["term_days"], errors="coerce")
        liquid = ((r["risk_rating"] == "R1") & (term.isna() | (term <= self.emergency_max_days))
                  & r["category"].isin(self.cash_categories))
        return float(r.loc[liquid, "amount"].sum())

    def placed_for(self, purpose: str, goal: str | None = None) -> float:
        r = self.recommendations
        if r.empty:
            return 0.0
        keep = r["purpose"] == purpose
        if goal is not None:
            keep &= r["goal"] == goal
        return float(r.loc[keep, "amount"].sum())


def _cap(years: int, level: int, caps: dict[int, str]) -> int:
    for limit in sorted(caps):
        if years <= limit:
            return min(level, risk_number(caps[limit]) or 1)
    return level


def _goal_frame(goals: pd.DataFrame | None, as_of: dt.date, s: ProposalSettings) -> pd.DataFrame:
    if goals is None or goals.empty:
        return pd.DataFrame(columns=["goal", "target_year", "years", "target_today", "target_future", "max_days"])
    year = goals["target_year"].astype("int64").to_numpy()
    years = np.maximum(year - as_of.year, 0)
    today = goals["target_amount"].astype(float).to_numpy()
    days = [max(0, (dt.date(int(y), 1, 1) - as_of).days) if 1 <= int(y) <= 9999 else 0 for y in year]
    out = pd.DataFrame({"goal": goals["goal"].astype(str).to_numpy(), "target_year": year, "years": years,
                        "target_today": today, "target_future": today * (1 + s.inflation) ** years,
                        "max_days": days})
    return out.sort_values(["target_year"], kind="stable").reset_index(drop=True)


def _current_path(g: pd.DataFrame, res: dict[str, float], paths: Paths, s: ProposalSettings) -> pd.DataFrame:
    """The current path: the household's money shared over the goals by present need and kept as it is,
    with no saving set aside for them (today the surplus is not committed to any goal)."""
    level = s.plan.current_path_level
    rate = s.expected_return[level]
    need = g["target_future"].to_numpy(dtype=float) / (1 + rate) ** g["years"].to_numpy(dtype=float)
    w = need / need.sum() if need.sum() > 0 else np.full(len(g), 1 / max(len(g), 1))
    lump = (res["cash"] + res["kept"]) * w
    prob = [chance(*paths.xy(level, int(n)), float(t), float(lp), 0.0)
            for n, t, lp in zip(g["years"], g["target_future"], lump, strict=True)]
    return g.assign(before_lump=lump, before_monthly=0.0, probability_before=prob, weight=w)


def _priority(g: pd.DataFrame, res: dict[str, float], level: int, paths: Paths, s: ProposalSettings) -> list[dict]:
    """Goals funded nearest first to their target chance, from kept holdings, cash, then the surplus."""
    cash, kept, annual_left = res["cash"], res["kept"], 12 * res["goals_monthly"]
    current = s.plan.current_path_level
    out = []
    for r in g.itertuples(index=False):
        years, target = int(r.years), float(r.target_future)
        p = max(s.plan.goal_confidence, float(r.probability_before))
        options = {f"C{_cap(years, level, s.plan.horizon_caps)}", current}
        costs = {lv: lump_needed(paths.xy(lv, years)[0], target, p) for lv in options}
        chosen = min(options, key=lambda lv: (costs[lv], lv))
        x, y = paths.xy(chosen, years)
        need = costs[chosen]
        from_kept = 0.0 if years < s.plan.kept_min_years else min(kept, need)
        from_cash = min(cash, need - from_kept)
        kept, cash = kept - from_kept, cash - from_cash
        lump = from_kept + from_cash
        wanted = annual_needed(x, y, target, lump, p) if years > 0 else 0.0
        annual = min(wanted, annual_left)
        annual_left -= annual
        out.append({"level": chosen, "lump_kept": from_kept, "lump_cash": from_cash, "monthly_saving": annual / 12,
                    "probability_after": chance(x, y, target, lump, annual),
                    "extra_monthly_needed": (wanted - annual) / 12 if math.isfinite(wanted) else math.nan})
    return out


def _current_shares(g: pd.DataFrame, res: dict[str, float], level: int, paths: Paths,
                    s: ProposalSettings) -> list[dict]:
    """The fallback: each goal keeps its current-path share of the money and gets the same share of the
    surplus as a monthly saving, in the better of its two mixes (so never below its current path)."""
    out = []
    current = s.plan.current_path_level
    for r in g.itertuples(index=False):
        years, target = int(r.years), float(r.target_future)
        lump, annual = float(r.before_lump), 12 * res["goals_monthly"] * float(r.weight) * (years > 0)
        options = [current, f"C{_cap(years, level, s.plan.horizon_caps)}"]
        probs = {lv: chance(*paths.xy(lv, years), target, lump, annual) for lv in options}
        chosen = max(options, key=lambda lv: (probs[lv], lv == current))
        kept_share = float(r.weight) * res["kept"]
        out.append({"level": chosen, "lump_kept": kept_share, "lump_cash": lump - kept_share,
                    "monthly_saving": annual / 12, "probability_after": probs[chosen],
                    "extra_monthly_needed": math.nan})
    return out


def _solve(g: pd.DataFrame, res: dict[str, float], level: int, products: list[portfolio.Product],
           status: SuitabilityStatus, paths: Paths, s: ProposalSettings
           ) -> tuple[str, pd.DataFrame, pd.DataFrame, float]:
    strategy, funded = "priority", _priority(g, res, level, paths, s)
    if any(f["probability_after"] < b - 1e-12 for f, b in zip(funded, g["probability_before"], strict=True)):
        strategy, funded = "current_shares", _current_shares(g, res, level, paths, s)
    goals = g.assign(**{k: [f[k] for f in funded] for k in funded[0]}) if funded else g
    step, ceiling = s.allocation_step, status.max_product_risk
    rows: list[dict] = []
    if res["top_up"] > 0:
        p = portfolio.emergency_product(products, s.plan.emergency_categories, s.plan.emergency_max_days,
                                        res["top_up"], step)
        if p is not None:
            amount = portfolio.floor_amount(res["top_up"], step, p.minimum)
            if amount > 0:
                rows.append({"product_id": p.product_id, "name": p.name, "category": p.category,
                             "risk_rating": p.rating, "amount": amount, "expected_return": p.expected_return,
                             "term_days": p.term_days, "purpose": "emergency_fund", "goal": None})
    for r in goals.itertuples(index=False):
        lv = risk_number(r.level) or 1
        mix = {c: w for c, w in s.model_mix[f"C{lv}"].items() if c not in s.plan.goal_excluded_categories}
        for line in portfolio.fill(float(r.lump_cash), mix, products, min(lv, ceiling), int(r.max_days), step):
            rows.append({**line, "purpose": "goal", "goal": r.goal})
    general = res["cash"] - float(goals["lump_cash"].sum()) if not goals.empty else res["cash"]
    general = max(0.0, general)
    for line in portfolio.fill(general, s.model_mix[f"C{level}"], products, min(level, ceiling), None, step):
        rows.append({**line, "purpose": "general", "goal": None})
    recs = pd.DataFrame(rows, columns=list(RECOMMENDATION_COLUMNS)).astype(
        {"amount": float, "expected_return": float})
    return strategy, goals, recs, general


def build_plan(totals: dict[str, float], balance: pd.DataFrame | None, liquidity_low: bool,
               goals: pd.DataFrame | None, products: pd.DataFrame | None, status: SuitabilityStatus,
               mix_level: str, as_of: dt.date, settings: ProposalSettings | None = None,
               keep_liquid: float = 0.0) -> Plan:
    """The plan for the household: for each mix level up to `mix_level`, keeping the riskiest."""
    s = settings or ProposalSettings()
    res = resources(totals, balance, liquidity_low, s, keep_liquid)
    shelf = portfolio.shelf(products)
    g = _goal_frame(goals, as_of, s)
    paths = Paths(s, int(g["years"].max()) if not g.empty else 1)
    g = _current_path(g, res, paths, s) if not g.empty else g.assign(
        before_lump=[], before_monthly=[], probability_before=[], weight=[])
    best = None
    top = risk_number(mix_level) or 1
    # levels 1 and 2 hold nothing rated R3 or above, so they can never beat the client's own level
    for level in (top, *range(3, top)):
        strategy, funded, recs, general = _solve(g, res, level, shelf, status, paths, s)
        share = portfolio.high_risk_share(recs)
        if best is None or share > best[0] + 1e-12:
            best = (share, level, strategy, funded, recs, general)
    assert best is not None
    _share, level, strategy, funded, recs, general = best
    if products is not None and not recs.empty:
        enforce(recs, products, status)  # the single gate: raises on any unsuitable line
    goals_out = funded.drop(columns=["weight"], errors="ignore")
    goals_out = goals_out.reindex(columns=list(PLAN_GOAL_COLUMNS))
    monthly = {"surplus": res["surplus_monthly"], "to_emergency": res["to_emergency_monthly"],
               "to_goals": float(goals_out["monthly_saving"].sum()) if not goals_out.empty else 0.0}
    monthly["left"] = max(0.0, res["goals_monthly"] - monthly["to_goals"])
    return Plan(level=f"C{level}", strategy=strategy, resources=res, goals=goals_out.reset_index(drop=True),
                recommendations=recs.reset_index(drop=True), general_cash=general,
                buy_by=as_of + dt.timedelta(days=s.plan.act_within_days), monthly=monthly,
                emergency_max_days=s.plan.emergency_max_days, cash_categories=s.plan.emergency_categories)


def totals_after(totals: dict[str, float], plan: Plan) -> dict[str, float]:
    """Household totals once the plan is carried out: purchases are paid from liquid money above the
    emergency fund first, then from maturing deposits; the emergency top-up moves deposits to liquid
    (an emergency product is R1 and withdrawable within days, so it counts as liquid)."""
    res = plan.resources
    bought = plan.placed - plan.placed_for("emergency_fund")
    from_liquid = min(bought, res["excess_liquid"])
    cash_like = plan.cash_like() - plan.placed_for("emergency_fund")  # emergency money is already liquid
    return derive(income=totals["income"], expense=totals["expense"], debt_payment=totals["debt_payment"],
                  liquid=totals["liquid"] - from_liquid + res["top_up"] + cash_like,
                  financial=totals["financial"] + from_liquid - res["top_up"] - cash_like,
                  real=totals["real"], liabilities=totals["liabilities"])


def holdings_after(holdings: dict[str, float], plan: Plan) -> dict[str, float]:
    """Bank holdings by category after the plan, by the same money moves as `totals_after`."""
    res = plan.resources
    emergency = plan.placed_for("emergency_fund")
    bought = plan.placed - emergency
    from_liquid = min(bought, res["excess_liquid"])
    after = {c: float(v) for c, v in holdings.items()}
    after["demand_deposit"] = max(0.0, after.get("demand_deposit", 0.0) - from_liquid + res["top_up"] - emergency)
    after["time_deposit"] = max(0.0, after.get("time_deposit", 0.0) - (bought - from_liquid) - res["top_up"])
    recs = plan.recommendations
    if not recs.empty:
        for cat, amount in recs.groupby("category")["amount"].sum().items():
            after[str(cat)] = after.get(str(cat), 0.0) + float(amount)
    return after
