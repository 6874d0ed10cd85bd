"""The staff work lists' Excel writer (visits.xlsx, forum_invitees.xlsx), through XlsxWriter.

A work list is a few sheets of plain typed tables: a bold header row that stays frozen, filters,
widths fitted to the text, dates and times as Excel dates, amounts and counts as numbers. XlsxWriter
writes each cell straight into the sheet's XML; openpyxl's write-only mode builds an element per
cell, which was two thirds of the work lists' time (a 5,000-client branch writes about 32,000
cells a month). Every text is written with `write_string`, so no input can become a formula; text
Excel would evaluate once edited (= + - @ …, or an error code such as #N/A) also gets Excel's
quotePrefix, as toolkit.base.xlsx_text does for openpyxl. The workbook is built in memory (no
temporary file with client data) and written to its path on `save`.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from toolkit.base.xlsx_text import needs_guard

HEADER_FILL = "#DDE7F3"
#: Excel number format by column kind (text and unknown kinds: General).
FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "int": "0", "time": "hh:mm", "pct": "0.0%"}


@functools.lru_cache(maxsize=8192)
def text_width(text: str) -> int:
    """Display width in Excel character units: CJK characters take two. Cached: a column repeats
    its tiers, names, districts and reasons row after row."""
    if text.isascii():  # ids, dates, amounts: most cells
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width(value: object) -> int:
    if isinstance(value, dt.date | dt.time):
        return 10
    return text_width(f"{value:,.2f}" if isinstance(value, float) else str(value))


def cell_value(value: object, kind: str) -> object:
    """A frame's value as Excel should hold it for its column kind (date, time, int, amount, pct, text)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "time":  # an Excel time (a fraction of a day), shown hh:mm
        return pd.Timestamp(value).time()
    if kind == "int":
        return int(value)
    if kind == "amount":  # to the fen: a sum of asset lines carries float noise (6326207.880000001)
        return round(float(value), 2)
    if kind == "pct":
        return float(value)
    return str(value)


class Book:
    """A workbook of typed tables, one per sheet; `save` writes it to a path."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._wb = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self._names: list[str] = []
        self._formats: dict[tuple[str, bool], Any] = {}
        self.header_format = self._wb.add_format({"bold": True, "bg_color": HEADER_FILL, "valign": "vcenter"})

    @property
    def sheetnames(self) -> list[str]:
        return list(self._names)

    def sheet(self, title: str) -> Sheet:
        """A new sheet with a valid, unique title (Excel: ≤ 31 characters, none of []:*?/\\, no
        apostrophe at either end, which a staff name may have)."""
        base = re.sub(r"[\[\]:*?/\\]", "_", title)[:31].strip("'") or "Sheet"
        name, n = base, 2
        while name.casefold() in (s.casefold() for s in self._names):  # Excel's names ignore case
            suffix = f"~{n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        self._names.append(name)
        return Sheet(self, self._wb.add_worksheet(name))

    def cell_format(self, number_format: str | None, guarded: bool = False) -> Any:
        key = (number_format or "", guarded)
        if key not in self._formats:
            spec: dict[str, Any] = {"num_format": number_format} if number_format else {}
            if guarded:
                spec["quote_prefix"] = True
            self._formats[key] = self._wb.add_format(spec) if spec else None
        return self._formats[key]

    def save(self, path: str | Path) -> Path:
        self._wb.close()
        path = Path(path)
        path.write_bytes(self._buffer.getvalue())
        return path


class Sheet:
    def __init__(self, book: Book, ws: Any):
        self._book, self._ws = book, ws

    def frame(self, frame: pd.DataFrame, columns: Sequence[str], headers: Sequence[str], kinds: Sequence[str],
              cap: int, width_rows: int | None = None) -> None:
        """`table` of the frame's `columns`, each value as Excel holds its column's kind (`cell_value`)."""
        rows = [[cell_value(v, k) for v, k in zip(row, kinds, strict=True)]
                for row in frame[list(columns)].itertuples(index=False, name=None)]
        self.table(headers, rows, kinds, cap, width_rows)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], kinds: Sequence[str],
              cap: int, width_rows: int | None = None) -> None:
        """Headers then rows of `cell_value`s (None: a blank cell); a kind in `FORMATS` gets its
        number format; "text" cells are written as text, an empty one as a blank cell. Widths from the header and the first
        `width_rows` rows (all by default), at least 8 and at most `cap`; header frozen, filters on."""
        ws, book = self._ws, self._book
        sample = rows if width_rows is None else rows[:width_rows]
        for j, header in enumerate(headers):
            widest = max([_width(header), *(_width(r[j]) for r in sample if r[j] is not None)])
            ws.set_column(j, j, min(max(widest + 2, 8), cap))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), max(len(headers) - 1, 0))
        for j, header in enumerate(headers):
            ws.write_string(0, j, str(header), book.header_format)
        numeric = [book.cell_format(FORMATS.get(k)) for k in kinds]
        plain, guarded = book.cell_format(None), book.cell_format(None, guarded=True)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(i, j, value, guarded if needs_guard(value) else plain)
                elif isinstance(value, dt.date | dt.time):
                    ws.write_datetime(i, j, value, numeric[j])
                elif isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                else:
                    ws.write_number(i, j, value, numeric[j])
