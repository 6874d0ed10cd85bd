"""The fact-find workbook: sheet names, bilingual headers, drop-downs, real dates, round trip."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit.base.schema import FACT_FIND_SHEETS, PROFILE_FIELDS
from toolkit.inputs.factfind import load_fact_find
from toolkit.inputs.factfind_workbook import write_fact_find, write_template

SHEETS = ["客户信息", "家庭信息", "年度收支", "资产负债", "理财目标"]

FILLED = {
    "profile": {"client_id": "0010000042", "name": "王小明", "birth_date": dt.date(1980, 3, 9),
                "risk_level": "C3", "risk_assessed_on": "2026-05-20"},
    "family": [{"member": "self", "name": "王小明", "birth_date": dt.date(1980, 3, 9), "occupation": "医生"},
               {"member": "child", "name": "王乐", "birth_date": pd.Timestamp("2014-09-01"), "occupation": "学生"}],
    "cashflow": [{"type": "income", "item": "工资收入", "annual_amount": 420_000},
                 {"type": "expense", "item": "日常生活开支", "annual_amount": 150_000},
                 {"type": "debt_payment", "item": "房贷月供", "annual_amount": 84_000}],
    "balance": [{"type": "liquid", "item": "活期存款", "amount": 120_000.5},
                {"type": "financial", "item": "理财产品", "amount": 600_000},
                {"type": "real", "item": "自住房产", "amount": 3_000_000},
                {"type": "liability", "item": "住房贷款", "amount": 900_000}],
    "goals": [{"goal": "子女教育", "target_amount": 800_000, "target_year": 2032}],
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory):
    path = write_fact_find(tmp_path_factory.mktemp("ff") / "ff.xlsx", **FILLED)
    return path, load_workbook(path)


def _validations(ws) -> dict[str, str]:
    """Drop-down cell ranges -> their list formula."""
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


def test_sheets_and_bilingual_headers(filled) -> None:
    _, wb = filled
    assert wb.sheetnames == SHEETS
    assert [c.value for c in wb["年度收支"][1]] == ["类别 / type", "项目 / item", "年金额 / annual_amount"]
    for table in FACT_FIND_SHEETS:
        ws = wb[table.sheet_alias]
        assert [c.value for c in ws[1]] == [f"{c.alias} / {c.name}" for c in table.columns]
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[chr(65 + i)].width >= 12 for i in range(len(table.columns)))


def test_profile_has_one_row_per_field_with_typed_values(filled) -> None:
    _, wb = filled
    ws = wb["客户信息"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [f"{alias} / {key}" for key, alias in PROFILE_FIELDS.items()]
    values = dict(zip(PROFILE_FIELDS, [r[1] for r in rows], strict=True))
    assert values["client_id"] == "0010000042" and values["risk_level"] == "平衡型"
    assert values["risk_assessed_on"] == dt.datetime(2026, 5, 20)  # an ISO string became a real date
    assert ws["B4"].is_date and ws["B6"].is_date
    assert '"保守型,稳健型,平衡型,成长型,进取型"' in _validations(ws).values()


def test_codes_are_written_as_chinese_words_with_dropdowns(filled) -> None:
    _, wb = filled
    assert [r[0] for r in wb["家庭信息"].iter_rows(min_row=2, values_only=True)] == ["本人", "子女"]
    assert [r[0] for r in wb["年度收支"].iter_rows(min_row=2, values_only=True)] == ["收入", "支出", "债务偿还"]
    assert [r[0] for r in wb["资产负债"].iter_rows(min_row=2, values_only=True)] == [
        "流动资产", "金融资产", "实物资产", "负债"]
    assert _validations(wb["家庭信息"]) == {"A2:A203": '"本人,配偶,子女,父母"'}
    assert _validations(wb["年度收支"]) == {"A2:A204": '"收入,支出,债务偿还"'}
    assert _validations(wb["资产负债"]) == {"A2:A205": '"流动资产,金融资产,实物资产,负债"'}
    assert _validations(wb["理财目标"]) == {}


def test_dates_are_dates_and_amounts_have_separators(filled) -> None:
    _, wb = filled
    family = wb["家庭信息"]
    assert family["C2"].is_date and family["C2"].value == dt.datetime(1980, 3, 9)
    assert family["C3"].value == dt.datetime(2014, 9, 1)  # a pandas Timestamp is stored as a date too
    balance = wb["资产负债"]
    assert balance["C2"].value == 120_000.5 and balance["C2"].number_format == "#,##0.00"
    assert balance.column_dimensions["C"].number_format == "#,##0.00"
    assert wb["理财目标"]["C2"].value == 2032 and isinstance(wb["理财目标"]["C2"].value, int)


def test_round_trip_through_the_loader(filled) -> None:
    path, _ = filled
    ff = load_fact_find(path)
    assert ff.profile == {"client_id": "0010000042", "name": "王小明", "birth_date": dt.date(1980, 3, 9),
                          "risk_level": "C3", "risk_assessed_on": dt.date(2026, 5, 20)}
    assert ff.family["member"].tolist() == ["self", "child"]
    assert ff.cashflow["type"].tolist() == ["income", "expense", "debt_payment"]
    assert ff.cashflow["annual_amount"].tolist() == [420_000, 150_000, 84_000]
    assert ff.balance["type"].tolist() == ["liquid", "financial", "real", "liability"]
    assert ff.goals.to_dict("records") == [{"goal": "子女教育", "target_amount": 800_000, "target_year": 2032}]


def test_frames_and_row_dicts_write_the_same_cells(tmp_path) -> None:
    as_frames = {k: pd.DataFrame(v) if isinstance(v, list) else v for k, v in FILLED.items()}
    a = load_workbook(write_fact_find(tmp_path / "a.xlsx", **FILLED))
    b = load_workbook(write_fact_find(tmp_path / "b.xlsx", **as_frames))
    for name in SHEETS:
        assert list(a[name].values) == list(b[name].values)


def test_empty_tables_have_headers_and_blank_profile_values(tmp_path) -> None:
    wb = load_workbook(write_fact_find(tmp_path / "empty.xlsx"))
    assert all(wb[name].max_row == 1 for name in SHEETS[1:])
    assert [r[1] for r in wb["客户信息"].iter_rows(min_row=2, values_only=True)] == [None] * len(PROFILE_FIELDS)


def test_template_has_exactly_one_example_row_per_sheet(tmp_path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    for name in SHEETS[1:]:
        assert wb[name].max_row == 2, name
    assert list(wb["年度收支"].iter_rows(min_row=2, values_only=True)) == [("收入", "工资收入", 360_000)]
    assert list(wb["家庭信息"].iter_rows(min_row=2, values_only=True))[0][0] == "本人"
    assert wb["家庭信息"]["C2"].is_date
    assert all(r[1] is not None for r in wb["客户信息"].iter_rows(min_row=2, values_only=True))
    assert _validations(wb["年度收支"]) == {"A2:A202": '"收入,支出,债务偿还"'}
    ff = load_fact_find(path)  # the example itself is a valid fact-find
    assert ff.goals["target_year"].iloc[0] > dt.date.today().year
