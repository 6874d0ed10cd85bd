"""Loading the input tables of CONTRACT §1 from .xlsx, .csv or .parquet, checked before use.

Every file is read as text first (so client ids keep their leading zeros, whatever Excel thought),
headers are mapped from English or Chinese, and a pandera schema built from `toolkit.schema`
checks every cell. All problems of all files are collected and raised together as one
`InputError`, each with file, sheet, row and column, so an analyst fixes the export once.

Speed (a province's monthly snapshot is a million rows): each column is parsed once and the
result is shared by every pandera check and by the typed frame (`ParsedColumn`); text cells are
parsed on their distinct values only, by the same cell parsers, and spread back by code; columns
already typed (numbers, dates in parquet) skip text work; CSV and parquet are read by Arrow.

A proposal needs one client: `load_clients(paths, client_id=...)` checks every file's headers but
parses and checks only that client's rows (a parquet file is read by its id column first), and
still reports each problem at its row in the file.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from toolkit.errors import InputError, Problem
from toolkit.perf import gc_paused
from toolkit.schema import CLIENTS, TABLES, Column, Table

READABLE = (".xlsx", ".xlsm", ".csv", ".parquet")
_BLANKS = {"", "nan", "none", "null", "nat", "-", "—"}
_NUMBER_JUNK = re.compile(r"[,\s，¥￥元]")
_PLAIN_NUMBER = r"[0-9.eE+\-]*"  # ASCII only: no junk to strip, so the (Python) regex can be skipped
_WHOLE_FLOAT = r"^(\d+)\.0$"  # '123.0' from Excel -> '123'
#: A text column is parsed whole (not per distinct value) from this many rows, when an evenly spaced
#: sample of 2,048 cells is more distinct than this share (about 50,000+ distinct values: ids, phones).
WHOLE_COLUMN_ROWS, WHOLE_COLUMN_DISTINCT = 50_000, 0.98


# --- cell parsers: vectorised, tolerant of what bank exports contain --------------------------------
def _textual(s: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)


def _blank_word(stripped: pd.Series) -> pd.Series:
    return stripped.str.lower().isin(_BLANKS).fillna(True)


def blank(s: pd.Series) -> pd.Series:
    """True where a cell is empty (NaN, '', 'nan', '-' …)."""
    if not _textual(s):
        return s.isna()
    return s.isna() | _blank_word(s.astype("string").str.strip())


def parse_number(s: pd.Series) -> pd.Series:
    """Numbers as float; '1,234.50', '¥1234', '1234元' accepted; NaN where not a number."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return _finite(s.astype("float64"))
    text = s.astype("string")
    junk = ~text.str.fullmatch(_PLAIN_NUMBER).fillna(True).to_numpy(dtype=bool)
    if junk.any():  # only cells that may hold separators or currency signs go through the regex
        text = text.copy()
        text[junk] = text[junk].str.replace(_NUMBER_JUNK, "", regex=True).array
    return _finite(pd.to_numeric(text, errors="coerce").astype("float64"))


def _finite(numbers: pd.Series) -> pd.Series:
    """'inf' and numbers beyond any amount or count (1e30) are not numbers a bank exports."""
    return numbers.where(numbers.abs() < MAX_NUMBER)


#: Larger magnitudes are typing mistakes (no amount reaches 1e15 yuan; counts overflow Int64 beyond 2**53).
MAX_NUMBER = 1e15
#: Dates outside these years are typing mistakes (and would overflow nanosecond timestamps).
MIN_YEAR, MAX_YEAR = 1900, 2200


def parse_date(s: pd.Series) -> pd.Series:
    """Dates as datetime64 (day precision); ISO, 2026/10/31, 20261031 and Excel dates accepted."""
    if pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None):
            return s.dt.tz_localize(None).dt.normalize()
        return s.copy(deep=False) if _at_midnight(s) else s.dt.normalize()
    text = s.astype("string").str.strip()
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    text = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    midnight = text.str.contains("00:00:00", regex=False).fillna(False).to_numpy(dtype=bool)
    if midnight.any():  # Python's regex (for \s) only where an Excel time part can be
        text = text.copy()
        text[midnight] = text[midnight].str.replace(r"\s+00:00:00$", "", regex=True).array
    out = pd.to_datetime(text, errors="coerce", format="mixed", yearfirst=True)
    # '01' or '-5' parse as years 1 and -5: no client, product or activity date is that old.
    out = out.where((out.dt.year >= MIN_YEAR) & (out.dt.year <= MAX_YEAR))
    return out.dt.normalize().astype("datetime64[ns]")


def _at_midnight(s: pd.Series) -> bool:
    """Whether every (tz-naive) timestamp is already a date: normalising would change nothing."""
    values = s.to_numpy()
    unit, count = np.datetime_data(values.dtype)
    per_day = np.timedelta64(1, "D") // np.timedelta64(count, unit)
    return bool(((values.view("i8") % per_day == 0) | np.isnat(values)).all())


def parse_enum(s: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """Map accepted words (English codes, Chinese words; case-insensitive) to canonical codes."""
    lookup = {k.strip().lower(): v for k, v in vocabulary.items()}
    return s.astype("string").str.strip().str.lower().map(lookup)


def parse_text(s: pd.Series) -> pd.Series:
    """Text cells; integer-looking floats from Excel ('123.0') lose the '.0', blanks become NA."""
    if pd.api.types.is_numeric_dtype(s):
        s = s.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    text = _whole_floats_as_ints(s.astype("string").str.strip())
    return text.where(~blank(s), pd.NA).astype(object).where(lambda x: x.notna(), None)


def _whole_floats_as_ints(text: pd.Series) -> pd.Series:
    """'123.0' -> '123'; the regex runs only on cells that contain '.0' at all."""
    dotted = text.str.contains(".0", regex=False).fillna(False).to_numpy(dtype=bool)
    if dotted.any():
        text = text.copy()
        text[dotted] = text[dotted].str.replace(_WHOLE_FLOAT, r"\1", regex=True).array
    return text


# --- one column, parsed once ------------------------------------------------------------------
class ParsedColumn:
    """A raw column and what the parsers above make of it, each computed at most once.

    Text cells go through the parsers on their distinct values only and are spread back by code:
    a million cells hold a few thousand distinct dates, words or amounts. The one exception is a
    text column of mostly distinct values (ids, phones), which is stripped in Arrow as a whole.
    """

    def __init__(self, raw: pd.Series):
        self.raw = raw
        self.textual = _textual(raw)
        self._results: dict[str, pd.Series] = {}
        self._text_arrow: pyarrow.ChunkedArray | None = None  # the text result in Arrow, when built whole

    @cached_property
    def string(self) -> pd.Series:
        """The cells as pandas' Arrow-backed strings: the form every parser works on."""
        return self.raw.astype("string")

    @cached_property
    def _distinct(self) -> tuple[np.ndarray, pd.Series]:
        """(code per cell, the distinct cells); a missing cell gets its own code, after the rest.

        Arrow's dictionary encoding, as `pd.factorize` does it, keeping Arrow's 32-bit codes.
        """
        encoded = self._arrow.dictionary_encode().combine_chunks()
        values = pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary), dtype="string")
        codes = encoded.indices
        if codes.null_count:
            codes = pc.fill_null(codes, len(values))
            values = pd.concat([values, pd.Series([pd.NA], dtype="string")], ignore_index=True)
        return codes.to_numpy(), values

    @property
    def _arrow(self) -> pyarrow.ChunkedArray:
        return self.string.array.__arrow_array__()

    def _spread(self, per_value: pd.Series) -> pd.Series:
        """A result per distinct value as a result per cell, of the same dtype (object stays object)."""
        codes = self._distinct[0]
        numpy_backed = isinstance(per_value.dtype, np.dtype)
        cells = per_value.to_numpy()[codes] if numpy_backed else per_value.array.take(codes)
        return pd.Series(cells, index=self.raw.index, name=self.raw.name, dtype=per_value.dtype, copy=False)

    def per_cell(self, key: str, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
        """`parse` applied to the column once (memoised under `key`): to the distinct values of text cells."""
        if key not in self._results:
            self._results[key] = self._spread(parse(self._distinct[1])) if self.textual else parse(self.raw)
        return self._results[key]

    @cached_property
    def _mostly_distinct(self) -> bool:
        """Whether the column is large and all but distinct (ids, phones): then its text is built whole
        in Arrow, as hashing a million distinct values would cost more than it saves."""
        n = len(self.raw)
        if n < WHOLE_COLUMN_ROWS or n == 0:
            return False
        sample = self.string.iloc[np.unique(np.linspace(0, n - 1, 2048).astype(np.int64))].dropna()
        return sample.nunique() >= WHOLE_COLUMN_DISTINCT * len(sample)

    @cached_property
    def stripped(self) -> pd.Series:
        return self.string.str.strip()

    @cached_property
    def missing(self) -> np.ndarray:
        """Null cells (Arrow's validity bitmap for Arrow-backed text: same answer, no conversion)."""
        arrow_backed = self.textual and not pd.api.types.is_object_dtype(self.raw)
        return (self.string if arrow_backed else self.raw).isna().to_numpy(dtype=bool)

    @cached_property
    def blank(self) -> np.ndarray:
        if not self.textual:
            return self.missing
        if self._mostly_distinct:
            words = _blank_word(self.stripped)
        else:
            words = self.per_cell("blank word", lambda values: _blank_word(values.str.strip()))
        return self.missing | words.to_numpy(dtype=bool)

    @property
    def number(self) -> pd.Series:
        return self.per_cell("number", parse_number)

    @property
    def date(self) -> pd.Series:
        return self.per_cell("date", parse_date)

    def known_word(self, vocabulary: dict[str, str]) -> pd.Series:
        """Whether each cell is one of the vocabulary's words (`parse_enum` finds a code)."""
        return self.per_cell(f"known {id(vocabulary)}", lambda values: parse_enum(values, vocabulary).notna())

    @cached_property
    def text(self) -> pd.Series:
        if self.textual and self._mostly_distinct:
            return self._whole_text()
        if self.textual or not pd.api.types.is_numeric_dtype(self.raw):
            return self.per_cell("text", parse_text)
        codes, uniques = pd.factorize(self.raw)  # ids stored as numbers: format each distinct one once
        values = np.append(parse_text(pd.Series(uniques)).to_numpy(dtype=object), None)
        return pd.Series(values[codes], index=self.raw.index, name=self.raw.name, dtype=object)

    def _whole_text(self) -> pd.Series:
        """`parse_text` over the whole column in Arrow; the regex only where a '.0' occurs."""
        arrow = _whole_floats_as_ints(self.stripped).array.__arrow_array__()
        if self.blank.any():
            arrow = pc.if_else(pyarrow.array(self.blank), pyarrow.scalar(None, arrow.type), arrow)
        self._text_arrow = arrow
        return pd.Series(arrow.to_numpy(), index=self.raw.index, name=self.raw.name, dtype=object)

    def all_distinct_text(self, start: int, length: int) -> bool:
        """True when the text of rows start…start+length is present and never repeats (then no key with
        this column as its last part can repeat): a sort check when the rows are in id order, else a hash."""
        self.text  # noqa: B018 - builds the Arrow copy of a mostly distinct column
        if self._text_arrow is None or length < 2:
            return False
        arrow = self._text_arrow.slice(start, length)
        if arrow.null_count:
            return False

        def increasing(run: pyarrow.ChunkedArray) -> bool:
            return bool(pc.all(pc.greater(run.slice(1), run.slice(0, len(run) - 1))).as_py())

        if increasing(arrow.slice(0, 1024)) and increasing(arrow):
            return True
        return len(pc.unique(arrow)) == length


class ParsedFrame:
    """The parsed columns of one raw frame, created on first use and shared by checks and coercion."""

    def __init__(self, df: pd.DataFrame, owned: bool = False):
        self.df = df
        self.owned = owned  # True: `df` is this loader's own frame, whose columns `release` may drop
        self._columns: dict[str, ParsedColumn] = {}

    def release(self, name: str) -> None:
        """Forget a column once its typed form is built (with its raw cells, if the frame is ours)."""
        self._columns.pop(name, None)
        if self.owned and name in self.df:
            del self.df[name]

    def __getitem__(self, name: str) -> ParsedColumn:
        if name not in self._columns:
            self._columns[name] = ParsedColumn(self.df[name])
        return self._columns[name]

    def verdict(self, s: pd.Series, rule: Callable[[ParsedColumn], np.ndarray],
                nulls_pass: bool = True) -> pd.Series:
        """The rule's verdict on the column pandera hands over. A null cell passes every rule but
        "required" (pandera's `ignore_na`, done here with the cached null mask rather than by pandera
        copying the non-null cells)."""
        parsed = self[str(s.name)] if s.name in self.df.columns else None
        if parsed is None or len(s) != len(parsed.raw) or not s.index.equals(parsed.raw.index):
            parsed = ParsedColumn(s)
        verdict = np.asarray(rule(parsed), dtype=bool)
        return pd.Series(verdict | parsed.missing if nulls_pass else verdict, index=s.index)


# --- reading ---------------------------------------------------------------------------------
_PANDAS_ONLY_CSV = re.compile(rb"(?:^|[\r\n])[ \t]+(?:[\r\n]|$)|\r(?!\n)")  # blank-looking lines, bare CR


def _pandas_only_lines(body: bytes) -> bool:
    """Whether `_PANDAS_ONLY_CSV` matches: a bare CR, or a line of only spaces or tabs. The regex takes
    about 15 ms a megabyte, so it runs only when a blank follows a line break (or starts the text)."""
    breaks = (b"\n", b"\r") if b"\r" in body else (b"\n",)
    if len(breaks) == 2 and body.count(b"\r") != body.count(b"\r\n"):
        return True  # a CR not followed by LF
    if not body.startswith((b" ", b"\t")) and not any(b + c in body for b in breaks for c in (b" ", b"\t")):
        return False  # no run of blanks at the start of a line, so no line of blanks
    return _PANDAS_ONLY_CSV.search(body) is not None


def _arrow_reads_as_pandas(body: bytes) -> bool:
    """Whether Arrow's CSV reader gives exactly pandas' cells for this file (UTF-8, BOM removed).

    They differ on NUL bytes, a second BOM, lines of only spaces or tabs (pandas skips them), bare CR
    line breaks, and a quoted cell still open at the end (pandas refuses the file); elsewhere they
    agree (tests/test_io.py compares them on generated files). Whether a quote is open at the end
    follows from the runs of '"': an odd run opening a cell (after a comma, a line break or at the
    start) flips the state, any other odd run closes a cell (or is text), an even run changes nothing.
    """
    if b"\x00" in body or body.startswith(codecs.BOM_UTF8) or _pandas_only_lines(body):
        return False
    return b'"' not in body or not _quote_open_at_end(body)


#: Bytes at the end of a CSV text first looked at for its last closing quote (`_quote_open_at_end`).
QUOTE_WINDOW = 1 << 16


def _quote_open_at_end(body: bytes) -> bool:
    """Whether a quoted cell is still open at the end (see `_arrow_reads_as_pandas`).

    Only the runs after the last closing run decide, so only the end of the text is scanned: a window
    that grows (×8) until it holds a closing run or is the whole text. A 25 MB export whose every cell
    is quoted is decided from its last 64 KB instead of all 2.6 million quotes (0.2 s)."""
    size = QUOTE_WINDOW
    while True:
        start = max(len(body) - size, 0)
        while start and body[start - 1] == ord('"'):
            start -= 1  # the window starts between runs of quotes, never inside one
        verdict = _quote_verdict(body, start)
        if verdict is not None:
            return verdict
        size *= 8


def _quote_verdict(body: bytes, start: int) -> bool | None:
    """Whether a quote is open at the end, judged from the runs of '"' from `start` on (the start of a
    run or of the text); None when no run there closes a cell and there is text before `start`."""
    data = np.frombuffer(body, dtype=np.uint8)[start:]
    quotes = np.flatnonzero(data == ord('"'))
    if not len(quotes):
        return None if start else False
    breaks = np.flatnonzero(np.diff(quotes) != 1) + 1
    first = quotes[np.r_[0, breaks]]
    odd = np.diff(np.r_[0, breaks, len(quotes)]) % 2 == 1
    previous = body[start - 1] if start else ord("\n")
    before = np.where(first > 0, data[np.maximum(first - 1, 0)], previous)
    opening = np.isin(before, np.frombuffer(b",\r\n", dtype=np.uint8))
    closes = np.flatnonzero(odd & ~opening)
    if not len(closes) and start:
        return None
    flips = odd & opening
    return np.count_nonzero(flips[closes[-1] + 1:] if len(closes) else flips) % 2 == 1


def _read_csv(path: Path) -> pd.DataFrame:
    """CSV cells as text: Arrow's reader where it reads the file as pandas does, else pandas'."""
    data = path.read_bytes()
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    if _arrow_reads_as_pandas(body):
        try:
            names = pacsv.open_csv(pyarrow.BufferReader(body)).schema.names
            if len(set(names)) == len(names) and all(names):
                table = pacsv.read_csv(
                    pyarrow.BufferReader(body),
                    parse_options=pacsv.ParseOptions(newlines_in_values=True),
                    convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pyarrow.string()),
                                                         strings_can_be_null=False))
                if table.column_names == names and all(pyarrow.types.is_string(t) for t in table.schema.types):
                    return table.to_pandas(split_blocks=True, self_destruct=True)
        except (pyarrow.ArrowException, ValueError):
            pass  # a ragged row or bad UTF-8: pandas reads it (or says precisely why it cannot)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _read_raw(path: Path, table: Table, workbook: pd.ExcelFile | None = None) -> tuple[pd.DataFrame, str | None]:
    """The file as a frame of cells (text, or the types a parquet file carries), and the sheet used.

    `workbook`: the .xlsx file already open (opening one costs more than reading a small sheet)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path), None
    if suffix == ".parquet":  # the cells pd.read_parquet gives, without copying them into 2-D blocks
        table = pq.read_table(path, use_pandas_metadata=True)
        return table.to_pandas(split_blocks=True, self_destruct=True), None
    if suffix in (".xlsx", ".xlsm"):
        if workbook is not None:
            return _read_sheet(workbook, path, table)
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return _read_sheet(book, path, table)
    raise InputError(Problem(str(path), f"unsupported file type {suffix or '(none)'}; expected one of "
                                        + ", ".join(READABLE)))


def _read_sheet(book: pd.ExcelFile, path: Path, table: Table) -> tuple[pd.DataFrame, str]:
    """The table's sheet of an open workbook (its named sheet, else the first) as cells, and its name."""
    sheets = book.sheet_names
    wanted = [n for n in (table.sheet, table.sheet_alias) if n]
    sheet = next((n for n in sheets if n in wanted), None)
    if sheet is None and wanted and table.sheet_alias:  # fact-find sheets are named, not positional
        raise InputError(Problem(str(path), f"sheet {table.sheet!r} (or {table.sheet_alias!r}) is missing; "
                                            f"found {', '.join(sheets)}"))
    sheet = sheet or sheets[0]
    return book.parse(sheet_name=sheet, dtype=object), sheet


# --- one client's rows (a proposal) ----------------------------------------------------------
#: Rows decoded at a time when a parquet file is read for one client: reading stops after the batch
#: holding the client's last row (16,384 rows decode in about a sixth of a 100,000-row file's time).
PARQUET_BATCH_ROWS = 16_384


def client_mask(ids: pd.Series, client_id: str) -> np.ndarray:
    """Where an id cell reads as `client_id`, exactly as the loader types it (`parse_text`: stripped,
    Excel's '.0' dropped, numbers as their digits), so the ids the typed book would hold decide.

    Cheap: only cells that could match (text containing the id, a number equal to it) are parsed."""
    if _textual(ids):
        maybe = ids.astype("string").str.contains(client_id, regex=False).fillna(False).to_numpy(dtype=bool)
    elif pd.api.types.is_numeric_dtype(ids) and not pd.api.types.is_bool_dtype(ids):
        maybe = (ids == _as_number(client_id)).fillna(False).to_numpy(dtype=bool)
    else:
        maybe = np.ones(len(ids), dtype=bool)
    candidates = np.flatnonzero(maybe)
    mask = np.zeros(len(ids), dtype=bool)
    mask[candidates] = parse_text(ids.iloc[candidates]).to_numpy(dtype=object) == client_id
    return mask


def _as_number(text: str) -> float:
    """The id as a number, to find it in a numeric id column (NaN when it is none: nothing matches)."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _client_header(parquet: pq.ParquetFile, table: Table, path: Path) -> str | None:
    """The parquet column the header mapping takes as client_id, or None when the headers have a problem
    (then the whole file is read, so it is reported exactly as always) or no single plain column is it."""
    headers = parquet.schema_arrow.empty_table().to_pandas().columns  # as the full read names them
    rename, problems = _renames(headers, table, str(path), None)
    header = next((h for h, name in rename.items() if name == "client_id"), None)
    if problems or not isinstance(header, str) or len(parquet.schema_arrow.get_all_field_indices(header)) != 1:
        return None
    return header


def _parquet_rows(parquet: pq.ParquetFile, positions: np.ndarray) -> pyarrow.Table:
    """The rows at `positions` (ascending), decoding only the row groups that hold them, and the
    last of those only up to the batch holding the last row. Parquet's own filters are not used:
    they drop row positions, which the error messages need, and they compare raw ids, not typed ones."""
    if not len(positions):
        return parquet.schema_arrow.empty_table()
    sizes = np.array([parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)])
    starts = np.cumsum([0, *sizes])
    group_of = np.searchsorted(starts, positions, side="right") - 1
    groups = np.unique(group_of)
    read_from = np.cumsum([0, *sizes[groups][:-1]])  # where each chosen group begins in what is read
    local = positions - starts[group_of] + read_from[np.searchsorted(groups, group_of)]
    batches, offset = [], 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, row_groups=groups.tolist()):
        end = offset + batch.num_rows
        wanted = local[(local >= offset) & (local < end)] - offset
        if len(wanted):
            batches.append(batch.take(pyarrow.array(wanted)))
        offset = end
        if offset > local[-1]:
            break
    return pyarrow.Table.from_batches(batches, schema=parquet.schema_arrow)


def _read_parquet_client(path: Path, table: Table, client_id: str) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A parquet file's cells for one client and their row positions in the file: the id column is
    read alone, then only the rows it points to. None when the id column cannot be found this way."""
    parquet = pq.ParquetFile(path)
    header = _client_header(parquet, table, path)
    if header is None:
        return None
    ids = parquet.read(columns=[header], use_pandas_metadata=True).to_pandas()[header]
    positions = np.flatnonzero(client_mask(ids.reset_index(drop=True), client_id))
    raw = _parquet_rows(parquet, positions).to_pandas(split_blocks=True, self_destruct=True)
    return raw.reset_index(drop=True), positions


def header_candidates(header: object) -> list[str]:
    text = str(header).strip()
    parts = [text, *re.split(r"\s*[/（）()|]\s*|\s+", text)]
    return [p.strip().lower() for p in parts if p and p.strip()]


def _renames(headers: Iterable[object], table: Table, file: str,
             sheet: str | None) -> tuple[dict[object, str], list[Problem]]:
    """Header found -> canonical name, and the header problems (a column twice, a required one missing)."""
    aliases = {k.lower(): v for k, v in table.alias_map().items()}
    rename: dict[object, str] = {}
    problems: list[Problem] = []
    for header in headers:
        name = next((aliases[c] for c in header_candidates(header) if c in aliases), None)
        if name is None:
            continue  # unknown extra columns are kept out of the canonical frame and ignored
        if name in rename.values():
            problems.append(Problem(file, f"column {name!r} appears twice", sheet=sheet, column=str(header)))
            continue
        rename[header] = name
    for col in table.columns:
        if col.required and col.name not in rename.values():
            problems.append(Problem(file, f"required column {col.name!r} ({col.alias}) is missing", sheet=sheet,
                                    column=col.name))
    return rename, problems


def _map_headers(df: pd.DataFrame, table: Table, file: str, sheet: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    rename, problems = _renames(df.columns, table, file, sheet)
    return df[list(rename)].rename(columns=rename), problems


# --- validation with pandera -----------------------------------------------------------------
def _column_checks(col: Column, parsed: ParsedFrame) -> list[pa.Check]:
    def check(rule: Callable[[ParsedColumn], np.ndarray | pd.Series], error: str,
              nulls_pass: bool = True) -> pa.Check:
        return pa.Check(lambda s: parsed.verdict(s, rule, nulls_pass), error=error, ignore_na=False)

    checks: list[pa.Check] = []
    if col.required:
        checks.append(check(lambda p: ~p.blank, "a value is required here", nulls_pass=False))
    if col.kind == "date":
        checks.append(check(lambda p: p.blank | p.date.notna().to_numpy(), f"expected {col.describe()}"))
    elif col.kind in ("amount", "int", "fraction"):
        checks.append(check(lambda p: p.blank | p.number.notna().to_numpy(), f"expected {col.describe()}"))
        if col.kind in ("amount", "int"):
            checks.append(check(lambda p: ~(p.number < 0).to_numpy(), f"negative; expected {col.describe()}"))
        if col.kind == "int":
            checks.append(check(lambda p: p.blank | (p.number.isna() | (p.number % 1 == 0)).to_numpy(),
                                f"expected {col.describe()}"))  # not a number at all: said once, above
    elif col.kind == "enum" and col.vocabulary:
        vocab = col.vocabulary
        checks.append(check(lambda p: p.blank | p.known_word(vocab).to_numpy(), f"expected {col.describe()}"))
    if col.unique:
        checks.append(check(lambda p: p.blank | ~p.stripped.duplicated(keep=False).to_numpy(),
                            "duplicate id; each value must appear once"))
    return checks


def pandera_schema(table: Table, present: Iterable[str],
                   parsed: ParsedFrame | None = None) -> pa.DataFrameSchema:
    """The table's rules as a pandera schema over the raw cells, for the columns present.

    `parsed` shares each column's parse between the checks (and with `coerce`); without it every
    check parses the cells it is given.
    """
    present = set(present)
    parsed = parsed if parsed is not None else ParsedFrame(pd.DataFrame())
    return pa.DataFrameSchema(
        {c.name: pa.Column(None, checks=_column_checks(c, parsed), nullable=True, required=False)
         for c in table.columns if c.name in present},
        strict=False,
    )


def _message(check: str, found: object) -> str:
    """The check's text and the offending cell; an empty cell needs no quoting ('a value is required')."""
    if found is None or (isinstance(found, float) and np.isnan(found)) or str(found).strip() == "":
        return f"{check} (the cell is empty)"
    return f"{check} (found {found!r})"


def _failures(df: pd.DataFrame, table: Table, parsed: ParsedFrame) -> list[tuple[int, str, str]]:
    """(row label, column, message) of every cell pandera rejects."""
    try:
        # The schema coerces nothing, so pandera's deep copy of every cell is not needed; it gets a
        # shallow copy, which pandera's schema registry may hold on to without keeping `df` alive.
        pandera_schema(table, df.columns, parsed).validate(df.copy(deep=False), lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        return [(int(row.index), row.column, _message(row.check, row.failure_case)) for row in cases.itertuples()]
    return []


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
    everything else whole, as `_read_raw` reads it (positions None: `_open` keeps the client's rows)."""
    if client_id is not None and path.suffix.lower() == ".parquet":
        found = _read_parquet_client(path, table, client_id)
        if found is not None:
            return found[0], None, found[1]
    return (*_read_raw(path, table, workbook), None)


def _open(path: str | Path, table: Table, client_id: str | None = None,
          workbook: pd.ExcelFile | None = None) -> _Opened:
    """Read a file (`workbook`: the .xlsx already open) and map its headers; with `client_id`, keep
    only that client's rows (after the header check, before any cell is parsed)."""
    path = Path(path)
    if not path.is_file():
        return _Opened(path, None, None, [Problem(str(path), f"{table.name} file not found")])
    try:
        raw, sheet, rows = _read_for(path, table, client_id, workbook)
    except InputError as exc:
        return _Opened(path, None, None, exc.problems)
    except Exception as exc:  # a corrupt or mislabelled file: say so, without a traceback
        return _Opened(path, None, None, [Problem(str(path), f"cannot read as {path.suffix}: {exc}")])
    mapped, problems = _map_headers(raw, table, str(path), sheet)
    if problems:
        return _Opened(path, None, sheet, problems)
    if client_id is not None and rows is None:
        rows = np.flatnonzero(client_mask(mapped["client_id"], client_id))
        mapped = mapped.iloc[rows].reset_index(drop=True)
    return _Opened(path, mapped, sheet, problems, rows)


def _check(files: list[_Opened], table: Table) -> tuple[pd.DataFrame, list[list[Problem]]]:
    """Check and type opened files of one table in one pass (their cells stacked, each column parsed once).

    Returns the stacked typed frame and, per file, its problems located in that file and sorted. The
    files' own frames are released (`frame` set to None) once stacked, to keep a million rows in memory once.
    """
    frames = [f.frame for f in files if f.frame is not None]
    stacked = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    starts = np.cumsum([0, *map(len, frames)])
    for file in files:
        file.frame = None
    del frames
    parsed = ParsedFrame(stacked, owned=True)
    found: list[list[Problem]] = [[] for _ in files]
    for index, column, message in _failures(stacked, table, parsed):
        k = int(np.searchsorted(starts, index, side="right")) - 1 if len(files) > 1 else 0
        found[k].append(Problem(str(files[k].path), message, sheet=files[k].sheet,
                                row=files[k].file_row(index - int(starts[k])), column=column))
    distinct_keys = [False] * len(files)
    if len(table.unique_key) > 1 and table.unique_key[-1] in stacked:
        last = parsed[table.unique_key[-1]]
        distinct_keys = [last.all_distinct_text(int(a), int(b - a)) for a, b in itertools.pairwise(starts)]
    typed = coerce(stacked, table, parsed)  # releases each column's cells and parse as it goes
    del stacked, parsed
    order = {c.name: i for i, c in enumerate(table.columns)}
    for k, file in enumerate(files):
        if len(table.unique_key) > 1:
            own = typed.iloc[starts[k]:starts[k + 1]]
            for i in _duplicate_keys(own, table, distinct_keys[k]):
                found[k].append(Problem(str(file.path), "duplicate " + " + ".join(table.unique_key)
                                        + f" ({own.iloc[i][table.unique_key[-1]]!r}); each must appear once",
                                        sheet=file.sheet, row=file.file_row(int(i)), column=table.unique_key[-1]))
        found[k].sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
    return typed, found


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


def _check_clients(opened: list[_Opened],
                   client_id: str | None = None) -> tuple[pd.DataFrame, list[pd.DataFrame], list[Problem]]:
    """(book, each file's rows, every problem in file order): monthly exports of one system in one pass."""
    if len(opened) > 1 and _stackable(opened):
        starts = np.cumsum([0, *(len(f.frame) for f in opened if f.frame is not None)])
        try:
            book, found = _check(opened, CLIENTS)
        except Exception:  # noqa: BLE001 - again file by file below, to fail exactly as one file fails
            opened = [_open(f.path, CLIENTS, client_id) for f in opened]
        else:
            return (book, [book.iloc[a:b] for a, b in itertools.pairwise(starts)],
                    [p for problems in found for p in problems])
    frames, problems = [], []
    for file in opened:
        if file.frame is None:
            frames.append(pd.DataFrame())
            problems.extend(file.problems)
            continue
        typed, (found,) = _check([file], CLIENTS)
        frames.append(typed)
        problems.extend(found)
    if problems:
        return pd.DataFrame(), frames, problems
    return (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)), frames, problems


def load_clients(paths: str | Path | Sequence[str | Path], client_id: str | None = None) -> pd.DataFrame:
    """The client book from one file or several monthly exports, all checked before any is used.

    With `client_id`, only that client's rows (the id cell as the book would type it: stripped,
    leading zeros kept) are parsed, checked and returned, as a proposal needs: every file's headers
    are still checked, and the client's cells exactly as strictly as in a full load, with the same
    messages and the rows located in the file. Other clients' cells are not looked at here: a
    proposal renders from its client's rows while `reports.render_proposal` checks every row in a
    child process (CONTRACT §1), instead of waiting for a province's book to find 13 rows."""
    with gc_paused():
        return _load_clients(paths, client_id)


def _load_clients(paths: str | Path | Sequence[str | Path], client_id: str | None) -> pd.DataFrame:
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise InputError(Problem("clients", "no client files given"))
    book, frames, problems = _check_clients([_open(p, CLIENTS, client_id) for p in paths], client_id)
    if problems:
        raise InputError(problems)
    if _snapshots_apart(frames):
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
