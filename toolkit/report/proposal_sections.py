"""The client proposal's sections, laid out as Chinese 理财规划建议书 are: statement, summary,
family, cash flow and balance sheet, ratio diagnosis, goals and risk attitude, advice, allocation,
after the plan, service plan, risk disclosure. The proposal holds only its own client's data.

The Proposal (toolkit.client.proposal) holds codes, numbers and notices; every word here comes from
the text layer (toolkit.report.text, keys `proposal.*`), and every sentence, table and chart is
drawn from that one model, never recomputed beside it. summary.json's text field (`warnings`) is
worded here too, so both languages say the same thing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.notices import Notice
from toolkit.base.schema import ASSET_COLUMNS
from toolkit.base.settings import RatioBenchmarks
from toolkit.client.proposal import Proposal
from toolkit.client.suitability import SuitabilityStatus
from toolkit.report import charts_client as charts
from toolkit.report.fmt import bullet_list, callout, heading, key_figures, money, paragraph, pct, table
from toolkit.report.text import label, say, words

#: How a notice's values are shown, by placeholder name: amounts, shares, months, returns.
_MONEY = frozenset({"amount", "monthly", "fund", "short", "missing", "pay", "cap", "future", "today",
                    "projected", "gap", "investable", "excess", "deposits", "maturing", "placed", "at_bank",
                    "told"})
_PERCENT = frozenset({"v", "target", "p", "share"})
_FORMAT = {"months_held": "{:.1f}", "months": "{:g}", "max": "{:g}", "r": "{:.2%}"}


def percent(x: float) -> str:
    """A share in a sentence: 60% when whole, else one decimal (62.5%)."""
    return f"{x * 100:.0f}%" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x * 100:.1f}%"


def sentence_money(amount: float, language: str = "zh") -> str:
    """An amount inside a sentence: 12.5万元 / 8,000元 in Chinese, 125,000 yuan in English."""
    wan = say("proposal.money.wan", language)
    if wan and abs(amount) >= 10_000:
        return wan.format(v=f"{amount / 10_000:,.2f}".rstrip("0").rstrip("."))
    return say("proposal.money.yuan", language, v=f"{amount:,.0f}")


def _categories(codes: tuple[str, ...], language: str) -> str:
    """Categories named inside a sentence (an empty list is the R1 fallback of the liquidity advice)."""
    if not codes:
        return say("proposal.advice.low_risk_r1", language)
    return say("proposal.advice.sep", language).join(
        say("proposal.advice.category", language, label=label(c, language), lower=label(c, language).lower())
        for c in codes)


def _value(name: str, value: Any, language: str) -> Any:
    if isinstance(value, Notice):
        return say_notice(value, language)
    if value is None:
        return ""
    if name in _MONEY:
        return sentence_money(value, language)
    if name in _PERCENT:
        return percent(value)
    if name == "where":
        return _categories(value, language)
    if name == "category":
        return label(value, language)
    return _FORMAT[name].format(value) if name in _FORMAT else value


def say_notice(n: Notice, language: str = "zh") -> str:
    """A proposal notice (warning, reason, advice, service line) as a sentence in `language`."""
    return say(n.key, language, **{k: _value(k, v, language) for k, v in n.values.items()})


def advice_texts(p: Proposal) -> list[str]:
    """The proposal's recommendations as sentences, in reading order."""
    return [say_notice(a["notice"], p.language) for a in p.advice]


def warning_texts(p: Proposal) -> list[str]:
    """The warnings as sentences, each once (two null ratios can give the same reason)."""
    return list(dict.fromkeys(say_notice(w, p.language) for w in p.warnings))


def summary_json(p: Proposal) -> dict[str, Any]:
    """CONTRACT §7 proposal summary.json: the model's summary with its warnings worded."""
    return {**p.summary(), "warnings": warning_texts(p)}


def benchmark_text(key: str, b: RatioBenchmarks, language: str = "zh") -> str:
    """The benchmark as a reader sees it, e.g. 约60%(±10%) / 3–6个月."""
    values = {
        "savings_ratio": {"mid": percent(b.savings_ratio), "tol": percent(b.savings_ratio_tolerance)},
        "liquidity_ratio": {"lo": f"{b.liquidity_ratio_min:g}", "hi": f"{b.liquidity_ratio_max:g}"},
        "liquid_to_net_assets": {"mid": percent(b.liquid_to_net_assets),
                                 "tol": percent(b.liquid_to_net_assets_tolerance)},
        "solvency_ratio": {"t": percent(b.solvency_ratio_min)},
        "debt_service_ratio": {"t": percent(b.debt_service_ratio_max)},
        "investment_to_net_assets": {"t": percent(b.investment_to_net_assets_min)},
    }[key]
    return say(f"proposal.bench.{key}", language, **values)


def _explanation(key: str, value: Any, flag: Any, bench: str, b: RatioBenchmarks, language: str) -> str:
    if value is None or pd.isna(value):
        return say(f"proposal.null.{key}", language)
    one_sided = {"solvency_ratio": b.solvency_ratio_min, "debt_service_ratio": b.debt_service_ratio_max,
                 "investment_to_net_assets": b.investment_to_net_assets_min}
    shown = say("proposal.months", language, v=value) if key == "liquidity_ratio" else percent(value)
    return say(f"proposal.explain.{key}.{flag}", language, v=shown, b=bench,
               t=percent(one_sided.get(key, 0.0)), lo=f"{b.liquidity_ratio_min:g}", hi=f"{b.liquidity_ratio_max:g}")


def ratio_table(ratios: pd.DataFrame, b: RatioBenchmarks, language: str = "zh") -> pd.DataFrame:
    """The ratios with what a reader sees beside each: its label, benchmark and explanation."""
    bench = [benchmark_text(k, b, language) for k in ratios["key"]]
    return ratios.assign(
        label=[say(f"proposal.ratio.{k}", language) for k in ratios["key"]], benchmark=bench,
        explanation=[_explanation(k, v, f, bt, b, language)
                     for k, v, f, bt in zip(ratios["key"], ratios["value"], ratios["flag"], bench, strict=True)])


def risk_disclosure(status: SuitabilityStatus, language: str = "zh") -> str:
    """The risk-disclosure paragraph a proposal must show, naming the client's level and ceiling."""
    who = (say("proposal.disclosure.who", language, level=status.risk_level,
               label=label(status.risk_level, language))
           if status.risk_level else say("proposal.disclosure.who_none", language))
    text = say("proposal.disclosure.body", language, who=who, ceiling=f"R{status.max_product_risk}")
    if status.needs_assessment:
        text += say("proposal.disclosure.needs_assessment", language)
    if status.extra_care:
        text += say("proposal.disclosure.extra_care", language, limit=status.extra_care_age)
    return text


def _t(p: Proposal) -> dict[str, str]:
    return words("proposal.t", p.language)


def _labels(p: Proposal) -> dict[str, str]:
    return words("proposal.col", p.language)


def _flag(flag: Any, language: str) -> str:
    return say(f"proposal.flag.{flag}", language) if flag in ("low", "ok", "high") else "—"


def write_outputs(p: Proposal, folder: str | Path) -> list[Path]:
    """summary.json (CONTRACT §7) beside the rendered proposal."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    path.write_text(json.dumps(summary_json(p), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
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
    said = [say_notice(n, lang) for n in p.status.notices()]
    out += [callout(w, "warn") for w in dict.fromkeys([*said, *warning_texts(p)])]
    if p.advice:
        out.append(bullet_list(advice_texts(p)[:3]))
    return out


def family(p: Proposal) -> list[Any]:
    t = _t(p)
    members = p.family.assign(member_label=p.family["member"].map(words("proposal.member", p.language)))
    return [heading(t["family"]),
            table(members, columns=["member_label", "name", "age", "occupation"], int_cols=("age",),
                  labels=_labels(p), language=p.language)]


def finances(p: Proposal) -> list[Any]:
    t, lang, x = _t(p), p.language, p.totals
    cash = pd.DataFrame({"item": [t["income"], t["expense"], t["debt_payment"], t["surplus"]],
                         "amount": [x["income"], x["expense"], x["debt_payment"], x["surplus"]]})
    bal = pd.DataFrame({"item": [t["liquid"], t["financial"], t["real"], t["liability"], t["net_assets"]],
                        "amount": [x["liquid"], x["financial"], x["real"], x["liabilities"], x["net_assets"]]})
    # The household's own figures: "金额", not the allocation's "建议金额" (a recommended amount).
    labels = {**_labels(p), "amount": say("proposal.col.own_amount", lang)}
    out: list[Any] = [heading(t["finances"]),
                      table(cash, yuan=("amount",), labels=labels, language=lang, caption=t["cashflow"]),
                      table(bal, yuan=("amount",), labels=labels, language=lang, caption=t["balance"]),
                      charts.balance_sheet(x, lang)]
    if p.holdings:
        held = pd.DataFrame({"category": list(ASSET_COLUMNS),
                             "amount": [p.holdings.get(c, 0.0) for c in ASSET_COLUMNS]})
        held = held[held["amount"] > 0]
        out.append(table(held, codes=("category",), yuan=("amount",), labels=labels, language=lang,
                         caption=t["holdings"]))
    return out


def ratios(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    worded = ratio_table(p.ratios, p.benchmarks, lang)
    rows = worded.assign(flag=[_flag(f, lang) for f in worded["flag"]],
                         value=[_ratio_text(k, v) for k, v in zip(worded["key"], worded["value"], strict=True)])
    return [heading(t["ratios"]),
            table(rows, columns=["label", "value", "benchmark", "flag", "explanation"], labels=_labels(p),
                  language=lang),
            charts.ratio_diagnosis(worded, lang)]


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
    return [heading(_t(p)["advice"]), bullet_list(advice_texts(p))]


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
    """Bank holdings by category before and after the suggested purchases, as the model has them
    (toolkit.client.allocation.holdings_after_plan: the same money rule as the after-plan ratios)."""
    if not p.holdings or p.holdings_after is None:
        return {}, {}
    return {c: float(p.holdings.get(c, 0.0)) for c in ASSET_COLUMNS}, dict(p.holdings_after)


def after_plan(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    rows = p.ratio_changes.assign(
        label=[say(f"proposal.ratio.{k}", lang) for k in p.ratio_changes["key"]],
        before=[_ratio_text(k, v) for k, v in zip(p.ratio_changes["key"], p.ratio_changes["before"], strict=True)],
        after=[_ratio_text(k, v) for k, v in zip(p.ratio_changes["key"], p.ratio_changes["after"], strict=True)],
        flag=[f"{_flag(a, lang)} → {_flag(b, lang)}"
              for a, b in zip(p.ratio_changes["flag_before"], p.ratio_changes["flag_after"], strict=True)])
    return [heading(t["after"]), table(rows, columns=["label", "before", "after", "flag"], labels=_labels(p),
                                       language=lang)]


def service_plan(p: Proposal) -> list[Any]:
    return [heading(_t(p)["service"]), bullet_list(say_notice(n, p.language) for n in p.service_plan.get("lines", []))]


def disclosure(p: Proposal) -> list[Any]:
    return [heading(_t(p)["disclosure"]), paragraph(risk_disclosure(p.status, p.language), box="cc-disclosure")]


__all__ = ["statement", "summary", "family", "finances", "ratios", "goals", "advice", "allocation", "after_plan",
           "service_plan", "disclosure", "write_outputs"]
