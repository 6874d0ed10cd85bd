"""Issue 11 (items 5–7, inputs): GB18030 exports, a cap on listed problems, a row limit, files that
are not regular files, exactly repeated headers and birth dates after the snapshot."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import client_frame, write
from toolkit.base import errors
from toolkit.base.errors import InputError, Omitted
from toolkit.commands.cli import app
from toolkit.inputs import readers
from toolkit.inputs.factfind import load_fact_find
from toolkit.inputs.tables import load_clients, load_staff, read_table

runner = CliRunner()


@pytest.fixture(autouse=True)
def _never_hang() -> Iterator[None]:
    """A fifo opened by mistake would block for ever: fail the test instead."""
    def stop(*_: object) -> None:
        raise TimeoutError("an input check blocked (was a fifo opened?)")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# --- 5. GB18030 / GBK CSV exports -----------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_csv_loads_exactly_as_its_utf8_copy(tmp_path: Path, encoding: str):
    df = client_frame()  # Chinese headers, names, card and risk words
    utf8 = tmp_path / "utf8.csv"
    df.to_csv(utf8, index=False, encoding="utf-8")
    chinese = tmp_path / "gb.csv"
    df.to_csv(chinese, index=False, encoding=encoding)
    with pytest.raises(UnicodeDecodeError):
        chinese.read_bytes().decode("utf-8")  # really another encoding
    expected = load_clients(utf8)
    pd.testing.assert_frame_equal(load_clients(chinese), expected, check_exact=True)
    assert expected.loc[0, "name"] == "张三丰" and expected.loc[0, "card_level"] == "gold"
    frame, problems = read_table(chinese, "clients")
    assert problems == []
    pd.testing.assert_frame_equal(frame, read_table(utf8, "clients")[0], check_exact=True)
    one = load_clients(chinese, client_id="0001")  # the proposal's one-client path
    pd.testing.assert_frame_equal(one, load_clients(utf8, client_id="0001"), check_exact=True)


def test_validate_reads_a_gb18030_csv(tmp_path: Path):
    path = tmp_path / "clients.csv"
    client_frame().to_csv(path, index=False, encoding="gb18030")
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "(clients): ok" in res.output


def test_an_undecodable_csv_exits_2_naming_the_encodings_tried(tmp_path: Path):
    path = tmp_path / "clients.csv"
    path.write_bytes("客户号,客户姓名\n0001,".encode() + b"\xff\xfe\x80\n")
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    assert str(path) in res.output and "UTF-8" in res.output and "GB18030" in res.output
    assert "Traceback" not in res.output
    with pytest.raises(InputError, match="neither UTF-8 .* nor GB18030") as info:
        load_clients(path)
    assert info.value.problems[0].file == str(path)


# --- 6. limits: a cap on listed problems, a row limit ------------------------------------------------
def _bad_clients(tmp_path: Path, rows: int) -> Path:
    df = pd.concat([client_frame().iloc[[1]]] * rows, ignore_index=True)
    df["客户号"] = [f"{i:07d}" for i in range(rows)]
    df["活期存款"] = "abc"
    df["出生日期"] = "x"
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


def test_beyond_the_cap_problems_are_counted_per_column_and_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(errors, "MAX_LISTED", 5)
    path = _bad_clients(tmp_path, 1000)
    with pytest.raises(InputError) as info:
        load_clients(path)
    listed = [p for p in info.value.problems if not isinstance(p, Omitted)]
    assert [(p.row, p.column) for p in listed] == [(2, "birth_date"), (2, "demand_deposit"), (3, "birth_date"),
                                                   (3, "demand_deposit"), (4, "birth_date")]
    counts = {(p.column, p.message): p.count for p in info.value.problems if isinstance(p, Omitted)}
    assert counts == {("birth_date", "expected a date like 2026-11-30"): 997,
                      ("demand_deposit", "expected an amount ≥ 0 in yuan"): 998}
    lines = info.value.report().splitlines()
    assert lines[0] == "2,000 problems found in the input:"
    assert len(lines) == 1 + 5 + 1 + 2
    assert lines[6] == "  … and 1,995 more of the same kinds:"
    assert f"{path}, column 'demand_deposit': 998 × expected an amount ≥ 0 in yuan" in lines[8]


def test_the_cap_holds_across_files_and_for_repeated_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(errors, "MAX_LISTED", 3)
    df = pd.concat([client_frame().iloc[[0]]] * 50, ignore_index=True)  # one client 50 times
    first, second = write(df, tmp_path / "a.csv"), write(df, tmp_path / "b.csv")
    with pytest.raises(InputError) as info:
        load_clients([first, second])
    report = info.value.report()
    assert report.startswith("100 problems found")
    assert len(report.splitlines()) == 1 + 3 + 1 + 2
    assert "… and 97 more of the same kinds:" in report
    assert f"{first}, column 'client_id': 47 × duplicate snapshot_date + client_id; each must appear once" in report
    assert f"{second}, column 'client_id': 50 × duplicate" in report


def test_validate_lists_the_cap_then_the_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(errors, "MAX_LISTED", 4)
    path = _bad_clients(tmp_path, 300)
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    assert "600 problem(s)" in res.output and "… and 596 more of the same kinds:" in res.output
    assert len(res.output.splitlines()) == 1 + 4 + 1 + 2


def test_200k_bad_rows_give_a_short_report(tmp_path: Path):
    rows = 200_000
    df = pd.DataFrame({"数据日期": "2026-11-30", "客户号": [f"{i:07d}" for i in range(rows)], "客户姓名": "张三",
                       "机构号": "B001", "活期存款": "abc"})
    path = tmp_path / "big.csv"
    df.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        load_clients(path)
    assert len(info.value.problems) == errors.MAX_LISTED + 1  # listed, then one count
    report = info.value.report()
    assert report.startswith("200,000 problems") and len(report.splitlines()) == 1 + errors.MAX_LISTED + 2
    assert "199,800 × expected an amount ≥ 0 in yuan" in report


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_table_over_the_row_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str):
    path = write(client_frame(), tmp_path / f"clients{suffix}")  # 3 rows
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    assert len(load_clients(path)) == 3
    monkeypatch.setattr(readers, "MAX_ROWS", 2)
    with pytest.raises(InputError) as info:
        load_clients(path)
    (p,) = info.value.problems
    assert p.file == str(path)
    assert "3 rows, over the limit of 2 rows per table" in p.message and "CLIENTCARE_MAX_ROWS" in p.message
    with pytest.raises(InputError, match="over the limit of 2 rows"):
        load_clients(path, client_id="0002")


def test_an_xlsx_over_the_limit_is_refused_by_its_dimension_before_its_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = write(client_frame(), tmp_path / "clients.xlsx")
    monkeypatch.setattr(readers, "MAX_ROWS", 2)

    def no_cells(*args: object, **kwargs: object) -> None:
        raise AssertionError("cells parsed")
    monkeypatch.setattr(readers.pd, "read_excel", no_cells)
    with pytest.raises(InputError, match="3 rows, over the limit"):
        load_clients(path)


def test_the_row_limit_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = write(client_frame(), tmp_path / "clients.csv")
    monkeypatch.setenv("CLIENTCARE_MAX_ROWS", "2")
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2 and "3 rows, over the limit of 2 rows per table" in res.output
    monkeypatch.setenv("CLIENTCARE_MAX_ROWS", "many")
    with pytest.raises(InputError, match="CLIENTCARE_MAX_ROWS.*whole number"):
        load_clients(path)


# --- 7. not a regular file, repeated headers, birth dates after the snapshot --------------------------
def _special(tmp_path: Path, kind: str) -> tuple[Path, str]:
    path = tmp_path / f"{kind}.xlsx"
    if kind == "directory":
        path.mkdir()
        return path, "is a directory"
    if kind == "fifo":
        os.mkfifo(path)
        return path, "is not a regular file"
    path.symlink_to(path.name)  # points at itself
    return path, "symbolic link loop"


@pytest.mark.parametrize("kind", ["directory", "fifo", "loop"])
def test_a_directory_fifo_or_link_loop_exits_2_with_a_precise_message(tmp_path: Path, kind: str):
    path, words = _special(tmp_path, kind)
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2 and words in res.output and "not found" not in res.output
    for load in (load_clients, load_staff, load_fact_find):
        with pytest.raises(InputError) as info:
            load(path)
        (p,) = info.value.problems
        assert p.file == str(path) and words in p.message


@pytest.mark.parametrize("kind", ["directory", "fifo", "loop"])
def test_a_params_file_naming_a_special_file_exits_2(tmp_path: Path, kind: str, staff_xlsx: Path):
    path, words = _special(tmp_path, kind)
    params = tmp_path / "b.yaml"
    params.write_text(f"branch_id: B001\nbranch_name: x\ndata: {{clients: {path.name}, staff: staff.xlsx}}\n",
                      encoding="utf-8")
    res = runner.invoke(app, ["profile", str(params)])
    assert res.exit_code == 2 and words in res.output and "Internal error" not in res.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_exactly_repeated_header_is_refused(tmp_path: Path, suffix: str):
    df = client_frame()
    df.insert(2, "客户号 ", df["客户号"])  # placeholder, renamed below to the same text
    df.columns = [c.strip() for c in df.columns]
    path = write(df, tmp_path / f"clients{suffix}")
    with pytest.raises(InputError) as info:
        load_clients(path)
    (p,) = info.value.problems
    assert p.file == str(path) and p.column == "客户号" and "appears 2 times" in p.message
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2 and "'客户号' appears 2 times" in res.output


def test_an_exactly_repeated_gb18030_csv_header_is_refused(tmp_path: Path):
    path = tmp_path / "c.csv"
    path.write_bytes("客户号,数据日期,客户姓名,机构号,客户姓名\n0001,2026-11-30,张三,B1,张三\n".encode("gb18030"))
    with pytest.raises(InputError, match="'客户姓名' appears 2 times"):
        load_clients(path)


def test_a_repeated_unknown_header_stays_ignored(tmp_path: Path):
    df = client_frame().assign(备注="a", 备注2="b").rename(columns={"备注2": "备注"})
    assert len(load_clients(write(df, tmp_path / "c.csv"))) == 3
    assert len(load_clients(write(df, tmp_path / "c.xlsx"))) == 3


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_birth_date_after_the_snapshot_is_refused_at_its_row(tmp_path: Path, suffix: str):
    df = client_frame()
    df.loc[2, "出生日期"] = "2026-12-01"  # the 2026-11-30 snapshot's row
    df.loc[0, "出生日期"] = "2026-10-31"  # born on the snapshot date: fine
    path = write(df, tmp_path / f"c{suffix}")
    with pytest.raises(InputError) as info:
        load_clients(path)
    (p,) = info.value.problems
    assert (p.file, p.row, p.column) == (str(path), 4, "birth_date")
    assert "later than this row's snapshot_date" in p.message and "2026-12-01" in p.message
