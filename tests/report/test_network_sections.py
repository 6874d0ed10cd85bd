"""The province view's HTML sections: links to the plans, rank changes, '—' for what a summary
lacks, words (never codes) in both languages, hostile names as text, masked staff names."""

from __future__ import annotations

import re

import pytest

from tests.branch.test_ranking import BOOKS, NAMES
from toolkit.branch.network_kpi import network_view
from toolkit.report import network_sections as report
from toolkit.report.charts_network import kpi_trend


@pytest.fixture(scope="module")
def view():
    summaries = {"B1": {"visits": {"due_unscheduled": 4, "outflow": 2}, "risk_assessment": {"missing": 7}},
                 "B2": {"watch": {"outflow": ["x"]}}}
    return network_view(BOOKS, "2026-11", {**NAMES, "B3": "<b onclick=x()>龙湾</b>"},
                        status={"B1": "ok", "B2": "failed", "B3": "ok"}, summaries=summaries,
                        previous={"B1": {"overall_rank": 2}, "B3": {"overall_rank": 1, "rank_aum_growth": 3}},
                        previous_period="2026-10")


def html(items) -> str:
    return "".join(str(i) for i in items if hasattr(i, "_repr_html_"))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_ranking_links_each_done_plan_and_shows_the_rank_change(view, language):
    page = html(report.ranking(view, language))
    assert '<a href="B1/branch_plan.html">瓯海</a>' in page and '<a href="B3/branch_plan.html">' in page
    assert "B2/branch_plan.html" not in page  # its plan failed: no link to a missing file
    assert "&lt;b onclick=x()&gt;龙湾&lt;/b&gt;" in page and "<b onclick" not in page
    assert "▲1" in page and "▼2" in page  # B1 2 -> 1, B3 1 -> 3
    assert ("生成失败" if language == "zh" else "Failed") in page and ">failed<" not in page
    assert "2026-10" in page


def test_action_load_shows_a_dash_where_a_summary_is_silent_and_sorts_the_heaviest_first(view):
    page = html(report.action_load(view, "zh"))
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert "瓯海" in rows[1] and ">4<" in rows[1] and ">7<" in rows[1]  # B1: 4 + 2 + 7 = 13, first
    assert rows[-1].count("—") == 4  # the total: every branch silent on four of the seven figures
    assert "—" in rows[2]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_section_has_words_in_the_language_and_no_codes(view, language):
    items = report.sections(view, language)
    page = html(items)
    assert "@page { size: A4 landscape; }" in page
    for code in ("financial_advisor", "lobby_manager", "churn_rate", "previous_month", "rank_"):
        assert code not in page, code
    assert not re.search(r"network\.(load|staff|col|total|status|compare|unit|sheet|chart)", page)  # no key unsaid
    if language == "en":
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"瓯海|鹿城|龙湾|[甲乙丙丁][一二三四*]|\*", "", page))
    assert sum(1 for i in items if type(i).__name__ == "Figure") == 1


def test_staff_names_are_masked_unless_the_batch_says_not(view):
    page = html(report.staff(view, "zh"))
    assert "丙*" in page and "丙三" not in page
    view.mask_pii = False
    try:
        assert "丙三" in html(report.staff(view, "zh"))
    finally:
        view.mask_pii = True


def test_headline_figures_state_the_change_since_the_base(view):
    page = html(report.overview(view, "zh"))
    assert "较 2026-10：+1" in page  # clients in scope 10 -> 11
    assert "+20.0pp" in page  # churn: 0% in October, 20% now
    assert "380.60万" in page  # 3,806,000 yuan


def test_the_trend_chart_draws_with_and_without_months(view):
    fig = kpi_trend(view.trend, "en")
    assert len(fig.axes) == 6 and fig.axes[0].get_title().startswith("保")
    assert len(kpi_trend(view.trend.iloc[:0], "zh").axes) == 1
