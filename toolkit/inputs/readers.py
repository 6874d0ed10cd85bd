"""Reading input files as text with their headers mapped: .xlsx, .csv (Arrow, or pandas where the
dialects differ) and .parquet, whole or only one client's rows (a parquet file by its id column).
`toolkit.inputs.tables` checks what these return.

Before a file is opened, `input_file_problem` says whether it is a readable regular file. CSV text is
UTF-8 (with or without BOM) or else GB18030 (GBK's superset, what Chinese core-banking systems
export). A table over `MAX_ROWS` rows (or CLIENTCARE_MAX_ROWS) is refused before its cells are parsed.
A projection (`Table.project`) keeps only its columns: parquet decodes only those (`parquet_names`).
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from toolkit.base.errors import InputError, Problem
from toolkit.base.schema import Table
from toolkit.inputs.cells import is_textual, parse_text

READABLE = (".xlsx", ".xlsm", ".csv", ".parquet")


# --- the file itself -------------------------------------------------------------------------------
def input_file_problem(path: Path, missing: str = "file not found", what: str = "file") -> Problem | None:
    """Why `path` cannot be read as an input file (`missing`: the message when it does not exist), or
    None when it can. Only the file's status is read: a fifo is never opened (that would block)."""
    try:
        info = path.stat()  # follows symbolic links, as opening it would
    except ValueError:  # os.stat refuses a NUL byte
        return Problem(str(path).replace("\0", "\\0"), "the file name contains a NUL byte")
    except OSError as exc:
        reasons = {errno.ENOENT: missing, errno.ENOTDIR: missing,
                   errno.ELOOP: "is a symbolic link loop (the link leads back to itself), not a file",
                   errno.ENAMETOOLONG: "the file name is too long",
                   errno.EACCES: "cannot be read: permission denied", errno.EPERM: "cannot be read: permission denied"}
        return Problem(str(path), reasons.get(exc.errno or 0, f"cannot be read: {exc.strerror}"))
    if stat.S_ISDIR(info.st_mode):
        return Problem(str(path), f"is a directory; expected a {what}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(str(path), f"is not a regular file (a fifo, socket or device); expected a {what}")
    if not os.access(path, os.R_OK):
        return Problem(str(path), "cannot be read: permission denied")
    return None


#: Rows a table may hold (per file); a larger file is refused before its cells are parsed where the
#: format says how many it holds (parquet metadata, an xlsx sheet's dimension), else as soon as they are
#: counted, so a runaway export fails in seconds instead of filling the memory. The environment variable
#: CLIENTCARE_MAX_ROWS overrides it (a whole number), e.g. for a province beyond 5 million clients.
MAX_ROWS = 5_000_000


def max_rows() -> int:
    """The row limit in force: CLIENTCARE_MAX_ROWS when set, else `MAX_ROWS`."""
    raw = os.environ.get("CLIENTCARE_MAX_ROWS", "").strip()
    if not raw:
        return MAX_ROWS
    try:
        limit = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        limit = 0
    if limit < 1:
        raise InputError(Problem("CLIENTCARE_MAX_ROWS", f"expected a whole number ≥ 1 (found {raw!r})"))
    return limit


def _check_rows(path: Path, rows: int, sheet: str | None = None, exact: bool = True) -> None:
    """Refuse a table of more than `max_rows()` rows (`exact` False: `rows` is only known to exceed it)."""
    limit = max_rows()
    if rows > limit:
        count = f"{rows:,} rows" if exact else f"more than {limit:,} rows"
        raise InputError(Problem(str(path), f"{count}, over the limit of {limit:,} rows per table; split "
                                            "the file (or raise the limit with CLIENTCARE_MAX_ROWS)", sheet=sheet))


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


#: The encodings a CSV file is read in, in this order (named in the error when neither fits).
CSV_ENCODINGS = ("UTF-8 (with or without BOM)", "GB18030 (GBK)")


def _read_csv(path: Path) -> pd.DataFrame:
    """CSV cells as text: UTF-8, or else GB18030 (transcoded to UTF-8, then read the same way), so a
    GBK export loads exactly as its UTF-8 copy. UTF-8 files pay nothing for this: a file is only
    transcoded after reading it as UTF-8 failed."""
    data = path.read_bytes()
    try:
        return _read_utf8_csv(data, path)
    except UnicodeDecodeError:
        return _read_utf8_csv(_gb18030_as_utf8(data, path), path)


def _gb18030_as_utf8(data: bytes, path: Path) -> bytes:
    """The GB18030 text `data` (decoded strictly) as UTF-8, or InputError naming the encodings tried."""
    try:
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        hint = "; it looks like UTF-16, save it as CSV UTF-8" if data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "; save it as CSV UTF-8"
        tried = " nor ".join(CSV_ENCODINGS)
        raise InputError(Problem(str(path), f"cannot decode the text: it is neither {tried} (the encodings "
                                            f"tried; byte {exc.start:,} is 0x{data[exc.start]:02x}){hint}")) from None


def _read_utf8_csv(data: bytes, path: Path) -> pd.DataFrame:
    """UTF-8 CSV cells as text: Arrow's reader where it reads the file as pandas does, else pandas';
    UnicodeDecodeError when the bytes are not UTF-8."""
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
                    _check_rows(path, table.num_rows)  # before the cells become Python objects
                    return table.to_pandas(split_blocks=True, self_destruct=True)
        except (pyarrow.ArrowException, ValueError):
            pass  # a ragged row or bad UTF-8: pandas reads it (or says precisely why it cannot)
    data.decode("utf-8-sig")  # strictly: UnicodeDecodeError for text in another encoding
    limit = max_rows()
    suspect = body.count(b"\n") + body.count(b"\r") > limit  # lines bound the rows from above
    rows = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig",
                       nrows=limit + 1 if suspect else None)
    _check_rows(path, len(rows), exact=len(rows) <= limit)
    return rows


def csv_headers(path: Path) -> list[str]:
    """A CSV file's headers word for word (repeats not renamed, as pandas' header row would be; UTF-8 or
    GB18030, as `_read_csv` reads it), from its first megabyte only."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
        if fh.read(1):
            head = head[:head.rfind(b"\n") + 1] or head  # whole lines: no character is cut in two
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _gb18030_as_utf8(head, path).decode("utf-8")
    first = pd.read_csv(io.StringIO(text), header=None, nrows=1, dtype=str, keep_default_na=False)
    return [str(h) for h in first.iloc[0]] if len(first) else []


def read_raw(path: Path, table: Table, workbook: pd.ExcelFile | None = None) -> tuple[pd.DataFrame, str | None]:
    """The file as a frame of cells (text, or the types a parquet file carries), and the sheet used.

    `workbook`: the .xlsx file already open (opening one costs more than reading a small sheet)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = _read_csv(path)
        if _renamed_duplicates(frame.columns):
            _refuse_duplicate_headers(csv_headers(path), table, path, None)
        return frame, None
    if suffix == ".parquet":  # the cells pd.read_parquet gives, without copying them into 2-D blocks
        with pq.ParquetFile(path, pre_buffer=pre_buffer(table)) as parquet:
            _check_rows(path, parquet.metadata.num_rows)
            if _unique_names(parquet.schema_arrow):
                arrow = _parquet_columns([parquet], names=parquet_names(parquet.schema_arrow, table))
            else:  # a column its name cannot pick out: read whole (pyarrow says why it cannot)
                arrow = pq.read_table(path, use_pandas_metadata=True).combine_chunks()
        return arrow.to_pandas(split_blocks=True, self_destruct=True), None
    if suffix in (".xlsx", ".xlsm"):
        if workbook is not None:
            return _read_sheet(workbook, path, table)
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return _read_sheet(book, path, table)
    raise InputError(Problem(str(path), f"unsupported file type {suffix or '(none)'}; expected one of "
                                        + ", ".join(READABLE)))


#: Threads reading a column of several parquet files at once (each file by one thread at a time).
PARQUET_THREADS = 2


def _read_column(file: pq.ParquetFile, name: str) -> pyarrow.ChunkedArray:
    return file.read(columns=[name], use_threads=False).column(0)


def _parquet_columns(files: list[pq.ParquetFile], same_nulls: bool = False,
                     names: list[str] | None = None) -> pyarrow.Table | None:
    """The files' rows, in order, as one table holding each column in one chunk (None when
    `same_nulls` and an integer or boolean column has nulls in some files only); `names`: only
    those columns (`parquet_names`), the others not decoded at all.

    A row group per branch leaves each column in hundreds of chunks, which every later Arrow-backed
    step walks (about 50% more CPU for a 1,000,000-row file): they are combined. A column at a time,
    read and then combined before the next is read, so the next column reuses the memory its chunks
    held instead of touching fresh pages: for two 1,000,000-row snapshots a third less peak memory and
    a third of the page faults of reading them whole (what cost most, in kernel time). The files are
    opened with `pre_buffer` only for a projection (`pre_buffer`).
    Several files are read side by side, each by one thread at a time (Arrow decodes without the GIL)."""
    schema = files[0].schema_arrow
    kept = schema.names if names is None else names
    columns = []
    with ThreadPoolExecutor(PARQUET_THREADS) as pool:
        for name in kept:
            read = partial(_read_column, name=name)
            parts = list(pool.map(read, files) if len(files) > 1 else map(read, files))
            kind = schema.field(name).type
            if same_nulls and (pyarrow.types.is_integer(kind) or pyarrow.types.is_boolean(kind)) \
                    and len({p.null_count > 0 for p in parts}) > 1:
                return None  # pandas types such a column by file (float64 or object where it has nulls)
            columns.append(pyarrow.chunked_array([c for p in parts for c in p.chunks], type=parts[0].type)
                           .combine_chunks())
            del parts
    fields = [schema.field(name).with_type(c.type) for name, c in zip(kept, columns, strict=True)]
    return pyarrow.Table.from_arrays(columns, schema=pyarrow.schema(fields, metadata=schema.metadata))


def pre_buffer(table: Table | None) -> bool:
    """Whether a parquet read of `table` coalesces each column's reads (Arrow's `pre_buffer`): for a
    projection (`Table.project`) only. Its columns are a few of many, and read one small range at a
    time they cost a cold file's whole size in disk reads and 0.8 s of system time for the network
    profile's 15 columns of two 1,000,000-row snapshots (0.56–0.63 s instead of 1.24–1.47 s, warm
    the same). Reading every column, it buffers ahead for nothing: 0.1–0.2 CPU s more."""
    return table is not None and table.whole is not None


def parquet_names(schema: pyarrow.Schema, table: Table) -> list[str] | None:
    """The columns of a parquet file a load of `table` decodes: None (all) for a whole table; for a
    projection (`Table.project`), those whose header the whole table's aliases map into it, and
    pandas' index columns (the frame keeps its row labels). A header maps as in `_renames`, so a
    projected column is found (or missing, or there twice) exactly as a full read finds it."""
    if table.whole is None:
        return None
    aliases = {k.lower(): v for k, v in table.whole.alias_map().items()}
    keep = set(table.names)
    index = {d for d in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(d, str)}

    def canonical(header: str) -> str | None:
        return next((aliases[c] for c in header_candidates(header) if c in aliases), None)

    return [name for name in schema.names if name in index or canonical(name) in keep]


def _unique_names(schema: pyarrow.Schema) -> bool:
    return len(set(schema.names)) == len(schema.names)


def _read_sheet(book: pd.ExcelFile, path: Path, table: Table) -> tuple[pd.DataFrame, str]:
    """The table's sheet of an open workbook (its named sheet, else the first) as cells, and its name."""
    sheets = book.sheet_names
    wanted = [n for n in (table.sheet, table.sheet_alias) if n]
    sheet = next((n for n in sheets if n in wanted), None)
    if sheet is None and wanted and table.sheet_alias:  # fact-find sheets are named, not positional
        raise InputError(Problem(str(path), f"sheet {table.sheet!r} (or {table.sheet_alias!r}) is missing; "
                                            f"found {', '.join(sheets)}"))
    sheet = sheet or sheets[0]
    worksheet = book.book[sheet] if hasattr(book.book, "worksheets") else None  # openpyxl's
    top, bottom = getattr(worksheet, "min_row", None), getattr(worksheet, "max_row", None)
    if isinstance(top, int) and isinstance(bottom, int):  # the sheet's dimension: no cell read yet
        _check_rows(path, bottom - top, sheet)
    limit = max_rows()  # a sheet without (or with a wrong) dimension: parsing stops after the limit
    frame = pd.read_excel(book, sheet_name=sheet, dtype=object, nrows=limit + 1)
    _check_rows(path, len(frame), sheet, exact=len(frame) <= limit)
    if _renamed_duplicates(frame.columns):
        raw = pd.read_excel(book, sheet_name=sheet, dtype=object, header=None, nrows=1)
        _refuse_duplicate_headers(raw.iloc[0].tolist() if len(raw) else [], table, path, sheet)
    return frame, sheet


def _renamed_duplicates(columns: Iterable[object]) -> bool:
    """Whether pandas may have renamed a repeated header ('客户号', '客户号.1'): then the raw headers
    are read again to know (a header may also be '客户号.1' itself)."""
    labels = {str(c) for c in columns}
    return any(isinstance(c, str) and (m := re.fullmatch(r"(.*)\.\d+", c, re.S)) is not None
               and m.group(1) in labels for c in columns)


def _refuse_duplicate_headers(headers: list[object], table: Table, path: Path, sheet: str | None) -> None:
    """InputError when a header of a contract column appears twice, word for word (two 客户号 columns):
    which one holds the data would be a guess. Repeated headers of unknown columns stay ignored."""
    aliases = {k.lower() for k in table.alias_map()}
    counts = Counter(h for h in headers if isinstance(h, str) or isinstance(h, (int, float)) and h == h)
    problems = [Problem(str(path), f"the header {header!r} appears {n} times; keep one such column",
                        sheet=sheet, column=str(header))
                for header, n in counts.items()
                if n > 1 and any(c in aliases for c in header_candidates(header))]
    if problems:
        raise InputError(problems)


# --- one client's rows (a proposal) ----------------------------------------------------------
#: Rows decoded at a time when a parquet file is read for one client: reading stops after the batch
#: holding the client's last row (16,384 rows decode in about a sixth of a 100,000-row file's time).
PARQUET_BATCH_ROWS = 16_384


def client_mask(ids: pd.Series, client_id: str) -> np.ndarray:
    """Where an id cell reads as `client_id`, exactly as the loader types it (`parse_text`: stripped,
    Excel's '.0' dropped, numbers as their digits), so the ids the typed book would hold decide.

    Cheap: only cells that could match (text containing the id, a number equal to it) are parsed."""
    if is_textual(ids):
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


def _parquet_rows(parquet: pq.ParquetFile, positions: np.ndarray,
                  names: list[str] | None = None) -> pyarrow.Table:
    """The rows at `positions` (ascending), decoding only the row groups that hold them (and only the
    columns `names`, when given), and the last of those only up to the batch holding the last row. Parquet's own filters are not used:
    they drop row positions, which the error messages need, and they compare raw ids, not typed ones."""
    schema = parquet.schema_arrow if names is None else pyarrow.schema(
        [parquet.schema_arrow.field(n) for n in names], metadata=parquet.schema_arrow.metadata)
    if not len(positions):
        return schema.empty_table()
    sizes = np.array([parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)])
    starts = np.cumsum([0, *sizes])
    group_of = np.searchsorted(starts, positions, side="right") - 1
    groups = np.unique(group_of)
    read_from = np.cumsum([0, *sizes[groups][:-1]])  # where each chosen group begins in what is read
    local = positions - starts[group_of] + read_from[np.searchsorted(groups, group_of)]
    batches, offset = [], 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, row_groups=groups.tolist(),
                                      columns=names):
        end = offset + batch.num_rows
        wanted = local[(local >= offset) & (local < end)] - offset
        if len(wanted):
            batches.append(batch.take(pyarrow.array(wanted)))
        offset = end
        if offset > local[-1]:
            break
    return pyarrow.Table.from_batches(batches, schema=schema)


def read_parquet_client(path: Path, table: Table, client_id: str) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A parquet file's cells for one client and their row positions in the file: the id column is
    read alone, then only the rows it points to. None when the id column cannot be found this way."""
    parquet = pq.ParquetFile(path)
    _check_rows(path, parquet.metadata.num_rows)
    header = _client_header(parquet, table, path)
    if header is None:
        return None
    ids = parquet.read(columns=[header], use_pandas_metadata=True).to_pandas()[header]
    positions = np.flatnonzero(client_mask(ids.reset_index(drop=True), client_id))
    names = parquet_names(parquet.schema_arrow, table) if _unique_names(parquet.schema_arrow) else None
    raw = _parquet_rows(parquet, positions, names).to_pandas(split_blocks=True, self_destruct=True)
    return raw.reset_index(drop=True), positions


def header_candidates(header: object) -> list[str]:
    text = str(header).strip()
    parts = [text, *re.split(r"\s*[/（）()|]\s*|\s+", text)]
    return [p.strip().lower() for p in parts if p and p.strip()]


def _renames(headers: Iterable[object], table: Table, file: str,
             sheet: str | None) -> tuple[dict[object, str], list[Problem]]:
    """Header found -> canonical name, and the header problems (a column twice, a required one missing).
    A projection (`Table.project`) maps headers through its whole table's aliases and keeps its own columns."""
    aliases = {k.lower(): v for k, v in (table.whole or table).alias_map().items()}
    keep = None if table.whole is None else set(table.names)
    rename: dict[object, str] = {}
    problems: list[Problem] = []
    for header in headers:
        name = next((aliases[c] for c in header_candidates(header) if c in aliases), None)
        if name is None or (keep is not None and name not in keep):
            continue  # unknown extra columns (and those a projection leaves out) are ignored
        if name in rename.values():
            problems.append(Problem(file, f"column {name!r} appears twice", sheet=sheet, column=str(header)))
            continue
        rename[header] = name
    for col in table.columns:
        if col.required and col.name not in rename.values():
            problems.append(Problem(file, f"required column {col.name!r} ({col.alias}) is missing", sheet=sheet,
                                    column=col.name))
    return rename, problems


def map_headers(df: pd.DataFrame, table: Table, file: str, sheet: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    rename, problems = _renames(df.columns, table, file, sheet)
    return df[list(rename)].rename(columns=rename), problems
