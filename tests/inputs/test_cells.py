"""Cell parsers (toolkit.inputs.cells); their agreement with ParsedColumn is tested in test_io.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import client_frame, write
from toolkit.base.errors import InputError
from toolkit.inputs import cells
from toolkit.inputs.cells import ParsedColumn, digits_only, parse_date
from toolkit.inputs.tables import load_clients


@pytest.mark.parametrize("dtype", [object, "str"])
def test_a_cell_that_reads_as_a_time_zone_is_not_a_date(dtype: object):
    """'0a-0' parses with time zone 'A': it used to make pandas raise "Mixed timezones" (a traceback)."""
    parsed = parse_date(pd.Series(["2026-10-31", "0a/0", None, "2026年1月5日"], dtype=dtype))
    assert str(parsed.dtype) == "datetime64[ns]"
    assert parsed.tolist()[0] == pd.Timestamp("2026-10-31") and parsed.tolist()[3] == pd.Timestamp("2026-01-05")
    assert pd.isna(parsed.iloc[1]) and pd.isna(parsed.iloc[2])
    assert parse_date(pd.Series(["0a-0"], dtype=dtype)).isna().all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_such_a_cell_in_a_client_book_is_reported_at_its_row(tmp_path: Path, suffix: str):
    df = client_frame()
    df.loc[1, "出生日期"] = "0a-0"
    with pytest.raises(InputError) as info:
        load_clients(write(df, tmp_path / f"c{suffix}"))
    assert any(p.row == 3 and p.column == "birth_date" and "expected a date" in p.message
               for p in info.value.problems)


_ID_CELLS = st.one_of(st.none(), st.from_regex(r"[0-9]{1,6}", fullmatch=True),
                      st.sampled_from(["", " 12", "12 ", "1.0", "-", "nan", "１２", "٣", "1e3", "0x1"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(_ID_CELLS, min_size=1, max_size=12), st.booleans(), st.integers(0, 3))
def test_digits_only_reads_arrow_buffers_as_the_text_reads(cells_: list, large: bool, skip: int):
    array = pyarrow.array(cells_, pyarrow.large_string() if large else pyarrow.string())[min(skip, len(cells_)):]
    expected = len(array) > 0 and all(v is None or (v.isascii() and v.isdigit()) for v in array.to_pylist())
    assert digits_only(array) == expected
    assert digits_only(pyarrow.chunked_array([array[:1], array[1:]], type=array.type)) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(_ID_CELLS, min_size=2, max_size=12))
def test_a_digit_id_column_parses_as_any_other_text_column(values: list):
    """The digits-only shortcut (no strip, no blank words, no '123.0') gives what the full passes give."""
    raw = pd.Series(values, dtype="string[pyarrow]")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cells, "WHOLE_COLUMN_ROWS", 0)
        mp.setattr(cells, "WHOLE_COLUMN_DISTINCT", 0.0)
        fast = ParsedColumn(raw)
        full = ParsedColumn(raw)
        full._plain_digits = False  # the cached property, decided the long way
        assert fast.blank.tolist() == full.blank.tolist()
        assert fast.text.tolist() == full.text.tolist()
        assert fast.stripped.tolist() == full.stripped.tolist()
