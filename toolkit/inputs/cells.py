"""Cell parsing for the input tables: vectorised, tolerant of what bank exports contain.

`ParsedColumn` parses one column once (blank, number, date, known word, text) and shares the
result between every pandera check and the typed frame; text cells are parsed on their distinct
values only and spread back by code. `toolkit.inputs.tables` builds the checks and the typed tables on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

_BLANKS = {"", "nan", "none", "null", "nat", "-", "—"}
_NUMBER_JUNK = re.compile(r"[,\s，¥￥元]")
_PLAIN_NUMBER = r"[0-9.eE+\-]*"  # ASCII only: no junk to strip, so the (Python) regex can be skipped
_WHOLE_FLOAT = r"^(\d+)\.0$"  # '123.0' from Excel -> '123'
#: A text column is parsed whole (not per distinct value) from this many rows, when an evenly spaced
#: sample of 2,048 cells is more distinct than this share (about 50,000+ distinct values: ids, phones).
WHOLE_COLUMN_ROWS, WHOLE_COLUMN_DISTINCT = 50_000, 0.98




# --- cell parsers: vectorised, tolerant of what bank exports contain --------------------------------
def is_textual(s: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)


def _blank_word(stripped: pd.Series) -> pd.Series:
    return stripped.str.lower().isin(_BLANKS).fillna(True)


#: The longest blank word, in characters: a longer cell is never blank (lowercasing keeps the length).
_BLANK_CHARS = max(map(len, _BLANKS))


def _blank_word_of_long_text(stripped: pd.Series) -> np.ndarray:
    """`_blank_word` of Arrow-backed text whose cells are mostly long (ids, phones): only the cells no
    longer than a blank word are lowercased and looked up (a million-row column: 0.1 s less)."""
    length = pc.utf8_length(stripped.array.__arrow_array__())
    short = pc.fill_null(pc.less_equal(length, _BLANK_CHARS), True).to_numpy(zero_copy_only=False)
    found = np.zeros(len(stripped), dtype=bool)
    rows = np.flatnonzero(short)
    if len(rows):
        found[rows] = _blank_word(stripped.iloc[rows]).to_numpy(dtype=bool)
    return found


def digits_only(text: pyarrow.Array | pyarrow.ChunkedArray) -> bool:
    """Whether every present cell of Arrow text is one or more ASCII digits, read off its buffers
    chunk by chunk (no string built, no copy): a null may hold bytes, which only make the answer False."""
    chunks = text.chunks if isinstance(text, pyarrow.ChunkedArray) else [text]
    if len(text) == 0 or not (pyarrow.types.is_string(text.type) or pyarrow.types.is_large_string(text.type)):
        return False
    width = np.int64 if pyarrow.types.is_large_string(text.type) else np.int32
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        lengths = np.diff(offsets)
        if chunk.null_count:
            lengths = lengths[~np.asarray(chunk.is_null(), dtype=bool)]
        if len(lengths) and lengths.min() <= 0:
            return False
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]] if offsets[-1] else None
        if data is not None and len(data) and (data.min() < 48 or data.max() > 57):
            return False
    return True


def blank(s: pd.Series) -> pd.Series:
    """True where a cell is empty (NaN, '', 'nan', '-' …)."""
    if not is_textual(s):
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
    out = _to_datetime(text)
    # '01' or '-5' parse as years 1 and -5: no client, product or activity date is that old.
    out = out.where((out.dt.year >= MIN_YEAR) & (out.dt.year <= MAX_YEAR))
    return out.dt.normalize().astype("datetime64[ns]")


def _to_datetime(text: pd.Series) -> pd.Series:
    """pandas' mixed-format parse, where a cell that reads as a time zone is no date.

    Junk such as '0a-0' parses with time zone 'A': alone it made the column tz-aware, beside real
    dates pandas raised "Mixed timezones". Then the cells are parsed one by one, and any with a
    time zone becomes NaT, to be reported as not a date like any other junk."""
    try:
        out = pd.to_datetime(text, errors="coerce", format="mixed", yearfirst=True)
        if getattr(out.dt, "tz", None) is None:
            return out
    except (ValueError, TypeError):
        pass
    return pd.Series(pd.to_datetime([_naive_or_nat(v) for v in text]), index=text.index)


def _naive_or_nat(value: object) -> pd.Timestamp:
    if value is None or value is pd.NA:
        return pd.NaT
    try:
        stamp = pd.to_datetime(value, errors="coerce", yearfirst=True)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return pd.NaT if stamp is pd.NaT or stamp.tzinfo is not None else stamp


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
        self.textual = is_textual(raw)
        self._results: dict[str, pd.Series] = {}
        self._text_arrow: pyarrow.ChunkedArray | None = None  # the text result in Arrow, when built whole

    @cached_property
    def string(self) -> pd.Series:
        """The cells as pandas' Arrow-backed strings: the form every parser works on."""
        return self.raw.astype("string")

    @cached_property
    def _distinct(self) -> tuple[np.ndarray, pd.Series]:
        """(code per cell, the distinct cells); a missing cell gets its own code, after the rest.

        Arrow's dictionary encoding, as `pd.factorize` does it, keeping Arrow's 32-bit codes; a
        categorical column (text a parquet file stores as a dictionary) is already encoded.
        """
        if self._categorical:
            values = pd.Series(self.raw.cat.categories, dtype="string")
            codes = self.raw.cat.codes.to_numpy().astype(np.int32)
            if self.missing.any():
                codes[codes < 0] = len(values)
                values = pd.concat([values, pd.Series([pd.NA], dtype="string")], ignore_index=True)
            return codes, values
        encoded = self._arrow.dictionary_encode().combine_chunks()
        values = pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary), dtype="string")
        codes = encoded.indices
        if codes.null_count:
            codes = pc.fill_null(codes, len(values))
            values = pd.concat([values, pd.Series([pd.NA], dtype="string")], ignore_index=True)
        return codes.to_numpy(), values

    @cached_property
    def _categorical(self) -> bool:
        return self.textual and isinstance(self.raw.dtype, pd.CategoricalDtype)

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
        rows = np.unique(np.linspace(0, n - 1, 2048).astype(np.int64))
        sample = (self.raw.iloc[rows].astype("string") if self._categorical else self.string.iloc[rows]).dropna()
        return sample.nunique() >= WHOLE_COLUMN_DISTINCT * len(sample)

    @cached_property
    def _plain_digits(self) -> bool:
        """Whether a mostly distinct text column holds ASCII digits only (a bank's client numbers):
        then stripping, blank words and Excel's '123.0' change nothing and those passes are skipped
        (0.1 s of a 2,000,000-row book's client_id)."""
        return self.textual and self._mostly_distinct and not self._categorical and digits_only(self._arrow)

    @cached_property
    def stripped(self) -> pd.Series:
        return self.string if self._plain_digits else self.string.str.strip()

    @cached_property
    def missing(self) -> np.ndarray:
        """Null cells (Arrow's validity bitmap for Arrow-backed text: same answer, no conversion)."""
        arrow_backed = self.textual and not pd.api.types.is_object_dtype(self.raw) and not self._categorical
        return (self.string if arrow_backed else self.raw).isna().to_numpy(dtype=bool)

    @cached_property
    def blank(self) -> np.ndarray:
        if not self.textual:
            return self.missing
        if self._plain_digits:
            return self.missing
        if self._mostly_distinct:
            return self.missing | _blank_word_of_long_text(self.stripped)
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
        return pd.Series(self._whole_arrow().to_numpy(), index=self.raw.index, name=self.raw.name, dtype=object)

    def _whole_arrow(self) -> pyarrow.ChunkedArray:
        """`parse_text` over the whole column in Arrow; the regex only where a '.0' occurs."""
        if self._text_arrow is None:
            text = self.stripped if self._plain_digits else _whole_floats_as_ints(self.stripped)
            arrow = text.array.__arrow_array__()
            if self.blank.any():
                arrow = pc.if_else(pyarrow.array(self.blank), pyarrow.scalar(None, arrow.type), arrow)
            self._text_arrow = arrow
        return self._text_arrow

    @property
    def str_text(self) -> pd.Series:
        """`text` as pandas' Arrow-backed strings ("str": NaN where `text` holds None). A mostly
        distinct column (ids, phones) is built so without a Python string per cell: for a
        2,000,000-row book's client_id and phone, 0.5 s less to load."""
        if self.textual and self._mostly_distinct:
            arrow = self._whole_arrow().cast(pyarrow.large_string())
            return pd.Series(pd.arrays.ArrowStringArray(arrow, dtype=pd.StringDtype("pyarrow", np.nan)),
                             index=self.raw.index, name=self.raw.name)
        return self.text.astype("str")

    def all_distinct_text(self, start: int, length: int) -> bool:
        """True when the text of rows start…start+length is present and never repeats (then no key with
        this column as its last part can repeat): a sort check when the rows are in id order, else a hash."""
        if not (self.textual and self._mostly_distinct) or length < 2:
            return False
        arrow = self._whole_arrow().slice(start, length)
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
