"""Text that came from an input, written to Excel as text Excel cannot evaluate.

openpyxl turns any string starting with `=` into a formula and `#N/A`-like strings into error
cells, and Excel re-evaluates a text cell starting with `=`, `+`, `-` or `@` as soon as someone
edits it. A client named `=HYPERLINK(...)` must stay a name: such text is written with an explicit
string type (an inline string, no `<f>` element) and Excel's quotePrefix style (the cell shows the
text as typed and keeps it text when edited); the value itself is never changed. Numbers and dates
are left alone, so they stay typed.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

#: Leading characters that make Excel (or LibreOffice) read a text as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def needs_guard(value: object) -> bool:
    """A string openpyxl would not store as plain text, or Excel would evaluate once edited."""
    return isinstance(value, str) and (value.startswith(FORMULA_START) or value in ERROR_CODES)


def as_text(cell: Cell) -> Cell:
    """Make a cell holding a string an explicit string; risky text also gets quotePrefix."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if needs_guard(cell.value):
            cell.quotePrefix = True
    return cell


def text_cell(ws: Any, value: Any) -> Any:
    """For write-only sheets: the value itself when openpyxl stores it as plain text anyway (or it
    is no string), else a WriteOnlyCell with an explicit string type and quotePrefix."""
    if not needs_guard(value):
        return value
    return as_text(WriteOnlyCell(ws, value=value))


def guard_row(ws: Any, row: int) -> None:
    """For normal sheets: every string cell of `row` (just appended) made an explicit string."""
    for cell in ws[row]:
        if isinstance(cell.value, str):
            as_text(cell)
