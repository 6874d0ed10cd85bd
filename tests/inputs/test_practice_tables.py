"""The practice tables: read with Chinese or English headers like every table, bad cells reported
with file, row and column (exit 2), empty templates that read back as empty tables, and the
parquet hand-over to the kernel carrying them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.base.errors import InputError
from toolkit.commands.cli import app
from toolkit.inputs.books import BranchInputs, branch_slice, branch_slices, read_inputs, write_inputs
from toolkit.inputs.factfind_workbook import write_fact_find
from toolkit.inputs.practices import load_corporate_clients, load_fact_find_assets, load_holdings


def test_corporate_clients_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "corp.csv"
    path.write_text("客户号,客户名称,机构号,存款余额,目标授信金额,客户经理,行领导\n"
                    "0001,温州甲公司,B001,\"200,000,000\",,M1,\n0002,乙公司,B001,50000000,0,M1,V1\n",
                    encoding="utf-8-sig")
    df = load_corporate_clients(path)
    assert df["client_id"].tolist() == ["0001", "0002"]
    assert df["deposit_balance"].tolist() == [2e8, 5e7] and df["target_credit"].tolist() == [0.0, 0.0]
    assert df["leader_id"].isna().tolist() == [True, False] and df["head_id"].isna().all()


def test_bad_corporate_and_holdings_rows_are_located(tmp_path: Path) -> None:
    corp = tmp_path / "corp.csv"
    corp.write_text("client_id,name,branch_id,deposit_balance\nA,甲,B001,-5\nA,乙,B001,abc\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_corporate_clients(corp)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert {(2, "deposit_balance"), (3, "deposit_balance"), (2, "client_id"), (3, "client_id")} <= found
    held = tmp_path / "holdings.csv"
    held.write_text("客户号,产品代码,类别,金额,起始日,到期日\nC1,,,1000,2026-01-01,2026-11-20\n"
                    "C2,TD1,,1000,2026-12-01,2026-11-20\nC3,,股票,5,,\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_holdings(held)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(3, "start_date"), (4, "category"), (4, "maturity_date")}
    held.write_text("client_id,product_id,category,amount,maturity_date\nC1,,,1000,2026-11-20\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_holdings(held)
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, "product_id")]


def test_templates_read_back_empty_and_the_command_exits_2_on_a_wrong_suffix(tmp_path: Path) -> None:
    runner = CliRunner()
    for kind, load in (("corporate-clients", load_corporate_clients), ("holdings", load_holdings)):
        path = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(app, ["template", kind, str(path)])
        assert result.exit_code == 0, result.output
        assert load(path).empty
    assert runner.invoke(app, ["template", "holdings", str(tmp_path / "h.csv")]).exit_code == 2


def test_fact_find_assets_sum_the_balance_sheet(tmp_path: Path) -> None:
    path = write_fact_find(tmp_path / "ff.xlsx", profile={"client_id": "0010000001", "name": "张三"},
                           balance=[{"type": "liquid", "item": "活期", "amount": 1e5},
                                    {"type": "real", "item": "房产", "amount": 5e6},
                                    {"type": "liability", "item": "房贷", "amount": 1e6}])
    assets = load_fact_find_assets([path])
    assert assets.to_dict("records") == [{"client_id": "0010000001", "liquid": 1e5, "financial": 0.0,
                                          "real": 5e6, "liability": 1e6}]
    assert load_fact_find_assets([]) is None


def test_the_hand_over_carries_the_branch_slice_of_the_practice_tables(tmp_path: Path) -> None:
    clients = pd.DataFrame({"client_id": ["C1", "C2"], "branch_id": ["B001", "B002"]})
    inputs = BranchInputs(
        clients=clients, staff=pd.DataFrame({"staff_id": ["S1"]}), products=None,
        activities=pd.DataFrame({"client_id": pd.Series(dtype=str)}),
        corporate_clients=pd.DataFrame({"client_id": ["K1", "K2"], "branch_id": ["B001", "B002"]}),
        holdings=pd.DataFrame({"client_id": ["C1", "C2"], "amount": [1.0, 2.0]}))
    back = read_inputs(write_inputs(branch_slice(inputs, "B001"), tmp_path / "slice"))
    assert back.corporate_clients["client_id"].tolist() == ["K1"]
    assert back.holdings["client_id"].tolist() == ["C1"] and back.fact_find_assets is None


def test_a_bad_fact_find_is_reported_with_its_sheet_and_row(tmp_path: Path) -> None:
    path = write_fact_find(tmp_path / "ff.xlsx", profile={"client_id": "../x", "name": "张三"},
                           balance=[{"type": "房产", "item": "住房", "amount": 1e6}])
    with pytest.raises(InputError) as exc:
        load_fact_find_assets([path, tmp_path / "missing.xlsx"])
    found = [(p.sheet, p.row, p.column) for p in exc.value.problems]
    # Every problem at once: the balance row, the client id (a path, refused as a proposal refuses
    # it) and the missing second workbook.
    assert found[:2] == [("资产负债", 2, "type"), ("客户信息", 2, "value")] and len(found) == 3
    assert "not found" in exc.value.problems[-1].message
    write_fact_find(path, profile={"client_id": "../x"}, balance=[{"type": "real", "item": "住房", "amount": 1.0}])
    with pytest.raises(InputError) as exc:
        load_fact_find_assets([path])
    assert [(p.sheet, p.column) for p in exc.value.problems] == [("客户信息", "value")]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3", "007"]), st.sampled_from(["B001", "B002"])),
                min_size=1, max_size=8),
       st.lists(st.sampled_from(["C1", "C2", "C3", "C9", "007", "7"]), max_size=10))
def test_branch_slices_take_the_rows_of_the_branchs_clients_as_a_text_match(book: list, held: list) -> None:
    """Coded once for every branch, the practice rows are those whose client id (as text) is one
    of the branch's clients', as matching each branch's set of ids gave."""
    clients = pd.DataFrame(book, columns=["client_id", "branch_id"]).astype("str")
    inputs = BranchInputs(
        clients=clients, staff=pd.DataFrame({"staff_id": ["S1"]}), products=None,
        activities=pd.DataFrame({"client_id": pd.Series(dtype=str)}),
        corporate_clients=pd.DataFrame({"client_id": ["K1", "K2"], "branch_id": ["B001", "B002"]}),
        holdings=pd.DataFrame({"client_id": held, "amount": range(len(held))}, dtype=object),
        fact_find_assets=pd.DataFrame({"client_id": held[::-1]}, dtype=object))
    for branch_id, part in branch_slices(inputs, ["B001", "B002", "B404"]):
        ids = set(clients.loc[clients["branch_id"] == branch_id, "client_id"])
        assert part.holdings["client_id"].tolist() == [c for c in held if c in ids]
        assert part.fact_find_assets["client_id"].tolist() == [c for c in held[::-1] if c in ids]
        assert part.corporate_clients["branch_id"].tolist() == ([branch_id] if branch_id != "B404" else [])
