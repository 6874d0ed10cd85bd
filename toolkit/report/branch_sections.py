"""The branch plan's sections, as the notebook shows them: text, tables and charts per section.

Every figure comes from the BranchPlan, the same object that writes summary.json. Personal data
is masked here (CONTRACT §7) unless the params say `mask_pii: false`. Every word comes from
toolkit.report.text (`plan.*`, `plan_col.*`, `kpi*.*`, `quality.*`); thresholds quoted in the text
(product lines for coverage, the top share) are the branch's own settings.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.base.schema import IN_SCOPE_TIERS, TIERS
from toolkit.base.settings import Thresholds
from toolkit.base.workdays import plan_month
from toolkit.branch.kpi import COUNT_KPIS, KPI_KEYS
from toolkit.branch.plan import BranchPlan
from toolkit.branch.quality import ISSUE_KIND, row_notice
from toolkit.report import charts_branch as charts
from toolkit.report.action_sections import at_a_glance, coverage, forum, greetings, list_rows, visits
from toolkit.report.actions_text import describe_lines
from toolkit.report.fmt import (
    bullet_list,
    callout,
    heading,
    integer,
    key_figures,
    money,
    paragraph,
    pct,
    table,
)
from toolkit.report.practice_sections import summary_lines
from toolkit.report.privacy import mask_frame
from toolkit.report.summary import branch_summary
from toolkit.report.text import WORDS, label, say, say_notice, words
from toolkit.report.worklists import watch_sheet_names


def _t(plan: BranchPlan) -> dict[str, str]:
    """The report's words (`plan.*`) in the plan's language, placeholders unfilled."""
    return words("plan", plan.language)


def share_text(share: float) -> str:
    """A threshold share as the text quotes it: 0.2 -> '20%', 0.125 -> '12.5%'."""
    return f"{round(share * 100, 6):g}%"


def _values(t: Thresholds) -> dict[str, Any]:
    """The thresholds the KPI texts quote: {n} product lines for coverage, the top {p} of clients."""
    return {"n": t.coverage_min_lines, "p": share_text(t.top_share)}


def kpi_labels(language: str = "zh", thresholds: Thresholds | None = None) -> dict[str, str]:
    """Short names of the nine KPIs (`kpi.*`), thresholds filled in."""
    values = _values(thresholds or Thresholds())
    return {k: say(f"kpi.{k}", language, **values) for k in KPI_KEYS}


def kpi_meanings(language: str = "zh", thresholds: Thresholds | None = None) -> dict[str, str]:
    """What each of the nine KPIs measures (`kpi_meaning.*`), thresholds filled in."""
    values = _values(thresholds or Thresholds())
    return {k: say(f"kpi_meaning.{k}", language, **values) for k in KPI_KEYS}


def _cols(plan: BranchPlan, **extra: str) -> dict[str, str]:
    return {**words("plan_col", plan.language), **kpi_labels(plan.language, plan.analytics.thresholds), **extra}


def quality_label(kind: str, language: str = "zh") -> str:
    """A data-quality kind (quality.KINDS) or maintainer issue (maintainers.ISSUES) as a short
    label; the code itself when it has none."""
    key = f"quality.kind.{ISSUE_KIND.get(kind, kind)}"
    return say(key, language) if key in WORDS else kind


def quality_messages(quality: pd.DataFrame, language: str = "zh", thresholds: Thresholds | None = None) -> pd.Series:
    """Each row of `quality.data_quality` as its sentence ("维护人S9不在员工名单中（可能已离职）")."""
    rows = zip(quality["kind"].astype("str"), quality["maintainer_id"], strict=True)
    return pd.Series([say_notice(row_notice(k, m, thresholds), language) for k, m in rows],
                     index=quality.index, dtype="str")


def private(plan: BranchPlan, df: pd.DataFrame) -> pd.DataFrame:
    """Mask names and phones unless the branch switched masking off (mask_pii: false)."""
    return mask_frame(df) if plan.params.mask_pii else df


def _staff_names(plan: BranchPlan) -> pd.Series:
    staff = plan.inputs.staff
    return staff.assign(staff_id=staff["staff_id"].astype(str)).drop_duplicates("staff_id").set_index("staff_id")["name"]


def _with_staff_name(plan: BranchPlan, df: pd.DataFrame, col: str = "maintainer_id") -> pd.DataFrame:
    names = _staff_names(plan)
    out = df.copy()
    def who(s: object) -> str:
        if not isinstance(s, str) or not s:
            return ""
        name = names.get(s)
        return f"{name} ({s})" if isinstance(name, str) and name else say("plan.staff_unknown", plan.language, id=s)

    out[col] = [who(s) for s in out[col]]
    return out


# --- sections ----------------------------------------------------------------------------------
def summary(plan: BranchPlan) -> list[Any]:
    t, a, s = _t(plan), plan.analytics, plan.summary()
    kpi = a.kpi
    in_scope = a.current.loc[a.current["in_scope"]]
    figures = [
        (t["clients"], integer(len(in_scope)), f"{t['change']} {integer(kpi['net_growth'], signed=True)}"
         if kpi["net_growth"] is not None else ""),
        (t["aum"], money(in_scope["aum"].sum(), plan.language), pct(kpi["aum_growth"], signed=True)
         if kpi["aum_growth"] is not None else ""),
        (t["churn"], pct(kpi["churn_rate"]), ""),
        (t["upgrade"], pct(kpi["upgrade_rate"]), ""),
        (t["planned"], integer(s["visits"]["planned"]), ""),
        (t["forum_date"], s["forum"]["date"] if s["forum"] else t["none"], ""),
    ]
    out: list[Any] = [heading(t["summary"]),
                      paragraph(say("plan.intro", plan.language, period=a.period, base=a.base_period or "—",
                                    month=plan_month(a.period))),
                      key_figures(figures), *at_a_glance(plan), *summary_lines(plan)]
    if a.base_period is None:
        out.append(callout(t["no_base"], "warn"))
    if plan.params.mask_pii:
        out.append(callout(t["masked"], "info"))
    return out


def tiers(plan: BranchPlan) -> list[Any]:
    t, a = _t(plan), plan.analytics
    rows = a.tiers.reset_index()
    rows = rows[rows["tier"].isin(IN_SCOPE_TIERS)].iloc[::-1]
    rows = rows.assign(change=rows["current_clients"] - rows["base_clients"],
                       aum_change=rows["current_aum"] - rows["base_aum"])
    labels = _cols(plan, change=t["change"], aum_change=t["aum_change"])
    shown = table(rows, money=("base_aum", "current_aum", "aum_change"),
                  int_cols=("base_clients", "current_clients", "change"), codes=("tier",), labels=labels,
                  language=plan.language)
    pyramid = charts.tier_pyramid(rows.rename(columns={"current_clients": "clients", "current_aum": "aum"}),
                                  plan.language)
    in_scope = a.current.loc[a.current["in_scope"], "aum"]
    curve = charts.concentration_curve(in_scope, plan.language, a.thresholds.top_share)
    return [heading(t["tiers"]), shown, pyramid, curve]


def kpis(plan: BranchPlan) -> list[Any]:
    t, a, lang = _t(plan), plan.analytics, plan.language
    names, meanings = kpi_labels(lang, a.thresholds), kpi_meanings(lang, a.thresholds)
    rows = pd.DataFrame({"kpi_name": [names[k] for k in KPI_KEYS],
                         "value": [_kpi_text(k, a.kpi[k]) for k in KPI_KEYS],
                         "meaning": [meanings[k] for k in KPI_KEYS]})
    out: list[Any] = [heading(t["kpi"]),
                      table(rows, labels={"kpi_name": t["kpi_name"], "value": t["value"], "meaning": t["meaning"]},
                            language=lang),
                      charts.kpi_comparison(a.kpi, None, lang)]
    if a.migration is not None:
        matrix = a.migration.reset_index()
        first = matrix.columns[0]
        word = {"new": t["new"], "gone": t["gone"]}

        def name(code: object) -> str:  # a tier, or a client who is new or gone
            return word.get(str(code), label(str(code), lang))

        matrix[first] = [name(c) for c in matrix[first]]
        out += [heading(t["migration"], 3),
                table(matrix, int_cols=[c for c in matrix.columns if c != first],
                      labels={first: t["tier"], **{c: name(c) for c in matrix.columns[1:]}}, language=lang)]
    staff = a.staff_kpis.reset_index()
    staff = staff.loc[staff["base_clients"] > 0]
    if len(staff):
        out += [heading(t["staff_kpi"], 3),
                table(staff, columns=["staff_id", "name", "role", "base_clients", "churn_rate", "upgrade_rate",
                                      "product_coverage_rate", "aum_growth"],
                      pct=("churn_rate", "upgrade_rate", "product_coverage_rate", "aum_growth"),
                      int_cols=("base_clients",), codes=("role",), labels=_cols(plan), language=lang)]
    return out


def _kpi_text(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    if key in COUNT_KPIS:
        return integer(value, signed=key == "net_growth")
    if key == "products_per_client":
        return f"{value:.2f}"
    return pct(value, signed=key == "aum_growth")


def watch(plan: BranchPlan) -> list[Any]:
    t, a, lang = _t(plan), plan.analytics, plan.language
    labels = _cols(plan)
    outflows = private(plan, _with_staff_name(plan, a.outflows))
    ups = private(plan, _with_staff_name(plan, a.upgrade_candidates))
    gaps = private(plan, _with_staff_name(plan, a.product_gaps))
    gaps = gaps.assign(missing=describe_lines(gaps["missing"], lang))
    lines = a.product_gaps["missing"].str.split(",").explode()
    per_line = lines[lines.fillna("") != ""].value_counts().rename_axis("line").reset_index(name="count")
    where = {k: say("plan.sheet_of_visits", lang, sheet=v) for k, v in watch_sheet_names(lang).items()}
    return [
        heading(t["watch"]),
        heading(t["outflow"], 3),
        table(outflows, columns=["client_id", "name", "maintainer_id", "base_tier", "base_aum", "current_aum",
                                 "outflow", "outflow_share"],
              money=("base_aum", "current_aum", "outflow"), pct=("outflow_share",), codes=("base_tier",),
              labels=labels, language=lang, max_rows=list_rows(plan), full_list=where["outflows"]),
        heading(say("plan.upgrade_c", lang, p=share_text(1 - a.thresholds.upgrade_candidate_share)), 3),
        table(ups, columns=["client_id", "name", "maintainer_id", "tier", "next_tier", "aum", "gap", "progress"],
              money=("aum", "gap"), pct=("progress",), codes=("tier", "next_tier"), labels=labels, language=lang,
              max_rows=list_rows(plan), full_list=where["upgrades"]),
        heading(t["gaps"], 3),
        table(per_line, codes=("line",), int_cols=("count",), labels=labels, language=lang,
              caption=t["gap_lines"]),
        table(gaps, columns=["client_id", "name", "maintainer_id", "tier", "aum", "products_held", "missing"],
              money=("aum",), int_cols=("products_held",), codes=("tier",), labels=labels, language=lang,
              max_rows=list_rows(plan), full_list=where["gaps"]),
    ]


def maintainers(plan: BranchPlan) -> list[Any]:
    t, a, lang = _t(plan), plan.analytics, plan.language
    cur = a.current.loc[a.current["in_scope"]]
    source = cur["maintainer_source"].value_counts()
    figures = [(t[k], integer(int(source.get(k, 0)))) for k in ("kept", "assigned", "unassigned")]
    staff = plan.inputs.staff.assign(staff_id=plan.inputs.staff["staff_id"].astype(str)).drop_duplicates("staff_id")
    team = staff.loc[staff["branch_id"].astype(str) == a.branch_id].set_index("staff_id")
    # Maintainers not on this branch's staff list (left, or elsewhere) share one row.
    who = cur["maintainer_id"].astype("string")
    who = who.where(who.isin(team.index), t["not_in_team"]).fillna(t["unassigned"])
    grid = (cur.assign(who=who.to_numpy(), tier=cur["tier"].astype(str))
            .pivot_table(index="who", columns="tier", values="client_id", aggfunc="count", fill_value=0))
    tier_cols = [x for x in TIERS[::-1] if x in grid.columns]
    grid = grid.reindex(columns=tier_cols)
    grid["clients"] = grid.sum(axis=1)
    grid["aum"] = cur.groupby(who.to_numpy())["aum"].sum()
    grid = grid.join(team[["name", "role"]], how="left").sort_values("aum", ascending=False)
    grid["staff"] = [f"{n} ({i})" if isinstance(n, str) else i for i, n in zip(grid.index, grid["name"], strict=True)]
    out: list[Any] = [heading(t["maint"]), heading(t["assign"], 3), key_figures(figures), heading(t["load"], 3),
                      table(grid, columns=["staff", "role", *tier_cols, "clients", "aum"],
                            int_cols=(*tier_cols, "clients"), money=("aum",), codes=("role",),
                            labels={**_cols(plan), "staff": t["staff"], **{x: say(f"tier_short.{x}", lang) for x in tier_cols}},
                            language=lang)]
    issues = a.assignment.issues
    if len(issues):
        counts = issues["issue"].value_counts().rename_axis("issue").reset_index(name="count")
        counts["issue"] = [quality_label(str(i), lang) for i in counts["issue"]]
        out += [heading(t["issues"], 3), table(counts, int_cols=("count",), labels=_cols(plan), language=lang)]
    return [*out, *coverage(plan)]


def quality(plan: BranchPlan) -> list[Any]:
    t, a, lang = _t(plan), plan.analytics, plan.language
    warnings = branch_summary(plan)["warnings"]
    out: list[Any] = [heading(t["quality"])]
    if not warnings:
        return [*out, paragraph(t["quality_ok"])]
    out.append(bullet_list(warnings))
    if len(a.quality):
        kinds = a.quality["kind"].value_counts().rename_axis("kind").reset_index(name="count")
        kinds["kind"] = [quality_label(str(k), lang) for k in kinds["kind"]]
        out += [heading(t["quality_kinds"], 3), table(kinds, int_cols=("count",), labels=_cols(plan), language=lang)]
    return out


SECTIONS = (summary, tiers, kpis, watch, maintainers, visits, greetings, forum, quality)

