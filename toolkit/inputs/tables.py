"""Loading the input tables of CONTRACT §1 from .xlsx, .csv or .parquet, checked before use.

Every file is read as text first (so client ids keep their leading zeros, whatever Excel thought),
headers are mapped from English or Chinese, and a pandera schema built from `toolkit.base.schema`
checks every cell. All problems of all files are collected and raised together as one
`InputError`, each with file, sheet, row and column, so an analyst fixes the export once.

Speed (a province's monthly snapshot is a million rows): each column is parsed once and the
result is shared by every pandera check and by the typed frame (`toolkit.inputs.cells.ParsedColumn`); text cells are
parsed on their distinct values only, by the same cell parsers, and spread back by code; columns
already typed (numbers, dates in parquet) skip text work; CSV and parquet are read by Arrow
(`toolkit.inputs.readers`, which also maps the headers).

Problems are collected per file up to `errors.MAX_LISTED`, the rest counted per column and kind
(`errors.Omitted`): a million bad rows cost a count, not a million messages.

A proposal needs one client: `load_clients(paths, client_id=...)` checks every file's headers but
parses and checks only that client's rows (a parquet file is read by its id column first), and
still reports each problem at its row in the file. A run that reads some columns only
(`load_clients(paths, columns=...)`) decodes and checks those alone (`Table.project`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from toolkit.base import errors
from toolkit.base.errors import InputError, Omitted, Problem
from toolkit.base.perf import gc_paused
from toolkit.base.schema import CLIENTS, TABLES, Column, Table
from toolkit.inputs.cells import ParsedColumn, ParsedFrame, parse_enum
from toolkit.inputs.readers import (
    client_mask,
    input_file_problem,
    map_headers,
    read_parquet_client,
    read_raw,
)
from toolkit.inputs.rules import all_pass, pandera_schema
from toolkit.inputs.stacked import read_parquet_stacked


def _message(check: str, found: object) -> str:
    """The check's text and the offending cell; an empty cell needs no quoting ('a value is required')."""
    if found is None or (isinstance(found, float) and np.isnan(found)) or str(found).strip() == "":
        return f"{check} (the cell is empty)"
    return f"{check} (found {found!r})"


_CASES = ["index", "column", "check", "failure_case"]


def _failures(df: pd.DataFrame, table: Table, parsed: ParsedFrame) -> pd.DataFrame:
    """Every cell pandera rejects, as a frame (no Python object per cell): its row label (`index`),
    `column`, `check` (the rule's text) and `failure_case` (the cell)."""
    if all_pass(df, table, parsed):
        return pd.DataFrame(columns=_CASES)
    try:
        # The schema coerces nothing, so pandera's deep copy of every cell is not needed; it gets a
        # shallow copy, which pandera's schema registry may hold on to without keeping `df` alive.
        pandera_schema(table, df.columns, parsed).validate(df.copy(deep=False), lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return cases.loc[cases["index"].notna(), _CASES].reset_index(drop=True)
    return pd.DataFrame(columns=_CASES)


#: Text columns the typed table holds as pandas' Arrow-backed strings ("str", NaN where blank), not
#: Python objects: a client book's ids and phones, all but distinct, a Python string per cell otherwise.
ARROW_TEXT: dict[str, tuple[str, ...]] = {"clients": ("client_id", "phone")}


def coerce(df: pd.DataFrame, table: Table, parsed: ParsedFrame | None = None) -> pd.DataFrame:
    """Typed canonical frame: all contract columns present, blanks as NA (amounts as 0)."""
    parsed = parsed if parsed is not None and parsed.df is df else ParsedFrame(df)
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        p = parsed[col.name] if col.name in df else ParsedColumn(
            pd.Series([None] * len(df), index=df.index, dtype=object))
        if col.kind == "date":
            out[col.name] = p.date
        elif col.kind == "amount":
            out[col.name] = p.number.fillna(0.0)
        elif col.kind == "fraction":
            out[col.name] = p.number
        elif col.kind == "int":
            out[col.name] = p.number.round().astype("Int64")
        elif col.kind == "enum" and col.vocabulary:
            out[col.name] = p.per_cell(f"codes {id(col.vocabulary)} {col.default}", _codes(col))
        elif col.name in ARROW_TEXT.get(table.name, ()):
            out[col.name] = p.str_text
        else:
            out[col.name] = p.text
        parsed.release(col.name)
    return out.reset_index(drop=True)


def _codes(col: Column) -> Callable[[pd.Series], pd.Series]:
    """Cells -> canonical codes as the typed frame holds them: object, None where blank (or the default)."""
    def codes(cells: pd.Series) -> pd.Series:
        words = parse_enum(cells, col.vocabulary or {})
        if col.default is not None:
            words = words.fillna(col.default)
        return words.astype(object).where(lambda x: x.notna(), None)
    return codes


def _duplicate_keys(typed: pd.DataFrame, table: Table, last_key_distinct: bool) -> np.ndarray:
    """Rows of one file whose multi-column key repeats; a last key column without repeats rules them out."""
    if last_key_distinct:
        return np.array([], dtype=np.int64)
    key = typed[list(table.unique_key)]
    return np.flatnonzero((key.notna().all(axis=1) & key.duplicated(keep=False)).to_numpy())


@dataclass
class _Opened:
    """One file read and its headers mapped; `frame` is None when that already failed.

    `rows`: when only one client's rows were kept, each kept row's position in the file (0 = the
    first row under the header), so problems are located in the file, not in the kept rows."""

    path: Path
    frame: pd.DataFrame | None
    sheet: str | None
    problems: list[Problem]
    rows: np.ndarray | None = None

    def file_row(self, position: int) -> int:
        """The row a user sees in Excel (header = row 1) of the frame's row at `position`."""
        return int(position if self.rows is None else self.rows[position]) + 2


def _read_for(path: Path, table: Table, client_id: str | None,
              workbook: pd.ExcelFile | None) -> tuple[pd.DataFrame, str | None, np.ndarray | None]:
    """(cells, sheet, row positions): a parquet file for one client is read by its id column first;
    everything else whole, as `read_raw` reads it (positions None: `_open` keeps the client's rows)."""
    if client_id is not None and path.suffix.lower() == ".parquet":
        found = read_parquet_client(path, table, client_id)
        if found is not None:
            return found[0], None, found[1]
    return (*read_raw(path, table, workbook), None)


def _open(path: str | Path, table: Table, client_id: str | None = None,
          workbook: pd.ExcelFile | None = None) -> _Opened:
    """Read a file (`workbook`: the .xlsx already open) and map its headers; with `client_id`, keep
    only that client's rows (after the header check, before any cell is parsed)."""
    path = Path(path)
    unusable = input_file_problem(path, f"{table.name} file not found", f"{table.name} file")
    if unusable is not None:
        return _Opened(path, None, None, [unusable])
    try:
        raw, sheet, rows = _read_for(path, table, client_id, workbook)
    except InputError as exc:
        return _Opened(path, None, None, exc.problems)
    except Exception as exc:  # a corrupt or mislabelled file: say so, without a traceback
        return _Opened(path, None, None, [Problem(str(path), f"cannot read as {path.suffix}: {exc}")])
    mapped, problems = map_headers(raw, table, str(path), sheet)
    if problems:
        return _Opened(path, None, sheet, problems)
    if client_id is not None and rows is None:
        rows = np.flatnonzero(client_mask(mapped["client_id"], client_id))
        mapped = mapped.iloc[rows].reset_index(drop=True)
    return _Opened(path, mapped, sheet, problems, rows)


def _check(files: list[_Opened], table: Table,
           cells: tuple[pd.DataFrame, list[int]] | None = None) -> tuple[pd.DataFrame, list[list[Problem]]]:
    """Check and type opened files of one table in one pass (their cells stacked, each column parsed once).

    Returns the stacked typed frame and, per file, its problems located in that file and sorted. The
    files' own frames are released (`frame` set to None) once stacked, to keep a million rows in memory once.
    `cells`: the files' cells already stacked (headers mapped) and each file's row count.
    """
    if cells is None:
        frames = [f.frame for f in files if f.frame is not None]
        stacked = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        sizes = list(map(len, frames))
        del frames
    else:
        stacked, sizes = cells
    starts = np.cumsum([0, *sizes])
    for file in files:
        file.frame = None
    parsed = ParsedFrame(stacked, owned=True)
    found = _cell_problems(_failures(stacked, table, parsed), files, starts, table)
    distinct_keys = [False] * len(files)
    if len(table.unique_key) > 1 and table.unique_key[-1] in stacked:
        last = parsed[table.unique_key[-1]]
        distinct_keys = [last.all_distinct_text(int(a), int(b - a)) for a, b in itertools.pairwise(starts)]
    typed = coerce(stacked, table, parsed)  # releases each column's cells and parse as it goes
    del stacked, parsed
    for k, file in enumerate(files):
        if len(table.unique_key) > 1:
            own = typed.iloc[starts[k]:starts[k + 1]]
            key, last = " + ".join(table.unique_key), table.unique_key[-1]
            repeated = _duplicate_keys(own, table, distinct_keys[k])
            found[k].extend(Problem(str(file.path), f"duplicate {key} ({own.iloc[i][last]!r}); each must appear once",
                                    sheet=file.sheet, row=file.file_row(int(i)), column=last)
                            for i in repeated[:errors.MAX_LISTED])
            if len(repeated) > errors.MAX_LISTED:
                found[k].append(Omitted(str(file.path), f"duplicate {key}; each must appear once", file.sheet,
                                        None, last, len(repeated) - errors.MAX_LISTED))
        found[k] = _first_listed(found[k], table)
    return typed, found


def _cell_problems(cases: pd.DataFrame, files: list[_Opened], starts: np.ndarray,
                   table: Table) -> list[list[Problem]]:
    """Per file, its first `errors.MAX_LISTED` failing cells (by row, then column) as problems and
    the rest as counts per column and check: Python objects for a few hundred cells, however many fail."""
    found: list[list[Problem]] = [[] for _ in files]
    if not len(cases):
        return found
    cap = errors.MAX_LISTED
    index = cases["index"].to_numpy(dtype=np.int64)
    file_of = np.searchsorted(starts, index, side="right") - 1 if len(files) > 1 else np.zeros(len(index), int)
    order = {c.name: i for i, c in enumerate(table.columns)}
    rank = cases["column"].map(order).fillna(-1).to_numpy()
    by_place = np.lexsort((rank, index, file_of))  # stable: pandera's order within one cell
    file_sorted = file_of[by_place]
    within = np.arange(len(by_place)) - np.searchsorted(file_sorted, file_sorted, side="left")
    for i in by_place[within < cap]:
        file, k = files[file_of[i]], int(file_of[i])
        found[k].append(Problem(str(file.path), _message(cases["check"].iat[i], cases["failure_case"].iat[i]),
                                sheet=file.sheet, row=file.file_row(int(index[i] - starts[k])),
                                column=cases["column"].iat[i]))
    rest = cases.iloc[by_place[within >= cap]].assign(file=file_sorted[within >= cap])
    for (k, column, check), n in rest.groupby(["file", "column", "check"], sort=False).size().items():
        found[k].append(Omitted(str(files[k].path), check, files[k].sheet, None, column, int(n)))
    return found


def _first_listed(problems: list[Problem], table: Table) -> list[Problem]:
    """A file's problems by row and column, the first `errors.MAX_LISTED` listed and the rest counted
    per column and kind (`Omitted`, after them, by column)."""
    order = {c.name: i for i, c in enumerate(table.columns)}
    listed = sorted((p for p in problems if not isinstance(p, Omitted)),
                    key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
    counts: Counter[tuple[str | None, str]] = Counter()
    for p in [*listed[errors.MAX_LISTED:], *(p for p in problems if isinstance(p, Omitted))]:
        counts[p.column, errors.problem_kind(p)] += p.count if isinstance(p, Omitted) else 1
    if not counts:
        return listed
    file, sheet = problems[0].file, problems[0].sheet
    omitted = [Omitted(file, kind, sheet, None, column, n) for (column, kind), n in counts.items()]
    return listed[:errors.MAX_LISTED] + sorted(omitted, key=lambda p: order.get(p.column or "", -1))


def _stackable(files: list[_Opened]) -> bool:
    """Files whose cells can be checked as one frame: same columns and types, rows numbered from 0."""
    frames = [f.frame for f in files]
    if any(f is None for f in frames) or not frames:
        return False
    first = frames[0]
    return all(isinstance(f.index, pd.RangeIndex) and f.index.start == 0 and f.index.step == 1
               and list(f.columns) == list(first.columns) and f.dtypes.equals(first.dtypes) for f in frames)


def read_table(path: str | Path, table: Table | str, client_id: str | None = None, *,
               workbook: pd.ExcelFile | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check one file; returns the typed frame and every problem found (empty if fine).

    With `client_id` (a table with a client_id column) only that client's rows are checked and
    returned; see `load_clients` for where that is used. `workbook`: the .xlsx
    `path` already open, to read several of its sheets without opening it each time."""
    table = TABLES[table] if isinstance(table, str) else table
    with gc_paused():
        opened = _open(path, table, client_id, workbook)
        if opened.frame is None:
            return pd.DataFrame(), opened.problems
        typed, (problems,) = _check([opened], table)
    return typed, problems


def load_table(path: str | Path, table: Table | str, client_id: str | None = None) -> pd.DataFrame:
    """Read one table (with `client_id`: that client's rows) or raise InputError listing every problem."""
    df, problems = read_table(path, table, client_id)
    if problems:
        raise InputError(problems)
    return df


def _snapshots_apart(frames: list[pd.DataFrame]) -> bool:
    """True when no two files share a snapshot date and no key is missing: then no row can repeat.

    (Each file's own repeats were already reported by `_check`.)
    """
    seen: set[np.datetime64] = set()
    for df in frames:
        if df["snapshot_date"].isna().any() or df["client_id"].isna().any():
            return False
        dates = set(df["snapshot_date"].unique())
        if dates & seen:
            return False
        seen |= dates
    return True


def _check_clients(opened: list[_Opened], client_id: str | None = None,
                   reopen: Callable[[_Opened], _Opened] | None = None, table: Table = CLIENTS,
                   ) -> tuple[pd.DataFrame, list[pd.DataFrame], list[Problem]]:
    """(book, each file's rows, every problem in file order): monthly exports of one system in one pass.

    `reopen`: how to read a file's rows again (default: as `_open` with `client_id` reads them);
    `table`: the clients table or a projection of it."""
    if len(opened) > 1 and _stackable(opened):
        starts = np.cumsum([0, *(len(f.frame) for f in opened if f.frame is not None)])
        read_again = reopen or (lambda f: _open(f.path, table, client_id))
        try:
            book, found = _check(opened, table)
        except Exception:  # noqa: BLE001 - again file by file below, to fail exactly as one file fails
            opened = [read_again(f) for f in opened]
        else:
            return (book, [book.iloc[a:b] for a, b in itertools.pairwise(starts)],
                    [p for problems in found for p in problems])
    frames, problems = [], []
    for file in opened:
        if file.frame is None:
            frames.append(pd.DataFrame())
            problems.extend(file.problems)
            continue
        typed, (found,) = _check([file], table)
        frames.append(typed)
        problems.extend(found)
    if problems:
        return pd.DataFrame(), frames, problems
    return (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)), frames, problems


def load_clients(paths: str | Path | Sequence[str | Path], client_id: str | None = None,
                 columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The client book from one file or several monthly exports, all checked before any is used.

    With `columns` (canonical names, e.g. `analytics.NETWORK_COLUMNS`), the book has only those: in
    parquet only they are decoded, other formats drop the rest before any check, and every check of a
    full load applies to them alone (the same messages; a required one missing; dates against
    projected dates; a client twice in a snapshot when snapshot_date and client_id are read). The
    other columns are neither read nor checked: `clientcare validate` and the monthly batch check them.

    With `client_id`, only that client's rows (the id cell as the book would type it: stripped,
    leading zeros kept) are parsed, checked and returned, as a proposal needs: every file's headers
    are still checked, and the client's cells exactly as strictly as in a full load, with the same
    messages and the rows located in the file. Other clients' cells are not looked at here: a
    proposal renders from its client's rows while `reports.render_proposal` checks every row in a
    child process (CONTRACT §1), instead of waiting for a province's book to find 13 rows."""
    table = CLIENTS if columns is None else CLIENTS.project(columns)
    if client_id is not None and "client_id" not in table.names:
        raise ValueError("loading one client's rows needs the client_id column")
    with gc_paused():
        return _load_clients(paths, client_id, table)


def _load_clients(paths: str | Path | Sequence[str | Path], client_id: str | None,
                  table: Table) -> pd.DataFrame:
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise InputError(Problem("clients", "no client files given"))
    stacked = _check_stacked(paths, table) if client_id is None and len(paths) > 1 else None
    book, frames, problems = stacked or _check_clients([_open(p, table, client_id) for p in paths], client_id,
                                                       table=table)
    return checked_book(paths, book, frames, problems)


def _check_stacked(paths: list[str | Path], table: Table = CLIENTS,
                   ) -> tuple[pd.DataFrame, list[pd.DataFrame], list[Problem]] | None:
    """`_check_clients` of whole parquet snapshots of one schema, their cells stacked in Arrow as they
    are read (`read_parquet_stacked`); None when they cannot be, or their headers have a problem: then
    they are read file by file, so each file's problems name that file."""
    found = read_parquet_stacked([Path(p) for p in paths], table)
    if found is None:
        return None
    raw, sizes = found
    del found
    cells, problems = map_headers(raw, table, str(paths[0]), None)
    del raw
    if problems:
        return None
    try:
        book, per_file = _check([_Opened(Path(p), None, None, []) for p in paths], table, (cells, sizes))
    except Exception:  # noqa: BLE001 - file by file instead, to fail exactly as one file fails
        return None
    starts = np.cumsum([0, *sizes])
    return (book, [book.iloc[a:b] for a, b in itertools.pairwise(starts)],
            [p for problems in per_file for p in problems])


def checked_book(paths: Sequence[str | Path], book: pd.DataFrame, frames: list[pd.DataFrame],
                 problems: list[Problem]) -> pd.DataFrame:
    """The book `_check_clients` made, or InputError: its problems, or a row in two files for one snapshot
    (not looked for in a projection without snapshot_date or client_id)."""
    if problems:
        raise InputError(problems)
    if not {"snapshot_date", "client_id"} <= set(book.columns) or _snapshots_apart(frames):
        return book
    dup = book.duplicated(["snapshot_date", "client_id"], keep="first")
    if dup.any():
        first = book[dup].iloc[0]
        raise InputError(Problem(", ".join(map(str, paths)),
                                 f"{int(dup.sum())} client rows appear in more than one file for the same "
                                 f"snapshot (first: client {first.client_id} on {first.snapshot_date.date()})",
                                 column="client_id"))
    return book


def load_staff(path: str | Path) -> pd.DataFrame:
    return load_table(path, "staff")


def load_products(path: str | Path) -> pd.DataFrame:
    return load_table(path, "products")


def load_activities(path: str | Path | None, client_id: str | None = None) -> pd.DataFrame:
    """Activities (with `client_id`: only that client's, checked as `load_clients` does), or an
    empty typed frame when the params give none."""
    if path is None:
        return coerce(pd.DataFrame(), TABLES["activities"])
    return load_table(path, "activities", client_id)
