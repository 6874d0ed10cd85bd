"""One branch's rows of a province's export: what `clientcare profile` and `clientcare branch` read.

A branch run uses its branch's rows and every row of the clients ever booked at the branch (in any
snapshot: a client who moved in or out is followed), and those clients' activities: exactly what
`books.branch_slice` cuts from the whole book. Here only those rows are read (`toolkit.inputs.selection`)
and they are checked exactly as a full load checks them (same rules, same messages, each problem at
its row in the file). What is still checked in every file: that it is readable, its headers (a
required column missing, a column twice), the row limit, and for CSV the encoding and dialect checks.
Other clients' cells are not looked at: `clientcare validate` and the monthly batch check them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.base.perf import gc_paused
from toolkit.base.schema import ACTIVITIES, CLIENTS, Table
from toolkit.inputs.readers import input_file_problem, map_headers
from toolkit.inputs.selection import FrameSource, Source, _ReadWhole, open_source
from toolkit.inputs.tables import _check, _check_clients, _Opened, checked_book


def _source(path: Path, table: Table, whole: Collection[Path]) -> Source | _Opened:
    """The file opened for selective reading, or what failed as an `_Opened` holding its problems."""
    unusable = input_file_problem(path, f"{table.name} file not found", f"{table.name} file")
    if unusable is not None:
        return _Opened(path, None, None, [unusable])
    try:
        source = FrameSource(path, table) if path in whole else open_source(path, table)
    except InputError as exc:
        return _Opened(path, None, None, exc.problems)
    except Exception as exc:  # a corrupt or mislabelled file: say so, without a traceback
        return _Opened(path, None, None, [Problem(str(path), f"cannot read as {path.suffix}: {exc}")])
    if source.problems:
        return _Opened(path, None, source.sheet, source.problems)
    return source


def _kept(source: Source, positions: np.ndarray, frame: pd.DataFrame | None = None) -> _Opened:
    """The rows at `positions` as an opened file (headers mapped), located in the file for messages."""
    raw = source.rows(positions) if frame is None else frame
    mapped, _ = map_headers(raw, source.table, str(source.path), source.sheet)
    return _Opened(source.path, mapped, source.sheet, [], positions)


def load_branch_clients(paths: str | Path | Sequence[str | Path], branch_id: str) -> pd.DataFrame:
    """The rows of the client book a run of branch `branch_id` uses, checked as `load_clients` checks
    every row: each row whose branch_id is the branch, and every row (any snapshot, any branch) of a
    client on such a row. Equal to `branch_slice(load_branch_inputs(...))`'s book when all is valid."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not paths:
        raise InputError(Problem("clients", "no client files given"))
    whole: set[Path] = set()
    with gc_paused():
        while True:
            try:
                return _branch_clients(paths, str(branch_id), whole)
            except _ReadWhole as exc:  # a CSV file Arrow cannot read after all: that file read whole
                whole.add(exc.args[0])


def _branch_clients(paths: list[Path], branch_id: str, whole: set[Path]) -> pd.DataFrame:
    opened = [_source(p, CLIENTS, whole) for p in paths]
    sources = [s for s in opened if isinstance(s, Source)]
    mine, clients = {}, set()
    for source in sources:
        mine[source.path] = _reading(source, lambda s=source: s.positions("branch_id", {branch_id}))
        clients |= _reading(source, lambda s=source: s.typed_at("client_id", mine[s.path]))
    files, kept = [], {}
    for item in opened:
        if isinstance(item, Source):
            followed = _reading(item, lambda s=item: s.positions("client_id", clients))
            kept[item.path] = np.union1d(mine[item.path], followed).astype(np.int64)
            item = _reading(item, lambda s=item: _kept(s, kept[s.path]))
        files.append(item)
    if not any(len(rows) for rows in mine.values()) and not any(f.problems for f in files):
        raise InputError(Problem(", ".join(map(str, paths)), f"no client row has branch_id {branch_id}: "
                                 "expected the branch's rows in these files", column="branch_id"))
    by_path = {s.path: s for s in sources}
    book, frames, problems = _check_clients(files, reopen=lambda f: _kept(by_path[f.path], kept[f.path]))
    return checked_book(paths, book, frames, problems)


def _reading(source: Source, step):  # noqa: ANN001, ANN202 - a thin guard around one read
    """Run one read of `source`; a CSV the streaming reader cannot read raises `_ReadWhole(path)`."""
    try:
        return step()
    except _ReadWhole:
        raise _ReadWhole(source.path) from None


def load_client_activities(path: str | Path | None, clients: Collection[str]) -> pd.DataFrame:
    """The activities of `clients` (typed ids), checked as a full load checks every row; an empty
    typed frame when the params name no activities file."""
    from toolkit.inputs.tables import load_activities

    if path is None:
        return load_activities(None)
    path = Path(path)
    with gc_paused():
        for whole in ((), (path,)):
            source = _source(path, ACTIVITIES, whole)
            if isinstance(source, _Opened):
                raise InputError(source.problems)
            try:
                positions, frame = source.select("client_id", set(clients))
            except _ReadWhole:
                continue
            typed, (problems,) = _check([_kept(source, positions, frame)], ACTIVITIES)
            if problems:
                raise InputError(problems)
            return typed
    raise AssertionError("unreachable: the whole-file read does not raise _ReadWhole")
