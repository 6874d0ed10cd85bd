"""Reading only the rows a run uses: one branch's rows and its clients' rows out of a province's export.

A file is opened as a `Source`: its headers are read and mapped first (a header problem, and every file
the fast path cannot read exactly as `readers.read_raw` does, goes through the whole-file path instead,
so it is reported exactly as always). Then the run reads the id columns it selects by (`ids`), decides
which rows it uses, and reads the cells of those rows only (`rows`), keeping each row's position in the
file for the error messages. The cells handed on are the ones `read_raw` would give for those rows;
`toolkit.inputs.tables` checks and types them as in a full load.

- parquet: the id columns alone, then only the row groups holding the rows; a row group whose
  branch_id statistics rule the branch out is not even read for its branch ids (`rows_of_branch`).
- CSV (UTF-8): Arrow's streaming reader, block by block, so memory follows the rows kept, not the
  file's size; the whole-file checks that decide whether Arrow reads the file as pandas does
  (`readers._arrow_reads_as_pandas`) run over the bytes in chunks first, and the row limit is
  counted in the first pass. A file that needs pandas (or is GB18030) is read whole.
- xlsx: the sheet is read whole (openpyxl has no cheaper way) and filtered before any cell is parsed.

Which rows match an id is decided on the ids as the loader types them (`cells.parse_text`: stripped,
Excel's '.0' dropped), not on the raw cells: `ids_in`.
"""

from __future__ import annotations

import abc
import bisect
import codecs
from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from toolkit.base.errors import InputError
from toolkit.base.schema import Table
from toolkit.inputs.cells import _BLANKS, is_textual, parse_text
from toolkit.inputs.readers import (
    QUOTE_WINDOW,
    _check_rows,
    _pandas_only_lines,
    _parquet_rows,
    _quote_verdict,
    _renames,
    read_raw,
)

#: Bytes of a CSV file looked at per step of the whole-file sanity pass, and per block of the reader.
CHUNK_BYTES = 8 << 20
#: CSV files up to this size are read whole (Arrow's reader on all cores, then filtered before any cell
#: is parsed); larger ones are streamed, so a run's memory does not grow with the export.
STREAM_BYTES = 32 << 20
#: Bytes at the end of a CSV file that may decide whether a quoted cell is left open (else read whole).
QUOTE_TAIL = 4 << 20


# --- which cells hold one of some ids, as the loader types ids ----------------------------------------
def _as_text_arrow(values: pyarrow.ChunkedArray | pyarrow.Array) -> pyarrow.ChunkedArray | None:
    """The cells as Arrow strings (dictionaries decoded), or None for a column that holds no text."""
    kind = values.type
    if pyarrow.types.is_dictionary(kind):
        values, kind = values.cast(kind.value_type), kind.value_type
    if pyarrow.types.is_large_string(kind):
        values, kind = values.cast(pyarrow.string()), pyarrow.string()
    if not pyarrow.types.is_string(kind):
        return None
    return values if isinstance(values, pyarrow.ChunkedArray) else pyarrow.chunked_array([values])


def ids_in(cells: pyarrow.ChunkedArray | pd.Series, wanted: Collection[str]) -> np.ndarray:
    """Where a cell, typed as the loader types an id (`parse_text`), is one of `wanted` (typed ids).

    Cheap over a million cells: decided in Arrow on the cell stripped as pandas strips it (equal to an
    id), and only cells equal to an id plus Excel's '.0' go through `parse_text`."""
    wanted = {w for w in wanted if w is not None and w.strip().lower() not in _BLANKS}  # those type as None
    n = len(cells)
    if not wanted or not n:
        return np.zeros(n, dtype=bool)
    series = cells if isinstance(cells, pd.Series) else None
    if series is not None and not is_textual(series):
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            codes, uniques = pd.factorize(series)  # numbers: each distinct one typed once
            hit = np.append(parse_text(pd.Series(uniques)).isin(wanted).to_numpy(dtype=bool), False)
            return hit[codes]
        return parse_text(series).isin(wanted).to_numpy(dtype=bool)
    text = _as_text_arrow(series.astype("string").array.__arrow_array__() if series is not None else cells)
    if text is None:
        return parse_text(pd.Series(cells.to_pandas())).isin(wanted).to_numpy(dtype=bool)
    trimmed = pc.utf8_trim_whitespace(text)
    mask = pc.fill_null(pc.is_in(trimmed, value_set=pyarrow.array(sorted(wanted), pyarrow.string())),
                        False).to_numpy(zero_copy_only=False)
    # A stripped cell equal to a typed id is that id (a typed id is never a blank word nor ends in
    # Excel's '.0'); one equal to digits + '.0' goes through `parse_text`, which drops the '.0'.
    dotted = sorted(f"{w}.0" for w in wanted if w.isascii() and w.isdigit())
    candidates = np.flatnonzero(pc.fill_null(pc.is_in(trimmed, value_set=pyarrow.array(dotted, pyarrow.string())),
                                             False).to_numpy(zero_copy_only=False)) if dotted else []
    mask = np.array(mask, dtype=bool)
    if len(candidates):
        raw = series.iloc[candidates] if series is not None else pd.Series(
            text.take(pyarrow.array(candidates)).to_pylist(), dtype=object)
        mask[candidates] = parse_text(raw).isin(wanted).to_numpy(dtype=bool)
    return mask


def typed_ids(cells: pyarrow.ChunkedArray | pd.Series, positions: np.ndarray) -> set[str]:
    """The ids at `positions`, typed as the loader types them (blank cells left out)."""
    if not len(positions):
        return set()
    if isinstance(cells, pd.Series):
        raw = cells.iloc[positions].reset_index(drop=True)
    else:
        taken = cells.take(pyarrow.array(positions))
        text = _as_text_arrow(taken)
        raw = pd.Series((text if text is not None else taken).to_pylist(),
                        dtype=object if text is not None else None)
    return {v for v in parse_text(raw).tolist() if v is not None}


# --- a file, opened for selective reading -------------------------------------------------------------
class Source(abc.ABC):
    """One input file whose headers are mapped; its id columns and chosen rows are read on demand.

    `problems`: the header problems (then nothing else is read); `headers`: canonical name -> header."""

    def __init__(self, path: Path, table: Table, headers: list[str], sheet: str | None = None):
        self.path, self.table, self.sheet = path, table, sheet
        rename, self.problems = _renames(headers, table, str(path), sheet)
        self.headers = {name: header for header, name in rename.items()}

    @abc.abstractmethod
    def ids(self, name: str) -> pyarrow.ChunkedArray | pd.Series:
        """Every raw cell of the canonical column `name`."""

    @abc.abstractmethod
    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        """The raw cells of the rows at `positions` (ascending), every column as `read_raw` gives them."""

    def positions(self, name: str, wanted: Collection[str]) -> np.ndarray:
        """The positions of the rows whose `name` cell, typed, is one of `wanted`."""
        return np.flatnonzero(ids_in(self.ids(name), wanted))

    def typed_at(self, name: str, positions: np.ndarray) -> set[str]:
        """The typed ids in column `name` at `positions`."""
        return typed_ids(self.ids(name), positions)

    def select(self, name: str, wanted: Collection[str]) -> tuple[np.ndarray, pd.DataFrame]:
        """(positions, raw rows) of the rows whose `name` cell is one of `wanted`."""
        positions = self.positions(name, wanted)
        return positions, self.rows(positions)


class FrameSource(Source):
    """A file read whole by `read_raw` (xlsx, and every CSV the streaming reader would read differently)."""

    def __init__(self, path: Path, table: Table):
        frame, sheet = read_raw(path, table)
        super().__init__(path, table, list(frame.columns), sheet)
        self.frame = frame

    def ids(self, name: str) -> pd.Series:
        return self.frame[self.headers[name]].reset_index(drop=True)

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        return self.frame.iloc[positions].reset_index(drop=True)


class ParquetSource(Source):
    """A parquet file: an id column is read only in the row groups whose statistics allow a match
    (`_may_hold`), and the cells only of the row groups holding the rows kept."""

    def __init__(self, path: Path, table: Table):
        self.file = pq.ParquetFile(path)
        _check_rows(path, self.file.metadata.num_rows)
        headers = self.file.schema_arrow.empty_table().to_pandas().columns  # as a full read names them
        super().__init__(path, table, list(headers))
        schema = self.file.schema_arrow
        if not self.problems and any(not isinstance(h, str) or len(schema.get_all_field_indices(h)) != 1
                                     for h in self.headers.values()):
            raise _ReadWhole
        meta = self.file.metadata
        self.sizes = np.array([meta.row_group(g).num_rows for g in range(meta.num_row_groups)], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)])
        self._read: dict[tuple[str, tuple[int, ...]], pyarrow.ChunkedArray] = {}

    def _column(self, name: str, groups: list[int]) -> pyarrow.ChunkedArray:
        key = (name, tuple(groups))
        if key not in self._read:
            header = self.headers[name]
            self._read[key] = (self.file.read(columns=[header]) if len(groups) == len(self.sizes) else
                               self.file.read_row_groups(groups, columns=[header])).column(0)
        return self._read[key]

    def ids(self, name: str) -> pyarrow.ChunkedArray:
        return self._column(name, list(range(len(self.sizes))))

    def _groups(self, name: str, wanted: Collection[str]) -> list[int]:
        index = self.file.schema_arrow.get_field_index(self.headers[name])
        path = self.file.metadata.schema.column(index).path if index >= 0 else None
        meta = self.file.metadata
        ordered, known = sorted(wanted), set(wanted)
        return [g for g in range(meta.num_row_groups) if _may_hold(meta.row_group(g), path, ordered, known)]

    def _in_file(self, groups: list[int], found: np.ndarray) -> np.ndarray:
        """Positions within the row groups read (in order) -> positions in the file."""
        read_from = np.concatenate([[0], np.cumsum(self.sizes[groups])])
        group_of = np.searchsorted(read_from, found, side="right") - 1
        return self.starts[groups][group_of] + (found - read_from[group_of])

    def positions(self, name: str, wanted: Collection[str]) -> np.ndarray:
        groups = self._groups(name, wanted) if wanted else []
        if not groups:
            return np.zeros(0, dtype=np.int64)
        return self._in_file(groups, np.flatnonzero(ids_in(self._column(name, groups), wanted)))

    def typed_at(self, name: str, positions: np.ndarray) -> set[str]:
        if not len(positions):
            return set()
        group_of = np.searchsorted(self.starts, positions, side="right") - 1
        groups = np.unique(group_of).tolist()
        read_from = np.concatenate([[0], np.cumsum(self.sizes[groups])])
        local = positions - self.starts[group_of] + read_from[np.searchsorted(groups, group_of)]
        return typed_ids(self._column(name, groups), local)

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        raw = _parquet_rows(self.file, positions).to_pandas(split_blocks=True, self_destruct=True)
        return raw.reset_index(drop=True)


def _may_hold(group: pq.RowGroupMetaData, column: str | None, wanted: list[str], known: set[str]) -> bool:
    """False only when the row group's statistics prove that no cell of `column` types as one of
    `wanted` (sorted).

    Proof for text statistics: every cell lies between min and max; when min starts at or after '!'
    and max before any non-ASCII byte, no cell starts with a blank (ASCII blanks sort before '!',
    Unicode blanks such as U+3000 are not ASCII), so a cell that types as an id starts with that id:
    the id lies in [min, max], or is a prefix of min."""
    if column is None:
        return True
    chunk = next((group.column(i) for i in range(group.num_columns) if group.column(i).path_in_schema == column),
                 None)
    stats = chunk.statistics if chunk is not None else None
    if stats is None or not stats.has_min_max:
        return True
    low, high = stats.min, stats.max
    if isinstance(low, str) and isinstance(high, str):
        if not (low >= "!" and high < "\x80"):
            return True
        if bisect.bisect_left(wanted, low) < bisect.bisect_right(wanted, high):
            return True
        return any(low[:k] in known for k in range(1, len(low)))
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and not isinstance(low, bool):
        numbers = []
        for w in wanted:
            try:
                numbers.append(float(w))
            except ValueError:
                continue  # a number never types as text that is not a number
        return any(low <= x <= high for x in numbers)
    return True


class CsvSource(Source):
    """A UTF-8 CSV file that Arrow reads as pandas does, read in blocks (two passes: ids, then rows)."""

    def __init__(self, path: Path, table: Table):
        self.path, self.bom = path, _csv_arrow_safe(path)
        try:
            names = self._reader().schema.names
        except (pyarrow.ArrowException, UnicodeDecodeError) as exc:  # not UTF-8 (GB18030), no header: whole
            raise _ReadWhole from exc
        if len(set(names)) != len(names) or not all(names):
            raise _ReadWhole
        super().__init__(path, table, names)
        self.names = names

    def _reader(self, columns: list[str] | None = None) -> pacsv.CSVStreamingReader:
        names = getattr(self, "names", None)
        source = pyarrow.OSFile(str(self.path))
        if self.bom:
            source.read(len(codecs.BOM_UTF8))
        convert = pacsv.ConvertOptions(strings_can_be_null=False, include_columns=columns,
                                       column_types=dict.fromkeys(names, pyarrow.string()) if names else None)
        return pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=CHUNK_BYTES, use_threads=True),
                              parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=convert)

    def _batches(self, columns: list[str] | None = None) -> Iterator[pyarrow.RecordBatch]:
        try:
            yield from self._reader(columns)
        except (pyarrow.ArrowException, UnicodeDecodeError) as exc:  # a ragged row, bad UTF-8: the whole-file path says why
            raise _ReadWhole from exc

    def ids(self, name: str) -> pyarrow.ChunkedArray:
        if not hasattr(self, "_ids"):
            wanted = [h for n, h in self.headers.items() if n in ("branch_id", "client_id")] or [self.headers[name]]
            batches = list(self._batches(wanted))
            rows = sum(b.num_rows for b in batches)
            _check_rows(self.path, rows)
            self._ids = {h: pyarrow.chunked_array([b.column(h) for b in batches], pyarrow.string()) for h in wanted}
        return self._ids[self.headers[name]]

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        kept, offset = [], 0
        for batch in self._batches():
            end = offset + batch.num_rows
            lo, hi = np.searchsorted(positions, [offset, end])
            if hi > lo:
                kept.append(batch.take(pyarrow.array(positions[lo:hi] - offset)))
            offset = end
        schema = pyarrow.schema([(n, pyarrow.string()) for n in self.names])
        table = pyarrow.Table.from_batches(kept, schema=schema)
        _check_rows(self.path, offset)
        return table.to_pandas(split_blocks=True, self_destruct=True)

    def select(self, name: str, wanted: Collection[str]) -> tuple[np.ndarray, pd.DataFrame]:
        """One pass: each block's rows are kept or dropped as they are read."""
        if hasattr(self, "_ids"):
            return super().select(name, wanted)
        kept, found, offset = [], [], 0
        header = self.headers[name]
        for batch in self._batches():
            hit = np.flatnonzero(ids_in(pyarrow.chunked_array([batch.column(header)]), wanted))
            if len(hit):
                kept.append(batch.take(pyarrow.array(hit)))
                found.append(hit + offset)
            offset += batch.num_rows
            _check_rows(self.path, offset, exact=False)
        schema = pyarrow.schema([(n, pyarrow.string()) for n in self.names])
        frame = pyarrow.Table.from_batches(kept, schema=schema).to_pandas(split_blocks=True, self_destruct=True)
        return (np.concatenate(found) if found else np.zeros(0, dtype=np.int64)), frame


class _ReadWhole(Exception):
    """This file is read whole by `read_raw`, so it is read (and reported) exactly as always."""


def _csv_arrow_safe(path: Path) -> bool:
    """Whether the file starts with a BOM, when Arrow's streaming reader gives exactly pandas' cells;
    else `_ReadWhole`. The checks of `readers._arrow_reads_as_pandas` over the file in parts of whole
    lines (memory: one part), and whether a quote is left open at the end from the file's tail."""
    bom_size = len(codecs.BOM_UTF8)
    quotes, first = False, True
    with path.open("rb") as fh:
        head = fh.read(bom_size)
        bom = head == codecs.BOM_UTF8
        carry = b"" if bom else head
        while True:
            block = fh.read(CHUNK_BYTES)
            data = carry + block
            if block:
                cut = data.rfind(b"\n")
                if cut < 0:  # no line ends yet: a bare CR, or one line longer than a part
                    if b"\r" in data[:-1]:
                        raise _ReadWhole
                    carry = data
                    continue
                lines, carry = data[:cut + 1], data[cut + 1:]
            else:
                lines, carry = data, b""
            if b"\x00" in lines or (first and lines.startswith(codecs.BOM_UTF8)) or _pandas_only_lines(lines):
                raise _ReadWhole
            first, quotes = False, quotes or b'"' in lines
            if not block:
                break
    if quotes and _quote_open_at_end_of(path, path.stat().st_size, bom_size if bom else 0):
        raise _ReadWhole
    return bom


def _quote_open_at_end_of(path: Path, size: int, body_start: int) -> bool:
    """`readers._quote_open_at_end` from the file's last `QUOTE_TAIL` bytes; True (read whole) when
    they cannot decide it."""
    with path.open("rb") as fh:
        start_at = max(size - QUOTE_TAIL, body_start)
        fh.seek(start_at)
        tail = fh.read()
    whole = start_at == body_start
    window = QUOTE_WINDOW
    while True:
        start = max(len(tail) - window, 0)
        while start and tail[start - 1] == ord('"'):
            start -= 1
        if start == 0 and not whole:
            return True
        verdict = _quote_verdict(tail, start)
        if verdict is not None:
            return verdict
        if start == 0:
            return False
        window *= 8


def open_source(path: Path, table: Table) -> Source:
    """The file opened for selective reading (see the module's docstring); InputError as `read_raw`."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return ParquetSource(path, table)
        if suffix == ".csv" and path.stat().st_size > STREAM_BYTES:
            return CsvSource(path, table)
    except _ReadWhole:
        pass
    except InputError:
        raise
    return FrameSource(path, table)
