"""Formatting for reports: 万元, yuan, percentages, and the clean report table."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.report import fmt


@pytest.mark.parametrize(("value", "expected"), [
    (12_345_600, "1,234.56万"), (0, "0.00万"), (5_000, "0.50万"), (-250_000, "-25.00万"),
    (123_456_789_012, "12,345,678.90万"), (None, "—"), (float("nan"), "—"), (pd.NA, "—"),
])
def test_wan(value, expected):
    assert fmt.wan(value) == expected


def test_yuan_and_money_by_language():
    assert fmt.yuan(12345.678) == "12,345.68元"
    assert fmt.yuan(12345.678, language="en") == "¥12,345.68"
    assert fmt.yuan(-5, language="en") == "-¥5.00"
    assert fmt.money(1_234_567, "zh") == "123.46万"
    assert fmt.money(1_234_567, "en") == "¥1,234,567"
    assert fmt.money(None, "en") == "—"


@pytest.mark.parametrize(("value", "expected"), [
    (0.1234, "12.3%"), (0, "0.0%"), (1, "100.0%"), (-0.05, "-5.0%"), (None, "—"), (float("nan"), "—"),
])
def test_pct(value, expected):
    assert fmt.pct(value) == expected


def test_pct_signed_and_integer():
    assert fmt.pct(0.021, signed=True) == "+2.1%"
    assert fmt.integer(1234567) == "1,234,567"
    assert fmt.integer(-12, signed=True) == "-12"
    assert fmt.integer(12, signed=True) == "+12"
    assert fmt.number(4.256, 1) == "4.3"


@pytest.mark.parametrize(("value", "zh", "en"), [
    (8_000, "8,000", "¥8k"), (300_000, "30万", "¥300k"), (1_234_567, "123.5万", "¥1.23m"),
    (98_000_000, "9,800万", "¥98m"), (120_000_000, "1.2亿", "¥120m"), (-45_000, "-4.5万", "-¥45k"),
])
def test_money_short(value, zh, en):
    assert fmt.money_short(value, "zh") == zh
    assert fmt.money_short(value, "en") == en


@given(st.integers(min_value=-10**13, max_value=10**13))
def test_wan_round_trips_to_the_cent_of_a_wan(fen):
    """Whatever the amount, the 万 text parses back to the amount rounded to 0.01万 (100 yuan)."""
    amount = fen / 100
    text = fmt.wan(amount)
    assert text.endswith("万")
    parsed = float(text[:-1].replace(",", ""))
    assert math.isclose(parsed, round(amount / 10_000, 2), abs_tol=0.0051)
    integer_part = text[:-1].lstrip("-").split(".")[0]
    assert all(len(g) == 3 for g in integer_part.split(",")[1:])  # thousands grouped by three


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_pct_is_the_fraction_times_100(x):
    text = fmt.pct(x)
    assert text.endswith("%")
    assert math.isclose(float(text[:-1]), x * 100, abs_tol=0.051)


def _tiers() -> pd.DataFrame:
    return pd.DataFrame({"tier": ["wealth", "basic"], "clients": [12, 3], "aum": [12_000_000.0, 450_000.0],
                         "share": [0.964, 0.036], "note": ["<b>大客户</b>", None]})


def test_table_formats_and_aligns_columns():
    html = fmt.table(_tiers(), money=["aum"], pct=["share"], int_cols=["clients"], codes=["tier"],
                     labels={"aum": "金融资产"})
    assert html.startswith('<table class="cc-table">')
    assert html._repr_html_() == str(html)
    assert '<th class="txt nw">tier</th>' in html  # no label given and 'tier' is no schema code: as is
    assert '<th class="num">金融资产</th>' in html
    assert '<td class="txt nw">理财客户</td>' in html and '<td class="txt nw">基础客户</td>' in html
    assert '<td class="num">1,200.00万</td>' in html and '<td class="num">45.00万</td>' in html
    assert '<td class="num">96.4%</td>' in html
    assert '<td class="num">12</td>' in html
    assert "&lt;b&gt;大客户&lt;/b&gt;" in html  # text is escaped, never injected
    assert '<td class="txt nw">—</td>' in html  # missing shown as a dash, not None/NaN
    for noise in ("dataframe", "border=", "<style", "NaN", "None"):
        assert noise not in html


def test_table_in_english_uses_english_labels_and_yuan():
    html = fmt.table(_tiers(), money=["aum"], codes=["tier"], language="en", columns=["tier", "aum"])
    assert "Wealth management" in html and "Basic" in html
    assert "¥12,000,000" in html
    assert "clients" not in html  # only the chosen columns


def test_table_schema_labels_for_known_column_names():
    df = pd.DataFrame({"demand_deposit": [1e6], "funds": [5e4]})
    html = fmt.table(df, money=["demand_deposit", "funds"])
    assert "<th class=\"num\">活期存款</th>" in html and "<th class=\"num\">基金</th>" in html


def test_table_plain_numeric_columns_get_separators_and_right_alignment():
    df = pd.DataFrame({"n": pd.array([1234, None], dtype="Int64"), "x": [1234.5, float("nan")],
                       "flag": [True, False], "day": pd.to_datetime(["2026-11-30", "2026-12-01"])})
    html = fmt.table(df)
    assert '<td class="num">1,234</td>' in html and '<td class="num">1,234.50</td>' in html
    assert '<td class="txt nw">是</td>' in html and '<td class="txt nw">否</td>' in html
    assert '<td class="txt nw">2026-11-30</td>' in html
    assert html.count('<td class="num">—</td>') == 2


def test_table_keeps_short_text_on_one_line_and_lets_long_text_wrap():
    df = pd.DataFrame({"tier": ["私行/财富客户"], "reason": ["本月2026-11-01到期（上次拜访2026-10-01）"]})
    html = fmt.table(df)
    assert '<td class="txt nw">私行/财富客户</td>' in html
    assert '<td class="txt">本月2026-11-01到期（上次拜访2026-10-01）</td>' in html


def test_table_empty_and_truncated():
    empty = fmt.table(_tiers().iloc[0:0], money=["aum"])
    assert "无数据" in empty and 'colspan="5"' in empty
    assert "No data" in fmt.table(_tiers().iloc[0:0], language="en")
    long = pd.DataFrame({"client_id": [f"{i:04d}" for i in range(30)]})
    html = fmt.table(long, max_rows=10)
    assert html.count("<tr>") == 11  # header + 10 rows
    assert "仅显示前 10 行，共 30 行" in html
    assert "0009" in html and "0010" not in html


def test_heading_callout_list_and_key_figures_escape_text():
    assert fmt.heading("一、客户分层", 2) == "<h2>一、客户分层</h2>"
    assert fmt.heading("x", 9) == "<h6>x</h6>"
    box = fmt.callout("资产流出 <30%>", "warn", title="注意")
    assert 'class="cc-callout cc-warn"' in box and "&lt;30%&gt;" in box and "<strong>注意</strong>" in box
    assert 'cc-callout cc-info' in fmt.callout("x", "unknown-kind")
    assert fmt.bullet_list(["a", "<b>"]) == '<ul class="cc-list"><li>a</li><li>&lt;b&gt;</li></ul>'
    kf = fmt.key_figures([("客户数", "1,234"), ("资产", "5.6亿", "较上月 +2.1%")])
    assert kf.count('class="cc-kf"') == 2 and "较上月 +2.1%" in kf


def test_markdown_is_displayed_as_markdown():
    out = fmt.markdown("**粗体**")
    assert out._repr_markdown_() == "**粗体**"
