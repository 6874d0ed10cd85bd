"""The client proposal's sections, as a wealth manager hands them across the desk: cover, one-page
summary, the family's situation, the financial check-up, goals before and after, the plan (one row
per plan action, with its amount and when), the products, the ratios after the plan, the service,
what the risk levels mean, the full risk disclosure and the signature page.

Everything is drawn from the one Proposal (toolkit.client.proposal: its plan and the plan's
actions) and worded by the text layer (keys `proposal.*`). Nothing for the advisor's eyes only
(suitability care, tiers, the 500万 flag, data problems) is shown here: that goes to
advisor_notes.html and summary.json (toolkit.report.proposal_doc).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.base.schema import ASSET_COLUMNS
from toolkit.base.settings import RatioBenchmarks
from toolkit.client.proposal import Proposal
from toolkit.report import charts_client as charts
from toolkit.report.fmt import bullet_list, heading, key_figures, paragraph, pct, table, yuan
from toolkit.report.proposal_doc import (
    client_service_lines,
    cover,
    disclosure,
    keep,
    levels,
    numbered,
    signature,
    summary_json,
    wide,
    write_outputs,
)
from toolkit.report.proposal_words import level_text, percent, say_notice, sentence_money, term_text
from toolkit.report.text import say, words


def _t(p: Proposal) -> dict[str, str]:
    return words("proposal.t", p.language)


def _labels(p: Proposal) -> dict[str, str]:
    return words("proposal.col", p.language)


def _whole(values: Any) -> list[float]:
    """Amounts as whole yuan for the tables (shown with separators under a 元 header)."""
    return [round(float(v)) for v in values]


def action_texts(p: Proposal) -> list[str]:
    """Each plan action as one sentence, in reading order."""
    return [say_notice(a.notice, p.language) for a in p.actions]


def benchmark_text(key: str, b: RatioBenchmarks, language: str = "zh") -> str:
    """The benchmark as a reader sees it, e.g. 约60%（±10%） / 3–6个月."""
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


def _ratio_text(key: str, value: Any, language: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    return say("proposal.months", language, v=value) if key == "liquidity_ratio" else pct(value)


def _flag(flag: Any, language: str) -> str:
    return say(f"proposal.flag.{flag}", language) if flag in ("low", "ok", "high") else "—"


def _risk(p: Proposal) -> str:
    t = _t(p)
    if p.status.needs_assessment:
        return t["reassess"] if p.status.risk_level else t["not_assessed"]
    return level_text(p.status.risk_level, p.language)


def _goal_rows(p: Proposal) -> pd.DataFrame:
    g = p.goals
    return pd.DataFrame({"goal": g["goal"].astype(str), "year": g["target_year"].astype(int).astype(str),
                         "target_today": _whole(g["target_today"]), "target_future": _whole(g["target_future"]),
                         "lump": _whole(g["lump_kept"] + g["lump_cash"]), "monthly": _whole(g["monthly_saving"]),
                         "before": g["probability_before"].astype(float), "after": g["probability_after"].astype(float)})


def summary(p: Proposal) -> list[Any]:
    """One page: the key figures, each goal's chance before → after, and the main steps."""
    t, lang = _t(p), p.language
    assigned = p.plan.placed + float(p.goals["lump_kept"].sum() if not p.goals.empty else 0.0)
    figures = [(t["net_assets"], sentence_money(p.totals["net_assets"], lang)),
               (t["surplus"], sentence_money(p.plan.monthly["surplus"], lang)),
               (t["assigned"], sentence_money(assigned, lang)),
               (t["risk"], _risk(p))]
    out: list[Any] = [heading(t["summary"]), key_figures(figures),
                      paragraph(t["statement"].format(as_of=p.as_of.isoformat()))]
    if not p.goals.empty:
        rows = _goal_rows(p).assign(chance=[f"{percent(b)} → {percent(a)}" for b, a in
                                            zip(p.goals["probability_before"], p.goals["probability_after"],
                                                strict=True)])
        out.append(keep(table(rows, columns=["goal", "year", "monthly", "chance"], int_cols=("monthly",),
                              labels=_labels(p), language=lang, caption=t["summary_goals"])))
    main = [a for a in p.actions if a.kind in ("emergency_top_up", "emergency_save", "invest_excess", "goal",
                                               "general", "savings", "spending_gap", "debt", "debt_service")]
    if main:
        out += [heading(t["summary_steps"], 3), numbered([say_notice(a.notice, lang) for a in main[:6]])]
    return out


def situation(p: Proposal) -> list[Any]:
    """The family, the yearly cash flow, the balance sheet and what is held at the bank."""
    t, lang, x = _t(p), p.language, p.totals
    labels = {**_labels(p), "amount": say("proposal.col.own_amount", lang)}
    members = p.family.assign(member_label=p.family["member"].map(words("proposal.member", lang)))
    cash = pd.DataFrame({"item": [t["income"], t["expense"], t["debt_payment"], t["surplus_year"]],
                         "amount": _whole([x["income"], x["expense"], x["debt_payment"], x["surplus"]])})
    bal = pd.DataFrame({"item": [t["liquid"], t["financial"], t["real"], t["liability"], t["net"]],
                        "amount": _whole([x["liquid"], x["financial"], x["real"], x["liabilities"], x["net_assets"]])})
    out: list[Any] = [heading(t["situation"]),
                      keep(table(members, columns=["member_label", "name", "age", "occupation"], int_cols=("age",),
                                 labels=labels, language=lang, caption=t["family"])),
                      keep(table(cash, int_cols=("amount",), labels=labels, language=lang, caption=t["cashflow"])),
                      keep(table(bal, int_cols=("amount",), labels=labels, language=lang, caption=t["balance"])),
                      charts.balance_sheet(x, lang)]
    if p.holdings:
        held = pd.DataFrame({"category": list(ASSET_COLUMNS),
                             "amount": [float(p.holdings.get(c, 0.0)) for c in ASSET_COLUMNS]})
        held = held[held["amount"] > 0].assign(amount=lambda d: _whole(d["amount"]))
        out.append(keep(table(held, codes=("category",), int_cols=("amount",), labels=labels, language=lang,
                              caption=t["holdings"])))
    return out


def diagnosis(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    worded = ratio_table(p.ratios, p.benchmarks, lang)
    rows = worded.assign(flag=[_flag(f, lang) for f in worded["flag"]],
                         value=[_ratio_text(k, v, lang) for k, v in zip(worded["key"], worded["value"], strict=True)])
    return [heading(t["diagnosis"]),
            keep(wide(table(rows, columns=["label", "value", "benchmark", "flag", "explanation"], labels=_labels(p),
                            language=lang), 640)),
            charts.ratio_diagnosis(worded, lang)]


def goals(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    out: list[Any] = [heading(t["goals"])]
    if p.goals.empty:
        return [*out, paragraph(t["goal_none"])]
    out += [wide(table(_goal_rows(p), columns=["goal", "year", "target_future", "lump", "monthly", "before", "after"],
                       int_cols=("target_future", "lump", "monthly"), pct=("before", "after"),
                       labels={**_labels(p), "before": _labels(p)["chance_before"],
                               "after": _labels(p)["chance_after"]}, language=lang)),
            paragraph(t["goals_note"].format(trials=f"{p.trials:,}")),
            charts.goal_chances(p.goals, lang)]
    return out


def _when(kind: str, p: Proposal) -> str:
    t = _t(p)
    if kind in ("emergency_top_up", "invest_excess", "goal", "general"):
        return t["when_by"].format(date=p.plan.buy_by.isoformat())
    if kind == "move_at_maturity":
        return t["when_maturity"]
    if kind in ("surplus", "emergency_save", "savings"):
        return t["when_monthly"]
    if kind in ("keep", "emergency_ok", "life_stage"):
        return t["when_ongoing"]
    return t["when_review"]


def plan(p: Proposal) -> list[Any]:
    """One row per plan action: what to do, its amount, and when."""
    lang = p.language
    rows = pd.DataFrame({"step": [str(i) for i in range(1, len(p.actions) + 1)],
                         "action": action_texts(p), "when": [_when(a.kind, p) for a in p.actions]})
    return [heading(_t(p)["plan"]), table(rows, columns=["step", "action", "when"], labels=_labels(p), language=lang)]


def products(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    out: list[Any] = [heading(t["products"])]
    recs = p.allocation
    if recs.empty:
        out.append(paragraph(t["products_none"]))
    else:
        purpose = [say(f"proposal.purpose.{r.purpose}", lang, goal=r.goal) for r in recs.itertuples(index=False)]
        rows = pd.DataFrame({"purpose": purpose, "product_name": recs["name"].astype(str),
                             "product_id": recs["product_id"].astype(str), "category": recs["category"],
                             "risk_rating": recs["risk_rating"].astype(str),
                             "term": [term_text(d, lang) for d in recs["term_days"]],
                             "amount": _whole(recs["amount"]), "expected_return": recs["expected_return"]})
        shown = wide(table(rows, columns=["purpose", "product_name", "product_id", "category", "risk_rating",
                                          "term", "amount", "expected_return"],
                           codes=("category",), int_cols=("amount",), pct=("expected_return",), labels=_labels(p),
                           language=lang, caption=f"{t['total']} {yuan(float(recs['amount'].sum()), 0, lang)}"),
                     660)
        out.append(keep(shown) if len(rows) <= 12 else shown)  # a short list is never split over two pages
    before, after = holdings_before_after(p)
    if before:
        out.append(charts.allocation_before_after(before, after, lang))
    return out


def holdings_before_after(p: Proposal) -> tuple[dict[str, float], dict[str, float]]:
    """Bank holdings by category before and after the plan (toolkit.client.plan.holdings_after)."""
    if not p.holdings or p.holdings_after is None:
        return {}, {}
    return {c: float(p.holdings.get(c, 0.0)) for c in ASSET_COLUMNS}, dict(p.holdings_after)


def after_plan(p: Proposal) -> list[Any]:
    t, lang = _t(p), p.language
    c = p.ratio_changes
    rows = c.assign(
        label=[say(f"proposal.ratio.{k}", lang) for k in c["key"]],
        before=[_ratio_text(k, v, lang) for k, v in zip(c["key"], c["before"], strict=True)],
        after=[_ratio_text(k, v, lang) for k, v in zip(c["key"], c["after"], strict=True)],
        flag=[f"{_flag(a, lang)} → {_flag(b, lang)}" for a, b in zip(c["flag_before"], c["flag_after"], strict=True)])
    return [keep(f'{heading(t["after"])}{table(rows, columns=["label", "before", "after", "flag"], labels=_labels(p), language=lang)}')]


def service(p: Proposal) -> list[Any]:
    """What the client can expect: the next review and how often the advisor visits or calls."""
    return [heading(_t(p)["service"]), bullet_list(client_service_lines(p))]


__all__ = ["cover", "summary", "situation", "diagnosis", "goals", "plan", "products", "after_plan", "service",
           "levels", "disclosure", "signature", "write_outputs", "summary_json"]
