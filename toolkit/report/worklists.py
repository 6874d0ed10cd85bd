"""Staff working lists in Excel: visits.xlsx and forum_invitees.xlsx.

Staff open these in Excel and act on them, so every sheet has a frozen header row, filters, real
dates, readable widths and headers in the report language. Working lists carry names and client
ids (staff need them) but phones are masked (CONTRACT §7). Text columns stay text: a name that
starts with = + - @ is written so Excel cannot evaluate it (toolkit.report.xlsx_book). Every word
comes from the text layer (`worklist.*` keys); reasons, greetings, titles and notes are said from
the planners' codes and notices by toolkit.report.actions_text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from toolkit.base.notices import Notice
from toolkit.branch.analytics import BranchAnalytics
from toolkit.branch.coverage import Coverage
from toolkit.branch.forum import ForumPlan, SalonPlan
from toolkit.branch.visits import VisitPlan
from toolkit.report.actions_text import (
    coverage_issues,
    describe_lines,
    greeting_texts,
    occasion_labels,
    salon_title,
    step_labels,
    unscheduled_reasons,
    visit_reasons,
)
from toolkit.report.privacy import mask_phones
from toolkit.report.text import label, say, say_notice
from toolkit.report.xlsx_book import Book, Sheet

#: column key -> kind; the kind sets the Excel number format, the header is text `worklist.col.<key>`.
_KINDS: dict[str, str] = {
    "date": "date", "weekday": "text", "time": "time", "client_id": "text", "name": "text", "tier": "text",
    "aum": "amount", "district": "text", "phone": "text", "last_visit": "date", "reason_text": "text",
    "priority": "int", "staff_id": "text", "staff_name": "text", "maintainer_id": "text", "planned": "int",
    "days": "int", "first": "date", "last": "date", "outflow": "int", "unscheduled": "int", "birthday": "date",
    "action": "text", "text": "text", "note": "text", "confirmed": "text", "role": "text", "invitees": "int",
    "label": "text", "offset_days": "int", "late": "text", "item": "text", "value": "text", "amount": "amount",
    "occasion": "text", "occasion_date": "date", "first_date": "date", "window_start": "date",
    "previous_id": "text", "issue": "text", "new_staff": "text", "fitting_role": "text", "suggested_name": "text",
    "base_tier": "text", "base_aum": "amount", "current_aum": "amount", "outflow_amount": "amount",
    "outflow_share": "pct", "next_tier": "text", "gap": "amount", "progress": "pct", "products_held": "int",
    "missing": "text",
    "invitation_calls": "date", "confirmation_calls": "date", "follow_up_calls": "date",
}


def _word(key: str, language: str) -> str:
    return say(f"worklist.{key}", language)


def write_table(ws: Sheet, frame: pd.DataFrame, columns: Sequence[str], language: str) -> None:
    """The frame's columns with translated headers, a frozen header row, filters and fitted widths."""
    ws.frame(frame, columns, [say(f"worklist.col.{c}", language) for c in columns], [_KINDS[c] for c in columns], 60)


def _display(frame: pd.DataFrame, language: str, mask_pii: bool) -> pd.DataFrame:
    """Codes to labels for people: tier names, masked phones."""
    out = frame.copy()
    if "tier" in out:
        out["tier"] = out["tier"].map(lambda code: label(str(code), language))
    if "phone" in out and mask_pii:
        out["phone"] = mask_phones(out["phone"])
    return out


def _staff_summary(plan: VisitPlan) -> pd.DataFrame:
    visits = plan.schedule.groupby(["staff_id", "staff_name"]).agg(
        planned=("client_id", "size"), days=("date", "nunique"), first=("date", "min"), last=("date", "max"),
        outflow=("reason", lambda r: int((r == "outflow_watch").sum())))
    full = plan.unscheduled.loc[plan.unscheduled["reason"] == "capacity"]
    full = full.assign(staff_id=full["maintainer_id"].astype(str)).groupby(["staff_id", "staff_name"]).size()
    out = visits.join(full.rename("unscheduled"), how="outer").reset_index()
    fill = {"planned": 0, "days": 0, "outflow": 0, "unscheduled": 0}
    return out.fillna(fill).astype(dict.fromkeys(fill, "int64")).sort_values("staff_id")


def _coverage_sheets(wb: Book, coverage: Coverage, language: str, mask_pii: bool) -> None:
    """The handover list (top clients covered by a fallback) and the change-of-maintainer offers."""
    handovers = pd.concat([coverage.handovers, coverage.uncovered], ignore_index=True)
    if len(handovers):
        shown = _display(handovers, language, mask_pii).assign(
            issue=coverage_issues(handovers["issue"], language), new_staff=handovers["staff_name"],
            role=handovers["role"].map(lambda r: label(str(r), language) if isinstance(r, str) else ""))
        write_table(wb.sheet(_word("handovers", language)), shown,
                    ["client_id", "name", "tier", "aum", "previous_id", "issue", "staff_id", "new_staff", "role"],
                    language)
    offers = coverage.change_offers
    if len(offers):
        shown = _display(offers, language, mask_pii).assign(
            role=offers["role"].map(lambda r: label(str(r), language)),
            fitting_role=offers["fitting_role"].map(lambda r: label(str(r), language)))
        write_table(wb.sheet(_word("change_offers", language)), shown,
                    ["client_id", "name", "tier", "aum", "maintainer_id", "staff_name", "role", "fitting_role",
                     "suggested_name"], language)


def watch_sheet_names(language: str) -> dict[str, str]:
    """The sheets of visits.xlsx holding each watch list whole (the plan shows their first rows)."""
    return {k: _word(f"watch_{k}", language) for k in ("outflows", "upgrades", "gaps")}


def write_watch_sheets(wb: Book, analytics: BranchAnalytics, staff_names: dict[str, str], language: str) -> None:
    """Every row of the plan's three watch lists (large outflows, upgrade candidates, product
    gaps), with the maintainer's id and name: the plan shows the first `report.list_rows`."""
    sheets = watch_sheet_names(language)

    def shown(frame: pd.DataFrame, **codes: str) -> pd.DataFrame:
        ids = frame["maintainer_id"]
        out = frame.assign(staff_name=[staff_names.get(str(i), "") if isinstance(i, str) else "" for i in ids])
        for col in codes:  # a label per distinct code, not per row
            found = out[col].dropna().unique()
            out[col] = out[col].map({c: label(str(c), language) for c in found if c}).fillna("")
        return out

    o = analytics.outflows
    write_table(wb.sheet(sheets["outflows"]),
                shown(o, base_tier="").rename(columns={"outflow": "outflow_amount"}),
                ["client_id", "name", "maintainer_id", "staff_name", "base_tier", "base_aum", "current_aum",
                 "outflow_amount", "outflow_share"], language)
    u = analytics.upgrade_candidates
    write_table(wb.sheet(sheets["upgrades"]), shown(u, tier="", next_tier=""),
                ["client_id", "name", "maintainer_id", "staff_name", "tier", "next_tier", "aum", "gap", "progress"],
                language)
    g = analytics.product_gaps
    lines = g["missing"].drop_duplicates()
    said = dict(zip(lines, describe_lines(lines, language), strict=True))
    write_table(wb.sheet(sheets["gaps"]), shown(g, tier="").assign(missing=g["missing"].map(said)),
                ["client_id", "name", "maintainer_id", "staff_name", "tier", "aum", "products_held", "missing"],
                language)


def write_visits_xlsx(path: str | Path, plan: VisitPlan, language: str = "zh", mask_pii: bool = True,
                      greetings: pd.DataFrame | None = None, missed: pd.DataFrame | None = None,
                      coverage: Coverage | None = None, extra: Callable[[Book], None] | None = None) -> Path:
    """visits.xlsx: a summary, one sheet per staff member, the due clients not scheduled (with the
    first date each could be fitted), and when given the month's greetings, the missed ones, the
    handover list and the change-of-maintainer offers. mask_pii=False writes full phones, for a
    secured copy only."""
    wb = Book()
    write_table(wb.sheet(_word("summary", language)), _staff_summary(plan),
                ["staff_id", "staff_name", "planned", "days", "first", "last", "outflow", "unscheduled"],
                language)
    schedule = _display(plan.schedule, language, mask_pii).assign(
        reason_text=visit_reasons(plan.schedule, language))
    weekdays = _word("weekdays", language).split(" ")
    schedule["weekday"] = schedule["date"].dt.weekday.map(dict(enumerate(weekdays)))
    schedule["time"] = schedule["start"]
    columns = ["date", "weekday", "time", "client_id", "name", "tier", "aum", "district", "phone",
               "last_visit", "reason_text", "priority"]
    for (staff_id, staff_name), visits in schedule.groupby(["staff_id", "staff_name"], sort=True):
        write_table(wb.sheet(f"{staff_name}_{staff_id}"), visits, columns, language)
    unscheduled = _display(plan.unscheduled, language, mask_pii).assign(
        reason_text=unscheduled_reasons(plan.unscheduled, language))
    write_table(wb.sheet(_word("unscheduled", language)), unscheduled,
                ["priority", "client_id", "name", "tier", "aum", "maintainer_id", "staff_name",
                 "reason_text", "window_start", "first_date"], language)
    for key, frame in (("greetings", greetings), ("missed", missed)):
        if frame is not None and (key == "greetings" or len(frame)):
            shown = _display(frame, language, mask_pii).assign(
                action=frame["action"].map(lambda code: _word(f"action.{code}", language)),
                occasion=occasion_labels(frame["occasion"], language), text=greeting_texts(frame, language))
            columns = ["date", "occasion", "occasion_date", "client_id", "name", "tier", "action", "staff_name", "text"]
            # A missed greeting: when it was and whose client; no instruction to act on.
            write_table(wb.sheet(_word(key, language)), shown,
                        columns if key == "greetings" else ["occasion_date", "occasion", "client_id", "name", "tier",
                                                            "staff_name"], language)
    if coverage is not None:
        _coverage_sheets(wb, coverage, language, mask_pii)
    if extra is not None:  # more sheets (the seed's practices: toolkit.report.practice_lists)
        extra(wb)
    path = Path(path)
    wb.save(path)
    return path


def _overview(forum: ForumPlan, language: str) -> pd.DataFrame:
    def w(key: str) -> str:
        return _word(key, language)

    rows = [(w("date"), forum.date.isoformat()),
            (w("time"), f"{forum.start:%H:%M}–{forum.end:%H:%M}"),
            *([(w("venue"), forum.venue)] if forum.venue else []),
            (w("n_invitees"), str(len(forum.invitees))), (w("expected"), str(forum.expected_guests)),
            (w("hosts"), w("list_sep").join(forum.hosts["name"])),
            (w("total"), f"{forum.budget['total']:,.0f}"), (w("past"), say_notice(forum.past_forum, language))]
    rows += [(w("warning"), say_notice(n, language)) for n in forum.warnings]
    return pd.DataFrame(rows, columns=["item", "value"])


def write_forum_invitees_xlsx(path: str | Path, forum: ForumPlan | None, language: str = "zh",
                              salons: Sequence[SalonPlan] = (), note: Notice | None = None,
                              mask_pii: bool = True) -> Path:
    """forum_invitees.xlsx: overview, invitees (with a column to tick confirmations), timeline, hosts,
    budget, and one sheet of invitees per salon. Without a forum, one sheet with a note saying why
    (`note`, the planning's forum_note, else that the plan has none)."""
    wb = Book()
    if forum is None:
        text = say_notice(note, language) if note is not None else _word("no_forum", language)
        write_table(wb.sheet(_word("forum", language)), pd.DataFrame({"note": [text]}), ["note"], language)
    else:
        write_table(wb.sheet(_word("overview", language)), _overview(forum, language), ["item", "value"],
                    language)
        invitees = _display(forum.invitees, language, mask_pii).assign(confirmed="")
        write_table(wb.sheet(_word("invitees", language)), invitees,
                    ["client_id", "name", "phone", "tier", "aum", "maintainer_id", "staff_name", "confirmed"],
                    language)
        late = forum.timeline["late"].map({True: _word("yes", language), False: _word("no", language)})
        write_table(wb.sheet(_word("timeline", language)),
                    forum.timeline.assign(late=late, label=step_labels(forum.timeline, language)),
                    ["date", "label", "offset_days", "late"], language)
        hosts = forum.hosts.assign(role=forum.hosts["role"].map(lambda r: label(r, language)),
                                   staff_name=forum.hosts["name"])
        write_table(wb.sheet(_word("hosts", language)), hosts, ["staff_id", "staff_name", "role", "invitees"],
                    language)
        money = [k for k in forum.budget if k != "guests"]  # the head count is on the overview sheet
        budget = pd.DataFrame({"item": [_word(k, language) for k in money],
                               "amount": [forum.budget[k] for k in money]})
        write_table(wb.sheet(_word("budget", language)), budget, ["item", "amount"], language)
    for salon in salons:
        name = salon_title(salon.theme, language)
        title = f"{name} {salon.date.isoformat()}" if salon.date else name
        calls = {} if salon.timeline is None else dict(zip(salon.timeline["step"], salon.timeline["date"],
                                                           strict=True))
        shown = _display(salon.invitees, language, mask_pii).assign(confirmed="", **{
            step: calls.get(step, pd.NaT) for step in ("invitation_calls", "confirmation_calls", "follow_up_calls")})
        write_table(wb.sheet(title), shown,
                    ["client_id", "name", "phone", "tier", "aum", "staff_name", "invitation_calls",
                     "confirmation_calls", "confirmed", "follow_up_calls"], language)
    path = Path(path)
    wb.save(path)
    return path
