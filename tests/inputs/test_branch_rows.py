"""One branch's rows of a shared export (toolkit.inputs.branch_rows, toolkit.inputs.selection): the same
rows, typed the same, as the whole load cut by `branch_slice`; every check on those rows, none on others."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.base.errors import InputError
from toolkit.base.schema import CLIENTS
from toolkit.inputs import selection
from toolkit.inputs.books import BranchInputs, branch_slice
from toolkit.inputs.branch_rows import load_branch_clients, load_client_activities
from toolkit.inputs.tables import load_activities, load_clients
from toolkit.sample.tables import write_parquet_by_branch

BRANCHES = ("B1", "B2", "B3", "B10")


def _month(day: str, moved: bool) -> pd.DataFrame:
    """10 clients per branch; client 0107 moves from B2 to B3 in the second month; ids kept as text."""
    rows = []
    for k, branch in enumerate(BRANCHES):
        for j in range(10):
            cid = f"{k:02d}{j:02d}"
            here = "B3" if moved and cid == "0107" else branch
            rows.append({"数据日期": day, "客户号": cid, "客户姓名": f"客户{cid}", "机构号": here,
                         "活期存款": str(1000 * (j + 1)), "定期存款": "" if j % 3 else "50000",
                         "风险等级": "C3" if j % 2 else "", "卡等级": "金卡" if j == 9 else ""})
    return pd.DataFrame(rows)


def _export(folder: Path, suffix: str, by_branch: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    first, second = _month("2026-10-31", False), _month("2026-11-30", True)
    first.loc[3, "客户号"] = " 0003 "  # typed '0003': still that client's row
    second.loc[12, "机构号"] = "B2 "  # typed 'B2'
    paths = []
    for name, frame in (("clients_202610", first), ("clients_202611", second)):
        path = folder / f"{name}{suffix}"
        if suffix == ".csv":
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame.to_excel(path, index=False)
        elif by_branch:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            write_parquet_by_branch(table, path, table.column("机构号"))
        else:
            frame.to_parquet(path, index=False)
        paths.append(path)
    return paths


def _activities(path: Path) -> Path:
    ids = [f"{k:02d}{j:02d}" for k in range(len(BRANCHES)) for j in range(10)]
    frame = pd.DataFrame({"日期": "2026-11-02", "员工号": "S1", "客户号": ids, "类型": "电话", "备注": "回访"})
    frame.to_csv(path, index=False, encoding="utf-8-sig") if path.suffix == ".csv" else frame.to_parquet(path)
    return path


def _sliced(paths: list[Path], acts: Path, branch: str) -> BranchInputs:
    full = BranchInputs(clients=load_clients(paths), staff=pd.DataFrame(), products=None,
                        activities=load_activities(acts))
    return branch_slice(full, branch)


@pytest.fixture(params=["stream", "whole"])
def csv_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """CSV read by the streaming reader (in tiny blocks) or whole: both must give the same rows."""
    if request.param == "stream":
        monkeypatch.setattr(selection, "STREAM_BYTES", 0)
        monkeypatch.setattr(selection, "CHUNK_BYTES", 64)
    return request.param


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", "by-branch.parquet"])
def test_a_branchs_rows_are_the_whole_loads_slice(tmp_path: Path, suffix: str, csv_mode: str):
    if csv_mode == "stream" and suffix != ".csv":
        pytest.skip("streaming is for CSV only")
    by_branch = suffix.startswith("by-branch")
    paths = _export(tmp_path, suffix.removeprefix("by-branch"), by_branch)
    acts = _activities(tmp_path / ("acts.parquet" if by_branch else "acts.csv"))
    for branch in BRANCHES:
        expected = _sliced(paths, acts, branch)
        book = load_branch_clients(paths, branch)
        pd.testing.assert_frame_equal(book, expected.clients, check_exact=True)
        activities = load_client_activities(acts, set(book["client_id"]))
        pd.testing.assert_frame_equal(activities, expected.activities, check_exact=True)
    moved = load_branch_clients(paths, "B2")
    assert ("0107", "B3") in set(zip(moved["client_id"], moved["branch_id"], strict=True))  # followed out
    assert "0003" in set(load_branch_clients(paths, "B1")["client_id"])
    assert not set(load_branch_clients(paths, "B1")["client_id"]) & set(load_branch_clients(paths, "B10")["client_id"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_bad_cells_in_the_rows_used_are_reported_others_are_not(tmp_path: Path, suffix: str, csv_mode: str):
    if csv_mode == "stream" and suffix != ".csv":
        pytest.skip("streaming is for CSV only")
    first, second = _month("2026-10-31", False), _month("2026-11-30", True)
    second.loc[2, "活期存款"] = "abc"  # B1's own row: file row 4
    second.loc[17, "定期存款"] = "-5"  # client 0107, moved from B2 to B3: file row 19
    second.loc[35, "数据日期"] = "not a date"  # a B10 row: file row 37
    paths = []
    for name, frame in (("a", first), ("b", second)):
        path = tmp_path / f"{name}{suffix}"
        if suffix == ".csv":
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame.to_excel(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        paths.append(path)
    def found(branch: str) -> list[tuple[str, int | None, str | None]]:
        with pytest.raises(InputError) as info:
            load_branch_clients(paths, branch)
        return [(p.file, p.row, p.column) for p in info.value.problems]

    assert found("B1") == [(str(paths[1]), 4, "demand_deposit")]  # not rows 19 and 37: not B1's
    assert found("B2") == found("B3") == [(str(paths[1]), 19, "time_deposit")]  # followed, and B3's own
    assert found("B10") == [(str(paths[1]), 37, "snapshot_date")]
    with pytest.raises(InputError) as info:
        load_clients(paths)  # the whole load (validate, the batch) sees every bad cell
    assert len(info.value.problems) == 3


def test_every_file_is_still_checked_as_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    paths = _export(tmp_path / "x", ".parquet")
    broken = tmp_path / "clients_202609.csv"
    _month("2026-09-30", False).drop(columns=["客户姓名"]).to_csv(broken, index=False)
    with pytest.raises(InputError, match="required column 'name'"):
        load_branch_clients([broken, *paths], "B1")
    with pytest.raises(InputError, match="file not found"):
        load_branch_clients([tmp_path / "nope.parquet", *paths], "B1")
    monkeypatch.setenv("CLIENTCARE_MAX_ROWS", "39")
    with pytest.raises(InputError, match="over the limit of 39 rows"):
        load_branch_clients(paths, "B1")
    monkeypatch.delenv("CLIENTCARE_MAX_ROWS")
    with pytest.raises(InputError, match="no client row has branch_id B9"):
        load_branch_clients(paths, "B9")


def test_activities_of_other_clients_are_not_checked(tmp_path: Path):
    acts = _activities(tmp_path / "acts.csv")
    frame = pd.read_csv(acts, dtype=str)
    frame.loc[0, "类型"] = "拜年"  # client 0000's activity
    frame.to_csv(acts, index=False)
    assert len(load_client_activities(acts, {"0101", "0102"})) == 2
    with pytest.raises(InputError, match="expected one of"):
        load_client_activities(acts, {"0000"})


def test_a_csv_the_streaming_reader_would_misread_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(selection, "STREAM_BYTES", 0)
    frame = _month("2026-11-30", False)
    text = frame.to_csv(index=False)
    bare_cr = tmp_path / "cr.csv"
    bare_cr.write_bytes(text.replace("\n", "\r").encode("utf-8"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gb18030"))
    quoted = tmp_path / "q.csv"
    quoted.write_bytes(text.replace("客户0001", '"客户0001, 二"').encode("utf-8"))
    for path in (bare_cr, gbk, quoted):
        pd.testing.assert_frame_equal(load_branch_clients(path, "B1"),
                                      branch_slice(BranchInputs(load_clients(path), pd.DataFrame(), None,
                                                                load_activities(None)), "B1").clients)
    assert isinstance(selection.open_source(quoted, CLIENTS), selection.CsvSource)
    assert not isinstance(selection.open_source(gbk, CLIENTS), selection.CsvSource)


def test_row_group_statistics_skip_only_groups_that_cannot_hold_the_id(tmp_path: Path):
    frame = pd.DataFrame({"branch_id": ["B1", "B1", "B2", "B3", " B3", "B30"], "n": np.arange(6)})
    path = tmp_path / "t.parquet"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, table.schema) as writer:
        for a, b in ((0, 2), (2, 3), (3, 4), (4, 5), (5, 6)):
            writer.write_table(table.slice(a, b - a))
    meta = pq.ParquetFile(path).metadata
    holds = [selection._may_hold(meta.row_group(g), "branch_id", ["B3"], {"B3"}) for g in range(5)]
    assert holds == [False, False, True, True, True]  # ' B3' (group 4) could type as B3; 'B30' starts with it
    numeric = tmp_path / "n.parquet"
    pq.write_table(pa.table({"branch_id": [101, 102]}), numeric)
    group = pq.ParquetFile(numeric).metadata.row_group(0)
    assert selection._may_hold(group, "branch_id", ["101"], {"101"})
    assert not selection._may_hold(group, "branch_id", ["B1", "205"], {"B1", "205"})


def test_ids_in_types_ids_as_the_loader_does():
    cells = pd.Series([" 0001", "0001.0", "1", "0001 ", None, "nan", "00010", 7.0], dtype=object)
    assert selection.ids_in(cells, {"0001"}).tolist() == [True, True, False, True, False, False, False, False]
    assert selection.ids_in(pd.Series([1.0, 2.0, None]), {"1"}).tolist() == [True, False, False]
    assert selection.ids_in(pd.Series(["nan", "-", "x"]), {"nan", "-"}).tolist() == [False, False, False]
    arrow = pa.chunked_array([pa.array(["12.0", " 12", "x12"]).dictionary_encode()])
    assert selection.ids_in(arrow, {"12"}).tolist() == [True, True, False]
    assert selection.typed_ids(arrow, np.array([0, 2])) == {"12", "x12"}


def test_profile_of_one_branch_equals_the_whole_books_and_fails_only_on_its_rows(tmp_path: Path):
    """End to end: `clientcare profile` reads one branch's rows; a bad cell in another branch's row
    does not stop it, one in its own row exits 2 with file, row and column."""
    from typer.testing import CliRunner

    from toolkit.branch.plan import build_branch_plan
    from toolkit.commands.cli import app
    from toolkit.inputs.books import load_branch_inputs
    from toolkit.inputs.params import load_branch_params
    from toolkit.report.summary import branch_summary

    runner = CliRunner()
    out = tmp_path / "bank"
    res = runner.invoke(app, ["sample", "--out", str(out), "--branches", "2", "--clients-per-branch", "40",
                              "--months", "2", "--format", "parquet", "--end-period", "2026-10"])
    assert res.exit_code == 0, res.output
    params = {b: out / "params" / "branches" / f"{b}.yaml" for b in ("B001", "B002")}
    for branch, path in params.items():
        res = runner.invoke(app, ["profile", str(path), "--period", "2026-10", "--json", "-"])
        assert res.exit_code == 0, res.output
        bp = load_branch_params(path, {"period": "2026-10"})
        # What the batch and the rendered plan compute from: the whole book cut to the branch. (The
        # whole book uncut would give B002 the network's last forum: forum_status reads every activity.)
        sliced = branch_summary(build_branch_plan(bp, branch_slice(load_branch_inputs(bp), branch)))
        assert branch_summary(build_branch_plan(bp, load_branch_inputs(bp, branch_only=True))) == sliced
        assert json.loads(res.stdout) == json.loads(json.dumps(sliced, ensure_ascii=False))
    fifo = tmp_path / "summary.fifo"  # --json to a fifo (or /dev/null): written into, never replaced
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    res = runner.invoke(app, ["profile", str(params["B002"]), "--period", "2026-10", "--json", str(fifo)])
    reader.join(30)
    assert res.exit_code == 0 and stat.S_ISFIFO(fifo.stat().st_mode) and json.loads(got[0])["branch_id"] == "B002"
    snapshot = sorted((out / "clients").glob("*.parquet"))[-1]
    table = pq.read_table(snapshot)
    frame = table.to_pandas()
    row = int(np.flatnonzero(frame["branch_id"] == "B002")[0])
    names = frame["name"].astype(object)
    names.iloc[row] = " "  # a required cell left blank in a B002 row
    frame["name"] = names
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), snapshot)
    assert runner.invoke(app, ["profile", str(params["B001"]), "--period", "2026-10", "--json", "-"]).exit_code == 0
    res = runner.invoke(app, ["profile", str(params["B002"]), "--period", "2026-10", "--json", "-"])
    assert res.exit_code == 2 and snapshot.name in res.output and f"row {row + 2}" in res.output
    assert "a value is required" in res.output
