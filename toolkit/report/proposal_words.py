"""How the proposal's numbers read inside sentences and tables: amounts (元 with separators, 万元
for large sums in Chinese sentences), shares, years, terms, and a notice said with its values.

Only the client proposal's text helpers live here, so the sections (proposal_sections) and the
document parts (proposal_doc) word every figure the same way.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from toolkit.base.notices import Notice
from toolkit.report.text import label, say

#: How a notice's values are shown, by placeholder name.
MONEY = frozenset({"amount", "monthly", "fund", "short", "missing", "pay", "cap", "future", "today", "lump", "kept",
                   "cash", "extra", "at_bank", "told", "net", "line", "surplus", "goals", "emergency", "left",
                   "top_up", "reinvest", "to_goals", "placed"})
PERCENT = frozenset({"v", "target", "share", "before", "after", "p", "floor"})
_FORMAT = {"months_held": "{:.1f}", "months_after": "{:.1f}", "months": "{:g}", "max": "{:g}", "r": "{:.2%}"}


def percent(x: float) -> str:
    """A share in a sentence: 60% when whole, else one decimal (62.5%)."""
    return f"{x * 100:.0f}%" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x * 100:.1f}%"


def sentence_money(amount: float, language: str = "zh") -> str:
    """An amount inside a sentence: 12.5万元 / 8,000元 in Chinese, 125,000 yuan in English."""
    wan = say("proposal.money.wan", language)
    if wan and abs(amount) >= 10_000:
        return wan.format(v=f"{amount / 10_000:,.2f}".rstrip("0").rstrip("."))
    return say("proposal.money.yuan", language, v=f"{amount:,.0f}")


def level_text(level: str | None, language: str) -> str:
    """'C3 平衡型' / 'C3 Balanced'."""
    return f"{level} {label(level, language)}" if level else ""


def categories_text(codes: tuple[str, ...], language: str) -> str:
    """Categories named inside a sentence: 理财产品、基金 / wealth products, funds."""
    if not codes:
        return say("proposal.act.investments", language)
    words = [label(c, language) for c in codes]
    return ("、" if language == "zh" else ", ").join(words if language == "zh" else [w.lower() for w in words])


def term_text(days: Any, language: str) -> str:
    """A product's term: 3年 / 90天 / 灵活存取."""
    if days is None or (isinstance(days, float) and math.isnan(days)) or days is pd.NA:
        return say("proposal.term.none", language)
    d = int(days)
    if d == 365:
        return say("proposal.term.year", language)
    if d >= 365 and d % 365 == 0:
        return say("proposal.term.years", language, n=d // 365)
    return say("proposal.term.days", language, n=d)


def _value(name: str, value: Any, language: str) -> Any:
    if isinstance(value, Notice):
        return say_notice(value, language)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Notice) for v in value):
        return say("proposal.act.goal.sep", language).join(say_notice(v, language) for v in value)
    if value is None:
        return ""
    if name in MONEY:
        return sentence_money(float(value), language)
    if name in PERCENT:
        return percent(float(value))
    if name == "where":
        return categories_text(tuple(value), language)
    if name == "level":
        return level_text(value, language)
    if name == "tier":
        return label(value, language)
    if name == "year":
        return str(int(value))
    if name in ("on", "day", "date", "review", "due") and hasattr(value, "isoformat"):
        return value.isoformat()
    return _FORMAT[name].format(value) if name in _FORMAT else value


def say_notice(n: Notice, language: str = "zh") -> str:
    """A proposal notice (action, note, reason, service line) as a sentence in `language`."""
    return say(n.key, language, **{k: _value(k, v, language) for k, v in n.values.items()})
