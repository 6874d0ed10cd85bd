"""toolkit.inputs.rules: the quick pass (`all_pass`) says "every cell valid" exactly when pandera,
checking the same rules, finds no failing cell."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.base.schema import CLIENTS, STAFF
from toolkit.inputs.cells import ParsedFrame
from toolkit.inputs.rules import all_pass, pandera_schema

AMOUNTS = st.sampled_from(["1200.50", "0", "-3", "abc", "", None, "1,234", " 88 "])
DATES = st.sampled_from(["2026-10-31", "2026-11-30", "1980-02-29", "not a date", "", None, "2030-01-01"])
CARDS = st.sampled_from(["gold", "金卡", "normal", "tin", "", None])
IDS = st.sampled_from(["0010000001", "0010000002", "", None, " 0010000003 "])


def _pandera_failures(df: pd.DataFrame, table) -> int:
    try:
        pandera_schema(table, df.columns, ParsedFrame(df)).validate(df.copy(deep=False), lazy=True)
    except pa.errors.SchemaErrors as exc:
        return int(exc.failure_cases["index"].notna().sum())
    return 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(DATES, IDS, DATES, AMOUNTS, AMOUNTS, CARDS), min_size=1, max_size=6))
def test_quick_pass_agrees_with_pandera_on_client_cells(rows):
    df = pd.DataFrame(rows, columns=["snapshot_date", "client_id", "birth_date", "funds", "loan_balance",
                                     "card_level"], dtype=object)
    table = CLIENTS.project(df.columns)
    assert all_pass(df, table, ParsedFrame(df)) == (_pandera_failures(df, table) == 0)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", "", None]), st.sampled_from(["5", "2.5", "-1", "x", None])),
                min_size=1, max_size=5))
def test_quick_pass_agrees_with_pandera_on_unique_and_whole_numbers(rows):
    df = pd.DataFrame(rows, columns=["staff_id", "max_visits_per_month"], dtype=object)
    table = STAFF.project(df.columns)
    assert all_pass(df, table, ParsedFrame(df)) == (_pandera_failures(df, table) == 0)
