"""The practices in the staff's work lists: sheets of visits.xlsx and events of the calendars.

Sheets: the corporate contacts and their shortfall, the maturity calls, the risk assessments due
(with the visit that brings the questionnaire, where one is planned) and the 500万 list. Every
header and word is from the text layer (`practice_col.*`, `practice.*`); names and client ids are
shown, phones masked unless `mask_pii: false`, and text from inputs cannot become a formula
(toolkit.base.xlsx_text). Calendar events: each maturity call for the maintainer, each corporate
contact for its person (all-day, on its date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pandas as pd

from toolkit.base.periods import period_of
from toolkit.branch.practices import PracticePlan
from toolkit.report.calendar_ics import Owned, event, event_uid
from toolkit.report.fmt import money
from toolkit.report.practice_sections import coded, maturity_products
from toolkit.report.privacy import mask_phones
from toolkit.report.text import label, say, words
from toolkit.report.xlsx_book import Book


def _staff(names: pd.Series, ids: pd.Series) -> list[str]:
    return [f"{n} ({i})" if isinstance(n, str) and n else (str(i) if pd.notna(i) else "")
            for n, i in zip(names, ids, strict=True)]


def write_sheet(wb: Book, title: str, frame: pd.DataFrame, columns: dict[str, str], language: str) -> None:
    """One sheet of a work list: `columns` maps a frame column to its kind (text, date, amount, int,
    pct); headers `practice_col.<column>`; frozen header, filters, widths fitted to the first 500 rows."""
    heads = words("practice_col", language)
    wb.sheet(title).frame(frame, list(columns), [heads[key] for key in columns], list(columns.values()), 50,
                          width_rows=500)


def _phones(frame: pd.DataFrame, mask_pii: bool) -> pd.Series:
    return mask_phones(frame["phone"]) if mask_pii else frame["phone"]


def visit_days(visits: pd.DataFrame | None) -> dict[str, dt.date]:
    """client_id -> the first planned visit date (from the retail schedule)."""
    if visits is None or visits.empty:
        return {}
    first = visits.groupby(visits["client_id"].astype(str))["date"].min()
    return {k: pd.Timestamp(v).date() for k, v in first.items()}


def write_practice_sheets(wb: Book, p: PracticePlan, staff_names: dict[str, str], language: str = "zh",
                          mask_pii: bool = True, visits: pd.DataFrame | None = None) -> None:
    """The practices' sheets of visits.xlsx (a sheet only for a table the params give, and the
    assessments and 500万 list always)."""
    t = words("practice.sheet", language)

    def who(ids: pd.Series) -> list[str]:
        return _staff(ids.map(lambda i: staff_names.get(str(i)) if pd.notna(i) else None), ids)

    if p.corporate_given:
        c = p.contacts
        shown = c.assign(staff=_staff(c["staff_name"], c["staff_id"]), role=coded(c["contact_role"], "role", language),
                         corporate_class=c["corporate_class"].map(lambda x: label(str(x), language)))
        write_sheet(wb, t["corporate"], shown, {"date": "date", "staff": "text", "role": "text", "client_id": "text",
                                                "name": "text", "corporate_class": "text", "number": "int",
                                                "required": "int"}, language)
        s = p.shortfall
        shown = s.assign(staff=_staff(s["staff_name"], s["staff_id"]), role=coded(s["contact_role"], "role", language),
                         reason=coded(s["reason"], "reason", language),
                         corporate_class=s["corporate_class"].map(lambda x: label(str(x), language)))
        write_sheet(wb, t["shortfall"], shown, {"client_id": "text", "name": "text", "corporate_class": "text",
                                                "role": "text", "staff": "text", "required": "int",
                                                "planned": "int", "missing": "int", "reason": "text"}, language)
    if p.holdings_given:
        m = p.maturities
        holding, suggestion = maturity_products(m, language)
        late = say("practice.late_mark", language)
        shown = m.assign(maintainer=who(m["maintainer_id"]), product=holding, suggestion=suggestion,
                         phone=_phones(m, mask_pii), tier=m["tier"].map(lambda x: label(str(x), language)),
                         category=m["category"].map(lambda x: label(str(x), language) if pd.notna(x) else ""),
                         late=m["late"].map(lambda x: late if x else ""),
                         note=m["needs_assessment"].map(lambda x: say("practice.visit_assessment", language)
                                                        if x else ""))
        write_sheet(wb, t["maturities"], shown, {
            "contact_date": "date", "late": "text", "maturity_date": "date", "maintainer": "text",
            "client_id": "text", "name": "text", "phone": "text", "tier": "text", "product": "text",
            "category": "text", "amount": "amount", "suggestion": "text", "note": "text"}, language)
    a = p.assessments
    days = visit_days(visits)
    planned = a["client_id"].astype(str).map(days)
    shown = a.assign(maintainer=who(a["maintainer_id"]), phone=_phones(a, mask_pii),
                     tier=a["tier"].map(lambda x: label(str(x), language)),
                     risk_level=a["risk_level"].map(lambda x: label(str(x), language) if pd.notna(x) else ""),
                     status=coded(a["status"], "status", language), visit_date=planned,
                     note=planned.map(lambda d: say("practice.visit_assessment", language) if pd.notna(d) else ""))
    write_sheet(wb, t["assessments"], shown, {
        "maintainer": "text", "priority": "int", "client_id": "text", "name": "text", "phone": "text",
        "tier": "text", "aum": "amount", "risk_level": "text", "risk_assessed_on": "date", "expires_on": "date",
        "status": "text", "visit_date": "date", "note": "text"}, language)
    g = p.targets
    shown = g.assign(maintainer=who(g["maintainer_id"]), phone=_phones(g, mask_pii),
                     tier=g["tier"].map(lambda x: label(str(x), language)),
                     status=coded(g["status"], "status", language), basis=coded(g["basis"], "basis", language))
    write_sheet(wb, t["targets"], shown, {
        "maintainer": "text", "client_id": "text", "name": "text", "phone": "text", "tier": "text",
        "status": "text", "aum": "amount", "net_assets": "amount", "branch_share": "pct", "basis": "text",
        "gap": "amount"}, language)


def practice_events(branch_id: str, p: PracticePlan, stamp: dt.datetime, language: str = "zh",
                    staff: Collection[str] | None = None) -> list[Owned]:
    """All-day calendar events: a maturity call for its maintainer, a corporate contact for its person.
    `staff`: the ids on the staff list; a maintainer who is not (left the bank) gets no calendar of
    their own, the call stays in the branch calendar."""
    t = words("practice.ics", language)
    events: list[Owned] = []
    holding, suggestion = maturity_products(p.maturities, language)
    for row, held, offer in zip(p.maturities.itertuples(index=False), holding, suggestion, strict=True):
        day = pd.Timestamp(row.contact_date).date()
        summary = t["maturity"].format(name=row.name, amount=money(row.amount, language))
        description = t["maturity_detail"].format(client=row.client_id, product=held,
                                                  maturity=f"{pd.Timestamp(row.maturity_date):%Y-%m-%d}",
                                                  suggestion=offer)
        who = str(row.maintainer_id) if pd.notna(row.maintainer_id) else None
        owners = frozenset({who}) if who is not None and (staff is None or who in staff) else frozenset()
        events.append((owners, event(event_uid("maturity", branch_id, period_of(day), row.client_id, held,
                                                f"{pd.Timestamp(row.maturity_date):%Y%m%d}"),
                                      summary, stamp, day, day + dt.timedelta(days=1), description, busy=False)))
    for row in p.contacts.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        summary = t["corporate"].format(name=row.name, role=say(f"practice.role.{row.contact_role}", language),
                                        number=row.number, required=row.required)
        events.append((frozenset({str(row.staff_id)}),
                       event(event_uid("corporate", branch_id, period_of(day), row.client_id, row.contact_role,
                                        row.number), summary, stamp, day, day + dt.timedelta(days=1),
                              f"{row.client_id} {label(str(row.corporate_class), language)}")))
    return events
