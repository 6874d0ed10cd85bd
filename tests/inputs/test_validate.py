from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import client_frame, write
from toolkit.commands.cli import app
from toolkit.inputs.validate import detect_kind, validate_paths

runner = CliRunner()


def test_detects_each_table_by_its_headers(clients_csv: Path, staff_xlsx: Path, products_csv: Path):
    assert detect_kind(clients_csv) == "clients"
    assert detect_kind(staff_xlsx) == "staff"
    assert detect_kind(products_csv) == "products"


def test_cli_validate_ok_and_bad(tmp_path: Path, clients_csv: Path):
    ok = runner.invoke(app, ["validate", str(clients_csv)])
    assert ok.exit_code == 0 and "ok" in ok.output
    df = client_frame().astype(object)
    df.loc[1, "活期存款"] = "很多"
    bad = write(df, tmp_path / "bad.csv")
    res = runner.invoke(app, ["validate", str(bad), str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 2
    assert "row 3" in res.output and "'demand_deposit'" in res.output and "很多" in res.output
    assert "missing.xlsx" in res.output and "file not found" in res.output
    assert "Traceback" not in res.output


def test_params_file_checks_the_files_it_names(tmp_path: Path, staff_xlsx: Path):
    df = client_frame().astype(object)
    df.loc[0, "定期存款"] = "-1"
    write(df, tmp_path / "clients.csv")
    params = tmp_path / "b.yaml"
    params.write_text("branch_id: B001\nbranch_name: 测试支行\ndata: {clients: clients.csv, staff: staff.xlsx}\n",
                      encoding="utf-8")
    (kind, problems), = validate_paths([params]).values()
    assert kind == "params" and len(problems) == 1 and problems[0].column == "time_deposit"


def test_usage_errors_exit_2(tmp_path: Path):
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert runner.invoke(app, ["template", "fact-find", str(tmp_path / "x.csv")]).exit_code == 2
    res = runner.invoke(app, ["profile", str(tmp_path / "none.yaml")])
    assert res.exit_code == 2 and "params file not found" in res.output
    (tmp_path / "branches").mkdir()  # the folder given where one of its files was meant
    for command in (["profile"], ["branch"], ["proposal"]):
        res = runner.invoke(app, [*command, str(tmp_path / "branches")])
        assert res.exit_code == 2 and "is a folder; expected a params file" in res.output, command
        assert "not found" not in res.output


def test_unknown_param_key_exit_2(tmp_path: Path, clients_csv: Path, staff_xlsx: Path):
    params = tmp_path / "b.yaml"
    params.write_text("branch_id: B001\nbranch_name: x\ndata: {clients: clients.csv, staff: staff.xlsx}\n"
                      "colour: blue\n", encoding="utf-8")
    res = runner.invoke(app, ["profile", str(params)])
    assert res.exit_code == 2 and "unknown key 'colour'" in res.output and str(params) in res.output


def test_detects_a_gb18030_csv_by_its_chinese_headers(tmp_path: Path):
    path = tmp_path / "c.csv"
    client_frame().to_csv(path, index=False, encoding="gb18030")
    assert detect_kind(path) == "clients"


def test_a_directory_is_reported_as_such_not_as_missing(tmp_path: Path):
    (kind, problems), = validate_paths([tmp_path]).values()
    assert kind == "?" and "is a directory" in problems[0].message


def test_params_file_checks_its_corporate_clients_and_holdings(tmp_path: Path, staff_xlsx: Path):
    write(client_frame(), tmp_path / "clients.csv")
    (tmp_path / "corp.csv").write_text("client_id,name,branch_id,deposit_balance\nA1,甲,B001,abc\n", encoding="utf-8")
    (tmp_path / "held.csv").write_text("客户号,产品代码,类别,金额,到期日\nC1,,,1000,2026-11-20\n", encoding="utf-8")
    params = tmp_path / "b.yaml"
    params.write_text("branch_id: B001\nbranch_name: 测试支行\ndata: {clients: clients.csv, staff: staff.xlsx, "
                      "corporate_clients: corp.csv, holdings: held.csv}\n", encoding="utf-8")
    (kind, problems), = validate_paths([params]).values()
    found = {(Path(p.file).name, p.row, p.column) for p in problems}
    assert kind == "params" and found == {("corp.csv", 2, "deposit_balance"), ("held.csv", 2, "product_id")}
    res = runner.invoke(app, ["validate", str(params)])
    assert res.exit_code == 2 and "corp.csv" in res.output and "held.csv" in res.output
    # The holdings rule (a product or a category on every row) holds for the file validated on its own too.
    (kind, problems), = validate_paths([tmp_path / "held.csv"]).values()
    assert kind == "holdings" and [(p.row, p.column) for p in problems] == [(2, "product_id")]
