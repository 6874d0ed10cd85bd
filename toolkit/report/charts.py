"""Charts for the branch plan and the client proposal (matplotlib, Chinese labels).

Figures are built with `matplotlib.figure.Figure` directly, never pyplot: no global figure
registry to leak memory across a batch, no GUI backend, rendering through Agg. Inside a Jupyter
kernel a returned Figure is shown as a PNG at `DPI` (crisp on screen and in the PDF, and far
cheaper for WeasyPrint than SVG text outlines). A CJK font is required: without one every
Chinese label would be a row of boxes, so `setup()` fails loudly instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import math
import sys
from collections.abc import Iterable, Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from toolkit.base.errors import ClientcareError
from toolkit.base.schema import ASSET_COLUMNS, TIER_RANK, label
from toolkit.report.fmt import integer, money_short, number, pct

DPI = 150
WIDTH = 7.2  # inches: the A4 text width at our margins
FONT_CANDIDATES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                   "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei")

INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
ACCENT, BASE = "#1d4ed8", "#b8c2d1"
GOOD, WARN, BAD = "#15803d", "#d97706", "#b91c1c"
TIER_COLORS = {"private_wealth": "#0b2e59", "wealth": "#1d4ed8", "potential_a": "#0f9d9a",
               "potential_b": "#65a30d", "basic": "#9ca3af", "out_of_scope": "#d1d5db"}
CATEGORY_COLORS = dict(zip(ASSET_COLUMNS, ("#60a5fa", "#1d4ed8", "#0f9d9a", "#7c3aed", "#65a30d",
                                           "#d97706", "#ca8a04", "#9ca3af"), strict=True))


class FontMissingError(ClientcareError):
    """No font with Chinese glyphs is installed, so charts cannot be drawn legibly."""


_T = {
    "zh": {
        "clients": "客户数", "aum": "金融资产", "no_data": "无数据",
        "share_clients": "客户占比（按资产从高到低）", "share_aum": "资产累计占比",
        "equal": "完全平均", "top": "前{p}客户持有 {s} 资产", "base": "基期", "current": "本期",
        "visits": "拜访次数", "limit": "月上限", "off": "休", "weekdays": "一二三四五六日",
        "visit_unit": "{n} 次",
        "assets": "资产", "liab_net": "负债与净资产", "liquid": "流动资产", "financial": "金融资产",
        "real": "实物资产", "liabilities": "负债", "net_assets": "净资产",
        "neg_net": "净资产为负：{v}",
        "low": "偏低", "ok": "合理", "high": "偏高", "months": "{v} 个月", "benchmark": "参考：{b}",
        "before": "调整前", "after": "调整后", "target": "目标金额（届时）", "projected": "预计可达",
        "probability": "达成概率 {p}",
    },
    "en": {
        "clients": "Clients", "aum": "Financial assets", "no_data": "No data",
        "share_clients": "Share of clients (largest assets first)", "share_aum": "Cumulative share of assets",
        "equal": "Perfect equality", "top": "Top {p} of clients hold {s} of assets",
        "base": "Base period", "current": "This period",
        "visits": "Visits", "limit": "Monthly limit", "off": "off", "weekdays": "MTWTFSS",
        "visit_unit": "{n}",
        "assets": "Assets", "liab_net": "Liabilities & net worth", "liquid": "Liquid",
        "financial": "Financial", "real": "Real estate & other", "liabilities": "Liabilities",
        "net_assets": "Net worth", "neg_net": "Negative net worth: {v}",
        "low": "low", "ok": "ok", "high": "high", "months": "{v} months", "benchmark": "benchmark: {b}",
        "before": "Before", "after": "After", "target": "Target (future value)", "projected": "Projected",
        "probability": "{p} likely",
    },
}
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: The five maintenance KPIs (保争挖抢培): key, character, zh name, en name, kind, higher is better,
#: and the smallest value range drawn (so a 2% churn is a short bar, not a full panel).
KPIS = (
    ("churn_rate", "保", "流失率", "Churn", "pct", False, 0.05),
    ("upgrade_rate", "争", "升级率", "Upgrades", "pct", True, 0.05),
    ("product_coverage_rate", "挖", "产品覆盖率", "Product coverage", "pct", True, 1.0),
    ("net_growth", "抢", "客户净增", "Net new clients", "int", True, 10.0),
    ("aum_growth", "培", "资产增长率", "Asset growth", "pct", True, 0.05),
)

_font: str | None = None


def _t(key: str, language: str) -> str:
    return _T["en" if language == "en" else "zh"][key]


def find_cjk_font() -> str:
    """The first installed font family of FONT_CANDIDATES; FontMissingError if there is none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in FONT_CANDIDATES:
        if name in installed:
            return name
    raise FontMissingError(
        "No Chinese font found for charts (looked for " + ", ".join(FONT_CANDIDATES) + "). "
        "Install one with `sudo apt-get install fonts-noto-cjk`, then delete matplotlib's font "
        f"cache in {matplotlib.get_cachedir()} and run again.")


def setup() -> str:
    """Configure matplotlib once (font, minus sign, style, notebook display); returns the font used."""
    global _font
    if _font is not None:
        return _font
    font = find_cjk_font()
    matplotlib.rcParams.update({
        "font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"],
        "axes.unicode_minus": False, "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold",
        "axes.labelsize": 9, "axes.edgecolor": MUTED, "axes.labelcolor": INK, "text.color": INK,
        "xtick.color": MUTED, "ytick.color": INK, "axes.spines.top": False, "axes.spines.right": False,
        "legend.frameon": False, "legend.fontsize": 8.5, "savefig.dpi": DPI, "figure.dpi": 100,
    })
    _font = font
    return font


def _register_notebook_display() -> None:
    """Inside a kernel, show a returned Figure as a PNG at DPI. Done for every new figure, because
    importing pyplot anywhere installs matplotlib-inline's own (100 dpi) formatter over ours."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    shell.display_formatter.formatters["image/png"].for_type(Figure, to_png)


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at DPI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def _figure(height: float, width: float = WIDTH) -> Figure:
    setup()
    _register_notebook_display()
    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


def _empty(fig: Figure, language: str) -> Figure:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, _t("no_data", language), ha="center", va="center", color=MUTED, fontsize=11)
    return fig


def _money_axis(ax, axis: str, language: str) -> None:
    """Amount ticks: few of them, short labels, so they never collide on a narrow panel."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: money_short(v, language) if v else "0"))


# --- branch plan ----------------------------------------------------------------------------


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


def _kpi_text(value: float | None, kind: str) -> str:
    return integer(value, signed=True) if kind == "int" else pct(value)


def kpi_comparison(kpi_current: Mapping[str, float | None],
                   kpi_base: Mapping[str, float | None] | None = None, language: str = "zh",
                   current_label: str | None = None, base_label: str | None = None) -> Figure:
    """The five KPIs 保争挖抢培, this period against the base period; green better, red worse."""
    fig = _figure(2.5)
    axes = fig.subplots(1, len(KPIS))
    cur_name = current_label or _t("current", language)
    base_name = base_label or _t("base", language)
    for ax, (key, char, zh, en, kind, higher_better, floor) in zip(axes, KPIS, strict=True):
        cur = _num(kpi_current.get(key))
        base = _num(kpi_base.get(key)) if kpi_base is not None else None
        names, values, colors = [], [], []
        if kpi_base is not None:
            names.append(base_name)
            values.append(base)
            colors.append(BASE)
        names.append(cur_name)
        values.append(cur)
        colors.append(_trend_color(cur, base, higher_better))
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
            ax.text(xi, h, _kpi_text(v, kind), ha="center", va="bottom" if h >= 0 else "top",
                    fontsize=8.5, fontweight="bold")
        ax.axhline(0, color=MUTED, lw=0.6)
        ax.set_xticks(xs, names, fontsize=7.5)
        ax.tick_params(axis="x", length=0)
        ax.set_yticks([])
        ax.spines[["left", "top", "right"]].set_visible(False)
        ax.set_title(f"{char}：{zh}" if language != "en" else f"{char}  {en}", fontsize=9.5)
    return fig


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


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
                   language: str = "zh") -> Figure:
    """A month grid with the number of visits per day; non-working days are greyed out."""
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
    names = list(_T["zh"]["weekdays"]) if language != "en" else list(_WEEKDAYS_EN)
    for i, name in enumerate(names):
        ax.text(i + 0.5, -0.27, name, ha="center", va="center", fontsize=9, color=MUTED)
    cmap = matplotlib.colormaps["Blues"]
    for row, week in enumerate(weeks):
        for col, day in enumerate(week):
            if day.month != mon:
                continue
            n = int(counts.get(day, 0))
            if day not in work:
                face, txt = "#f3f4f6", MUTED
            elif n:
                face = cmap(0.25 + 0.6 * n / peak)
                txt = "white" if n / peak > 0.55 else INK
            else:
                face, txt = "white", INK
            ax.add_patch(Rectangle((col + 0.04, row + 0.04), 0.92, 0.92, facecolor=face, edgecolor=GRID,
                                   lw=0.8))
            ax.text(col + 0.1, row + 0.12, str(day.day), ha="left", va="top", fontsize=7.5, color=txt)
            if day not in work:
                ax.text(col + 0.5, row + 0.58, _t("off", language), ha="center", va="center", fontsize=8,
                        color=MUTED)
            elif n:
                ax.text(col + 0.5, row + 0.6, _t("visit_unit", language).format(n=n), ha="center",
                        va="center", fontsize=9.5, fontweight="bold", color=txt)
    return fig


# --- client proposal ------------------------------------------------------------------------


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
    ax.legend(loc="lower right")
    return fig


def goal_projection(goals: pd.DataFrame, language: str = "zh") -> Figure:
    """Each goal's future target against the projected amount, with the chance of reaching it."""
    fig = _figure(0.6 * max(len(goals), 2) + 0.9)
    if goals.empty:
        return _empty(fig, language)
    ax = fig.add_subplot()
    y = np.arange(len(goals))
    target = goals["target_future"].to_numpy(dtype=float)
    projected = goals["projected"].to_numpy(dtype=float)
    prob = goals["probability"].to_numpy(dtype=float)
    colors = [GOOD if p >= 0.8 else WARN if p >= 0.5 else BAD if np.isfinite(p) else MUTED for p in prob]
    ax.barh(y - 0.2, target, height=0.38, color="white", edgecolor=INK, lw=0.9, label=_t("target", language))
    ax.barh(y + 0.2, projected, height=0.38, color=colors, label=_t("projected", language))
    for yi, t, p_amt, p in zip(y, target, projected, prob, strict=True):
        ax.text(t, yi - 0.2, f" {money_short(t, language)}", va="center", fontsize=8)
        chance = _t("probability", language).format(p=pct(p, 0)) if np.isfinite(p) else ""
        ax.text(p_amt, yi + 0.2, f" {money_short(p_amt, language)}  {chance}", va="center", fontsize=8,
                fontweight="bold")
    ax.set_yticks(y, goals["goal"].astype(str).tolist())
    ax.invert_yaxis()
    ax.set_xlim(0, max(np.nanmax(target), np.nanmax(projected), 1) * 1.45)
    _money_axis(ax, "x", language)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right")
    return fig
