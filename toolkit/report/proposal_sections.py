"""The client proposal's sections, laid out as Chinese 理财规划建议书 are: statement, summary,
family, cash flow and balance sheet, ratio diagnosis, goals and risk attitude, advice, allocation,
after the plan, service plan, risk disclosure. The proposal holds only its own client's data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.schema import ASSET_COLUMNS, label
from toolkit.client.proposal import Proposal
from toolkit.report import charts_client as charts
from toolkit.report.fmt import bullet_list, callout, heading, key_figures, money, paragraph, pct, table

T = {
    "zh": {
        "statement": "声明", "summary": "一、规划摘要", "family": "二、家庭基本情况", "finances": "三、收支与资产负债",
        "ratios": "四、财务比率诊断", "goals": "五、理财目标与风险偏好", "advice": "六、理财建议",
        "allocation": "七、产品配置建议", "after": "八、执行规划后的变化", "service": "九、后续服务计划",
        "disclosure": "十、风险揭示",
        "statement_text": ("本建议书依据客户{name}提供的家庭、收支与资产信息及本行截至{as_of}的记录编制，仅供客户参考，"
                           "不构成对收益的承诺。产品推荐均已通过风险匹配检查：产品风险等级不高于客户风险承受能力。"
                           "如客户情况发生变化，请及时告知理财经理以便调整规划。"),
        "advisor": "理财经理：{advisor}", "net_assets": "家庭净资产", "surplus": "年度结余", "investable": "可投资金额",
        "risk": "风险承受能力", "tier": "客户层级", "not_assessed": "未评估",
        "income": "收入", "expense": "支出", "debt_payment": "债务偿还", "liquid": "流动资产", "financial": "金融资产",
        "real": "实物资产", "liability": "负债", "cashflow": "年度收支", "balance": "资产负债",
        "goal_none": "客户未填写具体理财目标。", "risk_attitude": "风险偏好：{level}（评估日期 {day}）",
        "alloc_none": "目前没有可投资的闲置资金，本次不推荐新增产品。", "total": "合计",
        "cash_left": "未配置部分保留为现金：{amount}", "holdings": "在本行持有",
        "warnings": "提示", "item": "项目", "amount": "金额",
    },
    "en": {
        "statement": "Statement", "summary": "1. Summary", "family": "2. Family", "finances": "3. Cash flow and balance sheet",
        "ratios": "4. Ratio diagnosis", "goals": "5. Goals and risk attitude", "advice": "6. Advice",
        "allocation": "7. Suggested products", "after": "8. After the plan", "service": "9. Service plan",
        "disclosure": "10. Risk disclosure",
        "statement_text": ("This proposal is based on the family, income and asset information provided by {name} and on "
                           "the bank's records as of {as_of}. It is for the client's reference and promises no "
                           "return. Every product suggested has passed the suitability check: its risk rating does "
                           "not exceed the client's risk tolerance. Please tell your advisor when your situation "
                           "changes, so the plan can be updated."),
        "advisor": "Advisor: {advisor}", "net_assets": "Net assets", "surplus": "Annual surplus",
        "investable": "Investable now", "risk": "Risk tolerance", "tier": "Client tier", "not_assessed": "not assessed",
        "income": "Income", "expense": "Spending", "debt_payment": "Debt payments", "liquid": "Liquid assets",
        "financial": "Financial assets", "real": "Real assets", "liability": "Liabilities", "cashflow": "Annual cash flow",
        "balance": "Assets and liabilities", "goal_none": "No specific goals were given.",
        "risk_attitude": "Risk attitude: {level} (assessed {day})",
        "alloc_none": "There is no idle money to invest now, so no new product is suggested.", "total": "Total",
        "cash_left": "Kept as cash (not placed): {amount}", "holdings": "Held at the bank",
        "warnings": "Notes", "item": "Item", "amount": "Amount",
    },
}
COLS = {
    "zh": {"member_label": "成员", "name": "姓名", "age": "年龄", "occupation": "职业", "label": "比率", "value": "数值",
           "benchmark": "参考标准", "flag": "诊断", "explanation": "说明", "goal": "目标", "target_year": "目标年份",
           "target_today": "目标金额（现值）", "target_future": "届时所需", "projected": "预计可达", "gap": "缺口",
           "monthly_saving_needed": "每月需储蓄", "probability": "达成概率", "product_id": "产品代码",
           "category": "类别", "risk_rating": "风险等级", "amount": "建议金额", "expected_return": "业绩比较基准",
           "before": "规划前", "after": "规划后", "type": "类别", "item": "项目"},
    "en": {"member_label": "Member", "name": "Name", "age": "Age", "occupation": "Occupation", "label": "Ratio",
           "value": "Value", "benchmark": "Benchmark", "flag": "Diagnosis", "explanation": "Explanation", "goal": "Goal",
           "target_year": "Year", "target_today": "Target (today)", "target_future": "Needed then",
           "projected": "Projected", "gap": "Gap", "monthly_saving_needed": "Monthly saving needed",
           "probability": "Probability", "product_id": "Product", "category": "Category", "risk_rating": "Risk",
           "amount": "Amount", "expected_return": "Benchmark return", "before": "Before", "after": "After",
           "type": "Type", "item": "Item"},
}
FLAG = {"zh": {"low": "偏低", "ok": "合理", "high": "偏高"}, "en": {"low": "Low", "ok": "OK", "high": "High"}}


def _t(p: Proposal) -> dict[str, str]:
    return T[p.language]


def _labels(p: Proposal) -> dict[str, str]:
    return COLS[p.language]


def write_outputs(p: Proposal, folder: str | Path) -> list[Path]:
    """summary.json (CONTRACT §7) beside the rendered proposal."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    path.write_text(json.dumps(p.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


def statement(p: Proposal) -> list[Any]:
    t = _t(p)
    name = p.profile.get("name") or p.client_id
    out: list[Any] = [heading(t["statement"]), paragraph(t["statement_text"].format(name=name, as_of=p.as_of))]
    if p.advisor:
        out.append(paragraph(t["advisor"].format(advisor=p.advisor)))
    return out


def summary(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    level = p.profile.get("risk_level")
    risk = f"{level} {label(level, lang)}" if level else t["not_assessed"]
    figures = [(t["net_assets"], money(p.totals["net_assets"], lang)),
               (t["surplus"], money(p.totals["surplus"], lang)),
               (t["investable"], money(p.investable["investable"], lang)),
               (t["risk"], risk)]
    if p.tier:
        figures.append((t["tier"], label(p.tier, lang)))
    out: list[Any] = [heading(t["summary"]), key_figures(figures)]
    out += [callout(w, "warn") for w in dict.fromkeys([*p.status.messages(lang), *p.warnings])]
    if p.advice:
        out.append(bullet_list(a["text"] for a in p.advice[:3]))
    return out


def family(p: Proposal) -> list[Any]:
    t = _t(p)
    return [heading(t["family"]),
            table(p.family, columns=["member_label", "name", "age", "occupation"], int_cols=("age",),
                  labels=_labels(p), language=p.language)]


def finances(p: Proposal) -> list[Any]:
    t, lang, x = _t(p), p.language, p.totals
    cash = pd.DataFrame({"item": [t["income"], t["expense"], t["debt_payment"], t["surplus"]],
                         "amount": [x["income"], x["expense"], x["debt_payment"], x["surplus"]]})
    bal = pd.DataFrame({"item": [t["liquid"], t["financial"], t["real"], t["liability"], t["net_assets"]],
                        "amount": [x["liquid"], x["financial"], x["real"], x["liabilities"], x["net_assets"]]})
    out: list[Any] = [heading(t["finances"]),
                      table(cash, yuan=("amount",), labels=_labels(p), language=lang, caption=t["cashflow"]),
                      table(bal, yuan=("amount",), labels=_labels(p), language=lang, caption=t["balance"]),
                      charts.balance_sheet(x, lang)]
    if p.holdings:
        held = pd.DataFrame({"category": list(ASSET_COLUMNS),
                             "amount": [p.holdings.get(c, 0.0) for c in ASSET_COLUMNS]})
        held = held[held["amount"] > 0]
        out.append(table(held, codes=("category",), yuan=("amount",), labels=_labels(p), language=lang,
                         caption=t["holdings"]))
    return out


def ratios(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    rows = p.ratios.assign(flag=p.ratios["flag"].map(lambda f: FLAG[lang].get(f, "—") if f else "—"),
                           value=[_ratio_text(k, v) for k, v in zip(p.ratios["key"], p.ratios["value"], strict=True)],
                           explanation=p.ratios["explanation"].fillna(p.ratios["null_reason"]))
    return [heading(t["ratios"]),
            table(rows, columns=["label", "value", "benchmark", "flag", "explanation"], labels=_labels(p),
                  language=lang),
            charts.ratio_diagnosis(p.ratios, lang)]


def _ratio_text(key: str, value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.1f}" if key == "liquidity_ratio" else pct(value)


def goals(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    level = p.profile.get("risk_level")
    day = p.profile.get("risk_assessed_on")
    out: list[Any] = [heading(t["goals"]),
                      paragraph(t["risk_attitude"].format(level=f"{level} {label(level, lang)}" if level
                                                          else t["not_assessed"], day=day or "—"))]
    if p.goals.empty:
        return [*out, paragraph(t["goal_none"])]
    out += [table(p.goals, columns=["goal", "target_year", "target_today", "target_future", "projected", "gap",
                                    "monthly_saving_needed", "probability"],
                  money=("target_today", "target_future", "projected", "gap"), yuan=("monthly_saving_needed",),
                  pct=("probability",), int_cols=("target_year",), labels=_labels(p), language=lang),
            charts.goal_projection(p.goals, lang)]
    return out


def advice(p: Proposal) -> list[Any]:
    return [heading(_t(p)["advice"]), bullet_list(a["text"] for a in p.advice)]


def allocation(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    out: list[Any] = [heading(t["allocation"])]
    if p.allocation.empty:
        return [*out, paragraph(t["alloc_none"])]
    total = float(p.allocation["amount"].sum())
    out.append(table(p.allocation, columns=["product_id", "name", "category", "risk_rating", "amount",
                                            "expected_return"],
                     yuan=("amount",), pct=("expected_return",), codes=("category",), labels=_labels(p),
                     language=lang, caption=f"{t['total']} {money(total, lang)}"))
    left = p.investable["investable"] - total
    if left >= 1:
        out.append(paragraph(t["cash_left"].format(amount=money(left, lang))))
    before, after = holdings_before_after(p)
    if before:
        out.append(charts.allocation_before_after(before, after, lang))
    return out


def holdings_before_after(p: Proposal) -> tuple[dict[str, float], dict[str, float]]:
    """Bank holdings by category before and after the suggested purchases: the money comes first
    from liquid assets above the emergency fund, then from maturing time deposits."""
    if not p.holdings:
        return {}, {}
    before = {c: float(p.holdings.get(c, 0.0)) for c in ASSET_COLUMNS}
    after = dict(before)
    placed = float(p.allocation["amount"].sum()) if len(p.allocation) else 0.0
    from_liquid = min(p.investable.get("excess_liquid", 0.0), placed)
    after["demand_deposit"] = max(0.0, after["demand_deposit"] - from_liquid)
    after["time_deposit"] = max(0.0, after["time_deposit"] - (placed - from_liquid))
    for cat, amount in p.allocation.groupby("category")["amount"].sum().items():
        after[str(cat)] = after.get(str(cat), 0.0) + float(amount)
    return before, after


def after_plan(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    rows = p.ratio_changes.assign(
        before=[_ratio_text(k, v) for k, v in zip(p.ratio_changes["key"], p.ratio_changes["before"], strict=True)],
        after=[_ratio_text(k, v) for k, v in zip(p.ratio_changes["key"], p.ratio_changes["after"], strict=True)],
        flag=[f"{FLAG[lang].get(a, '—') if a else '—'} → {FLAG[lang].get(b, '—') if b else '—'}"
              for a, b in zip(p.ratio_changes["flag_before"], p.ratio_changes["flag_after"], strict=True)])
    return [heading(t["after"]), table(rows, columns=["label", "before", "after", "flag"], labels=_labels(p),
                                       language=lang)]


def service_plan(p: Proposal) -> list[Any]:
    return [heading(_t(p)["service"]), bullet_list(p.service_plan.get("lines", []))]


def disclosure(p: Proposal) -> list[Any]:
    return [heading(_t(p)["disclosure"]), paragraph(p.risk_disclosure, box="cc-disclosure")]


__all__ = ["statement", "summary", "family", "finances", "ratios", "goals", "advice", "allocation", "after_plan",
           "service_plan", "disclosure", "write_outputs"]
