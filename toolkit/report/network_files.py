"""network.xlsx: the province's ranking and tier mix as a workbook (input text stays text)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from toolkit.base.atomic import atomic_write_bytes
from toolkit.base.schema import IN_SCOPE_TIERS
from toolkit.branch.ranking import FIVE, ranking_columns
from toolkit.report.network_sections import headers


def write_network_xlsx(table: pd.DataFrame, path: Path, language: str = "zh") -> Path:
    """The ranking and the tier mix as two sheets, amounts in yuan, rates as percentages."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from toolkit.base.xlsx_text import guard_row

    head = headers(language)
    sheets = {
        "排名" if language == "zh" else "Ranking": ranking_columns()
        + [f"rank_{k}" for k, _, _ in FIVE] + (["status"] if "status" in table else []),
        "客户分层" if language == "zh" else "Tiers": ["branch_id", "branch_name"]
        + [f"clients_{t}" for t in IN_SCOPE_TIERS] + [f"aum_{t}" for t in IN_SCOPE_TIERS],
    }
    wb = Workbook()
    wb.remove(wb.active)
    for title, cols in sheets.items():
        ws = wb.create_sheet(title)
        ws.append([head.get(c, c) for c in cols])
        for row in table[cols].itertuples(index=False):
            ws.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
            guard_row(ws, ws.max_row)  # a branch named "=HYPERLINK(...)" stays text
        for j, col in enumerate(cols, start=1):
            fmt = ("0.00%" if col in {k for k, _, _ in FIVE} else "#,##0.00" if "aum" in col
                   else "0.00" if col == "mean_rank" else None)
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(12, len(str(head.get(col, col))) * 2 + 2)
            if fmt:
                for cell in ws[letter][1:]:
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()  # in memory, not the system temp folder (ranking data stays in outputs/)
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path
