"""The network comparison's chart: the network's five KPIs 保争挖抢培 month by month.

Five small panels and a sixth for the clients in scope, two rows of three: wide enough for the
A4 landscape page of network.pdf, and still legible when a phone scales the picture down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from toolkit.branch.kpi import FIVE
from toolkit.report.charts import ACCENT, GRID, MUTED, _empty, _figure, _num, to_png
from toolkit.report.fmt import integer, pct
from toolkit.report.text import say

#: Inches: the chart fills most of the A4 landscape text width (267 mm).
TREND_WIDTH = 10.0


def _month_tick(period: str) -> str:
    """'2026-01' -> '26-01': short enough for twelve ticks on a third of the page."""
    return period[2:]


def kpi_trend(trend: pd.DataFrame, language: str = "zh") -> Figure:
    """Each KPI of FIVE (index period, oldest first; each month against the month before) as a line
    with its points, the latest value in the panel's title; a sixth panel shows the clients in scope."""
    fig = _figure(4.6, TREND_WIDTH)
    if trend.empty:
        return _empty(fig, language)
    axes = fig.subplots(2, 3).ravel()
    months = [str(p) for p in trend.index]
    xs = np.arange(len(months))
    panels = [(k.key, say("kpi_chart.title", language, char=k.char, name=say(f"kpi_chart.{k.key}", language)),
               k.is_count) for k in FIVE]
    panels.append(("current_clients", say("network.chart.clients", language), True))
    for ax, (key, title, is_count) in zip(axes, panels, strict=True):
        values = [_num(v) for v in trend[key].astype("object").where(trend[key].notna(), None)]
        ys = np.array([np.nan if v is None else v for v in values], dtype="float64")
        ax.plot(xs, ys, color=ACCENT, lw=1.6, marker="o", ms=3)
        if is_count and key != "current_clients":
            ax.axhline(0, color=MUTED, lw=0.6)
        shown = [i for i, v in enumerate(values) if v is not None]
        if shown:  # the latest value goes in the title: no text over the lines
            last = values[shown[-1]]
            text = integer(last, signed=key != "current_clients") if is_count else pct(last)
            title = say("network.chart.latest", language, title=title, value=text, period=_month_tick(months[shown[-1]]))
            low, high = np.nanmin(ys), np.nanmax(ys)
            pad = max((high - low) * 0.15, abs(high) * 0.05, 1e-3 if not is_count else 1.0)
            ax.set_ylim(low - pad, high + pad)
        ax.set_title(title, fontsize=9.5)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.yaxis.set_major_formatter(FuncFormatter(
            (lambda v, _p: integer(v)) if is_count else (lambda v, _p: pct(v, decimals=1))))
        ax.set_xticks(xs[::2] if len(xs) > 6 else xs,
                      [_month_tick(m) for m in (months[::2] if len(xs) > 6 else months)], fontsize=7.5)
        ax.tick_params(axis="y", labelsize=7.5)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_xlim(-0.5, len(xs) - 0.5)
    return fig


def kpi_trend_png(trend: pd.DataFrame, language: str = "zh") -> bytes:
    """`kpi_trend` as the PNG a notebook shows: the batch draws it while the branches render."""
    return to_png(kpi_trend(trend, language))
