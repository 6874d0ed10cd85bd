from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import client_frame, write
from toolkit.errors import InputError
from toolkit.io import load_activities, load_clients, load_products, load_staff, read_table


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("chinese", [True, False])
def test_clients_round_trip_every_format_and_header_language(tmp_path: Path, suffix: str, chinese: bool):
    path = write(client_frame(chinese), tmp_path / f"clients{suffix}")
    book = load_clients(path)
    assert list(book["client_id"]) == ["0001", "0002", "0001"]  # leading zeros survive
    assert book["snapshot_date"].dtype == "datetime64[ns]"
    assert book.loc[0, "demand_deposit"] == 1_500_000.0
    assert book.loc[1, "funds"] == 0.0  # absent amount column = 0
    assert list(book["card_level"]) == ["gold", "normal", "gold"]  # blank = normal
    assert book.loc[0, "risk_level"] == "C3" and book.loc[2, "risk_level"] == "C3"
    assert book.loc[1, "risk_level"] is None
    assert book.loc[0, "gender"] == "M" and book.loc[1, "gender"] == "F"
    assert pd.isna(book.loc[1, "birth_date"])


def test_csv_without_bom_and_unknown_columns_are_fine(tmp_path: Path):
    df = client_frame().assign(备注="x")
    path = tmp_path / "c.csv"
    df.to_csv(path, index=False, encoding="utf-8")
    book = load_clients(path)
    assert "备注" not in book and len(book) == 3


def test_several_monthly_files_and_a_glob(tmp_path: Path):
    df = client_frame()
    write(df.iloc[:2], tmp_path / "clients_202610.csv")
    write(df.iloc[2:], tmp_path / "clients_202611.xlsx")
    book = load_clients([tmp_path / "clients_202610.csv", tmp_path / "clients_202611.xlsx"])
    assert sorted(book["snapshot_date"].dt.strftime("%Y-%m").unique()) == ["2026-10", "2026-11"]


def test_every_bad_cell_is_reported_with_file_row_and_column(tmp_path: Path):
    df = client_frame().astype(object)
    df.loc[1, "活期存款"] = "abc"
    df.loc[1, "定期存款"] = "-5"
    df.loc[0, "出生日期"] = "not a date"
    df.loc[2, "卡等级"] = "黑卡"
    df.loc[2, "客户号"] = "0001"  # fine: different snapshot
    path = write(df, tmp_path / "bad.csv")
    with pytest.raises(InputError) as info:
        load_clients(path)
    problems = {(p.row, p.column): p for p in info.value.problems}
    assert set(problems) == {(2, "birth_date"), (3, "demand_deposit"), (3, "time_deposit"), (4, "card_level")}
    assert all(p.file == str(path) for p in problems.values())
    assert "negative" in problems[(3, "time_deposit")].message
    assert "'黑卡'" in problems[(4, "card_level")].message and "金卡" in problems[(4, "card_level")].message


def test_missing_required_column_and_sheet_are_named(tmp_path: Path):
    df = client_frame().drop(columns=["客户号"])
    path = write(df, tmp_path / "c.xlsx")
    with pytest.raises(InputError) as info:
        load_clients(path)
    (p,) = info.value.problems
    assert p.column == "client_id" and "客户号" in p.message and p.sheet == "Sheet1"


def test_duplicate_ids(tmp_path: Path, staff_xlsx: Path):
    df = client_frame()
    df.loc[1, "客户号"] = "0001"
    path = write(df, tmp_path / "c.csv")
    with pytest.raises(InputError) as info:
        load_clients(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "client_id"), (3, "client_id")]
    staff = pd.read_excel(staff_xlsx, dtype=str)
    staff.loc[1, "员工号"] = "S01"
    dup = write(staff, tmp_path / "staff_dup.xlsx")
    with pytest.raises(InputError, match="duplicate id"):
        load_staff(dup)


def test_missing_file_and_unsupported_type(tmp_path: Path):
    with pytest.raises(InputError, match="not found"):
        load_clients(tmp_path / "nope.csv")
    (tmp_path / "x.txt").write_text("a")
    _, problems = read_table(tmp_path / "x.txt", "staff")
    assert "unsupported file type" in problems[0].message


def test_staff_products_activities(staff_xlsx: Path, products_csv: Path, tmp_path: Path):
    staff = load_staff(staff_xlsx)
    assert list(staff["role"]) == ["wealth_manager", "teller"]
    assert staff["max_visits_per_month"].tolist()[0] == 30 and pd.isna(staff["max_visits_per_month"][1])
    products = load_products(products_csv)
    assert list(products["category"]) == ["wealth_products", "funds"]
    assert products.loc[0, "min_amount"] == 10_000.0
    acts = write(pd.DataFrame({"日期": ["2026-10-02"], "员工号": ["S01"], "客户号": ["0001"], "类型": ["拜访"]}),
                 tmp_path / "a.csv")
    assert load_activities(acts).loc[0, "kind"] == "visit"
    assert load_activities(None).empty


def test_bad_product_category_and_rating(tmp_path: Path):
    df = pd.DataFrame({"产品代码": ["P1"], "产品名称": ["x"], "类别": ["股票"], "风险等级": ["R9"], "起购金额": [1]})
    with pytest.raises(InputError) as info:
        load_products(write(df, tmp_path / "p.xlsx"))
    assert {p.column for p in info.value.problems} == {"category", "risk_rating"}
