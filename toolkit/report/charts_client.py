"""The client proposal's charts: balance sheet, ratio diagnosis, allocation before/after, goals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit.base.schema import ASSET_COLUMNS
from toolkit.report.charts import (
    ACCENT,
    BAD,
    BASE,
    GOOD,
    GRID,
    INK,
    MUTED,
    WARN,
    _empty,
    _figure,
    _money_axis,
    _num,
    _t,
)
from toolkit.report.fmt import money_short, number, pct
from toolkit.report.text import label


def balance_sheet(totals: Mapping[str, float], language: str = "zh") -> Figure:
    """Assets (liquid, financial, real) against liabilities and net worth, as two stacked bars."""
    liquid, financial, real, liabilities = (float(totals.get(k, 0) or 0)
                                            for k in ("liquid", "financial", "real", "liabilities"))
    total = liquid + financial + real
    net = float(totals.get("net_assets", total - liabilities))
    fig = _figure(2.5)
    if total <= 0 and liabilities <= 0:
        return _empty(fig, language)
    ax = fig.add_subplot()
    rows = [
        (_t("assets", language), [("liquid", liquid, "#60a5fa"), ("financial", financial, ACCENT),
                                  ("real", real, "#0b2e59")]),
        (_t("liab_net", language), [("liabilities", liabilities, BAD), ("net_assets", max(net, 0.0), GOOD)]),
    ]
    width = max(total, liabilities + max(net, 0.0), 1.0)
    for yi, (_name, parts) in enumerate(rows):
        left = 0.0
        for key, value, color in parts:
            if value <= 0:
                continue
            ax.barh(yi, value, left=left, color=color, height=0.6, label=_t(key, language))
            if value / width > 0.12:
                ax.text(left + value / 2, yi, money_short(value, language), ha="center", va="center",
                        color="white", fontsize=8.5, fontweight="bold")
            left += value
    ax.set_yticks([0, 1], [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, width * 1.02)
    _money_axis(ax, "x", language)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    if net < 0:
        ax.text(0.99, 0.02, _t("neg_net", language).format(v=money_short(net, language)),
                transform=ax.transAxes, ha="right", va="bottom", color=BAD, fontsize=8.5)
    fig.legend(loc="outside lower center", ncols=5)
    return fig


def ratio_diagnosis(ratios: pd.DataFrame, language: str = "zh") -> Figure:
    """The six household ratios, each on its own scale, coloured by its low/ok/high flag.

    ratios: key, label, value (fraction; months for liquidity_ratio), flag (low/ok/high/None),
    benchmark (display text); optional low/high (numbers) shade the benchmark range.
    """
    n = len(ratios)
    fig = _figure(0.5 * max(n, 1) + 0.5)
    if n == 0:
        return _empty(fig, language)
    axes = np.atleast_1d(fig.subplots(n, 1))
    for ax, row in zip(axes, ratios.to_dict("records"), strict=True):
        months = row["key"] == "liquidity_ratio"
        value = _num(row.get("value"))
        low, high = _num(row.get("low")), _num(row.get("high"))
        top = max([v for v in (value, low, high) if v is not None] + [1.0 if not months else 6.0]) * 1.25
        lo_edge = min(0.0, value or 0.0) * 1.25
        ax.set_xlim(lo_edge, top)
        ax.set_ylim(-0.5, 0.5)
        if low is not None or high is not None:
            ax.axvspan(low if low is not None else lo_edge, high if high is not None else top,
                       color=GOOD, alpha=0.12, lw=0)
        flag = row.get("flag")
        color = {"ok": GOOD, "low": WARN, "high": WARN}.get(flag, MUTED)
        if value is not None:
            ax.barh(0, value, color=color, height=0.5)
        shown = _t("months", language).format(v=number(value, 1)) if months and value is not None else \
            (pct(value) if not months else "—")
        verdict = _t(flag, language) if flag in ("low", "ok", "high") else ""
        bench = _t("benchmark", language).format(b=row["benchmark"]) if row.get("benchmark") else ""
        ax.text(1.01, 0.5, f"{shown}  {verdict}", transform=ax.transAxes, va="center", ha="left",
                fontsize=9, fontweight="bold", color=color)
        ax.text(1.01, 0.05, bench, transform=ax.transAxes, va="center", ha="left", fontsize=7.5, color=MUTED)
        ax.set_yticks([0], [str(row.get("label") or label(row["key"], language))])
        ax.tick_params(axis="y", length=0)
        ax.set_xticks([])
        ax.spines[["top", "right", "bottom"]].set_visible(False)
    return fig


def allocation_before_after(before: Mapping[str, float], after: Mapping[str, float],
                            language: str = "zh") -> Figure:
    """Amount per asset category now and after the proposal, with each category's share."""
    cats = [c for c in ASSET_COLUMNS if before.get(c) or after.get(c)]
    cats += [c for c in dict.fromkeys([*before, *after]) if c not in cats and (before.get(c) or after.get(c))]
    fig = _figure(0.5 * max(len(cats), 2) + 0.9)
    if not cats:
        return _empty(fig, language)
    ax = fig.add_subplot()
    y = np.arange(len(cats))
    b = np.array([float(before.get(c, 0) or 0) for c in cats])
    a = np.array([float(after.get(c, 0) or 0) for c in cats])
    ax.barh(y - 0.2, b, height=0.38, color=BASE, label=_t("before", language))
    ax.barh(y + 0.2, a, height=0.38, color=ACCENT, label=_t("after", language))
    for values, offset in ((b, -0.2), (a, 0.2)):
        total = values.sum() or 1.0
        for yi, v in zip(y, values, strict=True):
            if v > 0:
                ax.text(v, yi + offset, f" {money_short(v, language)} ({pct(v / total, 0)})", va="center",
                        fontsize=8)
    ax.set_yticks(y, [label(c, language) for c in cats])
    ax.invert_yaxis()
    ax.set_xlim(0, max(a.max(), b.max(), 1) * 1.35)
    _money_axis(ax, "x", language)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=2)  # below the axes: never over a bar's label
    return fig


def goal_chances(goals: pd.DataFrame, language: str = "zh") -> Figure:
    """Each goal's simulated chance before and after the plan, as two bars on a 0–100% scale.

    goals: goal, probability_before, probability_after (fractions). The legend sits below the axes,
    so it never covers a bar's number.
    """
    fig = _figure(0.55 * max(len(goals), 2) + 1.0)
    if goals.empty:
        return _empty(fig, language)
    ax = fig.add_subplot()
    y = np.arange(len(goals))
    before = goals["probability_before"].to_numpy(dtype=float)
    after = goals["probability_after"].to_numpy(dtype=float)
    colors = [GOOD if p >= 0.75 else WARN if p >= 0.5 else BAD for p in after]
    ax.barh(y - 0.2, before, height=0.38, color=BASE, label=_t("plan_before", language))
    ax.barh(y + 0.2, after, height=0.38, color=colors, label=_t("plan_after", language))
    for yi, b, a in zip(y, before, after, strict=True):
        ax.text(b + 0.01, yi - 0.2, pct(b, 0), va="center", fontsize=8, color=MUTED)
        ax.text(a + 0.01, yi + 0.2, pct(a, 0), va="center", fontsize=8.5, fontweight="bold", color=INK)
    ax.set_yticks(y, goals["goal"].astype(str).tolist())
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.axvline(0.75, color=GRID, lw=0.9, ls="--")
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=2)
    return fig
