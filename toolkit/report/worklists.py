"""Staff working lists in Excel: visits.xlsx and forum_invitees.xlsx.

Staff open these in Excel and act on them, so every sheet has a frozen header row, filters, real
dates, readable widths and headers in the report language. Working lists carry names and client
ids (staff need them) but phones are masked (CONTRACT §7). Text columns stay text: a name that
starts with = + - @ is written so Excel cannot evaluate it (toolkit.base.xlsx_text).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.base.schema import label
from toolkit.base.xlsx_text import text_cell
from toolkit.branch.forum import ForumPlan, SalonPlan
from toolkit.branch.visits import VisitPlan
from toolkit.report.privacy import mask_phones

#: column key -> (Chinese header, English header, kind); kind sets the Excel number format.
_COLUMNS: dict[str, tuple[str, str, str]] = {
    "date": ("日期", "Date", "date"), "weekday": ("星期", "Weekday", "text"), "time": ("时间", "Time", "text"),
    "client_id": ("客户号", "Client ID", "text"), "name": ("客户姓名", "Client", "text"),
    "tier": ("客户层级", "Tier", "text"), "aum": ("金融资产（元）", "AUM (yuan)", "amount"),
    "district": ("区域", "District", "text"), "phone": ("手机号", "Phone", "text"),
    "last_visit": ("上次拜访", "Last visit", "date"), "reason_text": ("拜访原因", "Reason", "text"),
    "priority": ("优先顺序", "Priority", "int"), "staff_id": ("员工号", "Staff ID", "text"),
    "staff_name": ("维护人", "Staff", "text"), "maintainer_id": ("维护人员工号", "Maintainer ID", "text"),
    "planned": ("计划拜访", "Planned visits", "int"), "days": ("拜访天数", "Visit days", "int"),
    "first": ("首次拜访", "First visit", "date"), "last": ("最后拜访", "Last visit", "date"),
    "outflow": ("资金流出预警客户", "Outflow-watch visits", "int"),
    "unscheduled": ("名额不足未安排", "Not scheduled (capacity)", "int"),
    "birthday": ("生日", "Birthday", "date"), "action": ("问候方式", "Action", "text"),
    "text": ("说明", "What to do", "text"), "note": ("说明", "Note", "text"),
    "confirmed": ("确认出席", "Confirmed", "text"), "role": ("岗位", "Role", "text"),
    "invitees": ("所维护的受邀客户", "Invitees they maintain", "int"),
    "label": ("步骤", "Step", "text"), "offset_days": ("相对会议日（天）", "Days from the forum", "int"),
    "late": ("早于计划月", "Before the plan month", "text"), "item": ("项目", "Item", "text"),
    "value": ("内容", "Value", "text"), "amount": ("金额（元）", "Amount (yuan)", "amount"),
}
_WORDS = {
    "zh": {"summary": "汇总", "unscheduled": "未安排", "greetings": "生日问候",
           "flowers_or_gift": "鲜花/礼品", "sms": "短信", "yes": "是", "no": "",
           "overview": "概况", "invitees": "邀请名单", "timeline": "筹备时间表", "hosts": "主持人", "budget": "预算",
           "forum": "座谈会", "no_forum": "本计划没有座谈会。", "date": "日期", "time": "时间",
           "n_invitees": "邀请人数", "expected": "预计到场", "past": "往期座谈会", "warning": "提示",
           "budget_per_guest": "人均预算", "guest_cost": "嘉宾费用",
           "fixed_cost": "固定费用", "total": "合计", "list_sep": "、"},
    "en": {"summary": "Summary", "unscheduled": "Not scheduled", "greetings": "Greetings",
           "flowers_or_gift": "Flowers/gift", "sms": "SMS", "yes": "yes", "no": "",
           "overview": "Overview", "invitees": "Invitees", "timeline": "Timeline", "hosts": "Hosts",
           "budget": "Budget", "forum": "Forum", "no_forum": "There is no forum in this plan.",
           "date": "Date",
           "time": "Time", "n_invitees": "Invitees", "expected": "Expected guests", "past": "Past forum",
           "warning": "Note", "budget_per_guest": "Budget per guest",
           "guest_cost": "Guest cost", "fixed_cost": "Fixed cost", "total": "Total", "list_sep": ", "},
}
_WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
             "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "int": "0"}
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def _words(language: str) -> dict[str, str]:
    return _WORDS["zh" if language == "zh" else "en"]


def _width(value: object) -> int:
    """Display width in Excel character units: CJK characters take two; amounts get their commas."""
    if isinstance(value, dt.date):
        return 10
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object, kind: str) -> object:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "int":
        return int(value)
    if kind == "amount":
        return float(value)
    return str(value)


def _sheet(wb: Workbook, title: str) -> Any:
    """A new sheet with a valid, unique title (Excel: ≤ 31 characters, none of []:*?/\\)."""
    # Excel also refuses a name that starts or ends with an apostrophe (a staff name may).
    base = re.sub(r"[\[\]:*?/\\]", "_", title)[:31].strip("'") or "Sheet"
    name, n = base, 2
    while name in wb.sheetnames:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return wb.create_sheet(name)


def _workbook() -> Workbook:
    """A write-only workbook: rows stream to the file as written (about twice as fast to save as a
    normal workbook, which keeps every cell as an object), so widths are set before the rows."""
    return Workbook(write_only=True)


def write_table(ws: Any, frame: pd.DataFrame, columns: Sequence[str], language: str) -> None:
    """The frame's columns with translated headers, a frozen header row, filters and fitted widths.

    ws: a sheet of a write-only workbook (`_workbook`), still empty."""
    index = 0 if language == "zh" else 1
    headers = [_COLUMNS[c][index] for c in columns]
    kinds = [_COLUMNS[c][2] for c in columns]
    rows = [[_cell(v, k) for v, k in zip(row, kinds, strict=True)]
            for row in frame[list(columns)].itertuples(index=False, name=None)]
    for j, header in enumerate(headers):
        widest = max([_width(header), *(_width(r[j]) for r in rows if r[j] is not None)])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(max(widest + 2, 8), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    ws.append([_header_cell(ws, h) for h in headers])
    formats = [_FORMATS.get(k) for k in kinds]
    styled = [j for j, f in enumerate(formats) if f]
    texts = [j for j, k in enumerate(kinds) if k == "text"]
    for row in rows:
        for j in styled:
            if row[j] is not None:
                cell = WriteOnlyCell(ws, value=row[j])
                cell.number_format = formats[j]
                row[j] = cell
        for j in texts:  # names, districts, notes: text even when they start with = + - @
            row[j] = text_cell(ws, row[j])
        ws.append(row)


def _header_cell(ws: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font, cell.fill, cell.alignment = Font(bold=True), _HEADER_FILL, Alignment(vertical="center")
    return cell


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


def write_visits_xlsx(path: str | Path, plan: VisitPlan, language: str = "zh", mask_pii: bool = True,
                      greetings: pd.DataFrame | None = None) -> Path:
    """visits.xlsx: a summary, one sheet per staff member, the due clients not scheduled, and
    (when given) the month's greetings. mask_pii=False writes full phones, for a secured copy only."""
    words, wb = _words(language), _workbook()
    write_table(_sheet(wb, words["summary"]), _staff_summary(plan),
                ["staff_id", "staff_name", "planned", "days", "first", "last", "outflow", "unscheduled"],
                language)
    schedule = _display(plan.schedule, language, mask_pii)
    weekdays = _WEEKDAYS["zh" if language == "zh" else "en"]
    schedule["weekday"] = schedule["date"].dt.weekday.map(dict(enumerate(weekdays)))
    schedule["time"] = schedule["start"].dt.strftime("%H:%M")
    columns = ["date", "weekday", "time", "client_id", "name", "tier", "aum", "district", "phone",
               "last_visit", "reason_text", "priority"]
    for (staff_id, staff_name), visits in schedule.groupby(["staff_id", "staff_name"], sort=True):
        write_table(_sheet(wb, f"{staff_name}_{staff_id}"), visits, columns, language)
    write_table(_sheet(wb, words["unscheduled"]), _display(plan.unscheduled, language, mask_pii),
                ["priority", "client_id", "name", "tier", "aum", "maintainer_id", "staff_name",
                 "reason_text"], language)
    if greetings is not None:
        shown = _display(greetings, language, mask_pii).assign(action=greetings["action"].map(words))
        write_table(_sheet(wb, words["greetings"]), shown,
                    ["date", "birthday", "client_id", "name", "tier", "action", "staff_name", "text"],
                    language)
    path = Path(path)
    wb.save(path)
    return path


def _overview(forum: ForumPlan, words: dict[str, str]) -> pd.DataFrame:
    rows = [(words["date"], forum.date.isoformat()),
            (words["time"], f"{forum.start:%H:%M}–{forum.end:%H:%M}"),
            (words["n_invitees"], str(len(forum.invitees))), (words["expected"], str(forum.expected_guests)),
            (words["hosts"], words["list_sep"].join(forum.hosts["name"])),
            (words["total"], f"{forum.budget['total']:,.0f}"), (words["past"], forum.past_forum)]
    rows += [(words["warning"], w) for w in forum.warnings]
    return pd.DataFrame(rows, columns=["item", "value"])


def write_forum_invitees_xlsx(path: str | Path, forum: ForumPlan | None, language: str = "zh",
                              salons: Sequence[SalonPlan] = (), note: str | None = None,
                              mask_pii: bool = True) -> Path:
    """forum_invitees.xlsx: overview, invitees (with a column to tick confirmations), timeline, hosts,
    budget, and one sheet of invitees per salon. Without a forum, one sheet with a note saying why."""
    words, wb = _words(language), _workbook()
    if forum is None:
        write_table(_sheet(wb, words["forum"]), pd.DataFrame({"note": [note or words["no_forum"]]}), ["note"],
                    language)
    else:
        write_table(_sheet(wb, words["overview"]), _overview(forum, words), ["item", "value"], language)
        invitees = _display(forum.invitees, language, mask_pii).assign(confirmed="")
        write_table(_sheet(wb, words["invitees"]), invitees,
                    ["client_id", "name", "phone", "tier", "aum", "maintainer_id", "staff_name", "confirmed"],
                    language)
        late = forum.timeline["late"].map({True: words["yes"], False: words["no"]})
        write_table(_sheet(wb, words["timeline"]), forum.timeline.assign(late=late),
                    ["date", "label", "offset_days", "late"], language)
        hosts = forum.hosts.assign(role=forum.hosts["role"].map(lambda r: label(r, language)),
                                   staff_name=forum.hosts["name"])
        write_table(_sheet(wb, words["hosts"]), hosts, ["staff_id", "staff_name", "role", "invitees"],
                    language)
        money = [k for k in forum.budget if k != "guests"]  # the head count is on the overview sheet
        budget = pd.DataFrame({"item": [words[k] for k in money], "amount": [forum.budget[k] for k in money]})
        write_table(_sheet(wb, words["budget"]), budget, ["item", "amount"], language)
    for salon in salons:
        title = f"{salon.title} {salon.date.isoformat()}" if salon.date else salon.title
        write_table(_sheet(wb, title), _display(salon.invitees, language, mask_pii).assign(confirmed=""),
                    ["client_id", "name", "phone", "tier", "aum", "maintainer_id", "staff_name", "confirmed"],
                    language)
    path = Path(path)
    wb.save(path)
    return path
