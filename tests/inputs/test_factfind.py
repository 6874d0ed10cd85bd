from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from toolkit.base.errors import InputError
from toolkit.inputs.factfind import load_fact_find


def workbook(path: Path, *, cashflow_amount="360000", balance_type="流动资产", drop: str | None = None,
             goals: bool = True, risk="平衡型") -> Path:
    sheets = {
        "客户信息": pd.DataFrame({"字段": ["客户号", "客户姓名", "出生日期", "风险等级", "风险评估日期"],
                              "值": ["0001", "张三丰", "1970-05-01", risk, "2026-03-01"]}),
        "家庭信息": pd.DataFrame({"成员 / member": ["本人", "配偶", "子女"], "姓名": ["张三丰", "李梅", "张小"],
                              "出生日期": ["1970-05-01", "1972-02-02", "2012-09-01"],
                              "职业": ["企业主", "教师", "学生"]}),
        "年度收支": pd.DataFrame({"类别": ["收入", "支出", "债务偿还"], "项目": ["工资", "生活", "房贷"],
                              "年金额": [cashflow_amount, "120000", "60000"]}),
        "资产负债": pd.DataFrame({"类别": [balance_type, "金融资产", "实物资产", "负债"],
                              "项目": ["活期", "基金", "住房", "房贷"],
                              "金额": [200000, 500000, 3000000, 800000]}),
    }
    if goals:
        sheets["理财目标"] = pd.DataFrame({"目标": ["子女教育"], "目标金额": [500000], "目标年份": [2030]})
    if drop:
        sheets.pop(drop)
    with pd.ExcelWriter(path) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return path


def test_reads_chinese_workbook_into_canonical_codes(tmp_path: Path):
    ff = load_fact_find(workbook(tmp_path / "ff.xlsx"))
    assert ff.client_id == "0001" and ff.risk_level == "C3"
    assert ff.birth_date == dt.date(1970, 5, 1) and ff.risk_assessed_on == dt.date(2026, 3, 1)
    assert list(ff.family["member"]) == ["self", "spouse", "child"]
    assert list(ff.cashflow["type"]) == ["income", "expense", "debt_payment"]
    assert ff.cashflow["annual_amount"].sum() == 540_000
    assert list(ff.balance["type"]) == ["liquid", "financial", "real", "liability"]
    assert ff.goals.to_dict("records") == [{"goal": "子女教育", "target_amount": 500000.0, "target_year": 2030}]


def test_goals_sheet_is_optional(tmp_path: Path):
    ff = load_fact_find(workbook(tmp_path / "ff.xlsx", goals=False))
    assert ff.goals.empty


def test_bad_workbooks_report_sheet_row_column(tmp_path: Path):
    path = workbook(tmp_path / "bad.xlsx", cashflow_amount="三十万", balance_type="股票", risk="激进")
    with pytest.raises(InputError) as info:
        load_fact_find(path)
    where = {(p.sheet, p.row, p.column) for p in info.value.problems}
    assert ("年度收支", 2, "annual_amount") in where and ("资产负债", 2, "type") in where
    assert ("客户信息", 5, "value") in where  # every sheet's problems at once
    with pytest.raises(InputError, match="sheet 'balance' .*资产负债.* is missing"):
        load_fact_find(workbook(tmp_path / "nobal.xlsx", drop="资产负债"))


def test_profile_errors_and_not_a_workbook(tmp_path: Path):
    path = workbook(tmp_path / "ff.xlsx", risk="激进")
    with pytest.raises(InputError) as info:
        load_fact_find(path)
    (p,) = info.value.problems
    assert p.sheet == "客户信息" and p.row == 5 and "risk_level" in p.message
    csv = tmp_path / "ff.csv"
    csv.write_text("a")
    with pytest.raises(InputError, match="must be an .xlsx"):
        load_fact_find(csv)


def test_birth_dates_in_the_future_are_refused_at_their_row(tmp_path: Path):
    path = workbook(tmp_path / "ff.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    sheets["家庭信息"].loc[2, "出生日期"] = "2100-01-01"  # the child, row 4
    sheets["客户信息"].loc[2, "值"] = "2099-12-31"  # the profile's birth date, row 4
    with pd.ExcelWriter(path) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    with pytest.raises(InputError) as info:
        load_fact_find(path)
    where = {(p.sheet, p.row, p.column): p.message for p in info.value.problems}
    assert set(where) == {("家庭信息", 4, "birth_date"), ("客户信息", 4, "value")}
    assert "future" in where[("家庭信息", 4, "birth_date")] and "2100-01-01" in where[("家庭信息", 4, "birth_date")]
    assert "future" in where[("客户信息", 4, "value")] and "2099-12-31" in where[("客户信息", 4, "value")]
    today = dt.date.today().isoformat()
    sheets["家庭信息"].loc[2, "出生日期"] = today  # born today: fine
    sheets["客户信息"].loc[2, "值"] = today
    with pd.ExcelWriter(path) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    assert load_fact_find(path).birth_date == dt.date.today()


def test_a_fact_find_that_is_a_directory_says_so(tmp_path: Path):
    with pytest.raises(InputError, match="is a directory; expected a fact-find workbook"):
        load_fact_find(tmp_path)
