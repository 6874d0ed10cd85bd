"""A client's financial proposal (理财规划建议书): everything a report needs, built from the fact-find,
the product shelf and, when the client is in it, the client book.

Pure: the caller loads the files and writes the outputs. The proposal holds codes and numbers
only (actions, warnings, advisor notes and the service plan are notices) around its one plan
(toolkit.client.plan): the diagnosis, the plan and its actions read the same life-stage benchmarks.
The report layer (toolkit.report.proposal_sections, proposal_doc) words every sentence, table and
chart from this one model and writes `summary.json` (CONTRACT §7) and advisor_notes.html.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.base.notices import Notice, notice
from toolkit.base.schema import ASSET_COLUMNS, PRODUCT_LINES
from toolkit.base.settings import ProposalSettings, RatioBenchmarks, Thresholds, VisitSettings
from toolkit.branch.tiers import age_at, classify
from toolkit.client import lifestage
from toolkit.client.advice import Action, plan_actions
from toolkit.client.household import RATIO_KEYS, compare, compute_ratios, totals
from toolkit.client.plan import Plan, build_plan, totals_after
from toolkit.client.plan import holdings_after as holdings_after_plan
from toolkit.client.suitability import SuitabilityStatus, assess, risk_number
from toolkit.inputs.factfind import FactFind


@dataclass
class Proposal:
    """The data of one proposal, as codes and numbers; the report words and lays it out.

    `plan` is the one plan model (toolkit.client.plan); `actions` are its steps (toolkit.client.advice),
    `ratios_after`, `totals_after` and `holdings_after` its money moves. `advisor_notes` are for the
    advisor only (suitability care, the 500万 flag, data problems) and never go into the client's
    document. `language` is only the report language the proposal was asked for.
    """

    client_id: str
    as_of: dt.date
    language: str
    profile: dict[str, Any]
    family: pd.DataFrame
    totals: dict[str, float]
    ratios: pd.DataFrame
    ratios_after: pd.DataFrame
    ratio_changes: pd.DataFrame
    plan: Plan
    actions: list[Action]
    status: SuitabilityStatus
    service_plan: dict[str, Any]
    totals_after: dict[str, float]
    benchmarks: RatioBenchmarks = field(default_factory=RatioBenchmarks)
    life_stage: str = "working"
    tier: str | None = None
    holdings: dict[str, Any] | None = None
    holdings_after: dict[str, float] | None = None
    advisor: dict[str, str | None] = field(default_factory=dict)
    bank_name: str | None = None
    branch_name: str | None = None
    valid_until: dt.date | None = None
    trials: int = 2000  # Monte Carlo paths behind each goal's chance
    warnings: list[Notice] = field(default_factory=list)
    advisor_notes: list[Notice] = field(default_factory=list)

    @property
    def goals(self) -> pd.DataFrame:
        return self.plan.goals

    @property
    def allocation(self) -> pd.DataFrame:
        return self.plan.recommendations

    def summary(self) -> dict[str, Any]:
        """CONTRACT §7 proposal summary.json, null instead of NaN; texts (`actions[].text`, `advisor_notes`,
        `warnings`) are still notices: the report layer words them (proposal_sections.summary_json)."""
        values = dict(zip(self.ratios["key"], self.ratios["value"], strict=True))
        flags = dict(zip(self.ratios["key"], self.ratios["flag"], strict=True))
        after = dict(zip(self.ratios_after["key"], self.ratios_after["value"], strict=True))
        recs = self.plan.recommendations
        return {
            "client_id": self.client_id,
            "as_of": self.as_of.isoformat(),
            "tier": self.tier,
            "ratios": {k: _number(values.get(k)) for k in RATIO_KEYS},
            "flags": {k: (None if flags.get(k) is None else str(flags[k])) for k in RATIO_KEYS},
            "ratios_after": {k: _number(after.get(k)) for k in RATIO_KEYS},
            "actions": [{"kind": a.kind, "ratio": a.ratio, "goal": a.goal, "amount": _cents(a.amount),
                         "text": a.notice} for a in self.actions],
            "goals": [{"goal": str(g.goal), "target_year": int(g.target_year),
                       "target_amount_today": _cents(g.target_today), "target_amount_future": _cents(g.target_future),
                       "probability_before": float(g.probability_before),
                       "probability_after": float(g.probability_after),
                       "monthly_saving": _cents(g.monthly_saving)} for g in self.plan.goals.itertuples(index=False)],
            "recommendations": [{"product_id": str(r.product_id), "amount": float(r.amount), "purpose": str(r.purpose),
                                 "goal": None if r.goal is None or pd.isna(r.goal) else str(r.goal)}
                                for r in recs.itertuples(index=False)],
            "advisor_notes": list(self.advisor_notes),
            "warnings": list(self.warnings),
        }


def _cents(value: object) -> float | None:
    """An amount in yuan for summary.json, to the fen (no float noise such as 840499.9999999999)."""
    number = _number(value)
    return None if number is None else round(number, 2)


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
                 maintainer_id: str | None = None) -> dict[str, Any]:
    """Next review, the tier's visit cadence (or phone only), forum-list candidacy and the last visit;
    `lines` says them as notices (text keys `proposal.service.*`)."""
    cadence = visits.cadence_months.get(tier) if tier else None
    seen = last_visit(activities, client_id, as_of)
    due, overdue = None, False
    if cadence:
        due = as_of if seen is None else _add_months(seen, cadence)
        overdue = seen is not None and due < as_of
        due = max(due, as_of)
    forum = tier in settings.forum_tiers if tier else False
    review = _add_months(as_of, settings.review_months)
    lines = [notice("proposal.service.review", review=review.isoformat(), months=settings.review_months)]
    if cadence:
        late = notice("proposal.service.late") if overdue else None
        key = "proposal.service.visits_monthly" if cadence == 1 else "proposal.service.visits"
        lines.append(notice(key, cadence=cadence, due=due.isoformat(), late=late))
    else:
        lines.append(notice("proposal.service.phone_only"))
    lines.append(notice("proposal.service.last_visit", on=seen.isoformat()) if seen
                 else notice("proposal.service.no_visit"))
    lines.append(notice("proposal.service.forum" if forum else "proposal.service.not_forum"))
    return {"next_review": review, "cadence_months": cadence, "contact": "visit" if cadence else "phone_only",
            "last_visit": seen, "next_visit_due": due, "visit_overdue": overdue, "forum_candidate": forum,
            "advisor": advisor, "maintainer_id": maintainer_id, "lines": lines}


def _family(family: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The family members (member is a code: self, spouse, child, parent) with their age on as_of."""
    if family is None or family.empty:
        return pd.DataFrame(columns=["member", "name", "birth_date", "age", "occupation"])
    out = family.copy()
    out["birth_date"] = pd.to_datetime(out["birth_date"])
    out["age"] = age_at(out["birth_date"], as_of)
    return out


def _advisor(advisor: str | None, staff: pd.DataFrame | None) -> dict[str, str | None]:
    """The advisor's id, and their name and phone when the staff table has them (CONTRACT §5)."""
    out: dict[str, str | None] = {"id": advisor, "name": None, "phone": None}
    if advisor and staff is not None and not staff.empty:
        row = staff.loc[staff["staff_id"].astype(str) == str(advisor)]
        if not row.empty:
            out["name"] = _text(row["name"].iloc[0])
            out["phone"] = _text(row["phone"].iloc[0]) if "phone" in row else None
    return out


def build_proposal(ff: FactFind, products: pd.DataFrame, as_of: object,
                   settings: ProposalSettings | None = None, thresholds: Thresholds | None = None,
                   visits: VisitSettings | None = None,
                   client_rows: pd.DataFrame | None = None, activities: pd.DataFrame | None = None,
                   advisor: str | None = None, language: str = "zh", staff: pd.DataFrame | None = None,
                   bank_name: str | None = None, branch_name: str | None = None) -> Proposal:
    """Fact-find + shelf (+ client book, staff) -> one plan, its actions and the notes for the advisor.

    `language` is recorded for the report (which words the proposal); it changes nothing here."""
    s, t, v = settings or ProposalSettings(), thresholds or Thresholds(), visits or VisitSettings()
    lang = "zh" if language == "zh" else "en"
    day = _date(as_of)
    if day is None:
        raise ValueError("as_of is required for a proposal")
    warnings: list[Notice] = []

    book = _book_row(client_rows, ff.client_id, day)
    tier, holdings = None, None
    if book.empty:
        warnings.append(notice("proposal.warn.not_in_book", cid=ff.client_id, day=day.isoformat()))
    else:
        classified = classify(book, t)
        tier = str(classified["tier"].iloc[0])
        holdings = _holdings(classified)

    birth = ff.birth_date
    if birth is None and not book.empty and "birth_date" in book:
        birth = _date(book["birth_date"].iloc[0])
    status = assess(ff.risk_level, ff.risk_assessed_on, birth, day, s)
    book_level = risk_number(holdings["risk_level"]) if holdings else None
    if book_level and ff.risk_level and book_level != risk_number(ff.risk_level):
        warnings.append(notice("proposal.warn.level_mismatch", book=holdings["risk_level"], declared=ff.risk_level))

    family = _family(ff.family, day)
    stage = lifestage.stage(status.age, family, s.life_stage)
    bench = lifestage.benchmarks(s.benchmarks, stage, s.life_stage)
    tot = totals(ff)
    ratios = compute_ratios(tot, bench)
    warnings.extend(notice(f"proposal.null.{k}") for k in ratios.loc[ratios["null_reason"].notna(), "key"])
    declared = tot["liquid"] + tot["financial"]
    if holdings and holdings["aum"] > declared + 1:
        warnings.append(notice("proposal.warn.aum_above_declared", at_bank=holdings["aum"], told=declared))

    flags = dict(zip(ratios["key"], ratios["flag"], strict=True))
    # a liquid-to-net-assets ratio the diagnosis calls fine stays within its band after the plan
    keep_liquid = ((bench.liquid_to_net_assets - bench.liquid_to_net_assets_tolerance) * tot["net_assets"]
                   if flags.get("liquid_to_net_assets") in ("ok", "high") else 0.0)
    plan = build_plan(tot, ff.balance, flags.get("liquidity_ratio") == "low", ff.goals, products, status,
                      mix_level(status, ff.risk_level), day, s, keep_liquid)
    if plan.resources["cash"] >= 1 and plan.placed - plan.placed_for("emergency_fund") < 1:
        warnings.append(notice("proposal.warn.nothing_reachable", ceiling=status.max_product_risk))
    after_totals = totals_after(tot, plan)
    ratios_after = compute_ratios(after_totals, bench)
    holdings_after = holdings_after_plan({c: holdings[c] for c in ASSET_COLUMNS}, plan) if holdings else None
    actions = plan_actions(plan, ratios, ratios_after, tot, bench, holdings, stage)

    maintainer = holdings["maintainer_id"] if holdings else None
    plan_service = service_plan(tier, day, s, v, activities, ff.client_id, advisor, maintainer)
    marketing = tot["net_assets"] >= t.marketing_net_assets
    profile = {**ff.profile, "birth_date": birth, "age": status.age, "marketing_target": marketing}
    notes = [*status.notices()]
    if marketing:
        notes.append(notice("proposal.note.marketing_target", net=tot["net_assets"], line=t.marketing_net_assets))
    if tier:
        notes.append(notice("proposal.note.tier", tier=tier))
    if plan.strategy != "priority":
        notes.append(notice("proposal.note.current_shares"))
    notes.extend(warnings)
    return Proposal(
        client_id=ff.client_id, as_of=day, language=lang, profile=profile, family=family, totals=tot,
        ratios=ratios, ratios_after=ratios_after, ratio_changes=compare(ratios, ratios_after), plan=plan,
        actions=actions, status=status, service_plan=plan_service, totals_after=after_totals, benchmarks=bench,
        life_stage=stage, tier=tier, holdings=holdings, holdings_after=holdings_after,
        advisor=_advisor(advisor, staff), bank_name=bank_name, branch_name=branch_name,
        valid_until=_add_months(day, s.plan.validity_months), trials=s.monte_carlo_trials, warnings=warnings, advisor_notes=notes)


def mix_level(status: SuitabilityStatus, risk_level: str | None) -> str:
    """The general portfolio's level: never riskier than the stated level or the suitability ceiling."""
    stated = risk_number(risk_level) or 1
    return f"C{min(stated, status.max_product_risk)}"
