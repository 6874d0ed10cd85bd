"""One client's fact-find (表1 family basics, 表2 income and spending, 表3 assets and liabilities)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


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
