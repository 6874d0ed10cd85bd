"""An id is never a path (issue 11 item 1, CONTRACT §1): one rule where ids enter, and every output
path built from them proven to lie under its output root before anything is written or removed."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import client_frame, write
from tests.inputs.test_factfind import workbook
from toolkit.base.errors import InputError
from toolkit.base.ids import MAX_ID_LENGTH, OutsideRootError, check_id, ensure_under, is_id, path_under, shown
from toolkit.commands.cli import app
from toolkit.engine.publish import make_staging, publish_dir
from toolkit.inputs.factfind import load_fact_find

runner = CliRunner()
PERIOD = "2026-11"
HOSTILE = ["..", ".", "../../victim", "B001/../..", "B\0x", "A" * 500, "", " B001", "B001\n", "分行", "ＢＯＯ１"]


# --- the rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["B001", "0010000040", "S001004", "2026-11", "2026-12-01", "a_b-C", "7",
                                   "x" * MAX_ID_LENGTH])
def test_ids_of_the_sample_and_the_contract_pass(value: str):
    assert is_id(value) and check_id(value, "p.yaml", "branch_id") == value


@pytest.mark.parametrize("value", [*HOSTILE, "/abs/path", "x" * (MAX_ID_LENGTH + 1), None, 1001])
def test_anything_else_is_an_input_error_naming_file_key_and_value(value: object):
    assert not is_id(value)
    with pytest.raises(InputError) as info:
        check_id(value, "p.yaml", "branch_id")
    (problem,) = info.value.problems
    assert problem.file == "p.yaml" and "branch_id" in problem.message and shown(value) in problem.message
    assert "letters, digits" in problem.message


def test_a_long_value_is_shown_shortened():
    assert shown("A" * 500) == repr("A" * 40) + "… (500 characters)" and shown("..") == "'..'"


ROOT = Path("/nonexistent-clientcare-root/out")  # resolve() needs no existing folder: nothing touches disk


@given(st.one_of(st.text(max_size=80), st.from_regex(r"[A-Za-z0-9_.-]{1,70}", fullmatch=True)),
       st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True))
def test_whatever_the_rule_accepts_resolves_under_the_root(value: str, period: str):
    if is_id(value):
        path = path_under(ROOT, period, value)
        assert ROOT in path.parents and path == (ROOT / period / value).resolve()
    else:
        with pytest.raises(OutsideRootError):
            path_under(ROOT, period, value)


def test_the_root_itself_outside_paths_and_symlinks_out_are_refused(tmp_path: Path):
    root, outside = tmp_path / "out", tmp_path / "victim"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside)
    for path in (root, root / "..", outside / "x", root / "link" / "x"):
        with pytest.raises(OutsideRootError, match="not inside the output root"):
            ensure_under(root, path)
    with pytest.raises(OutsideRootError):
        path_under(root)
    assert ensure_under(root, root / "a" / "b") == (root / "a" / "b").resolve()


def test_publishing_refuses_a_dest_that_is_the_root_or_outside_it(tmp_path: Path):
    root = tmp_path / "out"
    (root / PERIOD).mkdir(parents=True)
    (root / "KEEP.txt").write_text("keep")
    staging = make_staging(root / PERIOD / "B001", root=root)
    (staging / "a.html").write_text("new")
    for dest in (root, root / PERIOD / ".." / "..", tmp_path / "victim"):
        with pytest.raises(OutsideRootError):
            publish_dir(staging, dest, root=root)
        with pytest.raises(OutsideRootError):
            make_staging(dest, root=root)
    assert (root / "KEEP.txt").read_text() == "keep" and staging.is_dir() and not (tmp_path / "victim").exists()
    publish_dir(staging, root / PERIOD / "B001", root=root)
    assert (root / PERIOD / "B001" / "a.html").read_text() == "new"


def test_render_refuses_a_dest_outside_its_root_before_creating_anything(tmp_path: Path):
    from toolkit.engine.render import render_notebook

    with pytest.raises(OutsideRootError):
        render_notebook(tmp_path / "nb.ipynb", {}, tmp_path / "elsewhere" / "B001", "branch_plan",
                        root=tmp_path / "out")
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "out").exists()


# --- through the command -------------------------------------------------------------------------
def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An output root with a previous plan and a marker file, and a folder beside it that is not its."""
    (tmp_path / "out" / PERIOD / "B001").mkdir(parents=True)
    (tmp_path / "out" / PERIOD / "B001" / "branch_plan.html").write_text("last month's plan")
    (tmp_path / "out" / "KEEP.txt").write_text("marker")
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "keep.txt").write_text("not clientcare's")
    (tmp_path / "in").mkdir()
    return tmp_path


def _branch_params(site: Path, branch_id: str, staff: Path) -> Path:
    """A branch params file whose data holds rows of that very branch: only the id rule stops it."""
    clients = client_frame(chinese=False).assign(branch_id=branch_id)
    write(clients, site / "in" / "clients.parquet")
    path = site / "in" / "branch.yaml"
    path.write_text(yaml.safe_dump({"branch_id": branch_id, "branch_name": "测试支行",
                                    "data": {"clients": "clients.parquet", "staff": str(staff)}},
                                   allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("branch_id", ["..", ".", "/abs", "../../victim", "B\0x", "A" * 500])
def test_branch_with_a_path_for_an_id_exits_2_and_touches_nothing(site: Path, staff_xlsx: Path, branch_id: str):
    branch_id = str(site / "victim") if branch_id == "/abs" else branch_id
    params = _branch_params(site, branch_id, staff_xlsx)
    before = _tree(site)
    res = runner.invoke(app, ["branch", str(params), "--period", PERIOD, "--formats", "html",
                              "--out", str(site / "out")])
    assert res.exit_code == 2, res.output
    assert str(params) in res.output and "'branch_id'" in res.output and shown(branch_id) in res.output
    assert "Internal error" not in res.output
    assert _tree(site) == before and not list(site.glob("*/*staging*"))


@pytest.mark.parametrize("option", [["--period", ".."], ["--period", "2026-11/../x"]])
@pytest.mark.parametrize("command", ["branch", "profile"])
def test_a_period_option_that_is_a_path_exits_2(site: Path, staff_xlsx: Path, command: str, option: list[str]):
    params = _branch_params(site, "B001", staff_xlsx)
    extra = ["--out", str(site / "out")] if command == "branch" else []
    res = runner.invoke(app, [command, str(params), *option, *extra])
    assert res.exit_code == 2 and "--period" in res.output and repr(option[1]) in res.output, res.output


def test_monthly_period_option_that_is_a_path_exits_2(site: Path):
    before = _tree(site)
    res = runner.invoke(app, ["monthly", "--period", "..", "--params-dir", str(site / "in"), "--out", str(site / "out")])
    assert res.exit_code == 2 and "--period" in res.output and "'..'" in res.output, res.output
    assert _tree(site) == before


def _fact_find(path: Path, client_id: str) -> Path:
    workbook(path)
    book = openpyxl.load_workbook(path)
    book["客户信息"]["B2"] = client_id
    book.save(path)
    return path


def test_a_fact_find_whose_client_id_is_a_path_names_sheet_row_and_cell(tmp_path: Path):
    with pytest.raises(InputError) as info:
        load_fact_find(_fact_find(tmp_path / "ff.xlsx", "../../x"))
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("客户信息", 2, "value")
    assert "client_id" in problem.message and "'../../x'" in problem.message


def _client_params(site: Path, products: Path, client_id: str) -> Path:
    path = site / "in" / "client.yaml"
    ff = _fact_find(site / "in" / "ff.xlsx", client_id)
    path.write_text(yaml.safe_dump({"client_id": client_id, "fact_find": str(ff), "as_of": "2026-12-01",
                                    "data": {"products": str(products)}}), encoding="utf-8")
    return path


def test_proposal_with_a_path_for_a_client_id_exits_2_and_writes_nothing(site: Path, products_csv: Path):
    ff = _fact_find(site / "in" / "ff.xlsx", "0001")
    out = site / "out"
    for args in (["--client-id", "../../x"], ["--client-id", "0001", "--as-of", "../x"]):
        res = runner.invoke(app, ["proposal", "--fact-find", str(ff), "--products", str(products_csv), *args,
                                  "--formats", "html", "--out", str(out)])
        assert res.exit_code == 2 and args[-2] in res.output and repr(args[-1]) in res.output, res.output
    params = _client_params(site, products_csv, "../../x")
    before = _tree(site)
    res = runner.invoke(app, ["proposal", str(params), "--formats", "html", "--out", str(out)])
    assert res.exit_code == 2 and "'client_id'" in res.output and "'../../x'" in res.output, res.output
    assert _tree(site) == before and not (site / "x").exists() and not (site / "out" / "clients").exists()


def test_validate_reports_params_whose_ids_are_paths(site: Path, staff_xlsx: Path, products_csv: Path):
    branch = _branch_params(site, "..", staff_xlsx)
    client = _client_params(site, products_csv, "../../x")
    nul = site / "in" / "nul.yaml"
    nul.write_text(branch.read_text(encoding="utf-8").replace("branch_id: ..", 'branch_id: "B\\0x"'),
                   encoding="utf-8")
    res = runner.invoke(app, ["validate", str(branch), str(client), str(nul)])
    assert res.exit_code == 2, res.output
    assert f"{branch} (params): 1 problem(s)" in res.output and "key 'branch_id'" in res.output
    assert f"{client} (params): 1 problem(s)" in res.output and "key 'client_id'" in res.output
    assert f"{nul} (params): 1 problem(s)" in res.output and repr("B\0x") in res.output
    assert os.fspath(site / "in") not in {os.fspath(p) for p in (site / "out").iterdir()}
