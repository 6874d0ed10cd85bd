"""Shared fixtures: tiny, hand-made input tables in every format and header language."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.base.schema import ASSET_COLUMNS, TABLES

TEXT_COLUMNS = ("client_id", "name", "branch_id", "phone", "maintainer_id", "district", "gender", "risk_level")


def canonical_clients(rows: list[dict], **defaults: object) -> pd.DataFrame:
    """Client rows in the loader's canonical form: zero amounts, a normal card, born 1980, C3, and
    whatever `defaults` and each row say instead."""
    base = {"snapshot_date": "2026-11-30", "client_id": None, "name": "张三", "branch_id": "B1", "phone": None,
            "maintainer_id": None, "district": None, "gender": None, "birth_date": "1980-01-01",
            **dict.fromkeys(ASSET_COLUMNS, 0.0), "credit_card_annual_spend": 0.0, "loan_balance": 0.0,
            "card_level": "normal", "risk_level": "C3", **defaults}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"])
    df["birth_date"] = pd.to_datetime(df["birth_date"])
    for c in TEXT_COLUMNS:
        df[c] = df[c].astype("str").where(df[c].notna())
    return df

CLIENT_ROWS = [
    # snapshot, id, name, branch, gender, birth, phone, maintainer, demand, time, card, risk, district
    ("2026-10-31", "0001", "张三丰", "B001", "男", "1970-05-01", "13812345678", "S01", 1_500_000, 600_000,
     "金卡", "平衡型", "东区"),
    ("2026-10-31", "0002", "李四", "B001", "女", "", "", "", 40_000, 20_000, "", "", ""),
    ("2026-11-30", "0001", "张三丰", "B001", "男", "1970-05-01", "13812345678", "S01", 1_800_000, 600_000,
     "金卡", "C3", "东区"),
]


def client_frame(chinese: bool = True) -> pd.DataFrame:
    table = TABLES["clients"]
    cols = ["snapshot_date", "client_id", "name", "branch_id", "gender", "birth_date", "phone",
            "maintainer_id", "demand_deposit", "time_deposit", "card_level", "risk_level", "district"]
    df = pd.DataFrame(CLIENT_ROWS, columns=cols)
    if chinese:
        df = df.rename(columns={c.name: c.alias for c in table.columns})
    return df


def write(df: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        df.to_csv(path, index=False, encoding="utf-8-sig")
    elif path.suffix == ".xlsx":
        df.to_excel(path, index=False)
    else:
        df.astype(str).to_parquet(path, index=False)
    return path


@pytest.fixture
def clients_csv(tmp_path: Path) -> Path:
    return write(client_frame(), tmp_path / "clients.csv")


@pytest.fixture
def staff_xlsx(tmp_path: Path) -> Path:
    df = pd.DataFrame({"员工号": ["S01", "S02"], "姓名": ["王经理", "赵柜员"], "机构号": ["B001", "B001"],
                       "岗位": ["财富经理", "teller"], "月拜访上限": [30, None]})
    return write(df, tmp_path / "staff.xlsx")


@pytest.fixture
def products_csv(tmp_path: Path) -> Path:
    df = pd.DataFrame({"product_id": ["P1", "P2"], "name": ["稳享90天", "成长基金"],
                       "category": ["wealth_products", "基金"], "risk_rating": ["R2", "R4"],
                       "min_amount": ["10,000", "1000"], "term_days": [90, None],
                       "expected_return": [0.028, None]})
    return write(df, tmp_path / "products.csv")


#: A product shelf spanning R1–R5 and five categories, for the proposal tests.
PRODUCT_SHELF = pd.DataFrame({
    "product_id": ["TD1", "TD2", "BD1", "WP1", "WP2", "FD1", "FD2", "IN1", "PM1"],
    "name": ["三年定期", "一年定期", "储蓄国债", "稳健理财", "进取理财", "平衡基金", "股票基金", "年金险", "积存金"],
    "category": ["time_deposit", "time_deposit", "bonds", "wealth_products", "wealth_products", "funds",
                 "funds", "insurance", "precious_metals"],
    "risk_rating": ["R1", "R1", "R1", "R2", "R4", "R3", "R5", "R1", "R3"],
    "min_amount": [50_000.0, 10_000, 1_000, 10_000, 10_000, 1_000, 1_000, 50_000, 100_000],
    "term_days": pd.array([1095, 365, 1095, 180, 365, None, None, 3650, None], dtype="Int64"),
    "expected_return": [0.0175, 0.015, 0.022, 0.032, 0.05, 0.06, 0.10, 0.03, 0.04],
})
