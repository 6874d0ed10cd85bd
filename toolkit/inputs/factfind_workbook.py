"""The fact-find workbook (表1–表3, CONTRACT §1) as an Excel file an adviser fills in by hand.

Advisers type into Excel, not into pandas, so the workbook does the guiding: Chinese sheet names,
bilingual headers ("类别 / type"), drop-downs for every coded column so only accepted words go in,
real date cells and thousands separators. Canonical codes given by code (income, liquid, self, C3)
are written as the Chinese words an adviser would type; the loader maps both back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.base.schema import (
    BALANCE_TYPES,
    CASHFLOW_TYPES,
    FACT_FIND_SHEETS,
    FF_PROFILE,
    MEMBERS,
    PROFILE_FIELDS,
    RISK_LEVELS,
    Column,
    Table,
)
from toolkit.base.xlsx_text import as_text, guard_row

Rows = pd.DataFrame | Iterable[Mapping[str, Any]] | None

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
YEAR_FORMAT = "0"
#: Rows below the header that the drop-downs cover, so an adviser can keep typing.
VALIDATED_ROWS = 200
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _chinese_words(vocabulary: dict[str, str]) -> dict[str, str]:
    """Canonical code -> the Chinese word accepted for it (the vocabularies map both ways in)."""
    return {code: word for word, code in vocabulary.items() if word != code}


#: Coded columns: canonical code -> Chinese word, and the drop-down list offered in Excel.
CODED: dict[tuple[str, str], dict[str, str]] = {
    ("family", "member"): _chinese_words(MEMBERS),
    ("cashflow", "type"): _chinese_words(CASHFLOW_TYPES),
    ("balance", "type"): _chinese_words(BALANCE_TYPES),
}
RISK_WORDS: dict[str, str] = _chinese_words(RISK_LEVELS)
_DATE_FIELDS = ("birth_date", "risk_assessed_on")


def header(column: Column) -> str:
    """"类别 / type": readable for the adviser, and either half is accepted by the loader."""
    return f"{column.alias} / {column.name}"


def _as_date(value: Any) -> Any:
    """Dates (and ISO strings) as datetime.date so Excel stores a real date; other values unchanged."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, str):
        parsed = pd.to_datetime(value, errors="coerce")
        return value if pd.isna(parsed) else parsed.date()
    return value


def _cell_value(table: str, column: Column, value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if (table, column.name) in CODED:
        return CODED[(table, column.name)].get(str(value), value)
    if column.kind == "date":
        return _as_date(value)
    if column.kind == "amount":
        return float(value)
    if column.kind == "int":
        return int(value)
    return str(value)


def _records(rows: Rows) -> list[Mapping[str, Any]]:
    if rows is None:
        return []
    if isinstance(rows, pd.DataFrame):
        return rows.to_dict("records")
    return list(rows)


def display_width(value: Any) -> int:
    """Characters as Excel shows them: a CJK character takes about two columns."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _style_sheet(ws: Worksheet, table: Table, widths: list[int]) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    for i, column in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(max(widths[i - 1] + 4, 12), 40)
        # Column-level formats: what the adviser types later gets them too, without creating cells.
        fmt = {"date": DATE_FORMAT, "amount": AMOUNT_FORMAT, "int": YEAR_FORMAT}.get(column.kind)
        if fmt:
            ws.column_dimensions[letter].number_format = fmt


def _dropdown(ws: Worksheet, words: Iterable[str], cells: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="请从列表中选择 / Choose from the list",
                        error="请从下拉列表中选择一项 / Please choose one of the listed values")
    ws.add_data_validation(dv)
    dv.add(cells)


def _write_profile(ws: Worksheet, profile: Mapping[str, Any] | None) -> None:
    profile = profile or {}
    ws.append([header(c) for c in FF_PROFILE.columns])
    widths = [display_width(header(c)) for c in FF_PROFILE.columns]
    for row, (key, alias) in enumerate(PROFILE_FIELDS.items(), start=2):
        label = f"{alias} / {key}"
        value = profile.get(key)
        if key in _DATE_FIELDS:
            value = _as_date(value)
        elif key == "risk_level" and value is not None:
            value = RISK_WORDS.get(str(value), value)
        elif value is not None:
            value = str(value)
        ws.cell(row=row, column=1, value=label)
        cell = as_text(ws.cell(row=row, column=2, value=value))  # a name "=..." stays text
        if key in _DATE_FIELDS:
            cell.number_format = DATE_FORMAT
        elif key != "risk_level":
            cell.number_format = "@"  # client ids keep their leading zeros when retyped
        if key == "risk_level":
            _dropdown(ws, RISK_WORDS.values(), cell.coordinate)
        widths = [max(widths[0], display_width(label)), max(widths[1], display_width(value or ""))]
    _style_sheet(ws, FF_PROFILE, widths)


def _write_table(ws: Worksheet, table: Table, rows: Rows) -> None:
    ws.append([header(c) for c in table.columns])
    widths = [display_width(header(c)) for c in table.columns]
    for record in _records(rows):
        values = [_cell_value(table.name, c, record.get(c.name)) for c in table.columns]
        ws.append(values)
        guard_row(ws, ws.max_row)
        for i, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            widths[i] = max(widths[i], display_width(value if value is not None else ""))
            if column.kind == "date" and value is not None:
                ws.cell(row=ws.max_row, column=i + 1).number_format = DATE_FORMAT
            elif column.kind == "amount" and value is not None:
                ws.cell(row=ws.max_row, column=i + 1).number_format = AMOUNT_FORMAT
    for i, column in enumerate(table.columns, start=1):
        words = CODED.get((table.name, column.name))
        if words:
            letter = get_column_letter(i)
            _dropdown(ws, words.values(), f"{letter}2:{letter}{max(ws.max_row, 1) + VALIDATED_ROWS}")
    _style_sheet(ws, table, widths)


def write_fact_find(path: str | Path, profile: Mapping[str, Any] | None = None, family: Rows = None,
                    cashflow: Rows = None, balance: Rows = None, goals: Rows = None) -> Path:
    """Write a fact-find workbook; tables are frames or row dicts keyed by canonical column names."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    given = {"family": family, "cashflow": cashflow, "balance": balance, "goals": goals}
    for table in FACT_FIND_SHEETS:
        ws = wb.create_sheet(table.sheet_alias or table.name)
        if table is FF_PROFILE:
            _write_profile(ws, profile)
        else:
            _write_table(ws, table, given[table.name])
    wb.save(path)
    return path


def example_fact_find(today: dt.date | None = None) -> dict[str, Any]:
    """One plausible filled row per sheet, shown in the empty template as a pattern to follow."""
    year = (today or dt.date.today()).year
    return {
        "profile": {"client_id": "0010000001", "name": "张三", "birth_date": dt.date(1985, 6, 15),
                    "risk_level": "C3", "risk_assessed_on": dt.date(year, 1, 10)},
        "family": [{"member": "self", "name": "张三", "birth_date": dt.date(1985, 6, 15), "occupation": "工程师"}],
        "cashflow": [{"type": "income", "item": "工资收入", "annual_amount": 360_000}],
        "balance": [{"type": "liquid", "item": "活期存款", "amount": 80_000}],
        "goals": [{"goal": "子女教育", "target_amount": 500_000, "target_year": year + 10}],
    }


def write_template(path: str | Path) -> Path:
    """The empty fact-find for `clientcare template fact-find`: headers, drop-downs, one example row."""
    return write_fact_find(path, **example_fact_find())
