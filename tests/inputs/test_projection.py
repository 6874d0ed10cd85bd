"""Loading only some columns of the client book (`Table.project`, `load_clients(columns=...)`): the
projected columns are read and checked exactly as a full load checks them; the others not at all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import client_frame, write
from toolkit.base.errors import InputError, Problem
from toolkit.base.schema import CLIENTS
from toolkit.branch.analytics import NETWORK_COLUMNS
from toolkit.inputs import readers, tables
from toolkit.inputs.tables import load_clients

SUFFIXES = [".csv", ".xlsx", ".parquet"]


def _typed_frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for col in [c for c in a.columns if a[c].dtype == "object"]:
        assert [(type(v), v) for v in a[col]] == [(type(v), v) for v in b[col]], col


def _problems(paths: Path | list[Path], columns: tuple[str, ...] | None = None) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_clients(paths, columns=columns)
    return info.value.problems


def test_project_keeps_the_tables_order_and_its_key_only_when_whole():
    projected = CLIENTS.project(["card_level", "client_id", "snapshot_date"])
    assert projected.names == ["snapshot_date", "client_id", "card_level"]
    assert projected.unique_key == ("snapshot_date", "client_id") and projected.whole is CLIENTS
    assert projected.column("card_level") is CLIENTS.column("card_level")
    again = projected.project(["client_id"])
    assert again.names == ["client_id"] and again.unique_key == () and again.whole is CLIENTS
    assert CLIENTS.project(CLIENTS.names) == CLIENTS  # the same columns: the same table
    with pytest.raises(ValueError, match="'nickname'"):
        CLIENTS.project(["client_id", "nickname"])
    with pytest.raises(ValueError, match="'name'"):
        projected.project(["name"])  # not in the projection


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_only_the_projected_columns_come_back_as_a_full_load_types_them(tmp_path: Path, suffix: str):
    path = write(client_frame(), tmp_path / f"clients{suffix}")
    full = load_clients(path)
    book = load_clients(path, columns=NETWORK_COLUMNS)
    assert list(book.columns) == [c for c in CLIENTS.names if c in NETWORK_COLUMNS]
    _typed_frames_equal(book, full[list(book.columns)])
    one = load_clients(path, "0001", columns=NETWORK_COLUMNS)  # one client's rows, projected
    _typed_frames_equal(one, book.loc[book["client_id"] == "0001"].reset_index(drop=True))


def _two_snapshots(tmp_path: Path) -> list[Path]:
    frame = client_frame()
    return [write(frame.iloc[:2], tmp_path / "clients_202610.parquet"),
            write(frame.iloc[2:], tmp_path / "clients_202611.parquet")]


def test_parquet_snapshots_decode_only_the_projected_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    paths = _two_snapshots(tmp_path)
    full = load_clients(paths)
    decoded: list[str] = []
    read_column = readers._read_column
    monkeypatch.setattr(readers, "_read_column", lambda file, name: decoded.append(name) or read_column(file, name))
    together = load_clients(paths, columns=NETWORK_COLUMNS)  # stacked in Arrow
    headers = {c.alias for c in CLIENTS.columns if c.name in NETWORK_COLUMNS}
    assert decoded and set(decoded) == headers & set(client_frame().columns)
    monkeypatch.setattr(tables, "read_parquet_stacked", lambda paths, table=None: None)
    decoded.clear()
    by_file = load_clients(paths, columns=NETWORK_COLUMNS)  # file by file: `_open`, `read_raw`
    assert set(decoded) == headers & set(client_frame().columns)
    _typed_frames_equal(together, by_file)
    _typed_frames_equal(together, full[list(together.columns)])


def _spoilt(frame: pd.DataFrame) -> pd.DataFrame:
    """Bad cells in projected columns (time_deposit, card_level, birth_date) and in others (gender, risk_level)."""
    df = frame.astype(object)
    df.loc[0, "定期存款"] = "-5"
    df.loc[1, "卡等级"] = "黑卡"
    df.loc[2, "出生日期"] = "2027-01-01"  # after its snapshot
    df.loc[0, "性别"] = "X"
    df.loc[2, "风险等级"] = "C9"
    df.loc[1, "客户姓名"] = ""  # required, but not read
    return df


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_problems_of_projected_columns_are_the_full_loads_and_others_are_not_looked_at(tmp_path: Path, suffix: str):
    path = write(_spoilt(client_frame()), tmp_path / f"clients{suffix}")
    full = _problems(path)
    assert {p.column for p in full} >= {"gender", "risk_level", "name"}
    projected = _problems(path, NETWORK_COLUMNS)
    assert projected == [p for p in full if p.column in NETWORK_COLUMNS]
    assert [(p.row, p.column) for p in projected] == [(2, "time_deposit"), (3, "card_level"), (4, "birth_date")]
    assert "later than this row's snapshot_date" in projected[-1].message
    # birth_date without snapshot_date: nothing to compare it with, as a full load without that column
    assert [p.column for p in _problems(path, ("client_id", "birth_date", "time_deposit", "card_level"))] == [
        "time_deposit", "card_level"]
    clean = write(client_frame().assign(**{"性别": "X", "风险等级": "C9", "客户姓名": ""}), tmp_path / f"ok{suffix}")
    assert len(load_clients(clean, columns=NETWORK_COLUMNS)) == 3


def test_problems_in_stacked_snapshots_stay_in_their_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    frame = _spoilt(client_frame())
    paths = [write(frame.iloc[:2], tmp_path / "clients_202610.parquet"),
             write(frame.iloc[2:], tmp_path / "clients_202611.parquet")]
    full = _problems(paths)
    together = _problems(paths, NETWORK_COLUMNS)
    assert together == [p for p in full if p.column in NETWORK_COLUMNS]
    assert [(p.file, p.row, p.column) for p in together] == [
        (str(paths[0]), 2, "time_deposit"), (str(paths[0]), 3, "card_level"), (str(paths[1]), 2, "birth_date")]
    monkeypatch.setattr(tables, "read_parquet_stacked", lambda paths, table=None: None)
    assert _problems(paths, NETWORK_COLUMNS) == together


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_headers_are_checked_for_the_projected_columns(tmp_path: Path, suffix: str):
    no_name = write(client_frame().drop(columns=["客户姓名"]), tmp_path / f"no_name{suffix}")
    assert _problems(no_name) and len(load_clients(no_name, columns=NETWORK_COLUMNS)) == 3
    no_branch = write(client_frame().drop(columns=["机构号"]), tmp_path / f"no_branch{suffix}")
    (problem,) = _problems(no_branch, NETWORK_COLUMNS)
    assert problem == _problems(no_branch)[0] and problem.column == "branch_id" and "机构号" in problem.message
    twice = client_frame().assign(card_level="gold")  # 卡等级 and card_level: one column twice
    path = write(twice, tmp_path / f"twice{suffix}")
    assert _problems(path, NETWORK_COLUMNS) == _problems(path)
    assert "appears twice" in _problems(path, NETWORK_COLUMNS)[0].message
    other_twice = write(client_frame().assign(risk_level="C1"), tmp_path / f"risk_twice{suffix}")
    assert len(load_clients(other_twice, columns=NETWORK_COLUMNS)) == 3  # 风险等级 twice: not read


def test_a_header_maps_as_in_a_full_load(tmp_path: Path):
    """'风险等级 / card_level' is risk_level's header for a full load (its first known word): a projection
    to card_level must not take it for card_level."""
    frame = client_frame().drop(columns=["卡等级"]).rename(columns={"风险等级": "风险等级 / card_level"})
    for suffix in SUFFIXES:
        path = write(frame, tmp_path / f"c{suffix}")
        assert load_clients(path)["risk_level"].tolist() == ["C3", None, "C3"]
        book = load_clients(path, columns=NETWORK_COLUMNS)
        assert book["card_level"].tolist() == ["normal"] * 3, suffix  # absent: the default


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_client_twice_in_a_snapshot_is_still_reported(tmp_path: Path, suffix: str):
    df = client_frame()
    df.loc[1, "客户号"] = "0001"
    path = write(df, tmp_path / f"c{suffix}")
    assert _problems(path, NETWORK_COLUMNS) == _problems(path)
    frame = client_frame()
    across = [write(frame.iloc[:2], tmp_path / f"a{suffix}"), write(frame.iloc[:1], tmp_path / f"b{suffix}")]
    (problem,) = _problems(across, NETWORK_COLUMNS)
    assert problem == _problems(across)[0] and "more than one file" in problem.message
    assert len(load_clients(across, columns=("client_id", "branch_id"))) == 3  # no snapshot date: no key


def test_one_clients_rows_need_the_id_column(tmp_path: Path):
    path = write(client_frame(), tmp_path / "c.parquet")
    with pytest.raises(ValueError, match="client_id"):
        load_clients(path, "0001", columns=("snapshot_date", "branch_id"))
    with pytest.raises(ValueError, match="'nickname'"):
        load_clients(path, columns=("client_id", "nickname"))
