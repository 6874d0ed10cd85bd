"""The branch plan's sections for the seed's practices: corporate visits, maturity calls, risk
assessments due and the 500万 list (toolkit.branch.practices), with their words (`practice.*`,
`practice_col.*` in words/branch_practices.tsv).

A section whose table the params do not name says which input it needs and how to provide it
(the template command). Client names and phones are masked as in the rest of the plan; corporate
clients are companies, not persons, and their names are shown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.branch.plan import BranchPlan
from toolkit.branch.practices import PracticePlan, practices_of
from toolkit.report.action_sections import list_rows
from toolkit.report.fmt import (
    bullet_list,
    callout,
    heading,
    integer,
    key_figures,
    money,
    money_short,
    paragraph,
    table,
    work_list,
)
from toolkit.report.privacy import mask_frame
from toolkit.report.text import label, say, words


def _t(plan: BranchPlan) -> dict[str, str]:
    return words("practice", plan.language)


def _cols(plan: BranchPlan) -> dict[str, str]:
    return words("practice_col", plan.language)


def coded(values: pd.Series, prefix: str, language: str) -> pd.Series:
    """Codes (roles, statuses, reasons) as their words `practice.<prefix>.<code>`; blanks stay blank."""
    table_ = words(f"practice.{prefix}", language)
    return values.map(lambda v: table_.get(str(v), str(v)) if pd.notna(v) else "")


def staff_label(names: pd.Series, ids: pd.Series) -> pd.Series:
    """'王五 (S12)', or the id alone when the staff list has no name for it; blank when nobody."""
    return pd.Series([f"{n} ({i})" if isinstance(n, str) and n else (str(i) if pd.notna(i) else "")
                      for n, i in zip(names, ids, strict=True)], index=ids.index, dtype=object)


def _private(plan: BranchPlan, df: pd.DataFrame) -> pd.DataFrame:
    return mask_frame(df) if plan.params.mask_pii else df


def _staff_names(plan: BranchPlan) -> pd.Series:
    staff = plan.inputs.staff
    return staff.assign(staff_id=staff["staff_id"].astype(str)).drop_duplicates("staff_id").set_index("staff_id")["name"]


def _practices(plan: BranchPlan) -> PracticePlan:
    return practices_of(plan)


def corporate(plan: BranchPlan) -> list[Any]:
    t, lang, p = _t(plan), plan.language, _practices(plan)
    out: list[Any] = [heading(t["corporate"])]
    if not p.corporate_given:
        return [*out, callout(t["needs_corporate"], "info")]
    s = plan.params.corporate
    out.append(paragraph(say("practice.corporate_intro", lang, c1=money_short(s.class_1_deposits, lang),
                             c2=money_short(s.class_2_deposits, lang))))
    req = p.requirements
    out.append(key_figures([(t["fig_clients"], integer(len(p.corporate))),
                            (t["fig_required"], integer(req["required"].sum())),
                            (t["fig_planned"], integer(len(p.contacts))),
                            (t["fig_shortfall"], integer(p.shortfall["missing"].sum()))]))
    cols = _cols(plan)
    classes = ["class_1", "class_2", "class_3"]
    grid = pd.DataFrame({"role": [say(f"practice.role.{r}", lang) for r in s.contacts],
                         **{c: [s.contacts[r].get(c, 0) for r in s.contacts] for c in classes}})
    counts = p.corporate["corporate_class"].value_counts()
    out += [heading(t["frequency"], 3),
            table(grid, int_cols=classes, language=lang,
                  labels={"role": cols["role"], **{c: f"{label(c, lang)}（{integer(counts.get(c, 0))}）"
                                                  if lang == "zh" else f"{label(c, lang)} ({integer(counts.get(c, 0))})"
                                                  for c in classes}})]
    if len(req):
        per = req.assign(staff=staff_label(req["staff_name"], req["staff_id"]))
        per = per.groupby(["staff", "contact_role"], sort=False).agg(
            clients=("client_id", "nunique"), required=("required", "sum")).reset_index()
        planned = p.contacts.assign(staff=staff_label(p.contacts["staff_name"], p.contacts["staff_id"]))
        done = planned.groupby(["staff", "contact_role"]).size().rename("planned")
        per = per.join(done, on=["staff", "contact_role"]).fillna({"planned": 0})
        per["role"] = coded(per["contact_role"], "role", lang)
        out += [heading(t["per_staff"], 3),
                table(per, columns=["staff", "role", "clients", "required", "planned"],
                      int_cols=("clients", "required", "planned"), labels=cols, language=lang)]
    if len(p.contacts):
        shown = p.contacts.assign(staff=staff_label(p.contacts["staff_name"], p.contacts["staff_id"]),
                                  role=coded(p.contacts["contact_role"], "role", lang))
        out.append(work_list(
            say("practice.contacts", lang, n=list_rows(plan)),
            table(shown, columns=["date", "staff", "role", "client_id", "name", "corporate_class", "number"],
                  codes=("corporate_class",), int_cols=("number",), labels=cols, language=lang,
                  max_rows=list_rows(plan)),
            say("practice.contacts_print", lang, total=integer(len(shown)))))
    out.append(heading(t["shortfall"], 3))
    if p.shortfall.empty:
        out.append(paragraph(t["shortfall_none"]))
    else:
        short = p.shortfall.assign(staff=staff_label(p.shortfall["staff_name"], p.shortfall["staff_id"]),
                                   role=coded(p.shortfall["contact_role"], "role", lang),
                                   reason=coded(p.shortfall["reason"], "reason", lang))
        out.append(table(short, columns=["client_id", "name", "corporate_class", "role", "staff", "required",
                                         "missing", "reason"], codes=("corporate_class",),
                         int_cols=("required", "missing"), labels=cols, language=lang, max_rows=list_rows(plan)))
    return out


def maturity_products(calls: pd.DataFrame, language: str) -> tuple[pd.Series, pd.Series]:
    """(the maturing holding, the suggested product) as staff read them: 'WP002' (or the category
    when the holding names none) and '安鑫一年期固收理财 WP003 R2'."""
    holding = [str(p) if pd.notna(p) else (label(str(c), language) if pd.notna(c) else "")
               for c, p in zip(calls["category"], calls["product_id"], strict=True)]
    suggestion = [f"{n} {i} {r}" if pd.notna(i) else "—"
                  for n, i, r in zip(calls["suggested_name"], calls["suggested_product_id"],
                                     calls["suggested_risk"], strict=True)]
    return pd.Series(holding, index=calls.index), pd.Series(suggestion, index=calls.index)


def call_days(calls: pd.DataFrame, language: str) -> pd.Series:
    """The call date, marked when it is late (due before the month: on its first working day)."""
    late = say("practice.late_mark", language)
    return pd.Series([f"{d:%Y-%m-%d}{late if flag else ''}" for d, flag in
                      zip(calls["contact_date"], calls["late"], strict=True)], index=calls.index, dtype=object)


def maturities(plan: BranchPlan) -> list[Any]:
    t, lang, p = _t(plan), plan.language, _practices(plan)
    out: list[Any] = [heading(t["maturities"])]
    if not p.holdings_given:
        return [*out, callout(t["needs_holdings"], "info")]
    calls = p.maturities
    if calls.empty:
        return [*out, paragraph(t["maturity_none"])]
    cols = _cols(plan)
    out.append(paragraph(say("practice.maturity_line", lang, n=integer(len(calls)),
                             amount=money(calls["amount"].sum(), lang),
                             days=plan.params.maturities.contact_workdays_before)))
    late = int(calls["late"].sum())
    if late:
        out.append(callout(say("practice.maturity_late", lang, n=integer(late)), "warn"))
    names = _staff_names(plan)
    by_staff = p.maturities_by("maintainer_id")
    by_staff["maintainer"] = staff_label(by_staff["maintainer_id"].map(names), by_staff["maintainer_id"])
    by_tier = p.maturities_by("tier")
    holding, suggestion = maturity_products(calls, lang)
    shown = _private(plan, calls).assign(product=holding, suggestion=suggestion, contact=call_days(calls, lang),
                                         maintainer=staff_label(calls["maintainer_id"].map(names),
                                                                calls["maintainer_id"]))
    out += [heading(t["by_staff"], 3),
            table(by_staff.sort_values("amount", ascending=False), columns=["maintainer", "count", "amount"],
                  int_cols=("count",), money=("amount",), labels=cols, language=lang),
            heading(t["by_tier"], 3),
            table(by_tier, columns=["tier", "count", "amount"], codes=("tier",), int_cols=("count",),
                  money=("amount",), labels=cols, language=lang),
            work_list(say("practice.maturity_list", lang, n=list_rows(plan)),
                      table(shown, columns=["contact", "maturity_date", "client_id", "name", "maintainer", "product",
                                            "amount", "suggestion"], money=("amount",), labels=cols, language=lang,
                            max_rows=list_rows(plan)),
                      say("practice.maturity_print", lang, total=integer(len(shown))))]
    return out


def assessments(plan: BranchPlan) -> list[Any]:
    t, lang, p = _t(plan), plan.language, _practices(plan)
    s = plan.params.assessments
    due, parts = p.assessments, p.summary_parts()["risk_assessment"]
    out: list[Any] = [heading(t["assessments"]),
                      paragraph(say("practice.assess_line", lang, missing=integer(parts["missing"]),
                                    expiring=integer(parts["expiring"]), months=s.expiring_within_months,
                                    valid=s.valid_months))]
    if due.empty:
        return [*out, paragraph(t["none"])]
    names = _staff_names(plan)
    per = due.assign(status=coded(due["status"], "status", lang),
                     maintainer=staff_label(due["maintainer_id"].map(names), due["maintainer_id"]))
    grid = per.pivot_table(index="maintainer", columns="status", values="client_id", aggfunc="count",
                           fill_value=0, sort=False)
    grid["clients"] = grid.sum(axis=1)
    grid = grid.sort_values("clients", ascending=False).reset_index()
    status_cols = [c for c in grid.columns if c not in ("maintainer", "clients")]
    out += [heading(t["by_staff"], 3),
            table(grid, int_cols=(*status_cols, "clients"), labels={**_cols(plan), **{c: c for c in status_cols}},
                  language=lang, max_rows=list_rows(plan)),
            work_list(say("practice.assess_list", lang, n=list_rows(plan)),
                      table(_private(plan, per), columns=["maintainer", "priority", "client_id", "name", "tier", "aum",
                                                          "risk_level", "risk_assessed_on", "expires_on", "status"],
                            int_cols=("priority",), money=("aum",), codes=("tier", "risk_level"), labels=_cols(plan),
                            language=lang, max_rows=list_rows(plan)),
                      say("practice.assess_print", lang, total=integer(len(per))))]
    return out


def targets(plan: BranchPlan) -> list[Any]:
    t, lang, p = _t(plan), plan.language, _practices(plan)
    line, near = plan.params.thresholds.marketing_net_assets, plan.params.targets.near_target
    parts = p.summary_parts()["marketing_targets"]
    out: list[Any] = [heading(t["targets"]),
                      paragraph(say("practice.targets_line", lang, line=money(line, lang), near=money(near, lang),
                                    targets=integer(parts["targets"]), near_n=integer(parts["near_targets"])))]
    if not p.fact_finds_given:
        out.append(callout(t["no_fact_finds"], "info"))
    if p.targets.empty:
        return [*out, paragraph(t["none"])]
    names = _staff_names(plan)
    shown = p.targets.assign(status=coded(p.targets["status"], "status", lang),
                             basis=coded(p.targets["basis"], "basis", lang),
                             maintainer=staff_label(p.targets["maintainer_id"].map(names), p.targets["maintainer_id"]))
    out.append(work_list(say("practice.targets_list", lang, n=list_rows(plan)),
                         table(_private(plan, shown), columns=["maintainer", "client_id", "name", "status", "aum",
                                                               "net_assets", "branch_share", "gap"],
                               money=("aum", "net_assets", "gap"), pct=("branch_share",), codes=("tier",),
                               labels=_cols(plan), language=lang, max_rows=list_rows(plan)),
                         say("practice.targets_print", lang, total=integer(len(shown)))))
    return out


def summary_lines(plan: BranchPlan) -> list[Any]:
    """The practices' figures for the plan's summary section: one line each, for the tables given."""
    lang, p = plan.language, _practices(plan)
    parts = p.summary_parts()
    lines = []
    if p.holdings_given:
        m = parts["maturities"]
        lines.append(say("practice.sum_maturities", lang, n=integer(m["count"]), amount=money(m["amount"], lang)))
    a = parts["risk_assessment"]
    lines.append(say("practice.sum_assessments", lang, missing=integer(a["missing"]), expiring=integer(a["expiring"]),
                     months=plan.params.assessments.expiring_within_months))
    if p.corporate_given:
        c = parts["corporate"]
        lines.append(say("practice.sum_corporate", lang, clients=integer(c["clients"]),
                         required=integer(c["required_contacts"]), shortfall=integer(c["shortfall"])))
    g = parts["marketing_targets"]
    lines.append(say("practice.sum_targets", lang, targets=integer(g["targets"]), near=integer(g["near_targets"]),
                     line=money_short(plan.params.thresholds.marketing_net_assets, lang)))
    return [bullet_list(lines)]


SECTIONS = (corporate, maturities, assessments, targets)
