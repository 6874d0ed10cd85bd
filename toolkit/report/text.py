"""Every word a reader sees, in one place: the text layer (zh and en side by side).

Domain rules (toolkit.branch, toolkit.client) return codes and numbers; the report layer turns
them into words here, for the HTML/PDF report, the work lists, the calendar and summary.json's
text fields. Each entry is `key: (zh, en)`; a third language is a third column in this file
(`LANGUAGES` gives the order). Keys are dotted by where they are read (`code.` for the labels
of canonical codes such as tiers, roles and asset columns; `fmt.`, `page.`, `title.` …), and a
text may hold `{placeholders}` filled by `say(key, language, **values)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The report languages, in the order of each entry's columns below.
LANGUAGES = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    # --- common -----------------------------------------------------------------------------------
    # Labels of canonical codes: tiers, asset and product lines, staff roles, risk levels.
    "code.out_of_scope": ("非维护对象", "Out of scope"),
    "code.basic": ("基础客户", "Basic"),
    "code.potential_b": ("潜力客户B", "Potential B"),
    "code.potential_a": ("潜力客户A", "Potential A"),
    "code.wealth": ("理财客户", "Wealth management"),
    "code.private_wealth": ("私行/财富客户", "Private & wealth"),
    "code.demand_deposit": ("活期存款", "Demand deposits"),
    "code.time_deposit": ("定期存款", "Time deposits"),
    "code.wealth_products": ("理财产品", "Wealth products"),
    "code.funds": ("基金", "Funds"),
    "code.bonds": ("国债", "Bonds"),
    "code.insurance": ("保险", "Insurance"),
    "code.precious_metals": ("贵金属", "Precious metals"),
    "code.custody_margin": ("三方存管保证金", "Custody margin"),
    "code.credit_card_annual_spend": ("信用卡", "Credit card"),
    "code.loan_balance": ("个人贷款", "Personal loan"),
    "code.branch_president": ("行长", "Branch president"),
    "code.wealth_manager": ("财富经理", "Wealth manager"),
    "code.financial_advisor": ("理财经理", "Financial advisor"),
    "code.branch_director": ("网点主任", "Branch director"),
    "code.lobby_manager": ("大堂经理", "Lobby manager"),
    "code.teller": ("柜员", "Teller"),
    "code.C1": ("保守型", "Conservative"),
    "code.C2": ("稳健型", "Prudent"),
    "code.C3": ("平衡型", "Balanced"),
    "code.C4": ("成长型", "Growth"),
    "code.C5": ("进取型", "Aggressive"),
    # Table helpers (toolkit.report.fmt).
    "fmt.no_data": ("无数据", "No data"),
    "fmt.truncated": ("仅显示前 {shown} 行，共 {total} 行", "Showing the first {shown} of {total} rows"),
    "fmt.yes": ("是", "Yes"),
    "fmt.no": ("否", "No"),
    # The page around every report (handed to toolkit.engine.render by the commands).
    "page.generated": ("生成时间：", "Generated at "),
    "page.toc": ("目录", "Contents"),
    "page.before": ("第 ", "Page "),
    "page.middle": (" 页 / 共 ", " of "),
    "page.after": (" 页", ""),
    "page.lang_code": ("zh-CN", "en"),
    # Report titles (toolkit.commands).
    "title.branch": ("{name}客户维护计划", "{name} client care plan"),
    "title.branch_sub": ("机构号 {bid} · 数据期 {period} · 计划月 {month}",
                         "Branch {bid} · data {period} · plan month {month}"),
    "title.proposal": ("理财规划建议书", "Financial planning proposal"),
    "title.proposal_sub": ("客户号 {cid} · {as_of}", "Client {cid} · {as_of}"),
    "title.network": ("网点客户维护对比", "Network comparison"),
    "title.network_sub": ("数据期 {period}", "Period {period}"),
    # Chart captions and axes (toolkit.report.charts*).
    "chart.clients": ("客户数", "Clients"),
    "chart.aum": ("金融资产", "Financial assets"),
    "chart.no_data": ("无数据", "No data"),
    "chart.share_clients": ("客户占比（按资产从高到低）", "Share of clients (largest assets first)"),
    "chart.share_aum": ("资产累计占比", "Cumulative share of assets"),
    "chart.equal": ("完全平均", "Perfect equality"),
    "chart.top": ("前{p}客户持有 {s} 资产", "Top {p} of clients hold {s} of assets"),
    "chart.base": ("基期", "Base period"),
    "chart.current": ("本期", "This period"),
    "chart.visits": ("拜访次数", "Visits"),
    "chart.limit": ("月上限", "Monthly limit"),
    "chart.off": ("休", "off"),
    "chart.weekdays": ("一二三四五六日", "MTWTFSS"),
    "chart.visit_unit": ("{n} 次", "{n}"),
    "chart.assets": ("资产", "Assets"),
    "chart.liab_net": ("负债与净资产", "Liabilities & net worth"),
    "chart.liquid": ("流动资产", "Liquid"),
    "chart.financial": ("金融资产", "Financial"),
    "chart.real": ("实物资产", "Real estate & other"),
    "chart.liabilities": ("负债", "Liabilities"),
    "chart.net_assets": ("净资产", "Net worth"),
    "chart.neg_net": ("净资产为负：{v}", "Negative net worth: {v}"),
    "chart.low": ("偏低", "low"),
    "chart.ok": ("合理", "ok"),
    "chart.high": ("偏高", "high"),
    "chart.months": ("{v} 个月", "{v} months"),
    "chart.benchmark": ("参考：{b}", "benchmark: {b}"),
    "chart.before": ("调整前", "Before"),
    "chart.after": ("调整后", "After"),
    "chart.target": ("目标金额（届时）", "Target (future value)"),
    "chart.projected": ("预计可达", "Projected"),
    "chart.probability": ("达成概率 {p}", "{p} likely"),
    # --- common (end) -----------------------------------------------------------------------------
    # --- branch plan ------------------------------------------------------------------------------
    # --- branch plan (end) ------------------------------------------------------------------------
    # --- branch actions: visits, greetings, forum, salons, work lists, calendar -------------------
    # --- branch actions (end) ---------------------------------------------------------------------
    # --- proposal ---------------------------------------------------------------------------------
    # --- proposal (end) ---------------------------------------------------------------------------
}


def _column(language: str) -> int:
    """The column of `language` (unknown languages read as Chinese, the default report language)."""
    return LANGUAGES.index(language) if language in LANGUAGES else 0


def say_notice(notice: Any, language: str = "zh") -> str:
    """A domain rule's notice (toolkit.base.notices.Notice) as a sentence in `language`."""
    return say(notice.key, language, **notice.values)


def say(key: str, language: str = "zh", /, **values: Any) -> str:
    """The text of `key` in `language`, its `{placeholders}` filled from `values`."""
    text = WORDS[key][_column(language)]
    return text.format(**values) if values else text


def label(code: str, language: str = "zh") -> str:
    """The display label of a canonical code (tier, asset line, role, risk level); the code itself
    when it has none (an unknown extra category is shown as it was given)."""
    entry = WORDS.get(f"code.{code}")
    return entry[_column(language)] if entry else code


def words(prefix: str, language: str = "zh") -> dict[str, str]:
    """Every entry under `prefix.` as {rest of key: text}, e.g. a table's column headers."""
    col, start = _column(language), f"{prefix}."
    return {key[len(start):]: entry[col] for key, entry in WORDS.items() if key.startswith(start)}


def page_labels(language: str = "zh") -> Mapping[str, str]:
    """The words of the page around a report, for toolkit.engine.render."""
    return words("page", language)
