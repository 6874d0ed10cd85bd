"""Loading the input tables of CONTRACT §1 from .xlsx, .csv or .parquet, checked before use.

Every file is read as text first (so client ids keep their leading zeros, whatever Excel thought),
headers are mapped from English or Chinese, and a pandera schema built from `toolkit.schema`
checks every cell. All problems of all files are collected and raised together as one
`InputError`, each with file, sheet, row and column, so an analyst fixes the export once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from toolkit.errors import InputError, Problem
from toolkit.schema import TABLES, Column, Table

READABLE = (".xlsx", ".xlsm", ".csv", ".parquet")
_BLANKS = {"", "nan", "none", "null", "nat", "-", "—"}
_NUMBER_JUNK = re.compile(r"[,\s，¥￥元]")


# --- cell parsers: vectorised, tolerant of what bank exports contain --------------------------------
def blank(s: pd.Series) -> pd.Series:
    """True where a cell is empty (NaN, '', 'nan', '-' …)."""
    if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
        return s.isna()
    return s.isna() | s.astype("string").str.strip().str.lower().isin(_BLANKS).fillna(True)


def parse_number(s: pd.Series) -> pd.Series:
    """Numbers as float; '1,234.50', '¥1234', '1234元' accepted; NaN where not a number."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    text = s.astype("string").str.replace(_NUMBER_JUNK, "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_date(s: pd.Series) -> pd.Series:
    """Dates as datetime64 (day precision); ISO, 2026/10/31, 20261031 and Excel dates accepted."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.tz_localize(None).dt.normalize() if getattr(s.dt, "tz", None) else s.dt.normalize()
    text = s.astype("string").str.strip()
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    text = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    text = text.str.replace(r"\s+00:00:00$", "", regex=True)
    out = pd.to_datetime(text, errors="coerce", format="mixed", yearfirst=True)
    return out.dt.normalize().astype("datetime64[ns]")


def parse_enum(s: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """Map accepted words (English codes, Chinese words; case-insensitive) to canonical codes."""
    lookup = {k.strip().lower(): v for k, v in vocabulary.items()}
    return s.astype("string").str.strip().str.lower().map(lookup)


def parse_text(s: pd.Series) -> pd.Series:
    """Text cells; integer-looking floats from Excel ('123.0') lose the '.0', blanks become NA."""
    if pd.api.types.is_numeric_dtype(s):
        s = s.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    text = s.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.where(~blank(s), pd.NA).astype(object).where(lambda x: x.notna(), None)


# --- reading ---------------------------------------------------------------------------------
def _read_raw(path: Path, table: Table) -> tuple[pd.DataFrame, str | None]:
    """The file as a frame of text cells, and the sheet name used (xlsx only)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), None
    if suffix == ".parquet":
        return pd.read_parquet(path), None
    if suffix in (".xlsx", ".xlsm"):
        sheets = pd.ExcelFile(path, engine="openpyxl").sheet_names
        wanted = [n for n in (table.sheet, table.sheet_alias) if n]
        sheet = next((n for n in sheets if n in wanted), None)
        if sheet is None and wanted and table.sheet_alias:  # fact-find sheets are named, not positional
            raise InputError(Problem(str(path), f"sheet {table.sheet!r} (or {table.sheet_alias!r}) is missing; "
                                                f"found {', '.join(sheets)}"))
        sheet = sheet or sheets[0]
        return pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl"), sheet
    raise InputError(Problem(str(path), f"unsupported file type {suffix or '(none)'}; expected one of "
                                        + ", ".join(READABLE)))


def header_candidates(header: object) -> list[str]:
    text = str(header).strip()
    parts = [text, *re.split(r"\s*[/（）()|]\s*|\s+", text)]
    return [p.strip().lower() for p in parts if p and p.strip()]


def _map_headers(df: pd.DataFrame, table: Table, file: str, sheet: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    aliases = {k.lower(): v for k, v in table.alias_map().items()}
    rename: dict[object, str] = {}
    problems: list[Problem] = []
    for header in df.columns:
        name = next((aliases[c] for c in header_candidates(header) if c in aliases), None)
        if name is None:
            continue  # unknown extra columns are kept out of the canonical frame and ignored
        if name in rename.values():
            problems.append(Problem(file, f"column {name!r} appears twice", sheet=sheet, column=str(header)))
            continue
        rename[header] = name
    out = df[list(rename)].rename(columns=rename)
    for col in table.columns:
        if col.required and col.name not in out:
            problems.append(Problem(file, f"required column {col.name!r} ({col.alias}) is missing", sheet=sheet,
                                    column=col.name))
    return out, problems


# --- validation with pandera -----------------------------------------------------------------
def _column_checks(col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if col.required:
        checks.append(pa.Check(lambda s: ~blank(s), error="a value is required here"))
    if col.kind == "date":
        checks.append(pa.Check(lambda s: blank(s) | parse_date(s).notna(), error=f"expected {col.describe()}"))
    elif col.kind in ("amount", "int", "fraction"):
        checks.append(pa.Check(lambda s: blank(s) | parse_number(s).notna(), error=f"expected {col.describe()}"))
        if col.kind in ("amount", "int"):
            checks.append(pa.Check(lambda s: ~(parse_number(s) < 0), error=f"negative; expected {col.describe()}"))
        if col.kind == "int":
            checks.append(pa.Check(lambda s: blank(s) | (parse_number(s) % 1 == 0),
                                   error=f"expected {col.describe()}"))
    elif col.kind == "enum" and col.vocabulary:
        vocab = col.vocabulary
        checks.append(pa.Check(lambda s: blank(s) | parse_enum(s, vocab).notna(), error=f"expected {col.describe()}"))
    if col.unique:
        checks.append(pa.Check(lambda s: blank(s) | ~s.astype("string").str.strip().duplicated(keep=False),
                               error="duplicate id; each value must appear once"))
    return checks


def pandera_schema(table: Table, present: Iterable[str]) -> pa.DataFrameSchema:
    """The table's rules as a pandera schema over the text cells, for the columns present."""
    present = set(present)
    return pa.DataFrameSchema(
        {c.name: pa.Column(None, checks=_column_checks(c), nullable=True, required=False)
         for c in table.columns if c.name in present},
        strict=False,
    )


def _validate(df: pd.DataFrame, table: Table, file: str, sheet: str | None) -> list[Problem]:
    try:
        pandera_schema(table, df.columns).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        return [
            Problem(file, f"{row.check} (found {row.failure_case!r})", sheet=sheet,
                    row=int(row.index) + 2, column=row.column)
            for row in cases.itertuples()
        ]
    return []


def coerce(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Typed canonical frame: all contract columns present, blanks as NA (amounts as 0)."""
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        s = df[col.name] if col.name in df else pd.Series([None] * len(df), index=df.index, dtype=object)
        if col.kind == "date":
            out[col.name] = parse_date(s)
        elif col.kind == "amount":
            out[col.name] = parse_number(s).fillna(0.0)
        elif col.kind == "fraction":
            out[col.name] = parse_number(s)
        elif col.kind == "int":
            out[col.name] = parse_number(s).round().astype("Int64")
        elif col.kind == "enum" and col.vocabulary:
            codes = parse_enum(s, col.vocabulary)
            if col.default is not None:
                codes = codes.fillna(col.default)
            out[col.name] = codes.astype(object).where(lambda x: x.notna(), None)
        else:
            out[col.name] = parse_text(s)
    return out.reset_index(drop=True)


def read_table(path: str | Path, table: Table | str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check one file; returns the typed frame and every problem found (empty if fine)."""
    table = TABLES[table] if isinstance(table, str) else table
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(), [Problem(str(path), f"{table.name} file not found")]
    try:
        raw, sheet = _read_raw(path, table)
    except InputError as exc:
        return pd.DataFrame(), exc.problems
    except Exception as exc:  # a corrupt or mislabelled file: say so, without a traceback
        return pd.DataFrame(), [Problem(str(path), f"cannot read as {path.suffix}: {exc}")]
    mapped, problems = _map_headers(raw, table, str(path), sheet)
    if problems:
        return pd.DataFrame(), problems
    problems = _validate(mapped, table, str(path), sheet)
    typed = coerce(mapped, table)
    if len(table.unique_key) > 1:
        key = typed[list(table.unique_key)]
        dup = key.notna().all(axis=1) & key.duplicated(keep=False)
        for i in np.flatnonzero(dup.to_numpy()):
            problems.append(Problem(str(path), "duplicate " + " + ".join(table.unique_key)
                                    + f" ({typed.iloc[i][table.unique_key[-1]]!r}); each must appear once",
                                    sheet=sheet, row=int(i) + 2, column=table.unique_key[-1]))
    order = {c.name: i for i, c in enumerate(table.columns)}
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
    return typed, problems


def load_table(path: str | Path, table: Table | str) -> pd.DataFrame:
    """Read one table or raise InputError listing every problem."""
    df, problems = read_table(path, table)
    if problems:
        raise InputError(problems)
    return df


def load_clients(paths: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """The client book from one file or several monthly exports, all checked before any is used."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise InputError(Problem("clients", "no client files given"))
    frames, problems = [], []
    for p in paths:
        df, found = read_table(p, "clients")
        problems.extend(found)
        frames.append(df)
    if problems:
        raise InputError(problems)
    book = pd.concat(frames, ignore_index=True)
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


def load_activities(path: str | Path | None) -> pd.DataFrame:
    """Activities, or an empty typed frame when the params give none."""
    if path is None:
        return coerce(pd.DataFrame(), TABLES["activities"])
    return load_table(path, "activities")
