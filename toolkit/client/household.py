"""A household's totals and the six ratios of CONTRACT §4 (表2 income/spending, 表3 assets/liabilities).

The ratios are the advisor's diagnosis: each one is compared with a benchmark from settings and
explained in plain words. A ratio whose denominator is zero or negative (no income, no assets,
insolvent household) is `None` with the reason, because a proposal must still be produced.
Boundaries count as meeting the benchmark ("50%以上" includes 50%).
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
RATIO_COLUMNS: tuple[str, ...] = ("key", "label", "value", "flag", "benchmark", "explanation", "null_reason")
_EPS = 1e-9  # boundary slack so a value exactly on a benchmark edge is not flagged by float noise

RATIO_LABELS = {
    "zh": {"savings_ratio": "结余比例", "liquidity_ratio": "流动性比率",
           "liquid_to_net_assets": "净资产流动比率", "solvency_ratio": "偿付比率",
           "debt_service_ratio": "财务偿还率", "investment_to_net_assets": "投资与净资产比率"},
    "en": {"savings_ratio": "Savings ratio", "liquidity_ratio": "Liquidity ratio (months)",
           "liquid_to_net_assets": "Liquid assets to net assets", "solvency_ratio": "Solvency ratio",
           "debt_service_ratio": "Debt-service ratio",
           "investment_to_net_assets": "Investment to net assets"},
}
FLAG_LABELS = {"zh": {"low": "偏低", "ok": "合理", "high": "偏高"},
               "en": {"low": "low", "ok": "ok", "high": "high"}}


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
    null_reason: dict[str, str]


_RATIOS: tuple[_Ratio, ...] = (
    _Ratio("savings_ratio", lambda t: t["surplus"], lambda t: t["income"],
           {"zh": "未填写税后收入(收入为0),无法计算结余比例", "en": "no after-tax income recorded"}),
    _Ratio("liquidity_ratio", lambda t: t["liquid"], lambda t: t["spending"] / 12,
           {"zh": "未填写支出(月支出为0),无法计算可支撑月数", "en": "no spending recorded"}),
    _Ratio("liquid_to_net_assets", lambda t: t["liquid"], lambda t: t["net_assets"],
           {"zh": "净资产为零或为负(负债不低于资产),该比率无意义",
            "en": "net assets are zero or negative (debts at least equal assets)"}),
    _Ratio("solvency_ratio", lambda t: t["net_assets"], lambda t: t["total_assets"],
           {"zh": "未填写资产(总资产为0),无法计算偿付比率", "en": "no assets recorded"}),
    _Ratio("debt_service_ratio", lambda t: t["debt_payment"], lambda t: t["income"],
           {"zh": "未填写税后收入(收入为0),无法计算财务偿还率", "en": "no after-tax income recorded"}),
    _Ratio("investment_to_net_assets", lambda t: t["financial"], lambda t: t["net_assets"],
           {"zh": "净资产为零或为负(负债不低于资产),该比率无意义",
            "en": "net assets are zero or negative (debts at least equal assets)"}),
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


def percent(x: float) -> str:
    return f"{x * 100:.0f}%" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x * 100:.1f}%"


def benchmark_text(key: str, b: RatioBenchmarks, language: str = "zh") -> str:
    """The benchmark as a reader sees it, e.g. 约60%(±10%) / 3–6个月."""
    zh = language == "zh"
    if key == "savings_ratio":
        return (f"约{percent(b.savings_ratio)}(±{percent(b.savings_ratio_tolerance)})" if zh
                else f"about {percent(b.savings_ratio)} (±{percent(b.savings_ratio_tolerance)})")
    if key == "liquidity_ratio":
        lo, hi = f"{b.liquidity_ratio_min:g}", f"{b.liquidity_ratio_max:g}"
        return f"{lo}–{hi}个月" if zh else f"{lo}–{hi} months"
    if key == "liquid_to_net_assets":
        mid, tol = percent(b.liquid_to_net_assets), percent(b.liquid_to_net_assets_tolerance)
        return f"约{mid}(±{tol})" if zh else f"about {mid} (±{tol})"
    if key == "solvency_ratio":
        return f"{percent(b.solvency_ratio_min)}以上" if zh else f"above {percent(b.solvency_ratio_min)}"
    if key == "debt_service_ratio":
        cap = percent(b.debt_service_ratio_max)
        return f"{cap}以下" if zh else f"below {cap}"
    return (f"{percent(b.investment_to_net_assets_min)}及以上" if zh
            else f"{percent(b.investment_to_net_assets_min)} or more")


def _value_text(key: str, value: float, language: str) -> str:
    if key == "liquidity_ratio":
        return f"{value:.1f}个月" if language == "zh" else f"{value:.1f} months"
    return percent(value)


_EXPLAIN = {
    "zh": {
        ("savings_ratio", "low"): "每年税后收入中结余{v},低于参考值{b}:结余偏少,建议梳理开支、控制不必要的花费。",
        ("savings_ratio", "ok"): "每年税后收入中结余{v},处于参考值{b}之内,收支安排合理。",
        ("savings_ratio", "high"): "每年税后收入中结余{v},高于参考值{b}:积累能力强,结余可用于定投或改善生活。",
        ("liquidity_ratio", "low"): "流动资产只够{v}的支出,少于{lo}个月:应急资金不足,应先补足再投资。",
        ("liquidity_ratio", "ok"): "流动资产可支撑{v}的支出,在{b}之间,应急准备充足。",
        ("liquidity_ratio", "high"): "流动资产可支撑{v}的支出,超过{hi}个月:闲置资金偏多,收益偏低,可将多余部分用于投资。",
        ("liquid_to_net_assets", "low"): "流动资产占净资产{v},低于参考值{b}:资产变现能力偏弱。",
        ("liquid_to_net_assets", "ok"): "流动资产占净资产{v},接近参考值{b},资产流动性适中。",
        ("liquid_to_net_assets", "high"): "流动资产占净资产{v},高于参考值{b}:现金类资产偏多,资金利用效率偏低。",
        ("solvency_ratio", "low"): "净资产占总资产{v},低于{t}:负债偏重,偿债能力偏弱。",
        ("solvency_ratio", "ok"): "净资产占总资产{v},在{t}以上,偿债能力强。",
        ("debt_service_ratio", "ok"): "每月还贷占税后收入{v},在{t}以下,还款压力可控。",
        ("debt_service_ratio", "high"): "每月还贷占税后收入{v},超过{t}:还款压力大,收入波动时容易逾期。",
        ("investment_to_net_assets", "low"): "投资类资产占净资产{v},低于{t}:资产增值能力不足。",
        ("investment_to_net_assets", "ok"): "投资类资产占净资产{v},达到{t}以上,净资产有合理的增长来源。",
    },
    "en": {
        ("savings_ratio", "low"): "{v} of after-tax income is saved, below the benchmark of {b}: "
                                  "review spending and cut what is not needed.",
        ("savings_ratio", "ok"): "{v} of after-tax income is saved, within the benchmark of {b}.",
        ("savings_ratio", "high"): "{v} of after-tax income is saved, above the benchmark of {b}: "
                                   "a strong saver; the surplus can go into a regular investment plan.",
        ("liquidity_ratio", "low"): "Liquid assets cover only {v} of spending, less than {lo} months: "
                                    "build the emergency fund before investing.",
        ("liquidity_ratio", "ok"): "Liquid assets cover {v} of spending, within {b}: a sound emergency fund.",
        ("liquidity_ratio", "high"): "Liquid assets cover {v} of spending, more than {hi} months: "
                                     "idle cash earns little and the excess can be invested.",
        ("liquid_to_net_assets", "low"): "Liquid assets are {v} of net assets, below the benchmark of {b}: "
                                         "little can be turned into cash quickly.",
        ("liquid_to_net_assets", "ok"): "Liquid assets are {v} of net assets, close to the benchmark of {b}.",
        ("liquid_to_net_assets", "high"): "Liquid assets are {v} of net assets, above the benchmark of {b}: "
                                          "too much sits in cash.",
        ("solvency_ratio", "low"): "Net assets are {v} of total assets, below {t}: debts are heavy.",
        ("solvency_ratio", "ok"): "Net assets are {v} of total assets, above {t}: debts are well covered.",
        ("debt_service_ratio", "ok"): "Debt repayments take {v} of after-tax income, below {t}: manageable.",
        ("debt_service_ratio", "high"): "Debt repayments take {v} of after-tax income, more than {t}: "
                                        "a drop in income could lead to missed payments.",
        ("investment_to_net_assets", "low"): "Investments are {v} of net assets, below {t}: "
                                             "net assets have little room to grow.",
        ("investment_to_net_assets", "ok"): "Investments are {v} of net assets, at least {t}: "
                                            "a sound source of growth.",
    },
}


def _limits(key: str, b: RatioBenchmarks) -> dict[str, str]:
    """The single threshold of a one-sided benchmark, and the ends of the liquidity band, as text."""
    one_sided = {"solvency_ratio": b.solvency_ratio_min, "debt_service_ratio": b.debt_service_ratio_max,
                 "investment_to_net_assets": b.investment_to_net_assets_min}
    return {"t": percent(one_sided.get(key, 0.0)), "lo": f"{b.liquidity_ratio_min:g}",
            "hi": f"{b.liquidity_ratio_max:g}"}


def compute_ratios(totals: dict[str, float], benchmarks: RatioBenchmarks | None = None,
                   language: str = "zh") -> pd.DataFrame:
    """One row per ratio key of CONTRACT §4, in that order, with flag, benchmark and explanation."""
    b = benchmarks or RatioBenchmarks()
    lang = "zh" if language == "zh" else "en"
    values = ratio_values(totals)
    rows = []
    for r in _RATIOS:
        value = values[r.key]
        bench = benchmark_text(r.key, b, lang)
        f = flag(r.key, value, b)
        if value is None:
            reason = r.null_reason[lang]
            explanation = reason
        else:
            reason = None
            explanation = _EXPLAIN[lang][(r.key, f)].format(v=_value_text(r.key, value, lang), b=bench,
                                                            **_limits(r.key, b))
        rows.append({"key": r.key, "label": RATIO_LABELS[lang][r.key], "value": value, "flag": f,
                     "benchmark": bench, "explanation": explanation, "null_reason": reason})
    # object columns keep None (not NaN) for null ratios, as summary.json needs
    out = pd.DataFrame({c: pd.Series([row[c] for row in rows], dtype=object) for c in RATIO_COLUMNS})
    out.attrs["totals"] = dict(totals)  # lets advice size its amounts from the ratios frame alone
    return out


def compare(before: pd.DataFrame, after: pd.DataFrame, language: str = "zh") -> pd.DataFrame:
    """Ratios before → after a plan, side by side (key, label, before, after, flag_before, flag_after)."""
    lang = "zh" if language == "zh" else "en"
    b = before.set_index("key")
    a = after.set_index("key").reindex(b.index)
    out = pd.DataFrame({
        "key": b.index, "label": [RATIO_LABELS[lang].get(k, k) for k in b.index],
        "before": b["value"].to_numpy(dtype=object), "after": a["value"].to_numpy(dtype=object),
        "flag_before": b["flag"].to_numpy(dtype=object), "flag_after": a["flag"].to_numpy(dtype=object),
    })
    return out.reset_index(drop=True)
