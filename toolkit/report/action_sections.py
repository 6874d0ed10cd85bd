"""The branch plan's action sections: home visits, greetings, the forum and salons, and the coverage
of top clients (the handover list and change-of-maintainer offers, shown under 维护分工).

What a branch president reads first: from which day the plan runs, who visits how many clients on
how many days, what could not be fitted and from when it could, which top clients someone covers,
and when the events are. Every figure comes from the BranchPlan's planning; every word from the
text layer (`actions.*`, the planners' codes via toolkit.report.actions_text); names masked
unless `mask_pii: false`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.base.periods import month_end, month_start
from toolkit.report import charts_branch as charts
from toolkit.report.actions_text import (
    coverage_issues,
    forum_title,
    greeting_texts,
    occasion_labels,
    salon_title,
    step_labels,
    unscheduled_reasons,
    visit_reasons,
)
from toolkit.report.fmt import (
    bullet_list,
    callout,
    heading,
    integer,
    key_figures,
    money,
    paragraph,
    table,
    work_list,
)
from toolkit.report.privacy import mask_frame
from toolkit.report.text import label, say, say_notice, words


def list_rows(plan: Any) -> int:
    """Rows of each named list in the plan (params report.list_rows): the xlsx work lists have them all."""
    return int(plan.params.report.list_rows)


def _a(plan: Any) -> dict[str, str]:
    return words("actions", plan.language)


def _cols(plan: Any) -> dict[str, str]:
    return {**words("plan_col", plan.language), **words("actions_col", plan.language)}


def _private(plan: Any, df: pd.DataFrame) -> pd.DataFrame:
    return mask_frame(df) if plan.params.mask_pii else df


def at_a_glance(plan: Any) -> list[Any]:
    """For the summary: from when the plan runs and the actions a branch president checks first."""
    p, lang = plan.planning, plan.language
    v = p.visits.summary()
    lines = [say("actions.glance_visits", lang, as_of=p.as_of.isoformat(), planned=v["planned"],
                 outflow=v["outflow"], on_time=v["outflow_scheduled"], unscheduled=v["due_unscheduled"],
                 days=plan.params.visits.outflow_workdays)]
    c = p.coverage
    if c is not None and c.top_without_maintainer:
        lines.append(say("actions.glance_cover", lang, n=c.top_without_maintainer, handed=len(c.handovers)))
    s = p.forum_status
    if s is not None and s.due:
        lines.append(say("actions.glance_forum_due", lang,
                         last=s.last_held.isoformat() if s.last_held else say("actions.never", lang)))
    return [bullet_list(lines)]


def staff_load(plan: Any) -> pd.DataFrame:
    """Per visitor: visits planned, days used, the busiest day, the outflow clients within their
    window, and the due clients left unscheduled."""
    v = plan.planning.visits
    s = v.schedule
    per_day = s.groupby(["staff_id", "date"]).size().groupby("staff_id").max().rename("peak")
    out = s.groupby(["staff_id", "staff_name"]).agg(planned=("client_id", "size"), days=("date", "nunique"),
                                                    first=("date", "min"), last=("date", "max"))
    out = out.reset_index().merge(per_day, on="staff_id", how="left")
    u = v.unscheduled
    missing = u.loc[u["reason"].isin(["capacity", "month_limit"])].groupby("maintainer_id").size()
    out["unscheduled"] = out["staff_id"].map(missing).fillna(0).astype("int64")
    return out.sort_values("staff_id").reset_index(drop=True)


def visits(plan: Any) -> list[Any]:
    a, p, lang = _a(plan), plan.planning, plan.language
    v, settings = p.visits, plan.params.visits
    sched, unsched = v.schedule, v.unscheduled
    month = p.plan_month
    summary = v.summary()
    workdays = p.calendar.workdays(p.as_of, month_end(month))
    out: list[Any] = [
        heading(a["visits"]),
        paragraph(say("actions.visits_intro", lang, as_of=p.as_of.isoformat(), days=len(workdays),
                      outflow_days=settings.outflow_workdays, lead=settings.due_lead_days,
                      per_day=settings.max_per_day, lunch0=f"{settings.lunch[0]:%H:%M}",
                      lunch1=f"{settings.lunch[1]:%H:%M}")),
        key_figures([(a["planned"], integer(summary["planned"])),
                     (a["outflow"], f"{summary['outflow_scheduled']} / {summary['outflow']}"),
                     (a["unscheduled"], integer(summary["due_unscheduled"]))]),
    ]
    out += [callout(say_notice(w, lang), "warn") for w in v.warnings]
    out += [charts.visit_calendar(sched, month, p.calendar.workdays(month_start(month), month_end(month)), lang,
                                  handed_out=p.as_of)]
    if len(sched):
        out += [heading(a["per_staff"], 3),
                table(staff_load(plan).rename(columns={"staff_name": "visitor"}), columns=["visitor", "planned", "days", "peak", "first", "last",
                                                 "unscheduled"],
                      int_cols=("planned", "days", "peak", "unscheduled"), labels=_cols(plan), language=lang)]
        # Few columns, so the list stays readable on a phone; tiers and phones are in visits.xlsx.
        when = sched["date"].dt.strftime("%m-%d") + " " + sched["start"].dt.strftime("%H:%M").fillna("")
        shown = _private(plan, sched).assign(reason_text=visit_reasons(sched, lang), visitor=sched["staff_name"],
                                             when=when.str.strip())
        out.append(work_list(
            a["schedule"].format(n=list_rows(plan)),
            table(shown, columns=["when", "visitor", "client_id", "name", "aum", "district", "reason_text"],
                  money=("aum",), labels=_cols(plan), language=lang, max_rows=list_rows(plan)),
            a["schedule_print"].format(total=integer(len(shown)))))
    if len(unsched):
        out += [heading(a["unscheduled_list"], 3),
                table(_private(plan, unsched).assign(reason_text=unscheduled_reasons(unsched, lang)),
                      columns=["client_id", "name", "aum", "staff_name", "reason_text"],
                      money=("aum",), labels=_cols(plan), language=lang, max_rows=list_rows(plan),
                      full_list=say("plan.sheet_of_visits", lang, sheet=say("worklist.unscheduled", lang)))]
    return out


def greetings(plan: Any) -> list[Any]:
    a, p, lang = _a(plan), plan.planning, plan.language
    g, missed = p.greetings, p.missed_greetings
    out: list[Any] = [heading(a["greet"])]
    if missed is not None and len(missed):
        counts = occasion_labels(missed["occasion"], lang).value_counts()
        parts = say("plan.list_sep", lang).join(f"{k} {v}" for k, v in counts.items())
        out.append(callout(say("actions.missed", lang, n=len(missed), as_of=p.as_of.isoformat(), parts=parts),
                           "warn"))
    if g.empty:
        return [*out, paragraph(a["greet_none"])]
    by_occasion = occasion_labels(g["occasion"], lang).value_counts()
    gifts = int((g["action"] == "flowers_or_gift").sum())
    out.append(key_figures([*((k, integer(n)) for k, n in by_occasion.items()),
                            (a["gifts"], integer(gifts)), (a["sms"], integer(len(g) - gifts))]))
    out.append(paragraph(a["greet_rule"]))
    # Gifts first (they need buying and carrying), then by date.
    order = g.assign(_sms=g["action"] != "flowers_or_gift").sort_values(["_sms", "date", "client_id"],
                                                                       kind="mergesort")
    out.append(work_list(a["greet_list"].format(n=list_rows(plan)),
                         table(_private(plan, order).assign(text=greeting_texts(order, lang)),
                               columns=["date", "client_id", "name", "text"], labels=_cols(plan), language=lang,
                               max_rows=list_rows(plan)),
                         a["greet_print"].format(total=integer(len(order)))))
    return out


def _forum_status(plan: Any) -> list[Any]:
    """When no forum is planned: when the last one was (the forum's own note says it otherwise)."""
    a, s, lang = _a(plan), plan.planning.forum_status, plan.language
    if s is None or plan.planning.forum is not None:
        return []
    last = s.last_held.isoformat() if s.last_held else a["never"]
    text = say("actions.forum_status", lang, last=last)
    return [callout(text, "warn" if s.due else "info")]


def forum(plan: Any) -> list[Any]:
    a, p, lang = _a(plan), plan.planning, plan.language
    out: list[Any] = [heading(say("plan.forum", lang)), *_forum_status(plan)]
    f = p.forum
    if f is None:
        out.append(paragraph(say_notice(p.forum_note, lang) if p.forum_note else say("plan.forum_none", lang)))
    else:
        weekday = say("worklist.weekdays", lang).split(" ")[f.date.weekday()]
        where = f" · {f.venue}" if f.venue else ""
        out += [paragraph(f" · {f.date.isoformat()}（{weekday}） {f.start:%H:%M}–{f.end:%H:%M}{where}"
                          if lang == "zh" else
                          f" · {f.date.isoformat()} ({weekday}) {f.start:%H:%M}–{f.end:%H:%M}{where}",
                          strong=forum_title(lang)),
                key_figures([(a["invitees"], integer(len(f.invitees))), (a["expected"], integer(f.expected_guests)),
                             (a["budget"], money(f.budget["total"], lang))])]
        out.append(callout(say_notice(f.past_forum, lang), "info"))
        out += [callout(say_notice(w, lang), "warn") for w in f.warnings]
        out += [heading(a["timeline"], 3),
                table(f.timeline.assign(label=step_labels(f.timeline, lang)), columns=["label", "date"],
                      labels=_cols(plan), language=lang),
                heading(a["hosts"], 3),
                table(f.hosts, columns=["name", "role", "invitees"], codes=("role",), int_cols=("invitees",),
                      labels=_cols(plan), language=lang),
                work_list(a["invitee_list"].format(n=list_rows(plan)),
                          table(_private(plan, f.invitees), columns=["client_id", "name", "tier", "aum", "staff_name"],
                                money=("aum",), codes=("tier",), labels=_cols(plan), language=lang,
                                max_rows=list_rows(plan)),
                          a["invitee_print"].format(total=integer(len(f.invitees))))]
    for s in p.salons:
        out += salon(plan, s)
    return out


def salon(plan: Any, s: Any) -> list[Any]:
    """A salon: when and where, its host, the clients missing the theme's product, the call days."""
    lang = plan.language
    title = salon_title(s.theme, lang)
    when = f"{s.date.isoformat()} {s.start:%H:%M}–{s.end:%H:%M}" if s.date else "—"
    host = say("plan.list_sep", lang).join(s.hosts["name"]) if s.hosts is not None and len(s.hosts) else "—"
    out: list[Any] = [heading(title, 3),
                      paragraph(say("actions.salon_line", lang, when=when, venue=s.venue or "—", host=host,
                                    n=len(s.invitees), theme=label(s.theme, lang)))]
    out += [callout(say_notice(w, lang), "warn") for w in s.warnings]
    if s.timeline is not None:
        out.append(table(s.timeline.assign(label=step_labels(s.timeline, lang, "salon")), columns=["label", "date"],
                         labels=_cols(plan), language=lang))
    if len(s.invitees):
        out.append(table(_private(plan, s.invitees), columns=["client_id", "name", "tier", "aum", "staff_name"],
                         money=("aum",), codes=("tier",), labels=_cols(plan), language=lang, max_rows=10))
    return out


def coverage(plan: Any) -> list[Any]:
    """The handover list (top clients covered by the president or a wealth manager) and the
    change-of-maintainer offers, for the maintainers section."""
    a, c, lang = _a(plan), plan.planning.coverage, plan.language
    if c is None:
        return []
    out: list[Any] = [heading(a["coverage"], 3)]
    lost = pd.concat([c.handovers, c.uncovered], ignore_index=True)
    if lost.empty:
        out.append(paragraph(a["covered"]))
    else:
        out.append(paragraph(say("actions.handover_intro", lang, n=c.top_without_maintainer,
                                 handed=len(c.handovers), left=len(c.uncovered))))
        shown = _private(plan, lost).assign(issue=coverage_issues(lost["issue"], lang),
                                            new_staff=lost["staff_name"].fillna(a["nobody"]))
        out.append(table(shown, columns=["client_id", "name", "aum", "previous_id", "issue", "new_staff", "role"],
                         money=("aum",), codes=("role",), labels=_cols(plan), language=lang, max_rows=list_rows(plan)))
    offers = c.change_offers
    if len(offers):
        out += [heading(a["offers"], 3), paragraph(say("actions.offers_intro", lang, n=len(offers))),
                table(_private(plan, offers), columns=["client_id", "name", "tier", "aum", "staff_name", "role",
                                                       "fitting_role", "suggested_name"],
                      money=("aum",), codes=("tier", "role", "fitting_role"), labels=_cols(plan), language=lang,
                      max_rows=list_rows(plan))]
    return out
