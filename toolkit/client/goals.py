"""Financial goals (理财目标): what each goal costs in its target year, what the plan reaches, the gap.

Conventions, chosen so the deterministic projection and the Monte Carlo agree:
- Money is counted in whole years: years = target_year − as_of.year (0 for this year or earlier,
  which means the goal is due now and can only be met from what is already set aside).
- Targets are in today's money and grow with `settings.inflation`.
- Returns are the expected annual return of the client's risk level (`settings.expected_return`);
  the caller passes the *effective* level, so a client without a valid assessment is projected at C1.
- Savings are credited at each year end (conservative: no interest in the year they are saved);
  the monthly saving that closes a gap is the year-end amount divided by 12.
- Several goals share the client's current savings and annual saving **pro rata to the present
  value of each goal's need** (target_future discounted at the return), so the nearest and largest
  needs get the most and every goal is funded by the same fraction of its cost.
- Monte Carlo: gross annual returns are lognormal with the level's mean and volatility
  (`settings.volatility`), drawn once as a trials × years matrix from numpy's seeded Generator and
  shared by all goals; the wealth path is computed with cumprod/cumsum, no loop over years.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from toolkit.base.settings import ProposalSettings

GOAL_COLUMNS: tuple[str, ...] = ("goal", "target_year", "years", "target_today", "target_future", "projected",
                                 "gap", "monthly_saving_needed", "probability", "earmarked_savings",
                                 "earmarked_annual_saving", "due_now")
_REL = 1e-9  # relative slack when comparing money to a target, so float noise does not fail a met goal


def annuity_factor(rate: float, years: np.ndarray) -> np.ndarray:
    """Value after `years` of 1 yuan saved at each year end: ((1+r)^n − 1) / r, or n when r = 0."""
    n = np.asarray(years, dtype=float)
    if abs(rate) < 1e-12:
        return n
    return ((1 + rate) ** n - 1) / rate


def success_probability(targets: np.ndarray, years: np.ndarray, start: np.ndarray, annual: np.ndarray,
                        mean: float, volatility: float, trials: int, seed: int) -> np.ndarray:
    """Share of simulated return paths on which each goal's savings reach its target.

    W_n = P_n · (S0 + A · Σ_{k≤n} 1/P_k) with P_k the cumulative gross return after k years.
    """
    targets, start, annual = (np.asarray(x, dtype=float) for x in (targets, start, annual))
    years = np.asarray(years, dtype=int)
    horizon = int(years.max(initial=0))
    if horizon == 0:
        return (start >= targets * (1 - _REL)).astype(float)
    sigma2 = np.log1p(volatility ** 2 / (1 + mean) ** 2)
    mu = np.log1p(mean) - sigma2 / 2
    z = np.random.default_rng(seed).standard_normal((trials, horizon))
    cumulative = np.cumprod(np.exp(mu + np.sqrt(sigma2) * z), axis=1)
    inverse_sum = np.cumsum(1 / cumulative, axis=1)
    col = np.maximum(years - 1, 0)
    wealth = cumulative[:, col] * (start + annual * inverse_sum[:, col])
    wealth = np.where(years == 0, start, wealth)
    return (wealth >= targets * (1 - _REL)).mean(axis=0)


def _empty() -> pd.DataFrame:
    types = {"goal": object, "target_year": "int64", "years": "int64", "due_now": bool}
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, float)) for c in GOAL_COLUMNS})


def project_goals(goals: pd.DataFrame | None, as_of: dt.date, risk_level: str | None, current_savings: float,
                  annual_saving: float, settings: ProposalSettings | None = None) -> pd.DataFrame:
    """One row per goal: future cost, projected savings, gap, monthly saving to close it, probability."""
    s = settings or ProposalSettings()
    if goals is None or goals.empty:
        return _empty()
    level = risk_level if risk_level in s.expected_return else "C1"
    rate, vol = s.expected_return[level], s.volatility[level]
    as_of = pd.Timestamp(as_of).date()
    target_year = goals["target_year"].astype("int64").to_numpy()
    years = np.maximum(target_year - as_of.year, 0)
    target_today = goals["target_amount"].astype(float).to_numpy()
    target_future = target_today * (1 + s.inflation) ** years
    present_need = target_future / (1 + rate) ** years
    total_need = present_need.sum()
    weight = present_need / total_need if total_need > 0 else np.full(len(goals), 1 / len(goals))
    earmarked = max(float(current_savings), 0.0) * weight
    earmarked_annual = max(float(annual_saving), 0.0) * weight
    annuity = annuity_factor(rate, years)
    projected = earmarked * (1 + rate) ** years + earmarked_annual * annuity
    gap = np.maximum(target_future - projected, 0.0)
    gap = np.where(gap <= target_future * _REL, 0.0, gap)
    due_now = years == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        monthly = np.where(gap == 0, 0.0, np.where(due_now, np.nan, gap / (12 * annuity)))
    probability = success_probability(target_future, years, earmarked, earmarked_annual, rate, vol,
                                       s.monte_carlo_trials, s.seed)
    return pd.DataFrame({
        "goal": goals["goal"].astype(object).to_numpy(), "target_year": target_year,
        "years": years.astype("int64"),
        "target_today": target_today, "target_future": target_future, "projected": projected, "gap": gap,
        "monthly_saving_needed": monthly, "probability": probability, "earmarked_savings": earmarked,
        "earmarked_annual_saving": earmarked_annual, "due_now": due_now,
    }, columns=list(GOAL_COLUMNS))
