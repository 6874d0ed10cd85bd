"""Other headers bank exports use for a column (schema Column.aliases): the staff table's 电话."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import write
from toolkit.base.errors import InputError
from toolkit.inputs.tables import load_staff

STAFF = {"员工号": ["S01", "S02"], "姓名": ["王经理", "赵柜员"], "机构号": ["B001", "B001"], "岗位": ["财富经理", "teller"]}


@pytest.mark.parametrize("header", ["电话", "手机号", "phone", "电话 / phone"])
def test_staff_phone_under_any_of_its_headers(tmp_path: Path, header: str):
    path = write(pd.DataFrame({**STAFF, header: ["13800000001", "057788880000"]}), tmp_path / "staff.xlsx")
    assert load_staff(path)["phone"].tolist() == ["13800000001", "057788880000"]


def test_two_headers_of_one_column_are_a_problem(tmp_path: Path):
    path = write(pd.DataFrame({**STAFF, "手机号": ["1", "2"], "电话": ["3", "4"]}), tmp_path / "staff.xlsx")
    with pytest.raises(InputError, match="'phone' appears twice"):
        load_staff(path)
