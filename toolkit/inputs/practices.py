"""The optional tables of the seed's practices (CONTRACT §1): corporate clients, holdings with their
maturity dates, and the balance sheets of the branch's fact-finds.

Each is read by the generic loader (`toolkit.inputs.tables.read_table`), so it gets every contract
check and its problems are reported with the other tables' (exit 2). Absent tables are None: the
plan then says which input its section needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.base.schema import BALANCE_TYPES, CORPORATE_CLIENTS, FF_BALANCE, FF_PROFILE, HOLDINGS
from toolkit.inputs.tables import read_table

#: The fact-find balance types summed per client for the 500万 list (net = all but liability − liability).
BALANCE_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(BALANCE_TYPES.values()))


def load_corporate_clients(path: str | Path | None) -> pd.DataFrame | None:
    """The corporate clients table (客户号, 客户名称, 机构号, 存款余额, 目标授信金额, 客户经理, co-managers)."""
    if path is None:
        return None
    df, problems = read_table(path, CORPORATE_CLIENTS)
    if problems:
        raise InputError(problems)
    return df


def load_holdings(path: str | Path | None) -> pd.DataFrame | None:
    """Holdings with maturity dates; a row needs a product_id or a category (else nobody knows what matures)."""
    if path is None:
        return None
    df, problems = read_table(path, HOLDINGS)
    if not problems and len(df):
        blank = df["product_id"].isna() & df["category"].isna()
        problems = [Problem(str(path), "a product_id or a category is required on every row (the cell is empty)",
                            row=int(i) + 2, column="product_id") for i in df.index[blank]]
    if problems:
        raise InputError(problems)
    return df


def load_fact_find_assets(paths: Sequence[str | Path]) -> pd.DataFrame | None:
    """One row per fact-find client: the balance sheet summed by type (liquid, financial, real,
    liability), for net assets on the 500万 list; None when the params name no fact-finds.

    Only the two sheets this uses are read and checked (客户信息 for the client id, 资产负债), with
    the proposal's own rules: a branch may hold many fact-finds, and the other three sheets cost
    three times as much to read."""
    if not paths:
        return None
    rows, problems = [], []
    for path in paths:
        found, row = _balance_of(Path(path))
        problems.extend(found)
        if row is not None:
            rows.append(row)
    if problems:
        raise InputError(problems)
    out = pd.DataFrame(rows, columns=["client_id", *BALANCE_COLUMNS])
    return out.drop_duplicates("client_id", keep="last").reset_index(drop=True)


def _balance_of(path: Path) -> tuple[list[Problem], dict[str, object] | None]:
    """(problems, the client's balance sums) of one fact-find workbook."""
    from toolkit.inputs.factfind import _profile
    from toolkit.inputs.readers import input_file_problem

    unusable = input_file_problem(path, "fact-find workbook not found", "fact-find workbook")
    if unusable is not None:
        return [unusable], None
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return [Problem(str(path), "a fact-find must be an .xlsx workbook")], None
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            profile, problems = read_table(path, FF_PROFILE, workbook=book)
            balance, found = read_table(path, FF_BALANCE, workbook=book)
    except Exception as exc:  # a corrupt or mislabelled file: said, never a traceback
        return [Problem(str(path), f"cannot read as {path.suffix}: {exc}")], None
    problems += found
    fields: dict[str, object] = {}
    if {"field", "value"} <= set(profile.columns):
        fields, found = _profile(profile, str(path))
        problems += found
    if problems:
        return problems, None
    sums = balance.groupby("type")["amount"].sum()
    return [], {"client_id": fields["client_id"], **{t: float(sums.get(t, 0.0)) for t in BALANCE_COLUMNS}}
