"""The branch plan's charts: tiers, concentration, the five KPIs, the visit load and calendar."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from toolkit.base.schema import TIER_RANK
from toolkit.branch.kpi import FIVE
from toolkit.report.charts import (
    _WEEKDAYS_EN,
    ACCENT,
    BAD,
    BASE,
    GOOD,
    GRID,
    INK,
    MUTED,
    TIER_COLORS,
    _empty,
    _figure,
    _money_axis,
    _num,
    _t,
)
from toolkit.report.fmt import integer, money_short, pct
from toolkit.report.text import label, say

#: The smallest value range each KPI panel draws, so a 2% churn is a short bar, not a full panel.
_FLOOR = {"product_coverage_rate": 1.0, "net_growth": 10.0}
_DEFAULT_FLOOR = 0.05


def tier_pyramid(tiers: pd.DataFrame, language: str = "zh") -> Figure:
    """Clients (left) and financial assets (right) per tier, the highest tier on top.

    tiers: columns tier (code), clients, aum (yuan); out_of_scope rows are left out.
    """
    rows = tiers[tiers["tier"] != "out_of_scope"].copy()
    rows["rank"] = rows["tier"].map(TIER_RANK).fillna(-1)
    rows = rows.sort_values("rank")
    fig = _figure(0.5 * max(len(rows), 2) + 0.9)
    if rows.empty:
        return _empty(fig, language)
    left, mid, right = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 0.42, 1]}, sharey=True)
    y = np.arange(len(rows))
    colors = [TIER_COLORS.get(t, ACCENT) for t in rows["tier"]]
    clients = rows["clients"].to_numpy(dtype=float)
    aum = rows["aum"].to_numpy(dtype=float)
    left.barh(y, clients, color=colors, height=0.7)
    right.barh(y, aum, color=colors, height=0.7)
    left.invert_xaxis()
    left.set_xlim(max(clients.max(), 1) * 1.3, 0)
    right.set_xlim(0, max(aum.max(), 1) * 1.35)
    for yi, c, a in zip(y, clients, aum, strict=True):
        left.text(c, yi, f"{integer(c)} ", ha="right", va="center", fontsize=8.5)
        right.text(a, yi, f" {money_short(a, language)}", ha="left", va="center", fontsize=8.5)
    for ax, title in ((left, _t("clients", language)), (right, _t("aum", language))):
        ax.set_title(title, fontsize=9, color=MUTED, fontweight="normal")
        ax.tick_params(left=False, labelleft=False)
        ax.spines[["left", "top", "right"]].set_visible(False)
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
    left.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    left.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: integer(v)))
    _money_axis(right, "x", language)
    mid.axis("off")
    for yi, tier in zip(y, rows["tier"], strict=True):
        mid.text(0.5, yi, label(tier, language), ha="center", va="center", fontsize=9, fontweight="bold")
    mid.set_xlim(0, 1)
    mid.set_ylim(-0.6, len(rows) - 0.4)
    return fig


def concentration_curve(aum: pd.Series, language: str = "zh", top_share: float = 0.2) -> Figure:
    """Cumulative share of assets against share of clients, richest first (80/20 at a glance)."""
    fig = _figure(3.4, 5.6)
    values = np.sort(pd.to_numeric(aum, errors="coerce").fillna(0).clip(lower=0).to_numpy())[::-1]
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return _empty(fig, language)
    n = len(values)
    x = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    y = np.concatenate([[0.0], np.cumsum(values) / total])
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], ls="--", color=MUTED, lw=0.8, label=_t("equal", language))
    ax.fill_between(x, y, x, color=ACCENT, alpha=0.08)
    ax.plot(x, y, color=ACCENT, lw=1.8)
    k = math.ceil(top_share * n)
    px, py = k / n, y[k]
    ax.plot([px, px, 0], [0, py, py], color=BAD, lw=0.8, ls=":")
    ax.scatter([px], [py], color=BAD, zorder=3, s=22)
    ax.annotate(_t("top", language).format(p=pct(top_share, 0), s=pct(py)), (px, py),
                xytext=(12, -18), textcoords="offset points", color=BAD, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_t("share_clients", language))
    ax.set_ylabel(_t("share_aum", language))
    ax.grid(color=GRID, linewidth=0.6)
    ax.legend(loc="lower right")
    return fig


def _kpi_text(value: float | None, is_count: bool) -> str:
    return integer(value, signed=True) if is_count else pct(value)


def kpi_comparison(kpi_current: Mapping[str, float | None],
                   kpi_base: Mapping[str, float | None] | None = None, language: str = "zh",
                   current_label: str | None = None, base_label: str | None = None) -> Figure:
    """The five KPIs 保争挖抢培, this period against the base period; green better, red worse."""
    fig = _figure(2.5)
    axes = fig.subplots(1, len(FIVE))
    cur_name = current_label or _t("current", language)
    base_name = base_label or _t("base", language)
    for ax, k in zip(axes, FIVE, strict=True):
        key, floor = k.key, _FLOOR.get(k.key, _DEFAULT_FLOOR)
        cur = _num(kpi_current.get(key))
        base = _num(kpi_base.get(key)) if kpi_base is not None else None
        names, values, colors = [], [], []
        if kpi_base is not None:
            names.append(base_name)
            values.append(base)
            colors.append(BASE)
        names.append(cur_name)
        values.append(cur)
        colors.append(_trend_color(cur, base, k.higher_is_better))
        heights = [0.0 if v is None else v for v in values]
        xs = np.arange(len(values))
        ax.bar(xs, heights, color=colors, width=0.62)
        bottom, top = min(heights + [0.0]), max(heights + [0.0])
        if bottom == 0:
            top = max(top, floor)
        elif top == 0:
            bottom = min(bottom, -floor)
        pad = 0.18 * (top - bottom)
        ax.set_ylim(bottom - pad if bottom < 0 else 0, top + pad)
        for xi, v, h in zip(xs, values, heights, strict=True):
            ax.text(xi, h, _kpi_text(v, k.is_count), ha="center", va="bottom" if h >= 0 else "top",
                    fontsize=8.5, fontweight="bold")
        ax.axhline(0, color=MUTED, lw=0.6)
        ax.set_xticks(xs, names, fontsize=7.5)
        ax.tick_params(axis="x", length=0)
        ax.set_yticks([])
        ax.spines[["left", "top", "right"]].set_visible(False)
        ax.set_title(say("kpi_chart.title", language, char=k.char, name=say(f"kpi_chart.{key}", language)),
                     fontsize=9.5)
    return fig



def _trend_color(cur: float | None, base: float | None, higher_better: bool) -> str:
    if cur is None or base is None or math.isclose(cur, base, abs_tol=1e-12):
        return ACCENT
    return GOOD if (cur > base) == higher_better else BAD


def visit_load(schedule: pd.DataFrame, language: str = "zh",
               limits: Mapping[str, int] | None = None) -> Figure:
    """Home visits planned per staff member this month, busiest first, with each one's limit."""
    counts = schedule.groupby("staff_name", sort=False).size().sort_values(ascending=True)
    fig = _figure(0.32 * max(len(counts), 3) + 0.8)
    if counts.empty:
        return _empty(fig, language)
    ax = fig.add_subplot()
    y = np.arange(len(counts))
    ax.barh(y, counts.to_numpy(), color=ACCENT, height=0.62, label=_t("visits", language))
    top = counts.max()
    if limits:
        lim = np.array([limits.get(name, np.nan) for name in counts.index], dtype=float)
        over = counts.to_numpy() > np.nan_to_num(lim, nan=np.inf)
        ax.barh(y[over], counts.to_numpy()[over], color=BAD, height=0.62)
        ax.scatter(lim, y, marker="|", s=220, color=INK, linewidths=1.6, label=_t("limit", language),
                   zorder=3)
        top = max(top, np.nanmax(lim) if np.isfinite(lim).any() else top)
    for yi, c in zip(y, counts.to_numpy(), strict=True):
        ax.text(c, yi, f" {c}", va="center", fontsize=8.5)
    ax.set_yticks(y, counts.index.astype(str))
    ax.set_xlim(0, top * 1.15 + 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: integer(v)))
    ax.set_xlabel(_t("visits", language))
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    if limits:
        ax.legend(loc="lower right")
    return fig


def visit_calendar(schedule: pd.DataFrame, month: str, workdays: Iterable[dt.date],
                   language: str = "zh", handed_out: dt.date | None = None) -> Figure:
    """A month grid with the number of visits per day; rest days are greyed out and marked as such,
    working days before the plan's hand-out date (`handed_out`) greyed out without a mark: they are
    past, not days off."""
    year, mon = (int(p) for p in month.split("-"))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, mon)
    counts = (pd.to_datetime(schedule["date"]).dt.date.value_counts() if len(schedule)
              else pd.Series(dtype=int))
    work = set(workdays)
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    fig = _figure(0.62 * len(weeks) + 0.55, 6.4)
    ax = fig.add_subplot()
    ax.set_xlim(0, 7)
    ax.set_ylim(len(weeks), -0.55)
    ax.axis("off")
    names = list(say("chart.weekdays", "zh")) if language != "en" else list(_WEEKDAYS_EN)
    for i, name in enumerate(names):
        ax.text(i + 0.5, -0.27, name, ha="center", va="center", fontsize=9, color=MUTED)
    cmap = matplotlib.colormaps["Blues"]
    for row, week in enumerate(weeks):
        for col, day in enumerate(week):
            if day.month != mon:
                continue
            n = int(counts.get(day, 0))
            past = handed_out is not None and day < handed_out and day in work and not n
            if day not in work or past:
                face, txt = "#f3f4f6", MUTED
            elif n:
                face = cmap(0.25 + 0.6 * n / peak)
                txt = "white" if n / peak > 0.55 else INK
            else:
                face, txt = "white", INK
            ax.add_patch(Rectangle((col + 0.04, row + 0.04), 0.92, 0.92, facecolor=face, edgecolor=GRID,
                                   lw=0.8))
            ax.text(col + 0.1, row + 0.12, str(day.day), ha="left", va="top", fontsize=7.5, color=txt)
            if day not in work:  # a working day already past keeps only its date
                ax.text(col + 0.5, row + 0.58, _t("off", language), ha="center", va="center", fontsize=8,
                        color=MUTED)
            elif n:
                ax.text(col + 0.5, row + 0.6, _t("visit_unit", language).format(n=n), ha="center",
                        va="center", fontsize=9.5, fontweight="bold", color=txt)
    return fig


