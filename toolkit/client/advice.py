"""Turn the diagnosis into advice: each flagged ratio, goal gap and the allocation becomes a concrete
sentence with an amount (建议), in Chinese by default.

Advice only describes; it never chooses products. Product lines come from the allocation, which has
already passed `suitability.enforce`, so nothing here can recommend an unsuitable product.
The sentences are templates (zh, en) filled with formatted amounts, so both languages say the same.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from toolkit.base.schema import label
from toolkit.base.settings import RatioBenchmarks
from toolkit.client.household import percent
from toolkit.client.suitability import SuitabilityStatus

_NULL_TOPICS = {"savings_ratio": "income_missing", "debt_service_ratio": "income_missing",
                "liquidity_ratio": "spending_missing", "solvency_ratio": "assets_missing",
                "liquid_to_net_assets": "net_assets_negative",
                "investment_to_net_assets": "net_assets_negative"}

TEXT: dict[str, tuple[str, str]] = {
    "income_missing": (
        "未提供税后收入,结余比例和财务偿还率无法计算;请补充收入信息后再评估储蓄和还款能力。",
        "No after-tax income was given, so savings and debt-service ratios cannot be computed; "
        "add income to assess saving and repayment capacity."),
    "spending_missing": (
        "未提供年度支出,无法判断应急金是否充足;请补充日常支出。",
        "No spending was given, so the emergency fund cannot be sized; add yearly spending."),
    "assets_missing": (
        "未提供任何资产,无法计算偿付比率;请补充资产负债表。",
        "No assets were given, so solvency cannot be computed; complete the balance sheet."),
    "net_assets_negative": (
        "家庭净资产为零或为负(负债不低于资产):当前首要任务是控制负债、稳定现金流,暂不建议增加风险投资。",
        "Net assets are zero or negative (debts at least equal assets): first bring debt under control "
        "and steady the cash flow; do not add risky investments."),
    "savings_low": (
        "结余比例为{v},低于参考值{target}。建议梳理开支,每月压缩非必要支出约{monthly},全年多结余约{amount},"
        "使结余比例回到{target}。",
        "The savings ratio is {v}, below the {target} benchmark. Cut non-essential spending by about "
        "{monthly} a month ({amount} a year) to reach {target}."),
    "savings_high": (
        "结余比例为{v},积累能力强。建议把每月约{amount}的结余设为定期定投,让结余持续增值,也可适当提高生活品质。",
        "The savings ratio is {v}: a strong saver. Put the monthly surplus of about {amount} into a "
        "regular investment plan."),
    "liquidity_short": (
        "流动资产只够{months_held}个月支出。建议保留{months}个月支出(约{fund})的活期或货币类资金作为应急金,"
        "目前还差{amount}:补足之前,每月结余优先存入活期,不用于新的投资。",
        "Liquid assets cover {months_held} months of spending. Keep {months} months (about {fund}) in "
        "demand deposits or money-market funds as an emergency fund; {amount} is still missing: until "
        "it is topped up, the monthly surplus goes to demand deposits, not to new investments."),
    "liquidity_refill": (
        "流动资产只够{months_held}个月支出。建议保留{months}个月支出(约{fund})的活期或货币类资金作为应急金,"
        "目前差{short}:到期的定期存款先拿出{amount}补入应急金,不用于新的投资{rest}。",
        "Liquid assets cover {months_held} months of spending. Keep {months} months (about {fund}) in "
        "demand deposits or money-market funds as an emergency fund; {short} is missing: {amount} of the "
        "maturing time deposits tops it up first instead of being reinvested{rest}."),
    "refill_rest": (",补足后仍差{missing},每月结余优先存入活期",
                    "; the remaining {missing} comes from the monthly surplus before any new investment"),
    "liquidity_high": (
        "流动资产可支撑{months_held}个月支出,超过{max}个月。建议保留{months}个月支出(约{fund})作为应急金,"
        "将多出的{amount}转入{where}(见下方配置)。",
        "Liquid assets cover {months_held} months of spending, more than {max}. Keep {months} months "
        "(about {fund}) as an emergency fund and move the excess {amount} into {where} "
        "(see the allocation)."),
    "liquid_to_net_low": (
        "流动资产占净资产{v},偏低,急用时需要变现其他资产。建议逐步把流动资产增加约{amount},使其占净资产约{target}。",
        "Liquid assets are {v} of net assets, low: an emergency would force other assets to be sold. "
        "Build liquid assets up by about {amount} to reach {target} of net assets."),
    "liquid_to_net_high": (
        "流动资产占净资产{v},偏高,约{amount}的现金类资产收益偏低;超出应急金的部分可按下方配置投资。",
        "Liquid assets are {v} of net assets, high: about {amount} sits in low-yield cash; what exceeds "
        "the emergency fund can be invested as allocated below."),
    "solvency_low": (
        "偿付比率为{v},低于{target},负债偏重。建议优先用今后的结余提前偿还利率较高的负债,暂缓新增借贷;"
        "负债约需减少{amount}才能使偿付比率回到{target}以上。",
        "The solvency ratio is {v}, below {target}: debts are heavy. Use future surpluses to repay the "
        "most expensive debt first and take on no new loans; debt must fall by about {amount} to bring "
        "solvency back above {target}."),
    "debt_service_high": (
        "每月还款约{pay},占月收入{v},高于{target},还款压力大。建议与贷款行协商延长贷款期限,或用部分存款"
        "提前偿还高息贷款,把月供降低约{amount}至{cap}以内;在此之前不宜新增贷款。",
        "Repayments of about {pay} a month take {v} of monthly income, above {target}. Ask the lender to "
        "extend the term or prepay the costliest loan, cutting repayments by about {amount} to at most "
        "{cap} a month; take no new loans meanwhile."),
    "investment_low": (
        "投资资产占净资产{v},低于{target},资产增值能力不足。建议逐步增加投资资产约{amount};本次配置先投入{placed}。",
        "Investments are {v} of net assets, below {target}. Grow invested assets by about {amount} over "
        "time; this plan invests {placed} now."),
    "goal_head": (
        "{goal}:{year}年约需{future}(今日价值{today},已计入通胀)",
        "{goal}: about {future} needed in {year} ({today} in today's money, after inflation)"),
    "goal_met": (
        "{head},按现有安排和预期收益测算可积累{projected},足以实现;考虑市场波动的模拟达成概率约{p}。",
        "{head}; at the expected return the current plan reaches about {projected}, enough; allowing "
        "for market swings the simulated chance is {p}."),
    "goal_due": (
        "{head},目标年份已到,尚差{amount},需要一次性安排资金或调整目标金额。",
        "{head}; the target year has come and {amount} is still missing: fund it in one sum or revise "
        "the goal."),
    "goal_gap": (
        "{head},按现有安排预计可积累{projected},缺口{gap},模拟达成概率约{p}。建议每月另行定投约{amount}以补足缺口。",
        "{head}; the current plan reaches about {projected}, a gap of {gap} (simulated chance {p}). "
        "Save about {amount} more a month to close it."),
    "nothing_to_invest": (
        "目前没有超出应急金的可投资资金,建议先积累应急金,暂不配置新的投资产品。",
        "There is no money above the emergency fund to invest yet: build the emergency fund first."),
    "nothing_suitable": (
        "可投资金额{amount},但产品货架上没有符合您风险等级(R{ceiling}及以下)且达到起购金额的产品,资金暂留活期。",
        "{amount} could be invested, but no product on the shelf is both suitable (rated R{ceiling} or "
        "below) and reachable at its minimum amount; it stays in demand deposits for now."),
    "allocation": (
        "可投资金额{investable}(超出应急金的流动资金{excess},加到期定期存款{maturing}中可再投资的{deposits}),"
        "建议分散配置{amount}于{where},所选产品风险等级均不高于R{ceiling}:",
        "Investable: {investable} ({excess} of liquid money above the emergency fund plus {deposits} of the "
        "{maturing} of time deposits maturing ({share} of them) that can be reinvested). Spread {amount} "
        "over {where}, every product rated R{ceiling} or below:"),
    "product": ("{name}({pid},{rating},{category}):{amount}{ret}",
                "{name} ({pid}, {rating}, {category}): {amount}{ret}"),
    "product_return": (",业绩比较基准{r}", ", benchmark return {r}"),
    "cash": (
        "余下{amount}(不足起购金额或取整余数)暂留活期,可在下次检视时再配置。",
        "The remaining {amount} (below minimum amounts or rounding) stays in demand deposits until the "
        "next review."),
}


def money(amount: float, language: str = "zh") -> str:
    """12.5万元 / 8,000元 in Chinese, 125,000 yuan in English."""
    if language != "zh":
        return f"{amount:,.0f} yuan"
    if abs(amount) >= 10_000:
        return f"{amount / 10_000:,.2f}".rstrip("0").rstrip(".") + "万元"
    return f"{amount:,.0f}元"


class _Writer:
    """Fills TEXT templates in one language; money and percentages formatted the same way everywhere."""

    def __init__(self, language: str):
        self.lang = "zh" if language == "zh" else "en"

    def text(self, key: str, **values: Any) -> str:
        return TEXT[key][0 if self.lang == "zh" else 1].format(**values)

    def money(self, amount: float) -> str:
        return money(amount, self.lang)

    def item(self, topic: str, key: str, value: float | None = None, **values: Any) -> dict[str, Any]:
        """One recommendation; `value` is its amount, shown as {amount} unless the template gets another."""
        if value is not None:
            values.setdefault("amount", self.money(value))
        return {"topic": topic, "text": self.text(key, **values),
                "amount": None if value is None else float(round(value, 2))}

    def categories(self, allocation: pd.DataFrame) -> str:
        cats = [label(c, self.lang) if self.lang == "zh" else label(c, "en").lower()
                for c in dict.fromkeys(allocation["category"])]
        return ("、" if self.lang == "zh" else ", ").join(cats)


def _suitability(status: SuitabilityStatus, w: _Writer) -> list[dict[str, Any]]:
    texts = dict(zip(status.reasons, status.messages(w.lang), strict=True))
    out = []
    if status.needs_assessment:
        reason = next(r for r in status.reasons if r.startswith(("no_", "assessment_")))
        out.append({"topic": "risk_assessment", "text": texts[reason], "amount": None})
    if status.extra_care:
        out.append({"topic": "extra_care", "text": texts["extra_care"], "amount": None})
    return out


def _ratio_advice(key: str, value: float, flag: str, t: dict[str, float], inv: dict[str, float],
                  allocation: pd.DataFrame, b: RatioBenchmarks, w: _Writer) -> dict[str, Any] | None:
    v = percent(value)
    if key == "savings_ratio" and flag == "low":
        extra = t["income"] * b.savings_ratio - t["surplus"]
        return w.item(key, "savings_low", extra, v=v, target=percent(b.savings_ratio),
                      monthly=w.money(extra / 12))
    if key == "savings_ratio" and flag == "high":
        return w.item(key, "savings_high", t["surplus"] / 12, v=v)
    if key == "liquidity_ratio":
        common = {"months_held": f"{value:.1f}", "months": f"{inv['emergency_months']:g}",
                  "fund": w.money(inv["emergency_fund"])}
        if inv["to_emergency_fund"] > 0:
            missing = inv["shortfall_after_refill"]
            rest = w.text("refill_rest", missing=w.money(missing)) if missing > 0.005 else ""
            return w.item(key, "liquidity_refill", inv["to_emergency_fund"], short=w.money(inv["liquid_shortfall"]),
                          rest=rest, **common)
        if flag == "low" or inv["liquid_shortfall"] > 0:
            return w.item(key, "liquidity_short", inv["liquid_shortfall"], **common)
        if flag == "high":
            where = (w.categories(allocation) if not allocation.empty
                     else "低风险的R1产品" if w.lang == "zh" else "low-risk R1 products")
            return w.item(key, "liquidity_high", inv["excess_liquid"], max=f"{b.liquidity_ratio_max:g}",
                          where=where, **common)
        return None
    if key == "liquid_to_net_assets" and flag == "low":
        need = b.liquid_to_net_assets * t["net_assets"] - t["liquid"]
        return w.item(key, "liquid_to_net_low", need, v=v, target=percent(b.liquid_to_net_assets))
    if key == "liquid_to_net_assets" and flag == "high":
        return w.item(key, "liquid_to_net_high", t["liquid"] - b.liquid_to_net_assets * t["net_assets"], v=v)
    if key == "solvency_ratio" and flag == "low":
        need = t["liabilities"] - b.solvency_ratio_min * t["total_assets"]
        return w.item(key, "solvency_low", need, v=v, target=percent(b.solvency_ratio_min))
    if key == "debt_service_ratio" and flag == "high":
        pay, cap = t["debt_payment"] / 12, b.debt_service_ratio_max * t["income"] / 12
        return w.item(key, "debt_service_high", pay - cap, v=v, target=percent(b.debt_service_ratio_max),
                      pay=w.money(pay), cap=w.money(cap))
    if key == "investment_to_net_assets" and flag == "low":
        need = b.investment_to_net_assets_min * t["net_assets"] - t["financial"]
        placed = float(allocation["amount"].sum()) if not allocation.empty else 0.0
        return w.item(key, "investment_low", need, v=v, target=percent(b.investment_to_net_assets_min),
                      placed=w.money(placed))
    return None


def _goal_advice(goals: pd.DataFrame, w: _Writer) -> list[dict[str, Any]]:
    out = []
    for g in goals.itertuples(index=False):  # one sentence per goal the client wrote down
        head = w.text("goal_head", goal=g.goal, year=g.target_year, future=w.money(g.target_future),
                      today=w.money(g.target_today))
        common = {"head": head, "p": percent(g.probability), "projected": w.money(g.projected)}
        if g.gap <= 0:
            out.append(w.item("goal", "goal_met", **common))
        elif g.due_now:
            out.append(w.item("goal", "goal_due", g.gap, **common))
        else:
            out.append(w.item("goal", "goal_gap", g.monthly_saving_needed, gap=w.money(g.gap), **common))
    return out


def _allocation_advice(inv: dict[str, float], allocation: pd.DataFrame, status: SuitabilityStatus,
                       w: _Writer) -> list[dict[str, Any]]:
    amount, ceiling = inv["investable"], status.max_product_risk
    if amount <= 0:
        return [w.item("allocation", "nothing_to_invest", 0.0)]
    if allocation.empty:
        return [w.item("allocation", "nothing_suitable", 0.0, amount=w.money(amount), ceiling=ceiling)]
    placed = float(allocation["amount"].sum())
    out = [w.item("allocation", "allocation", placed, investable=w.money(amount),
                  excess=w.money(inv["excess_liquid"]), share=percent(inv["time_deposit_share"]),
                  deposits=w.money(inv["from_time_deposits"]),
                  maturing=w.money(inv["maturing_deposits"]),
                  where=w.categories(allocation),
                  ceiling=ceiling)]
    for p in allocation.itertuples(index=False):  # one line per recommended product (a handful)
        has_return = isinstance(p.expected_return, float) and math.isfinite(p.expected_return)
        ret = w.text("product_return", r=f"{p.expected_return:.2%}") if has_return else ""
        out.append(w.item("product", "product", p.amount, name=p.name, pid=p.product_id, rating=p.risk_rating,
                          category=label(p.category, w.lang), ret=ret))
    left = amount - placed
    if left >= 1:
        out.append(w.item("cash", "cash", left))
    return out


def advise(ratios: pd.DataFrame, goals: pd.DataFrame, investable: dict[str, float], allocation: pd.DataFrame,
           status: SuitabilityStatus, language: str = "zh", *, totals: dict[str, float] | None = None,
           benchmarks: RatioBenchmarks | None = None) -> list[dict[str, Any]]:
    """Recommendations in reading order: suitability, ratio flags, goals, allocation.

    Each is {topic, text, amount}; `amount` is in yuan (annual, monthly or one-off as the text says),
    or None. Ratio amounts come from `totals`, by default the totals `compute_ratios` was given.
    """
    w = _Writer(language)
    totals = totals if totals is not None else ratios.attrs.get("totals")
    b = benchmarks or RatioBenchmarks()
    out = _suitability(status, w)
    seen: set[str] = set()
    for r in ratios.itertuples(index=False):  # the six ratios
        if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)):
            topic = _NULL_TOPICS[r.key]
            if topic not in seen:
                seen.add(topic)
                out.append({"topic": topic, "text": w.text(topic), "amount": None})
        elif totals is not None:
            item = _ratio_advice(r.key, float(r.value), r.flag, totals, investable, allocation, b, w)
            if item is not None:
                out.append(item)
    if goals is not None and not goals.empty:
        out.extend(_goal_advice(goals, w))
    out.extend(_allocation_advice(investable, allocation, status, w))
    return out
