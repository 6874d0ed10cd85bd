"""Empty input tables as Excel workbooks (`clientcare template corporate-clients|holdings FILE.xlsx`).

A branch that has never exported corporate clients or holdings starts from these: bilingual
headers ("存款余额 / deposit_balance", either half is accepted by the loader), real date and
amount formats, and a drop-down for coded columns. No example row: whatever is typed is data.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.base.schema import CORPORATE_CLIENTS, HOLDINGS, Table
from toolkit.inputs.factfind_workbook import AMOUNT_FORMAT, DATE_FORMAT, VALIDATED_ROWS, display_width, header

#: The tables `clientcare template` writes, by the name on the command line, with their sheet names.
TEMPLATES: dict[str, tuple[Table, str]] = {
    "corporate-clients": (CORPORATE_CLIENTS, "对公客户"),
    "holdings": (HOLDINGS, "持有产品"),
}


def write_table_template(kind: str, path: str | Path) -> Path:
    """Write the empty table `kind` (a key of TEMPLATES) to `path` (.xlsx)."""
    table, sheet = TEMPLATES[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([header(c) for c in table.columns])
    for i, column in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[letter].width = min(max(display_width(cell.value) + 4, 12), 40)
        fmt = {"date": DATE_FORMAT, "amount": AMOUNT_FORMAT}.get(column.kind)
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
        if column.vocabulary:
            words = sorted({w for w, code in column.vocabulary.items() if w != code})
            dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
    ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
