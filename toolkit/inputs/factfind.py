"""One client's fact-find (表1 family basics, 表2 income and spending, 表3 assets and liabilities)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.base.ids import id_problem
from toolkit.base.schema import FACT_FIND_SHEETS, FF_GOALS, FF_PROFILE, PROFILE_FIELDS, RISK_LEVELS
from toolkit.inputs.cells import parse_date, parse_enum
from toolkit.inputs.readers import input_file_problem
from toolkit.inputs.tables import coerce, read_table


@dataclass
class FactFind:
    """A loaded, validated fact-find workbook, with canonical codes and types.

    profile: client_id (str), name (str), birth_date (date|None), risk_level ('C1'..'C5'|None),
    risk_assessed_on (date|None).
    family: member (self/spouse/child/parent), name, birth_date (datetime64), occupation.
    cashflow: type (income/expense/debt_payment), item, annual_amount (float, yuan).
    balance: type (liquid/financial/real/liability), item, amount (float, yuan).
    goals: goal, target_amount (float, today's money), target_year (int); may be empty.
    """

    source: str
    profile: dict[str, Any]
    family: pd.DataFrame
    cashflow: pd.DataFrame
    balance: pd.DataFrame
    goals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"goal": pd.Series(dtype=object), "target_amount": pd.Series(dtype=float),
         "target_year": pd.Series(dtype="int64")}))

    @property
    def client_id(self) -> str:
        return str(self.profile["client_id"])

    @property
    def birth_date(self) -> dt.date | None:
        return self.profile.get("birth_date")

    @property
    def risk_level(self) -> str | None:
        return self.profile.get("risk_level")

    @property
    def risk_assessed_on(self) -> dt.date | None:
        return self.profile.get("risk_assessed_on")


def load_fact_find(path: str | Path) -> FactFind:
    """Read a fact-find workbook (CONTRACT §1), reporting every problem in every sheet at once."""
    path = Path(path)
    unusable = input_file_problem(path, "fact-find workbook not found", "fact-find workbook")
    if unusable is not None:
        raise InputError(unusable)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(Problem(str(path), "a fact-find must be an .xlsx workbook "
                                            "(write one with `clientcare template fact-find FILE.xlsx`)"))
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    with pd.ExcelFile(path, engine="openpyxl") as book:  # opened once for its five sheets
        sheets = set(book.sheet_names)
        for table in FACT_FIND_SHEETS:
            if table is FF_GOALS and not sheets & {table.sheet, table.sheet_alias}:
                frames[table.name] = coerce(pd.DataFrame(), table)
                continue
            df, found = read_table(path, table, workbook=book)
            problems.extend(found)
            frames[table.name] = df
    profile: dict[str, Any] = {}
    if {"field", "value"} <= set(frames["profile"].columns):
        profile, found = _profile(frames["profile"], str(path))
        problems.extend(found)
    if problems:
        raise InputError(problems)
    goals = frames["goals"].copy()
    goals["target_year"] = goals["target_year"].astype("int64") if len(goals) else goals["target_year"]
    return FactFind(source=str(path), profile=profile, family=frames["family"],
                    cashflow=frames["cashflow"], balance=frames["balance"], goals=goals)


def _profile(df: pd.DataFrame, file: str) -> tuple[dict[str, Any], list[Problem]]:
    """The profile sheet's field/value rows as a dict, with each value typed and checked."""
    sheet = FF_PROFILE.sheet_alias
    names = {k: k for k in PROFILE_FIELDS} | {v: k for k, v in PROFILE_FIELDS.items()}
    out: dict[str, Any] = {"client_id": None, "name": None, "birth_date": None, "risk_level": None,
                           "risk_assessed_on": None}
    problems: list[Problem] = []
    rows: dict[str, int] = {}
    for i, (field_, value) in enumerate(zip(df["field"], df["value"], strict=True)):
        key = names.get(str(field_).split("/")[0].strip()) or names.get(str(field_).split("/")[-1].strip())
        if key is None:
            continue
        rows[key] = i + 2
        out[key] = None if value is None else str(value).strip() or None
    if not out["client_id"]:
        problems.append(Problem(file, "client_id (客户号) is required", sheet=sheet,
                                row=rows.get("client_id"), column="value"))
    elif bad_id := id_problem(out["client_id"], file, "client_id (客户号)", sheet=sheet, row=rows["client_id"],
                              column="value"):
        problems.append(bad_id)  # it names the proposal's output folder: never a path
    for key in ("birth_date", "risk_assessed_on"):
        if out[key] is not None:
            parsed = parse_date(pd.Series([out[key]]))[0]
            if pd.isna(parsed):
                problems.append(Problem(file, f"{key}: expected a date like 2026-11-30 (found {out[key]!r})",
                                        sheet=sheet, row=rows[key], column="value"))
            elif key == "birth_date" and parsed > pd.Timestamp.today():
                problems.append(Problem(file, f"{key}: a date in the future; expected a date no later than "
                                              f"today (found {out[key]!r})", sheet=sheet, row=rows[key],
                                        column="value"))
            out[key] = None if pd.isna(parsed) else parsed.date()
    if out["risk_level"] is not None:
        code = parse_enum(pd.Series([out["risk_level"]]), RISK_LEVELS)[0]
        if pd.isna(code):
            problems.append(Problem(file, f"risk_level: expected C1–C5 or 保守型/稳健型/平衡型/成长型/进取型 "
                                          f"(found {out['risk_level']!r})", sheet=sheet, row=rows["risk_level"],
                                    column="value"))
        out["risk_level"] = None if pd.isna(code) else code
    return out, problems
