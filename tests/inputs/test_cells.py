"""Cell parsers (toolkit.inputs.cells); their agreement with ParsedColumn is tested in test_io.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import client_frame, write
from toolkit.base.errors import InputError
from toolkit.inputs.cells import parse_date
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
