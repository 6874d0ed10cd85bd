"""A client book's ids and phones are Arrow-backed strings, whichever way the book was parsed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import client_frame, write
from toolkit.inputs import cells
from toolkit.inputs.tables import load_clients


@pytest.mark.parametrize("whole", [False, True])
def test_client_ids_and_phones_are_arrow_strings_with_the_same_text(tmp_path: Path, whole: bool):
    df = client_frame().astype(object)
    df.loc[1, "手机号"] = " "  # blank: NaN in the book ("str"), as None was in object text
    path = write(df, tmp_path / "c.csv")
    plain = load_clients(path)
    with pytest.MonkeyPatch.context() as mp:
        if whole:  # the path a million-row book takes: built in Arrow, no Python string per cell
            mp.setattr(cells, "WHOLE_COLUMN_ROWS", 0)
            mp.setattr(cells, "WHOLE_COLUMN_DISTINCT", 0.0)
        book = load_clients(path)
    pd.testing.assert_frame_equal(book, plain, check_exact=True)
    for column in ("client_id", "phone"):
        assert book[column].dtype == pd.StringDtype("pyarrow", np.nan)
    assert book["name"].dtype == object
    assert book["phone"].isna().tolist() == [False, True, False] and book.loc[0, "client_id"] == "0001"
