"""`clientcare validate`: check any input file (or a params file and everything it points to)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.base.schema import FACT_FIND_SHEETS, TABLES
from toolkit.inputs.factfind import load_fact_find
from toolkit.inputs.params import load_branch_params, load_client_params
from toolkit.inputs.practices import load_corporate_clients, load_fact_find_assets, load_holdings
from toolkit.inputs.readers import csv_headers, header_candidates, input_file_problem
from toolkit.inputs.tables import read_table


def detect_kind(path: Path) -> str:
    """Which contract table a file holds: by its sheets (fact-find) or by its headers."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "params"
    if suffix in (".xlsx", ".xlsm"):
        with pd.ExcelFile(path, engine="openpyxl") as book:
            if any(set(book.sheet_names) & {t.sheet, t.sheet_alias} for t in FACT_FIND_SHEETS[1:4]):
                return "fact_find"
            headers = pd.read_excel(book, nrows=0).columns
    elif suffix == ".csv":
        headers = csv_headers(path)  # UTF-8 or GB18030, as the loader reads it
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        headers = pq.read_schema(path).names
    else:
        raise InputError(Problem(str(path), f"unsupported file type {suffix or '(none)'}; expected .xlsx, .csv, "
                                            ".parquet, a fact-find .xlsx or a params .yaml"))
    found = {c for h in headers for c in header_candidates(h)}

    def score(name: str) -> tuple[int, int]:
        table = TABLES[name]
        keys = {k.lower() for k in table.alias_map()}
        required = [c for c in table.columns if c.required]
        hit = sum(1 for c in required if {c.name.lower(), c.alias.lower()} & found)
        return hit - len(required), len(keys & found)

    return max(TABLES, key=score)


def _params_problems(path: Path) -> list[Problem]:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError:
        raw = {}
    try:
        if isinstance(raw, dict) and "fact_find" in raw:
            cp = load_client_params(path)
            files = [(p, "clients") for p in cp.data.clients] + [(cp.data.products, "products")]
            files += [(f, k) for f, k in ((cp.data.activities, "activities"), (cp.data.staff, "staff")) if f]
            problems = validate_file_as(files)
            try:
                load_fact_find(cp.fact_find)
            except InputError as exc:
                problems += exc.problems
            return problems
        bp = load_branch_params(path)
    except InputError as exc:
        return exc.problems
    files = [(p, "clients") for p in bp.data.clients] + [(bp.data.staff, "staff")]
    files += [(f, k) for f, k in ((bp.data.products, "products"), (bp.data.activities, "activities"),
                                  (bp.data.corporate_clients, "corporate_clients"), (bp.data.holdings, "holdings"))
              if f]
    problems = validate_file_as(files)
    try:
        load_fact_find_assets(bp.data.fact_finds)  # the two sheets the 500万 list reads, as a render would
    except InputError as exc:
        problems += exc.problems
    return problems


#: Tables with rules beyond their columns' (holdings: a product or a category on every row): their loaders.
_LOADERS = {"corporate_clients": load_corporate_clients, "holdings": load_holdings}


def _file_problems(file: str | Path, kind: str) -> list[Problem]:
    """Every problem a render would find in one file read as `kind`."""
    loader = _LOADERS.get(kind)
    if loader is None:
        return read_table(file, kind)[1]
    try:
        loader(file)
    except InputError as exc:
        return exc.problems
    return []


def validate_file_as(files: list[tuple[str, str]]) -> list[Problem]:
    problems: list[Problem] = []
    for file, kind in files:
        problems.extend(_file_problems(file, kind))
    return problems


def validate_paths(paths: list[str | Path]) -> dict[str, tuple[str, list[Problem]]]:
    """Per file: the kind detected and every problem found."""
    out: dict[str, tuple[str, list[Problem]]] = {}
    for raw in paths:
        path = Path(raw)
        unusable = input_file_problem(path)
        if unusable is not None:
            out[str(path)] = ("?", [unusable])
            continue
        try:
            kind = detect_kind(path)
        except InputError as exc:
            out[str(path)] = ("?", exc.problems)
            continue
        except Exception as exc:  # unreadable file: report, don't crash
            out[str(path)] = ("?", [Problem(str(path), f"cannot read: {exc}")])
            continue
        if kind == "params":
            out[str(path)] = (kind, _params_problems(path))
        elif kind == "fact_find":
            try:
                load_fact_find(path)
                out[str(path)] = (kind, [])
            except InputError as exc:
                out[str(path)] = (kind, exc.problems)
        else:
            out[str(path)] = (kind, _file_problems(path, kind))
    return out
