"""The network comparison's files: network.xlsx (typed cells, the HTML's units and order),
network.json (the ranks the next batch compares with) and the view the notebook reads.

Amounts are in the unit the HTML shows (万元 in Chinese, yuan in English), said in the header;
rates are percentages, counts and ranks integers; input text stays text (base/xlsx_text).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.atomic import atomic_write_bytes
from toolkit.base.settings import Thresholds
from toolkit.branch.kpi import FIVE as KPI_FIVE
from toolkit.branch.network_kpi import ACTION_KEYS, TOTAL_ROWS, NetworkView
from toolkit.branch.ranking import FIVE, RANK_COLUMNS, ranks_from_summaries
from toolkit.report.network_sections import (
    headers,
    load_text,
    staff_columns,
    staff_headers,
    staff_table,
    status_word,
    tier_order,
    totals_labels,
)
from toolkit.report.text import label, say

_VIEW_FILES = ("network.parquet", "network_totals.parquet", "network_trend.parquet", "network_staff.parquet")
PCT, INT, RANK, WAN, YUAN, NUM = "0.0%", "#,##0", "0", "#,##0.00", "#,##0", "0.00"
_PERIOD = re.compile(r"^\d{4}-\d{2}$")


# --- the view the notebook reads ---------------------------------------------------------------
def save_view(view: NetworkView, folder: Path) -> Path:
    """The view as parquet files and a small JSON in `folder`; returns the ranking's parquet (the
    notebook's table_path; the other files lie beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = (view.table, view.totals.reset_index(), view.trend.reset_index(), view.staff)
    for name, frame in zip(_VIEW_FILES, frames, strict=True):
        frame = frame.copy()
        frame.attrs = {}
        frame.to_parquet(folder / name, index=False)
    meta = {"period": view.period, "base_period": view.base_period, "compare_to": view.compare_to,
            "previous_period": view.previous_period, "mask_pii": view.mask_pii,
            "thresholds": view.thresholds.model_dump(mode="json")}
    (folder / "network_view.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder / _VIEW_FILES[0]


def load_view(table_path: str | Path) -> NetworkView:
    """The view `save_view` wrote (table_path: its ranking parquet)."""
    folder = Path(table_path).parent
    table, totals, trend, staff = (pd.read_parquet(folder / name) for name in _VIEW_FILES)
    meta = json.loads((folder / "network_view.json").read_text(encoding="utf-8"))
    meta["thresholds"] = Thresholds.model_validate(meta["thresholds"])
    return NetworkView(table=table, totals=totals.set_index("measure"), trend=trend.set_index("period"),
                       staff=staff, **meta)


def view_from_params(params_dir: str | Path = "params/branches", period: str | None = None) -> NetworkView:
    """The view computed from a params folder (the notebook run by hand, without a batch)."""
    from toolkit.base.periods import report_period
    from toolkit.branch.network_kpi import network_view
    from toolkit.inputs.books import load_branch_inputs
    from toolkit.inputs.params import load_branch_params

    params = [load_branch_params(p) for p in sorted(Path(params_dir).glob("*.yaml"))]
    books: dict[tuple, Any] = {}
    for p in params:
        key = (tuple(p.data.clients), p.data.staff, p.data.products, p.data.activities)
        if key not in books:
            books[key] = (p, load_branch_inputs(p))
    return network_view(list(books.values()), report_period(period, params[0].period),
                        {p.branch_id: p.branch_name for p in params}, mask_pii=any(p.mask_pii for p in params))


# --- network.json: what the next batch compares with --------------------------------------------
def network_json(view: NetworkView) -> dict[str, Any]:
    """The period, base and every branch's ranks and the network totals (JSON-ready)."""
    ranks = {str(row["branch_id"]): {c: int(row[c]) for c in RANK_COLUMNS}
             for row in view.table.to_dict("records")}
    totals = {k: {side: (None if pd.isna(view.totals.at[k, side]) else float(view.totals.at[k, side]))
                  for side in ("current", "base", "change")} for k in TOTAL_ROWS}
    return {"period": view.period, "base_period": view.base_period, "compare_to": view.compare_to,
            "ranks": ranks, "totals": totals}


def write_network_json(view: NetworkView, path: Path) -> Path:
    atomic_write_bytes(path, (json.dumps(network_json(view), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path


def previous_ranks(out_root: Path, period: str) -> tuple[str | None, dict[str, dict[str, Any]] | None]:
    """The last batch before `period` under out_root (the latest earlier period folder with a
    network.json or a manifest.json): (its period, ranks per branch). Its network.json says them;
    a batch that left none has them rebuilt from its branches' summary.json
    (`ranking.ranks_from_summaries`). (None, None) when there is no such batch or it cannot be read."""
    root = Path(out_root)
    if not root.is_dir():
        return None, None
    earlier = sorted((p.name for p in root.iterdir() if _PERIOD.match(p.name) and p.name < period), reverse=True)
    for name in earlier:
        folder = root / name
        if (folder / "network.json").is_file():
            try:
                ranks = json.loads((folder / "network.json").read_text(encoding="utf-8"))["ranks"]
            except (OSError, ValueError, KeyError, TypeError):
                return None, None
            return name, ranks if isinstance(ranks, dict) else None
        if (folder / "manifest.json").is_file():
            branches = [p.name for p in folder.iterdir() if (p / "summary.json").is_file()]
            found = {b: s for b, s in summaries_of(folder, branches).items() if s is not None}
            ranks = ranks_from_summaries(found)
            return (name, ranks) if ranks else (None, None)
    return None, None


# --- network.xlsx ------------------------------------------------------------------------------
def _unit(name: str, language: str) -> str:
    return say("network.unit.wan", language, name=name)


def _money(language: str) -> tuple[Callable[[Any], Any], str]:
    """The amount cells as the HTML shows them: 万元 (zh) or whole yuan (en), and their format."""
    if language == "en":
        return (lambda v: v), YUAN
    return (lambda v: v / 10_000), WAN


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


class _Sheet:
    """One sheet: (header, values, number format) columns; typed cells, a bold frozen header, filters."""

    def __init__(self, title: str, freeze: str = "A2") -> None:
        self.title, self.freeze = title, freeze
        self.columns: list[tuple[str, list[Any], str | None]] = []
        self.row_formats: list[str] | None = None  # a sheet of one measure per row (the totals)

    def add(self, head: str, values: Any, fmt: str | None = None, convert: Callable[[Any], Any] | None = None) -> None:
        cells = [_plain(v) for v in values]
        if convert is not None:
            cells = [None if v is None else convert(v) for v in cells]
        self.columns.append((head, cells, fmt))

    def write(self, wb: Any) -> None:
        """Into a write-only workbook (linear in cells: a 200-branch network has thousands of staff)."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        from toolkit.base.xlsx_text import text_cell

        ws = wb.create_sheet(self.title[:31])
        for j, (head, values, _) in enumerate(self.columns, start=1):
            wide = max([len(str(head)) * (2 if not head.isascii() else 1)] +
                       [len(str(v)) * (2 if not str(v).isascii() else 1) for v in values[:200]])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, wide + 2), 40)
        ws.freeze_panes = self.freeze
        n = max((len(v) for _, v, _ in self.columns), default=0)
        ws.auto_filter.ref = f"A1:{get_column_letter(max(len(self.columns), 1))}{n + 1}"
        bold = Font(bold=True)
        header = []
        for head, _, _ in self.columns:
            cell = WriteOnlyCell(ws, value=head)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for i in range(n):
            row_fmt = self.row_formats[i] if self.row_formats else None
            out = []
            for j, (_, values, fmt) in enumerate(self.columns):
                value, fmt = values[i], (row_fmt if row_fmt and j else fmt)
                if isinstance(value, str) or value is None:
                    out.append(text_cell(ws, value))  # a branch named "=HYPERLINK(...)" stays text
                elif fmt:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)


def _ranking_sheet(t: pd.DataFrame, language: str) -> _Sheet:
    head = headers(language)
    conv, mfmt = _money(language)
    s = _Sheet(say("network.sheet.ranking", language), "E2")
    s.add(head["overall_rank"], t["overall_rank"], RANK)
    if "change_overall_rank" in t:
        s.add(say("network.unit.change", language, name=head["overall_rank"]), t["change_overall_rank"], RANK)
    s.add(head["branch_id"], t["branch_id"])
    s.add(head["branch_name"], t["branch_name"])
    for k, _, _ in FIVE:
        s.add(head[k], t[k], PCT)
        s.add(head[f"rank_{k}"], t[f"rank_{k}"], RANK)
        if f"change_rank_{k}" in t:
            s.add(say("network.unit.change", language, name=head[f"rank_{k}"]), t[f"change_rank_{k}"], RANK)
    s.add(head["mean_rank"], t["mean_rank"], NUM)
    s.add(head["current_clients"], t["current_clients"], INT)
    s.add(_unit(head["current_aum"], language), t["current_aum"], mfmt, conv)
    if "status" in t:
        s.add(head["status"], [status_word(v, language) for v in t["status"]])
    return s


def _tiers_sheet(t: pd.DataFrame, language: str) -> _Sheet:
    head = headers(language)
    conv, mfmt = _money(language)
    s = _Sheet(say("network.sheet.tiers", language), "C2")
    s.add(head["branch_id"], t["branch_id"])
    s.add(head["branch_name"], t["branch_name"])
    for tier in tier_order():
        s.add(head[f"clients_{tier}"], t[f"clients_{tier}"], INT)
    for tier in tier_order():
        s.add(_unit(head[f"aum_{tier}"], language), t[f"aum_{tier}"], mfmt, conv)
    return s


def _load_sheet(t: pd.DataFrame, language: str) -> _Sheet:
    head = headers(language)
    s = _Sheet(say("network.sheet.load", language), "C2")
    s.add(head["branch_id"], t["branch_id"])
    s.add(head["branch_name"], t["branch_name"])
    for col, _ in ACTION_KEYS:
        if col == "forum_due":  # a flag: said in words, as the HTML says it
            s.add(say(f"network.load.{col}", language), [None if pd.isna(v) else load_text(col, v, language)
                                                         for v in t[col]])
        else:
            s.add(say(f"network.load.{col}", language), t[col], INT)
    return s


def _totals_sheet(view: NetworkView, language: str) -> _Sheet:
    """One row per measure: each row its own unit (rates %, counts, 万元/yuan)."""
    conv, mfmt = _money(language)
    names = totals_labels(language, view.thresholds)
    s = _Sheet(say("network.sheet.totals", language))
    s.add(say("network.col.measure", language),
          [(_unit(names[k], language) if k == "aum" else names[k]) for k in TOTAL_ROWS])
    for side, head in (("current", say("network.col.current", language, period=view.period)),
                       ("base", say("network.col.base", language, bp=view.base_period)),
                       ("change", say("network.col.change", language))):
        s.add(head, [conv(float(v)) if k == "aum" and not pd.isna(v) else v
                     for k, v in view.totals[side].items()])
    s.row_formats = [mfmt if k == "aum" else INT if k in ("clients", "new_clients", "net_growth")
                     else NUM if k == "products_per_client" else PCT for k in TOTAL_ROWS]
    return s


def _trend_sheet(view: NetworkView, language: str) -> _Sheet:
    names = totals_labels(language, view.thresholds)
    s = _Sheet(say("network.sheet.trend", language))
    tr = view.trend
    s.add(say("network.sheet.period", language), [str(p) for p in tr.index])
    for f in KPI_FIVE:
        s.add(f"{f.char}·{names[f.key]}", tr[f.key], INT if f.is_count else PCT)
    s.add(say("network.chart.clients", language), tr["current_clients"], INT)
    return s


def _staff_sheets(view: NetworkView, language: str) -> list[_Sheet]:
    scores = staff_table(view)
    if scores.empty:
        return []
    head = staff_headers(language)
    conv, mfmt = _money(language)
    fmts = {"overall_rank": RANK, "mean_rank": NUM, "current_clients": INT, "current_aum": mfmt,
            **{k: PCT for k, _, _ in FIVE}}
    out = []
    for role in dict.fromkeys(scores["role"]):
        part = scores.loc[scores["role"] == role]
        s = _Sheet(label(str(role), language), "C2")
        for col in staff_columns():
            name = _unit(head[col], language) if col == "current_aum" else head[col]
            s.add(name, part[col], fmts.get(col), conv if col == "current_aum" else None)
            if col in {k for k, _, _ in FIVE}:
                s.add(head[f"rank_{col}"], part[f"rank_{col}"], RANK)
        out.append(s)
    return out


def write_network_xlsx(view: NetworkView | pd.DataFrame, path: Path, language: str = "zh") -> Path:
    """network.xlsx: the ranking, the action load, the network totals and trend, the tier mix and
    one scorecard sheet per staff role (only the ranking and tiers for a bare ranked table)."""
    from openpyxl import Workbook

    t = view.table if isinstance(view, NetworkView) else view
    sheets = [_ranking_sheet(t, language)]
    if isinstance(view, NetworkView):
        sheets += [_load_sheet(t, language), _totals_sheet(view, language), _trend_sheet(view, language)]
    sheets.append(_tiers_sheet(t, language))
    if isinstance(view, NetworkView):
        sheets += _staff_sheets(view, language)
    wb = Workbook(write_only=True)
    for sheet in sheets:
        sheet.write(wb)
    buffer = io.BytesIO()  # in memory, not the system temp folder (ranking data stays in outputs/)
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def summaries_of(period_dir: Path, branch_ids: Mapping[str, Any]) -> dict[str, dict[str, Any] | None]:
    """Each branch's summary.json under outputs/<period>/ (None when missing or unreadable)."""
    out: dict[str, dict[str, Any] | None] = {}
    for branch_id in branch_ids:
        path = Path(period_dir) / str(branch_id) / "summary.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        out[str(branch_id)] = data if isinstance(data, dict) else None
    return out
