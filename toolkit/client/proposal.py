"""A client's financial proposal (理财规划建议书): everything a report needs, built from the fact-find,
the product shelf and, when the client is in it, the client book.

Pure: the caller loads the files and writes the outputs. `Proposal.summary()` is exactly the
proposal `summary.json` of CONTRACT §7.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.base.schema import ASSET_COLUMNS, PRODUCT_LINES, label
from toolkit.base.settings import ProposalSettings, Thresholds, VisitSettings
from toolkit.branch.tiers import age_at, classify
from toolkit.client import allocation as alloc
from toolkit.client.advice import advise, money
from toolkit.client.goals import project_goals
from toolkit.client.household import RATIO_KEYS, compare, compute_ratios, totals
from toolkit.client.suitability import SuitabilityStatus, assess, risk_disclosure, risk_number
from toolkit.inputs.factfind import FactFind

MEMBER_LABELS = {"zh": {"self": "本人", "spouse": "配偶", "child": "子女", "parent": "父母"},
                 "en": {"self": "Self", "spouse": "Spouse", "child": "Child", "parent": "Parent"}}


@dataclass
class Proposal:
    """The data and text of one proposal; the notebook only lays it out."""

    client_id: str
    as_of: dt.date
    language: str
    profile: dict[str, Any]
    family: pd.DataFrame
    totals: dict[str, float]
    ratios: pd.DataFrame
    ratios_after: pd.DataFrame
    ratio_changes: pd.DataFrame
    goals: pd.DataFrame
    investable: dict[str, float]
    allocation: pd.DataFrame
    advice: list[dict[str, Any]]
    status: SuitabilityStatus
    service_plan: dict[str, Any]
    risk_disclosure: str
    tier: str | None = None
    holdings: dict[str, Any] | None = None
    advisor: str | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """CONTRACT §7 proposal summary.json: JSON-serialisable, null instead of NaN."""
        values = dict(zip(self.ratios["key"], self.ratios["value"], strict=True))
        flags = dict(zip(self.ratios["key"], self.ratios["flag"], strict=True))
        return {
            "client_id": self.client_id,
            "as_of": self.as_of.isoformat(),
            "tier": self.tier,
            "ratios": {k: _number(values.get(k)) for k in RATIO_KEYS},
            "flags": {k: (None if flags.get(k) is None else str(flags[k])) for k in RATIO_KEYS},
            "recommendations": [{"product_id": str(p), "amount": float(a)}
                                for p, a in zip(self.allocation["product_id"], self.allocation["amount"],
                                                strict=True)],
            "warnings": [str(w) for w in self.warnings],
        }


def _number(value: object) -> float | None:
    if value is None or not isinstance(value, int | float) or not math.isfinite(float(value)):
        return None
    return float(value)


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date()


def _book_row(client_rows: pd.DataFrame | None, client_id: str, as_of: dt.date) -> pd.DataFrame:
    """The client's latest snapshot on or before as_of, as a one-row frame (empty if none)."""
    if client_rows is None or client_rows.empty:
        return pd.DataFrame()
    rows = client_rows[(client_rows["client_id"].astype(str) == client_id)
                       & (pd.to_datetime(client_rows["snapshot_date"]) <= pd.Timestamp(as_of))]
    if rows.empty:
        return pd.DataFrame()
    return rows.sort_values("snapshot_date", kind="stable").tail(1).reset_index(drop=True)


def _holdings(classified: pd.DataFrame) -> dict[str, Any]:
    row = classified.iloc[0]
    return {
        "snapshot_date": _date(row["snapshot_date"]),
        **{c: float(row[c]) for c in (*ASSET_COLUMNS, "credit_card_annual_spend", "loan_balance")},
        "aum": float(row["aum"]), "products_held": int(row["products_held"]),
        "lines_held": [c for c in PRODUCT_LINES if float(row[c]) > 0],
        **{c: _text(row.get(c)) for c in ("card_level", "risk_level", "maintainer_id", "branch_id")},
    }


def last_visit(activities: pd.DataFrame | None, client_id: str, as_of: dt.date) -> dt.date | None:
    """Date of the client's most recent home visit on or before as_of, from the CRM export."""
    if activities is None or activities.empty:
        return None
    dates = pd.to_datetime(activities["date"])
    hit = activities[(activities["client_id"].astype(str) == client_id) & (activities["kind"] == "visit")
                     & (dates <= pd.Timestamp(as_of))]
    return None if hit.empty else pd.Timestamp(pd.to_datetime(hit["date"]).max()).date()


def _add_months(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def service_plan(tier: str | None, as_of: dt.date, settings: ProposalSettings, visits: VisitSettings,
                 activities: pd.DataFrame | None = None, client_id: str = "", advisor: str | None = None,
                 maintainer_id: str | None = None, language: str = "zh") -> dict[str, Any]:
    """Next review, the tier's visit cadence (or phone only), forum-list candidacy and the last visit."""
    zh = language == "zh"
    cadence = visits.cadence_months.get(tier) if tier else None
    seen = last_visit(activities, client_id, as_of)
    due, overdue = None, False
    if cadence:
        due = as_of if seen is None else _add_months(seen, cadence)
        overdue = seen is not None and due < as_of
        due = max(due, as_of)
    forum = tier in settings.forum_tiers if tier else False
    review = _add_months(as_of, settings.review_months)
    lines = [f"下次检视日期:{review.isoformat()}(每{settings.review_months}个月检视一次规划)" if zh else
             f"Next review: {review.isoformat()} "
             f"(the plan is reviewed every {settings.review_months} months)"]
    if cadence:
        late = ("(已逾期,请尽快安排)" if zh else " (overdue: arrange it now)") if overdue else ""
        lines.append(f"上门拜访:每{cadence}个月一次,下次拜访不晚于{due.isoformat()}{late}" if zh else
                     f"Home visits: every {cadence} months, next by {due.isoformat()}{late}")
    else:
        lines.append("日常维护:电话联系为主,不安排定期上门拜访" if zh else "Contact: phone only, no scheduled home visits")
    lines.append((f"上次拜访:{seen.isoformat()}" if seen else "暂无上门拜访记录") if zh else
                 (f"Last visit: {seen.isoformat()}" if seen else "No home visit on record"))
    lines.append(("列入年度客户座谈会邀请名单候选" if forum else "暂不列入年度客户座谈会邀请名单") if zh else
                 ("Candidate for the annual client forum" if forum else "Not on the annual forum list"))
    return {"next_review": review, "cadence_months": cadence, "contact": "visit" if cadence else "phone_only",
            "last_visit": seen, "next_visit_due": due, "visit_overdue": overdue, "forum_candidate": forum,
            "advisor": advisor, "maintainer_id": maintainer_id, "lines": lines}


def _family(family: pd.DataFrame, as_of: dt.date, language: str) -> pd.DataFrame:
    if family is None or family.empty:
        return pd.DataFrame(columns=["member", "member_label", "name", "birth_date", "age", "occupation"])
    out = family.copy()
    out["birth_date"] = pd.to_datetime(out["birth_date"])
    out["age"] = age_at(out["birth_date"], as_of)
    out["member_label"] = out["member"].map(MEMBER_LABELS["zh" if language == "zh" else "en"])
    return out


def build_proposal(ff: FactFind, products: pd.DataFrame, as_of: object,
                   settings: ProposalSettings | None = None, thresholds: Thresholds | None = None,
                   visits: VisitSettings | None = None,
                   client_rows: pd.DataFrame | None = None, activities: pd.DataFrame | None = None,
                   advisor: str | None = None, language: str = "zh") -> Proposal:
    """Fact-find + shelf (+ client book) -> a complete, suitable, explained proposal."""
    s, t, v = settings or ProposalSettings(), thresholds or Thresholds(), visits or VisitSettings()
    lang = "zh" if language == "zh" else "en"
    zh = lang == "zh"
    day = _date(as_of)
    if day is None:
        raise ValueError("as_of is required for a proposal")
    warnings: list[str] = []

    book = _book_row(client_rows, ff.client_id, day)
    tier, holdings = None, None
    if book.empty:
        warnings.append(f"客户号{ff.client_id}不在截至{day.isoformat()}的客户清单中:客户分层和本行持仓未知。" if zh else
                        f"Client {ff.client_id} is not in the client book as of {day.isoformat()}: "
                        "tier and holdings at the bank are unknown.")
    else:
        classified = classify(book, t)
        tier = str(classified["tier"].iloc[0])
        holdings = _holdings(classified)

    birth = ff.birth_date
    if birth is None and not book.empty and "birth_date" in book:
        birth = _date(book["birth_date"].iloc[0])
    status = assess(ff.risk_level, ff.risk_assessed_on, birth, day, s)
    warnings.extend(status.messages(lang))
    book_level = risk_number(holdings["risk_level"]) if holdings else None
    if book_level and ff.risk_level and book_level != risk_number(ff.risk_level):
        warnings.append(f"客户清单中的风险等级为{holdings['risk_level']},与本次评估{ff.risk_level}不一致,请核对。" if zh else
                        f"The client book has risk level {holdings['risk_level']}, the fact-find "
                        f"{ff.risk_level}: please reconcile.")

    tot = totals(ff)
    ratios = compute_ratios(tot, s.benchmarks, lang)
    for reason in dict.fromkeys(ratios["null_reason"].dropna()):
        warnings.append(str(reason))
    declared = tot["liquid"] + tot["financial"]
    if holdings and holdings["aum"] > declared + 1:
        at_bank, told = money(holdings["aum"], lang), money(declared, lang)
        warnings.append(f"本行系统内金融资产{at_bank}高于客户自报的流动与金融资产合计{told},请核对资产负债表。" if zh else
                        f"Financial assets at the bank ({at_bank}) exceed the liquid and financial assets "
                        f"declared ({told}): check the balance sheet.")

    invest = alloc.investable(tot, ff.balance, s)
    plan = alloc.allocate(invest["investable"], products, status, ff.risk_level, s)
    if invest["investable"] > 0 and plan.empty:
        warnings.append(f"货架上没有风险等级不高于R{status.max_product_risk}且可达起购金额的产品,可投资资金暂未配置。" if zh
                        else f"No product rated R{status.max_product_risk} or below is reachable at its "
                             "minimum amount: the investable money is not allocated.")
    ratios_after = alloc.after_plan_ratios(tot, invest, plan, s.benchmarks, lang)
    goals = project_goals(ff.goals, day, status.effective_level, tot["financial"] + invest["excess_liquid"],
                          max(tot["surplus"], 0.0), s)
    advice = advise(ratios, goals, invest, plan, status, lang, totals=tot, benchmarks=s.benchmarks)

    maintainer = holdings["maintainer_id"] if holdings else None
    plan_service = service_plan(tier, day, s, v, activities, ff.client_id, advisor, maintainer, lang)
    profile = {**ff.profile, "birth_date": birth, "age": status.age,
               "risk_label": label(ff.risk_level, lang) if ff.risk_level else None,
               "tier_label": label(tier, lang) if tier else None,
               "marketing_target": tot["net_assets"] >= t.marketing_net_assets}
    return Proposal(
        client_id=ff.client_id, as_of=day, language=lang, profile=profile,
        family=_family(ff.family, day, lang), totals=tot, ratios=ratios, ratios_after=ratios_after,
        ratio_changes=compare(ratios, ratios_after, lang),
        goals=goals, investable=invest, allocation=plan, advice=advice, status=status,
        service_plan=plan_service, risk_disclosure=risk_disclosure(status, lang), tier=tier,
        holdings=holdings, advisor=advisor, warnings=warnings)
