"""The branch plan's sections, as the notebook shows them: text, tables and charts per section.

Every figure comes from the BranchPlan, the same object that writes summary.json. Personal data
is masked here (CONTRACT §7) unless the params say `mask_pii: false`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.base.schema import IN_SCOPE_TIERS, TIERS, label
from toolkit.base.workdays import plan_month
from toolkit.branch.plan import BranchPlan
from toolkit.branch.quality import issue_label, kind_label
from toolkit.report import charts_branch as charts
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
from toolkit.report.privacy import mask_frame

T = {
    "zh": {
        "summary": "一、本月概要", "tiers": "二、客户分层与资产", "kpi": "三、维护指标（保、争、挖、抢、培）",
        "watch": "四、重点关注名单", "maint": "五、维护分工", "visits": "六、上门拜访计划",
        "greet": "七、生日关怀", "forum": "八、客户座谈会与沙龙", "quality": "九、数据质量提示",
        "clients": "维护对象", "aum": "维护对象资产", "churn": "流失率（保）", "upgrade": "升级率（争）",
        "aum_growth": "资产增长（培）", "planned": "计划拜访", "forum_date": "座谈会日期", "none": "无",
        "base": "基期", "current": "本期", "change": "变化", "tier": "层级",
        "intro": "本计划依据 {period} 月末客户数据（对比基期 {base}）编制，行动安排在计划月 {month}。",
        "no_base": "没有基期数据，对比指标为空。",
        "kpi_name": "指标", "value": "本期值", "meaning": "含义",
        "migration": "层级迁移（行：基期层级；列：本期层级；新增 = 基期不在册，流失 = 本期不在册）",
        "new": "新增", "gone": "流失",
        "staff_kpi": "各维护人指标（按基期所维护客户计算）",
        "outflow": "资金大额流出（需尽快上门）", "upgrade_c": "升级潜力客户（距下一层级门槛 ≤10%）",
        "gaps": "产品缺口（同层级客户普遍持有而该客户未持有的产品）", "gap_lines": "缺口产品线分布",
        "assign": "维护人分配", "kept": "沿用原维护人", "assigned": "本次分配", "unassigned": "无法分配",
        "not_in_team": "不在本行员工名单", "staff": "员工",
        "issues": "维护关系异常", "load": "各员工维护客户数（按层级）",
        "unsched": "到期但未排入本月的客户（及原因）", "schedule": "拜访日程（前 {n} 条，完整名单见 visits.xlsx）",
        "greet_none": "计划月内没有维护对象过生日。",
        "greet_list": "生日问候（前 {n} 位，完整名单见 visits.xlsx 的“生日问候”页）", "forum_none": "本计划未安排客户座谈会。",
        "timeline": "筹备时间表", "hosts": "主持人", "budget": "预算", "invitees": "邀请名单（前 {n} 位，完整名单见 forum_invitees.xlsx）",
        "salons": "主题沙龙", "quality_ok": "未发现数据质量问题。", "quality_kinds": "问题类型统计",
        "masked": "为保护客户隐私，姓名与手机号已脱敏显示。",
    },
    "en": {
        "summary": "1. This month at a glance", "tiers": "2. Tiers and assets", "kpi": "3. The five maintenance KPIs",
        "watch": "4. Watch lists", "maint": "5. Who maintains whom", "visits": "6. Home-visit schedule",
        "greet": "7. Birthday greetings", "forum": "8. Client forum and salons", "quality": "9. Data quality",
        "clients": "Maintained clients", "aum": "Maintained AUM", "churn": "Churn (keep)", "upgrade": "Upgrades (lift)",
        "aum_growth": "AUM growth (grow)", "planned": "Visits planned", "forum_date": "Forum date", "none": "none",
        "base": "Base", "current": "Current", "change": "Change", "tier": "Tier",
        "intro": "Built from the {period} month-end client book (base {base}); actions are scheduled in {month}.",
        "no_base": "There is no base snapshot; comparison figures are empty.",
        "kpi_name": "KPI", "value": "Value", "meaning": "Meaning",
        "migration": "Tier migration (rows: base tier; columns: current tier; New: not in the base book, "
                     "Gone: not in the current book)",
        "new": "New", "gone": "Gone",
        "staff_kpi": "KPIs per maintainer (over the clients each maintained at the base)",
        "outflow": "Large outflows (visit now)", "upgrade_c": "Upgrade candidates (within 10% of the next tier)",
        "gaps": "Product gaps (lines the tier usually holds and the client does not)", "gap_lines": "Gaps by product line",
        "assign": "Maintainer assignment", "kept": "Kept", "assigned": "Assigned now", "unassigned": "Unassigned",
        "not_in_team": "Not on this branch's staff list", "staff": "Staff member",
        "issues": "Maintainer issues", "load": "Clients per staff member, by tier",
        "unsched": "Due but not scheduled this month (with the reason)",
        "schedule": "Visit schedule (first {n}; full list in visits.xlsx)",
        "greet_none": "No maintained client has a birthday in the plan month.",
        "greet_list": "Greetings (first {n}; full list on the Greetings sheet of visits.xlsx)",
        "forum_none": "No client forum in this plan.", "timeline": "Timeline", "hosts": "Hosts", "budget": "Budget",
        "invitees": "Invitees (first {n}; full list in forum_invitees.xlsx)", "salons": "Themed salons",
        "quality_ok": "No data-quality problems found.", "quality_kinds": "Problems by kind",
        "masked": "Names and phone numbers are masked to protect client privacy.",
    },
}
KPI_MEANING = {
    "zh": {"churn_rate": "保：基期维护对象中本期不再是维护对象的比例", "upgrade_rate": "争：基期维护对象中层级上升的比例",
           "downgrade_rate": "基期维护对象中层级下降的比例", "product_coverage_rate": "挖：持有 3 条及以上产品线的客户占比",
           "products_per_client": "挖：人均持有产品线数", "new_clients": "抢：本期新增维护对象数",
           "net_growth": "抢：维护对象净增加数", "aum_growth": "培：维护对象金融资产增长率",
           "top20_aum_share": "前 20% 客户持有的资产占比（集中度）"},
    "en": {"churn_rate": "Keep: share of base clients no longer maintained", "upgrade_rate": "Lift: share moving up a tier",
           "downgrade_rate": "Share moving down a tier", "product_coverage_rate": "Deepen: share holding 3+ product lines",
           "products_per_client": "Deepen: product lines per client", "new_clients": "Win: new maintained clients",
           "net_growth": "Win: net change in maintained clients", "aum_growth": "Grow: growth of maintained AUM",
           "top20_aum_share": "AUM share of the top 20% of clients (concentration)"},
}
KPI_LABEL = {
    "zh": {"churn_rate": "流失率", "upgrade_rate": "升级率", "downgrade_rate": "降级率",
           "product_coverage_rate": "产品覆盖率", "products_per_client": "人均产品数", "new_clients": "新增客户",
           "net_growth": "净增客户", "aum_growth": "资产增长率", "top20_aum_share": "前20%资产占比"},
    "en": {"churn_rate": "Churn rate", "upgrade_rate": "Upgrade rate", "downgrade_rate": "Downgrade rate",
           "product_coverage_rate": "Product coverage", "products_per_client": "Products per client",
           "new_clients": "New clients", "net_growth": "Net growth", "aum_growth": "AUM growth",
           "top20_aum_share": "Top-20% AUM share"},
}
COLS = {
    "zh": {"client_id": "客户号", "name": "姓名", "phone": "手机号", "maintainer_id": "维护人", "staff_name": "维护人",
           "staff_id": "员工号", "role": "岗位", "tier": "层级", "aum": "金融资产", "base_aum": "基期资产",
           "current_aum": "本期资产", "outflow": "流出金额", "outflow_share": "流出比例", "next_tier": "下一层级",
           "gap": "距门槛", "progress": "达成度", "products_held": "持有产品线", "missing": "缺口产品",
           "date": "日期", "district": "区域", "reason_text": "原因/优先级", "birthday": "生日", "action": "关怀方式",
           "text": "说明", "label": "步骤", "invitees": "邀请人数", "kind": "类型", "count": "数量",
           "issue": "问题", "clients": "客户数", "base_clients": "基期客户", "current_clients": "本期客户",
           "line": "产品线", "base_tier": "基期层级", "current_tier": "本期层级", "slot": "时段", "theme": "主题",
           "item": "项目", "amount": "金额"},
    "en": {"client_id": "Client", "name": "Name", "phone": "Phone", "maintainer_id": "Maintainer",
           "staff_name": "Maintainer", "staff_id": "Staff id", "role": "Role", "tier": "Tier", "aum": "AUM",
           "base_aum": "Base AUM", "current_aum": "Current AUM", "outflow": "Outflow", "outflow_share": "Outflow %",
           "next_tier": "Next tier", "gap": "Gap", "progress": "Progress", "products_held": "Lines held",
           "missing": "Missing lines", "date": "Date", "district": "District", "reason_text": "Reason / priority",
           "birthday": "Birthday", "action": "Action", "text": "Note", "label": "Step", "invitees": "Invitees",
           "kind": "Kind", "count": "Count", "issue": "Issue", "clients": "Clients", "base_clients": "Base clients",
           "current_clients": "Current clients", "line": "Product line", "base_tier": "Base tier",
           "current_tier": "Current tier", "slot": "Slot", "theme": "Theme", "item": "Item", "amount": "Amount"},
}
MAX_ROWS = 20  # rows of any list in the report; the xlsx work lists have them all (and print cost follows cells)


def _t(plan: BranchPlan) -> dict[str, str]:
    return T[plan.language]


def _cols(plan: BranchPlan, **extra: str) -> dict[str, str]:
    return {**COLS[plan.language], **KPI_LABEL[plan.language], **extra}


def private(plan: BranchPlan, df: pd.DataFrame) -> pd.DataFrame:
    """Mask names and phones unless the branch switched masking off (mask_pii: false)."""
    return mask_frame(df) if plan.params.mask_pii else df


def _staff_names(plan: BranchPlan) -> pd.Series:
    staff = plan.inputs.staff
    return staff.assign(staff_id=staff["staff_id"].astype(str)).drop_duplicates("staff_id").set_index("staff_id")["name"]


def _with_staff_name(plan: BranchPlan, df: pd.DataFrame, col: str = "maintainer_id") -> pd.DataFrame:
    names = _staff_names(plan)
    out = df.copy()
    out[col] = [f"{names.get(str(s), '')} ({s})" if isinstance(s, str) and s else "" for s in out[col]]
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
                      paragraph(t["intro"].format(period=a.period, base=a.base_period or "—",
                                                  month=plan_month(a.period))),
                      key_figures(figures)]
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
    labels = _cols(plan, change=t["change"], aum_change=f"{t['aum']}{t['change']}" if plan.language == "zh"
                   else "AUM change")
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
    keys = list(KPI_MEANING[lang])
    rows = pd.DataFrame({"kpi_name": [KPI_LABEL[lang][k] for k in keys],
                         "value": [_kpi_text(k, a.kpi[k]) for k in keys],
                         "meaning": [KPI_MEANING[lang][k] for k in keys]})
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
    if key in ("new_clients", "net_growth"):
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
    sep = "、" if lang == "zh" else ", "
    gaps = gaps.assign(missing=gaps["missing"].map(lambda m: sep.join(label(x, lang) for x in str(m).split(",") if x)))
    lines = a.product_gaps["missing"].str.split(",").explode()
    per_line = lines[lines.fillna("") != ""].value_counts().rename_axis("line").reset_index(name="count")
    return [
        heading(t["watch"]),
        heading(t["outflow"], 3),
        table(outflows, columns=["client_id", "name", "maintainer_id", "base_tier", "base_aum", "current_aum",
                                 "outflow", "outflow_share"],
              money=("base_aum", "current_aum", "outflow"), pct=("outflow_share",), codes=("base_tier",),
              labels=labels, language=lang, max_rows=MAX_ROWS),
        heading(t["upgrade_c"], 3),
        table(ups, columns=["client_id", "name", "maintainer_id", "tier", "next_tier", "aum", "gap", "progress"],
              money=("aum", "gap"), pct=("progress",), codes=("tier", "next_tier"), labels=labels, language=lang,
              max_rows=MAX_ROWS),
        heading(t["gaps"], 3),
        table(per_line, codes=("line",), int_cols=("count",), labels=labels, language=lang,
              caption=t["gap_lines"]),
        table(gaps, columns=["client_id", "name", "maintainer_id", "tier", "aum", "products_held", "missing"],
              money=("aum",), int_cols=("products_held",), codes=("tier",), labels=labels, language=lang,
              max_rows=MAX_ROWS),
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
                            labels={**_cols(plan), "staff": t["staff"], **{x: label(x, lang) for x in tier_cols}},
                            language=lang)]
    issues = a.assignment.issues
    if len(issues):
        counts = issues["issue"].value_counts().rename_axis("issue").reset_index(name="count")
        counts["issue"] = [issue_label(str(i), lang) for i in counts["issue"]]
        out += [heading(t["issues"], 3), table(counts, int_cols=("count",), labels=_cols(plan), language=lang)]
    return out


def visits(plan: BranchPlan) -> list[Any]:
    t, p, lang = _t(plan), plan.planning, plan.language
    sched, unsched = p.visits.schedule, p.visits.unscheduled
    month = p.plan_month
    from toolkit.base.periods import month_end, month_start

    workdays = p.calendar.workdays(month_start(month), month_end(month))
    limits = _visit_limits(plan)
    out: list[Any] = [heading(t["visits"]),
                      key_figures([(t["planned"], integer(len(sched))),
                                   (t["unsched"].split("（")[0].split(" (")[0], integer(len(unsched)))]),
                      charts.visit_calendar(sched, month, workdays, lang),
                      charts.visit_load(sched, lang, limits)]
    shown = private(plan, sched)
    out += [heading(t["schedule"].format(n=MAX_ROWS), 3),
            table(shown, columns=["date", "slot", "staff_name", "client_id", "name", "tier", "aum", "district",
                                  "reason_text"], money=("aum",), codes=("tier",), labels=_cols(plan),
                  language=lang, max_rows=MAX_ROWS)]
    if len(unsched):
        out += [heading(t["unsched"], 3),
                table(private(plan, unsched), columns=["client_id", "name", "tier", "aum", "staff_name",
                                                       "reason_text"],
                      money=("aum",), codes=("tier",), labels=_cols(plan), language=lang, max_rows=MAX_ROWS)]
    return out


def _visit_limits(plan: BranchPlan) -> dict[str, int]:
    staff = plan.inputs.staff
    limits = staff["max_visits_per_month"].fillna(plan.params.visits.default_max_per_month).astype(int)
    return dict(zip(staff["name"].astype(str), limits, strict=True))


def greetings(plan: BranchPlan) -> list[Any]:
    t, g, lang = _t(plan), plan.planning.greetings, plan.language
    if g.empty:
        return [heading(t["greet"]), paragraph(t["greet_none"])]
    return [heading(t["greet"]), heading(t["greet_list"].format(n=MAX_ROWS), 3),
            table(private(plan, g), columns=["date", "birthday", "client_id", "name", "tier", "text", "staff_name"],
                  codes=("tier",), labels=_cols(plan), language=lang, max_rows=MAX_ROWS)]


def forum(plan: BranchPlan) -> list[Any]:
    t, p, lang = _t(plan), plan.planning, plan.language
    out: list[Any] = [heading(t["forum"])]
    f = p.forum
    if f is None:
        out.append(paragraph(p.forum_note or t["forum_none"]))
    else:
        b = f.budget
        out += [paragraph(f" · {f.date.isoformat()} {f.start}–{f.end}", strong=f.title),
                key_figures([(t["invitees"].split("（")[0].split(" (")[0], integer(len(f.invitees))),
                             (t["hosts"], integer(len(f.hosts))),
                             (t["budget"], money(b["total"], lang))])]
        if f.past_forum:
            out.append(callout(f.past_forum, "info"))
        for w in f.warnings:
            out.append(callout(w, "warn"))
        out += [heading(t["timeline"], 3),
                table(f.timeline, columns=["label", "date"], labels=_cols(plan), language=lang),
                heading(t["hosts"], 3),
                table(f.hosts, columns=["staff_id", "name", "role", "invitees"], codes=("role",),
                      int_cols=("invitees",), labels=_cols(plan), language=lang),
                heading(t["invitees"].format(n=MAX_ROWS), 3),
                table(private(plan, f.invitees), columns=["client_id", "name", "tier", "aum", "staff_name"],
                      money=("aum",), codes=("tier",), labels=_cols(plan), language=lang, max_rows=MAX_ROWS)]
    if p.salons:
        out.append(heading(t["salons"], 3))
        for s in p.salons:
            day = s.date.isoformat() if s.date else "—"
            count = f"{t['invitees'].split('（')[0].split(' (')[0]} {integer(len(s.invitees))}"
            out.append(paragraph(f" · {day} · {count}", strong=s.title))
            for w in s.warnings:
                out.append(callout(w, "warn"))
    return out


def quality(plan: BranchPlan) -> list[Any]:
    t, a, lang = _t(plan), plan.analytics, plan.language
    warnings = plan.summary()["warnings"]
    out: list[Any] = [heading(t["quality"])]
    if not warnings:
        return [*out, paragraph(t["quality_ok"])]
    out.append(bullet_list(warnings))
    if len(a.quality):
        kinds = a.quality["kind"].value_counts().rename_axis("kind").reset_index(name="count")
        kinds["kind"] = [kind_label(k, lang) for k in kinds["kind"]]
        out += [heading(t["quality_kinds"], 3), table(kinds, int_cols=("count",), labels=_cols(plan), language=lang)]
    return out


SECTIONS = (summary, tiers, kpis, watch, maintainers, visits, greetings, forum, quality)

