"""`kpi.positions`: digit ids of one width matched by number give Arrow's text answer exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.branch import kpi


def _by_text(needles: list, haystack: list) -> np.ndarray:
    """What `positions` answered before the digit path: Arrow's hash lookup of the text."""
    hay = pa.array([None if v is None else str(v) for v in haystack], type=pa.large_string())
    found = pc.index_in(pa.array([None if v is None else str(v) for v in needles], type=pa.large_string()),
                        value_set=hay)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


ids = st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=4), st.sampled_from(["١٢", "12", "x1", ""]),
                st.none())


@settings(max_examples=200, deadline=None)
@given(needles=st.lists(ids, max_size=30), haystack=st.lists(ids, max_size=30), dtype=st.sampled_from([object, "str"]),
       sort=st.booleans())
def test_positions_equal_arrows_text_lookup(needles: list, haystack: list, dtype: object, sort: bool):
    if sort:
        haystack = sorted(haystack, key=lambda v: (v is None, v or ""))
    got = kpi.positions(pd.Series(needles, dtype=dtype), pd.Series(haystack, dtype=dtype))
    assert got.tolist() == _by_text(needles, haystack).tolist()


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_fixed_width_ids_take_the_digit_path(order: str):
    rng = np.random.default_rng(7)
    ids = np.array([f"{i:010d}" for i in range(0, 20_000, 3)], dtype=object)
    hay = ids if order == "sorted" else rng.permutation(ids)
    needles = rng.permutation(np.concatenate([ids[:500], ["0000000001", "0000000002"]]))
    assert kpi._digit_positions(kpi._arrow_text(pd.Series(needles)), kpi._arrow_text(pd.Series(hay))) is not None
    assert kpi.positions(pd.Series(needles), pd.Series(hay)).tolist() == _by_text(list(needles), list(hay)).tolist()
    assert kpi.positions(pd.Series(["0001"]), pd.Series(["001", "1", "0001"])).tolist() == [2]  # widths differ


def test_the_widest_digit_ids_read_as_their_numbers():
    """18 digits, the widest read as numbers: '9' * 18 and '0' * 18 exactly (no int64 overflow)."""
    numbers, width = kpi._digit_numbers(pa.array(["9" * 18, "0" * 18, "000000000000000123"], type=pa.large_string()))
    assert width == 18 and numbers.tolist() == [999_999_999_999_999_999, 0, 123]
    assert kpi._digit_numbers(pa.array(["1" * 19], type=pa.large_string())) is None
