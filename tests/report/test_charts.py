"""Charts: every chart draws Chinese (and English) text with a real CJK font and shows the numbers."""

from __future__ import annotations

import datetime as dt
import warnings

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit.report import charts, charts_branch, charts_client

WORKDAYS = [d.date() for d in pd.bdate_range("2026-11-02", "2026-11-30")]
SCHEDULE = pd.DataFrame({
    "staff_name": ["张*三", "张*三", "张*三", "李*", "王*明"],
    "date": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-03", "2026-11-03", "2026-11-30"]),
})
TIERS = pd.DataFrame({"tier": ["out_of_scope", "basic", "potential_b", "potential_a", "wealth",
                               "private_wealth"],
                      "clients": [999, 820, 410, 260, 190, 22],
                      "aum": [1e6, 2.1e7, 3.0e7, 3.6e7, 9.8e7, 8.1e7]})
RATIOS = pd.DataFrame({
    "key": ["savings_ratio", "liquidity_ratio", "solvency_ratio", "debt_service_ratio"],
    "label": ["结余比例", "流动性比率", "偿付比率", "财务偿还率"],
    "value": [0.42, 2.1, 0.71, None], "flag": ["low", "low", "ok", None],
    "benchmark": ["≈60%", "3–6 个月", "> 50%", "< 60%"],
    "low": [0.5, 3, 0.5, None], "high": [0.7, 6, None, 0.6],
})
GOALS = pd.DataFrame({"goal": ["子女教育", "退休养老"], "probability_before": [0.12, 0.0],
                      "probability_after": [0.86, 0.41]})
KPI_NOW = {"churn_rate": 0.021, "upgrade_rate": 0.034, "product_coverage_rate": 0.41, "net_growth": 12,
           "aum_growth": 0.018}
KPI_BASE = {"churn_rate": 0.03, "upgrade_rate": 0.02, "product_coverage_rate": 0.43, "net_growth": -4,
            "aum_growth": None}

ALL_CHARTS = {
    "tier_pyramid": lambda lang: charts_branch.tier_pyramid(TIERS, lang),
    "concentration_curve": lambda lang: charts_branch.concentration_curve(TIERS["aum"], lang),
    "kpi_comparison": lambda lang: charts_branch.kpi_comparison(KPI_NOW, KPI_BASE, lang),
    "visit_load": lambda lang: charts_branch.visit_load(SCHEDULE, lang, limits={"张*三": 2}),
    "visit_calendar": lambda lang: charts_branch.visit_calendar(SCHEDULE, "2026-11", WORKDAYS, lang),
    "balance_sheet": lambda lang: charts_client.balance_sheet({"liquid": 4e5, "financial": 2.1e6, "real": 6e6,
                                                       "liabilities": 2.4e6}, lang),
    "ratio_diagnosis": lambda lang: charts_client.ratio_diagnosis(RATIOS, lang),
    "allocation_before_after": lambda lang: charts_client.allocation_before_after(
        {"demand_deposit": 1.2e6, "time_deposit": 8e5}, {"demand_deposit": 3e5, "wealth_products": 1.7e6},
        lang),
    "goal_chances": lambda lang: charts_client.goal_chances(GOALS, lang),
}


def _texts(fig: Figure) -> list[str]:
    texts = fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontname"))
    return [t.get_text() for t in texts]


@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_chart_renders_without_missing_glyphs(name, language):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = ALL_CHARTS[name](language)
        png = charts.to_png(fig)
    assert isinstance(fig, Figure)
    assert png.startswith(b"\x89PNG")
    glyph_trouble = [str(w.message) for w in caught
                     if "Glyph" in str(w.message) or "missing from font" in str(w.message)]
    assert glyph_trouble == []
    width_px = int.from_bytes(png[16:20], "big")
    assert width_px >= 5 * charts.DPI  # crisp enough for print at the A4 text width


def test_setup_uses_a_cjk_font_and_ascii_minus():
    font = charts.setup()
    assert font in charts.FONT_CANDIDATES
    import matplotlib

    assert matplotlib.rcParams["font.sans-serif"][0] == font
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_missing_font_raises_a_clear_error(monkeypatch):
    monkeypatch.setattr(charts, "FONT_CANDIDATES", ("No Such Font SC",))
    with pytest.raises(charts.FontMissingError, match="apt-get install fonts-noto-cjk"):
        charts.find_cjk_font()


def test_concentration_curve_marks_the_top_20_percent_share():
    fig = charts_branch.concentration_curve(pd.Series([50.0, 30.0, 10.0, 10.0, 0.0]))
    # 5 clients: the top ceil(0.2 * 5) = 1 client holds 50 of 100
    assert "前20%客户持有 50.0% 资产" in _texts(fig)
    fig_en = charts_branch.concentration_curve(pd.Series([10.0, 30.0, 50.0, 10.0, 0.0]), language="en")
    assert "Top 20% of clients hold 50.0% of assets" in _texts(fig_en)


def test_tier_pyramid_orders_tiers_top_down_and_skips_out_of_scope():
    fig = charts_branch.tier_pyramid(TIERS)
    left, mid, right = fig.axes
    labels = [t.get_text() for t in mid.texts]
    # from y = 0 (the bottom) upwards
    assert labels == ["基础客户", "潜力客户B", "潜力客户A", "理财客户", "私行/财富客户"]
    assert [p.get_width() for p in left.patches] == [820, 410, 260, 190, 22]
    assert "9,800万" in " ".join(t.get_text() for t in right.texts)


def test_kpi_comparison_colours_better_green_and_worse_red():
    fig = charts_branch.kpi_comparison(KPI_NOW, KPI_BASE)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["保：流失率", "争：升级率", "挖：产品覆盖率", "抢：客户净增", "培：资产增长率"]
    current = [mcolors.to_hex(ax.patches[-1].get_facecolor()) for ax in fig.axes]
    # churn fell (good), upgrades rose (good), coverage fell (bad), net growth rose (good), no base for 培
    assert current == [charts.GOOD, charts.GOOD, charts.BAD, charts.GOOD, charts.ACCENT]
    assert [t.get_text() for t in fig.axes[3].texts] == ["-4", "+12"]
    assert [t.get_text() for t in fig.axes[4].texts] == ["—", "1.8%"]
    single = charts_branch.kpi_comparison(KPI_NOW, None, language="en")
    assert [len(ax.patches) for ax in single.axes] == [1] * 5


def test_visit_load_counts_per_staff_and_flags_over_limit():
    fig = charts_branch.visit_load(SCHEDULE, limits={"张*三": 2})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["李*", "王*明", "张*三"]
    widths = [p.get_width() for p in ax.patches]
    assert widths[:3] == [1, 1, 3]
    assert mcolors.to_hex(ax.patches[-1].get_facecolor()) == charts.BAD  # 3 visits over a limit of 2


def test_visit_calendar_counts_visits_and_greys_days_off():
    fig = charts_branch.visit_calendar(SCHEDULE, "2026-11", WORKDAYS)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("2 次") == 2  # 2 Nov and 3 Nov
    assert texts.count("1 次") == 1  # 30 Nov
    assert texts.count("休") == 9  # the Sundays 1, 8, 15, 22, 29 and Saturdays 7, 14, 21, 28
    workdays = [d for d in WORKDAYS if d != dt.date(2026, 11, 2)]
    holiday = charts_branch.visit_calendar(SCHEDULE.iloc[:0], "2026-11", workdays)
    assert [t.get_text() for t in holiday.axes[0].texts].count("休") == 10


def test_working_days_before_the_hand_out_are_past_not_days_off():
    """Handed out on Wednesday 4 Nov: Monday 2 and Tuesday 3 are greyed out, not marked 休 (the
    visits already on them are still counted), and the rest days keep their mark."""
    before = charts_branch.visit_calendar(SCHEDULE.iloc[2:], "2026-11", WORKDAYS, handed_out=dt.date(2026, 11, 4))
    texts = [t.get_text() for t in before.axes[0].texts]
    assert texts.count("休") == 9 and texts.count("2 次") == 1  # 3 Nov's two visits (the schedule's own)
    grey = {mcolors.to_hex(p.get_facecolor()) for p in before.axes[0].patches[:2]}
    assert grey == {"#f3f4f6"}  # Sunday 1 and Monday 2 (past, no visit)


def test_balance_sheet_and_ratio_diagnosis_show_amounts_and_verdicts():
    bs = charts_client.balance_sheet({"liquid": 4e5, "financial": 2.1e6, "real": 6e6, "liabilities": 9e6})
    texts = " ".join(_texts(bs))
    assert "210万" in texts and "600万" in texts and "净资产为负：-50万" in texts  # 0.4 + 2.1 + 6 - 9 = -0.5M
    rd = " ".join(_texts(charts_client.ratio_diagnosis(RATIOS)))
    assert "42.0%  偏低" in rd and "2.1 个月  偏低" in rd and "71.0%  合理" in rd and "参考：≈60%" in rd


def test_allocation_and_goals_label_amounts_shares_and_chances():
    alloc = " ".join(_texts(charts_client.allocation_before_after({"demand_deposit": 1.5e6, "funds": 5e5},
                                                            {"wealth_products": 2e6})))
    assert "150万 (75%)" in alloc and "200万 (100%)" in alloc and "理财产品" in alloc
    goals = " ".join(_texts(charts_client.goal_chances(GOALS, "en")))
    assert "86%" in goals and "41%" in goals and "12%" in goals and "With the plan" in goals


@pytest.mark.parametrize("make", [
    lambda: charts_branch.tier_pyramid(TIERS.iloc[:0]),
    lambda: charts_branch.concentration_curve(pd.Series([], dtype=float)),
    lambda: charts_branch.visit_load(SCHEDULE.iloc[:0]),
    lambda: charts_client.balance_sheet({}),
    lambda: charts_client.ratio_diagnosis(RATIOS.iloc[:0]),
    lambda: charts_client.allocation_before_after({}, {}),
    lambda: charts_client.goal_chances(GOALS.iloc[:0]),
])
def test_empty_inputs_give_a_no_data_figure(make):
    fig = make()
    assert "无数据" in _texts(fig)


def test_figures_display_as_png_in_a_kernel():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        fig = charts_client.balance_sheet({"liquid": 1e5})  # a chart made inside the shell registers the display
        data, _meta = shell.display_formatter.format(fig)
        assert data["image/png"][:4] == b"\x89PNG"
        assert int.from_bytes(data["image/png"][16:20], "big") == round(charts.WIDTH * charts.DPI)
    finally:
        InteractiveShell.clear_instance()


def test_a_name_with_dollar_signs_is_drawn_as_text_not_maths():
    """An input name is text: '$\\frac{$' would stop the render as bad mathtext; '$x^2$' would be typeset."""
    names = ["$\\frac{$", "$x^2$ 张*三"]
    schedule = pd.DataFrame({"staff_name": names, "date": pd.to_datetime(["2026-11-02", "2026-11-03"])})
    fig = charts_branch.visit_load(schedule)
    charts.to_png(fig)  # draws every text: raises on a mathtext parse error
    assert set(names) <= set(_texts(fig))
