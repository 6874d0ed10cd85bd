from __future__ import annotations

import csv
import io as io_module
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import client_frame, write
from toolkit.base.errors import InputError
from toolkit.base.schema import CARD_LEVELS, CLIENTS
from toolkit.inputs import cells, readers, stacked, tables
from toolkit.inputs.tables import load_activities, load_clients, load_products, load_staff, read_table


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


# --- one parse per column, Arrow readers: same frame, same problems as the cell parsers say ----------------
TRICKY = ["", " ", "nan", "None", "NULL", "-", "—", "12", " 12 ", "12.0", " 0012.0 ", "١٢.0", "１２３", "1,234.50",
          "¥1234", "1234元", "1 234", "1\u00a0000", "-5", "1e3", "inf", "abc", "2026-10-31", "20261031", "2026/10/31",
          "2026年10月31日", "2026-10-31 00:00:00", "2026-02-30", "not a date", "金卡", " GOLD ", "黑卡", "C3", "平衡型",
          "男", "f", "x\ny", "\u3000张三\u3000", "0.032", "3.2%"]
cell_values = st.one_of(st.sampled_from(TRICKY), st.none(), st.text(alphabet="0123456789.,- 元年月日/abcNn", max_size=6))


def _typed_frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same columns, dtypes and values; object cell_values compared by value and type (None is not NaN)."""
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for col in [c for c in a.columns if a[c].dtype == "object"]:
        assert [(type(v), v) for v in a[col]] == [(type(v), v) for v in b[col]], col


def test_same_table_from_csv_xlsx_parquet_and_typed_parquet_is_the_same_frame(tmp_path: Path):
    df = client_frame().astype(object)
    df.loc[1, "活期存款"] = "1,234.50"
    df.loc[0, "手机号"] = " 13812345678 "
    typed = client_frame().assign(数据日期=lambda d: pd.to_datetime(d["数据日期"]).astype("datetime64[ns]"),
                                  出生日期=lambda d: pd.to_datetime(d["出生日期"]).astype("datetime64[ns]"),
                                  活期存款=[1_500_000.0, 1_234.5, 1_800_000.0])
    typed.loc[0, "手机号"] = " 13812345678 "
    frames = [read_table(write(df, tmp_path / f"c{suffix}"), "clients") for suffix in (".csv", ".xlsx", ".parquet")]
    typed.to_parquet(tmp_path / "typed.parquet", index=False)
    frames.append(read_table(tmp_path / "typed.parquet", "clients"))
    assert all(problems == [] for _, problems in frames)
    first = frames[0][0]
    assert first["snapshot_date"].dtype == "datetime64[ns]" and first["demand_deposit"].dtype == "float64"
    assert first.loc[1, "demand_deposit"] == 1_234.5 and first.loc[0, "phone"] == "13812345678"
    for other, _ in frames[1:]:
        _typed_frames_equal(first, other)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(cell_values, min_size=0, max_size=25), arrow_backed=st.booleans(), whole=st.booleans())
def test_a_parsed_column_agrees_with_the_cell_parsers(values: list, arrow_backed: bool, whole: bool):
    """Parsing distinct values (or the whole column in Arrow) gives what each parser gives cell by cell."""
    raw = pd.Series(values, dtype="str" if arrow_backed else object)
    with pytest.MonkeyPatch.context() as mp:
        if whole:
            mp.setattr(cells, "WHOLE_COLUMN_ROWS", 0)
            mp.setattr(cells, "WHOLE_COLUMN_DISTINCT", 0.0)
        parsed = cells.ParsedColumn(raw)
        assert (parsed.blank == cells.blank(raw).to_numpy()).all()
        pd.testing.assert_series_equal(parsed.number, cells.parse_number(raw), check_exact=True)
        pd.testing.assert_series_equal(parsed.date, cells.parse_date(raw), check_exact=True)
        assert (parsed.known_word(CARD_LEVELS) == cells.parse_enum(raw, CARD_LEVELS).notna()).all()
        assert [(type(v), v) for v in parsed.text] == [(type(v), v) for v in cells.parse_text(raw)]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(cell_values, st.integers(-5, 10**6), st.floats(allow_nan=True, allow_infinity=False)),
                       max_size=20))
def test_cell_parsers_skip_regexes_only_where_they_cannot_match(values: list):
    """The fast paths of parse_number / parse_text / parse_date equal running every regex on every cell."""
    raw = pd.Series(values, dtype=object)
    text = raw.astype("string")
    everywhere = pd.to_numeric(text.str.replace(re.compile(r"[,\s，¥￥元]"), "", regex=True), errors="coerce")
    everywhere = everywhere.astype("float64").where(lambda n: n.abs() < cells.MAX_NUMBER)  # 'inf', '1e30': no number
    pd.testing.assert_series_equal(cells.parse_number(raw), everywhere, check_exact=True)
    stripped = text.str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    expected = stripped.where(~cells.blank(raw), pd.NA).astype(object).where(lambda x: x.notna(), None)
    assert [(type(v), v) for v in cells.parse_text(raw)] == [(type(v), v) for v in expected]
    dates = text.str.strip().str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    dates = dates.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    dates = dates.str.replace(r"\s+00:00:00$", "", regex=True)
    expected_dates = pd.to_datetime(dates, errors="coerce", format="mixed", yearfirst=True)
    years = expected_dates.dt.year
    expected_dates = expected_dates.where((years >= cells.MIN_YEAR) & (years <= cells.MAX_YEAR))  # '01' is no date
    expected_dates = expected_dates.dt.normalize().astype("datetime64[ns]")
    pd.testing.assert_series_equal(cells.parse_date(raw), expected_dates, check_exact=True)


CSV_TEXTS = [
    '\ufeff客户号,客户姓名\n"0001","张三"\n0002,李四\n',
    'a,b\r\n1,"x, y"\r\n2,"line\nbreak"\r\n',
    'a,b\n1,"say ""hi"""\n\n2, spaced \n',
    'a,b\n1,2\n3\n',  # a short row: pandas pads it, Arrow refuses; pandas reads it
    'a,a\n1,2\n',  # duplicate headers: pandas renames the second
    ',b\n1,2\n',  # an unnamed column
    '\ufeff\ufeffa,b\n1,2\n',  # two byte-order marks
    'a,b\n"1\x00",2\n',
    'only_header\n',
    'a\n \nx\n',  # a line of spaces: pandas skips it
    'a,b\n1,2\n\t \n3,4\n',
    'a,b\n\r,#\n',  # a bare CR ends a line, as pandas reads it
    'a,b\na"b,"c\n',  # a quote opened and never closed (with an even number of quotes): pandas refuses
    'a,b\n"x\n',
    'a,b\n"x""",y\n"""",z\n',
    '',
]


def _same_as_pandas(path: Path) -> None:
    """The loader's CSV cell_values equal pandas' text reading, or both refuse the file with the same error."""
    try:
        expected = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - then the loader must fail the same way
        with pytest.raises(type(exc), match=re.escape(str(exc))):
            readers._read_csv(path)
        return
    pd.testing.assert_frame_equal(readers._read_csv(path), expected, check_exact=True)


@pytest.mark.parametrize("text", CSV_TEXTS)
def test_csv_cells_are_what_pandas_reads(tmp_path: Path, text: str):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    _same_as_pandas(path)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet='ab 1,"\n\r\t元', max_size=5), min_size=2, max_size=2),
                     min_size=1, max_size=6),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]), bom=st.booleans())
def test_any_written_csv_reads_as_pandas_reads_it(tmp_path_factory: pytest.TempPathFactory, rows: list,
                                                   quoting: int, bom: bool):
    buffer = io_module.StringIO()
    csv.writer(buffer, quoting=quoting).writerows([["客户号", "值"], *rows])
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    _same_as_pandas(path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])  # parquet: stacked in Arrow as they are read
def test_monthly_files_are_checked_together_and_problems_stay_in_their_file(tmp_path: Path, suffix: str):
    df = client_frame()
    october, november = df.iloc[:2].copy(), df.iloc[2:].copy()
    paths = [write(october, tmp_path / f"clients_202610{suffix}"), write(november, tmp_path / f"clients_202611{suffix}")]
    book = load_clients(paths)
    by_file = pd.concat([read_table(p, "clients")[0] for p in paths], ignore_index=True)
    _typed_frames_equal(book, by_file)
    october = october.astype(object)
    november = november.astype(object)
    october.loc[1, "定期存款"] = "-5"
    november.loc[2, "数据日期"] = "soon"
    november.loc[2, "卡等级"] = "黑卡"
    write(october, paths[0])
    write(november, paths[1])
    with pytest.raises(InputError) as info:
        load_clients(paths)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        (str(paths[0]), 3, "time_deposit"), (str(paths[1]), 2, "snapshot_date"), (str(paths[1]), 2, "card_level")]


@pytest.mark.parametrize("dictionaries", [False, True])  # True: text stored as a dictionary read as one
def test_parquet_snapshots_stacked_in_arrow_are_the_book_read_file_by_file(tmp_path: Path, dictionaries: bool,
                                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(stacked, "DICTIONARY_SHARE", 1.0 if dictionaries else 0.0)
    frame = pd.DataFrame({"数据日期": ["2026-10-31"] * 4 + ["2026-11-30"] * 3, "客户号": list("1234123"),
                          "客户姓名": "张三", "机构号": "B001", "个贷余额": [1.0, None, 3.0, 4.0, 5.0, 6.0, None],
                          "卡等级": ["gold", None, "金卡", "normal", "黑卡", "gold", "-"]})
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]

    def both() -> tuple[object, object]:
        frame.iloc[:4].to_parquet(paths[0], index=False, row_group_size=3)
        frame.iloc[4:].to_parquet(paths[1], index=False, row_group_size=2)
        cells, _ = stacked.read_parquet_stacked(paths)
        assert (cells["卡等级"].dtype == "category") is dictionaries
        outcomes = []
        for by_file in (False, True):
            with monkeypatch.context() as patch:
                if by_file:
                    patch.setattr(tables, "read_parquet_stacked", lambda paths, table=None: None)
                try:
                    outcomes.append(load_clients(paths))
                except InputError as exc:
                    outcomes.append(exc.problems)
        return outcomes[0], outcomes[1]

    together, by_file = both()
    assert together == by_file
    assert [(p.file, p.row, p.column, p.message) for p in together] == [
        (str(paths[1]), 2, "card_level", f"expected {CLIENTS.column('card_level').describe()} (found '黑卡')")]
    frame.loc[4, "卡等级"] = "白金卡"
    together, by_file = both()
    _typed_frames_equal(together, by_file)


def test_dictionary_columns_are_chosen_from_the_first_rows_of_a_large_row_group(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch):
    """A file written as one row group is sampled on its first rows, not decoded whole: a column of
    few values is read as a dictionary; one of many values is not, even when its first rows repeat
    one value (the batch carries the row group's whole dictionary page)."""
    monkeypatch.setattr(stacked, "DICTIONARY_SAMPLE_ROWS", 100)
    rows = 1000
    frame = pd.DataFrame({"few": [f"B{i % 5}" for i in range(rows)], "many": [f"C{i:04d}" for i in range(rows)],
                          "late": ["x"] * 100 + [f"y{i}" for i in range(rows - 100)]})
    path = tmp_path / "one_group.parquet"
    frame.to_parquet(path, index=False, row_group_size=rows)
    with pq.ParquetFile(path) as file:
        assert file.metadata.num_row_groups == 1
        assert stacked._dictionary_columns([path], [file]) == ["few"]


def test_a_snapshot_split_over_two_files_is_one_book_unless_clients_repeat(tmp_path: Path):
    df = client_frame()
    first = write(df.iloc[[0]], tmp_path / "a.csv")
    second = write(df.iloc[[1]], tmp_path / "b.parquet")  # same snapshot, other client: fine
    assert list(load_clients([first, second])["client_id"]) == ["0001", "0002"]
    again = write(df.iloc[[0]], tmp_path / "c.csv")
    with pytest.raises(InputError, match="1 client rows appear in more than one file"):
        load_clients([first, again])


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_repeated_ids_in_a_large_column_are_found_whatever_the_row_order(tmp_path: Path, order: str,
                                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cells, "WHOLE_COLUMN_ROWS", 0)  # the whole-column path of a million-row snapshot
    ids = [f"{i:04d}" for i in range(1, 40)]
    if order == "shuffled":
        ids = ids[::7] + [i for i in ids if i not in ids[::7]]
    frame = pd.DataFrame({"数据日期": "2026-10-31", "客户号": ids, "客户姓名": "张三", "机构号": "B001"})
    assert load_clients(write(frame, tmp_path / "ok.csv"))["client_id"].tolist() == ids
    frame.loc[30, "客户号"] = f" {ids[3]}.0 "  # the same id once stripped and its Excel '.0' dropped
    with pytest.raises(InputError) as info:
        load_clients(write(frame, tmp_path / "dup.csv"))
    assert [(p.row, p.column) for p in info.value.problems] == [(5, "client_id"), (32, "client_id")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_empty_required_cell_and_impossible_dates_are_reported_in_every_format(tmp_path: Path, suffix: str):
    df = client_frame().astype(object)
    df.loc[1, "客户号"] = None
    df.loc[0, "出生日期"] = "01"  # year 1: a typing mistake, not a crash
    df.loc[2, "出生日期"] = "-5"
    path = write(df, tmp_path / f"c{suffix}")
    with pytest.raises(InputError) as info:
        load_clients(path)
    found = {(p.row, p.column): p.message for p in info.value.problems}
    assert found[(3, "client_id")] == "a value is required here (the cell is empty)"
    assert "expected a date" in found[(2, "birth_date")] and "expected a date" in found[(4, "birth_date")]


def test_infinite_or_huge_counts_are_reported_once_not_a_crash(tmp_path: Path):
    df = pd.DataFrame({"员工号": ["S1", "S2", "S3"], "姓名": ["甲", "乙", "丙"], "机构号": ["B1"] * 3,
                       "岗位": ["柜员"] * 3, "月拜访上限": ["inf", "1e30", "2.5"]})
    df.to_csv(tmp_path / "s.csv", index=False)
    _, problems = read_table(tmp_path / "s.csv", "staff")
    assert [(p.row, p.column) for p in problems] == [(2, "max_visits_per_month"), (3, "max_visits_per_month"),
                                                      (4, "max_visits_per_month")]


# --- one client's rows (a proposal): the same rows, checks and messages as a full load -----------------
def _clients_of(book: pd.DataFrame, client_id: str) -> pd.DataFrame:
    return book.loc[book["client_id"].astype(str) == client_id].reset_index(drop=True)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_one_clients_rows_are_the_full_loads_rows_of_that_client(tmp_path: Path, suffix: str):
    df = client_frame().astype(object)
    df.loc[3] = df.loc[1]
    df.loc[3, "客户号"], df.loc[3, "数据日期"] = " 0002 ", "2026-11-30"  # padded: still client 0002
    df.loc[4] = df.loc[1]
    df.loc[4, "客户号"], df.loc[4, "数据日期"] = "00020", "2026-12-31"  # contains '0002' but is another id
    df.loc[5] = df.loc[1]
    df.loc[5, "客户号"], df.loc[5, "数据日期"] = "2", "2026-12-31"  # leading zeros make ids differ
    paths = [write(df.iloc[:3], tmp_path / f"a{suffix}"), write(df.iloc[3:], tmp_path / f"b{suffix}")]
    book = load_clients(paths)
    for client_id in ("0001", "0002", "00020", "2", "0003"):
        one = load_clients(paths, client_id=client_id)
        _typed_frames_equal(one, _clients_of(book, client_id))
    assert len(load_clients(paths, client_id="0002")) == 2 and load_clients(paths, client_id="0003").empty


@pytest.mark.parametrize("stored", ["int64", "float64", "category"])
def test_one_client_from_a_parquet_file_with_typed_ids(tmp_path: Path, stored: str):
    ids = [" 1", "20.0", "1"] if stored == "category" else [1, 20, 1]
    df = client_frame().assign(客户号=pd.Series(ids, dtype=stored))
    path = tmp_path / "c.parquet"
    df.to_parquet(path)  # with pandas' index metadata, as pandas writes it by default
    book = load_clients(path)
    assert list(book["client_id"]) == ["1", "20", "1"]
    for client_id in ("1", "20", "2", "0001", "1.0"):
        _typed_frames_equal(load_clients(path, client_id=client_id), _clients_of(book, client_id))
    assert len(load_clients(path, client_id="1")) == 2 and load_clients(path, client_id="0001").empty


def test_one_client_from_parquet_row_groups_and_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Rows are found by position across row groups and read batches, wherever they lie."""
    monkeypatch.setattr(readers, "PARQUET_BATCH_ROWS", 3)
    ids = [f"{i % 7:04d}" for i in range(40)]
    frame = pd.DataFrame({"数据日期": [f"2026-{1 + i // 7:02d}-28" for i in range(40)], "客户号": ids,
                          "客户姓名": [f"客户{i}" for i in range(40)], "机构号": "B001",
                          "活期存款": [str(i * 100) for i in range(40)]})
    path = tmp_path / "c.parquet"
    frame.to_parquet(path, index=False, row_group_size=6)
    book = load_clients(path)
    for client_id in sorted(set(ids)):
        _typed_frames_equal(load_clients(path, client_id=client_id), _clients_of(book, client_id))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_bad_cell_of_the_client_is_reported_at_its_row_in_the_file(tmp_path: Path, suffix: str):
    df = client_frame().astype(object)
    df.loc[2, "卡等级"] = "黑卡"  # client 0001, third data row: row 4 of the file
    df.loc[2, "活期存款"] = "-5"
    path = write(df, tmp_path / f"c{suffix}")
    with pytest.raises(InputError) as full:
        load_clients(path)
    with pytest.raises(InputError) as one:
        load_clients(path, client_id="0001")
    assert one.value.problems == full.value.problems  # same file, sheet, row, column and message
    assert [(p.row, p.column) for p in one.value.problems] == [(4, "demand_deposit"), (4, "card_level")]


def test_problems_in_the_second_monthly_file_keep_that_files_rows(tmp_path: Path):
    df = client_frame().astype(object)
    november = pd.concat([df.iloc[[1]], df.iloc[[2]]], ignore_index=True)
    november.loc[1, "定期存款"] = "abc"
    paths = [write(df.iloc[:2], tmp_path / "clients_202610.csv"), write(november, tmp_path / "clients_202611.csv")]
    with pytest.raises(InputError) as info:
        load_clients(paths, client_id="0001")
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [(str(paths[1]), 3, "time_deposit")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_bad_cell_of_another_client_does_not_stop_the_load(tmp_path: Path, suffix: str):
    df = client_frame().astype(object)
    df.loc[1, "活期存款"] = "abc"  # client 0002
    df.loc[1, "数据日期"] = "soon"
    path = write(df, tmp_path / f"c{suffix}")
    with pytest.raises(InputError):
        load_clients(path)  # `clientcare validate` and a branch plan still refuse the file
    one = load_clients(path, client_id="0001")
    assert list(one["demand_deposit"]) == [1_500_000.0, 1_800_000.0]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_header_problems_are_reported_when_loading_one_client(tmp_path: Path, suffix: str):
    for dropped, column in (("客户姓名", "name"), ("客户号", "client_id")):
        path = write(client_frame().drop(columns=[dropped]), tmp_path / f"{column}{suffix}")
        with pytest.raises(InputError) as info:
            load_clients(path, client_id="0001")
        (p,) = info.value.problems
        assert p.column == column and "is missing" in p.message and p.file == str(path)
    twice = client_frame().assign(client_id=client_frame()["客户号"])
    with pytest.raises(InputError, match="'client_id' appears twice"):
        load_clients(write(twice, tmp_path / f"twice{suffix}"), client_id="0001")
    with pytest.raises(InputError, match="not found"):
        load_clients(tmp_path / f"nope{suffix}", client_id="0001")


def test_the_clients_repeated_snapshot_is_still_a_duplicate(tmp_path: Path):
    df = client_frame()
    df.loc[2, "数据日期"] = "2026-10-31"  # client 0001 twice in October
    path = write(df, tmp_path / "c.parquet")
    with pytest.raises(InputError) as info:
        load_clients(path, client_id="0001")
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "client_id"), (4, "client_id")]
    assert "duplicate snapshot_date + client_id ('0001')" in info.value.problems[0].message


def test_one_clients_activities(tmp_path: Path):
    acts = pd.DataFrame({"日期": ["2026-10-02", "someday", "2026-10-05", "2026-10-09"],
                         "员工号": ["S01", "S01", "S02", ""], "客户号": ["0001", "0002", " 0001", "0001"],
                         "类型": ["拜访", "拜访", "电话", "短信"]})
    path = write(acts, tmp_path / "a.csv")
    with pytest.raises(InputError) as info:
        load_activities(path, client_id="0001")
    assert [(p.row, p.column) for p in info.value.problems] == [(5, "staff_id")]  # not client 0002's date
    acts.loc[3, "员工号"] = "S03"
    one = load_activities(write(acts, path), client_id="0001")
    assert list(one["kind"]) == ["visit", "call", "sms"] and set(one["client_id"]) == {"0001"}
    assert load_activities(path, client_id="0009").empty


@settings(max_examples=300, deadline=None)
@given(body=st.lists(st.sampled_from(['"', '"', ",", "\n", "\r\n", "\r", "a", " ", "\t"]), max_size=40).map(
    lambda parts: "".join(parts).encode()), window=st.integers(1, 8))
def test_csv_checks_skipping_work_agree_with_the_whole_text_checks(body: bytes, window: int):
    """The quote check from the end of the text and the line check's shortcut decide as the full scans."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers, "QUOTE_WINDOW", window)
        tail = readers._quote_open_at_end(body) if b'"' in body else False
    assert tail == (readers._quote_verdict(body, 0) or False)
    assert readers._pandas_only_lines(body) == (readers._PANDAS_ONLY_CSV.search(body) is not None)


# --- GB18030 (GBK) exports: transcoded, then read as UTF-8 is -----------------------------------------------
GB_TEXTS = [text for text in CSV_TEXTS if text.replace("\ufeff", "") and not text.isascii()] + [
    "客户号,客户姓名,区域\n0001,张三丰,东区\n0002,\"李,四\",\n",
    '客户号,备注\r\n0001,"第一行\n第二行"\r\n0002, 有空格 \r\n',
    "客户号,客户姓名\n0001,张三\n 　\n",  # a line of blanks and an ideographic space
]


@pytest.mark.parametrize("text", GB_TEXTS)
def test_a_gb18030_csv_has_the_cells_pandas_reads_in_gb18030(tmp_path: Path, text: str):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("gb18030"))
    expected = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    expected.columns = [c.lstrip("\ufeff") for c in expected.columns]  # GB18030's byte-order mark
    pd.testing.assert_frame_equal(readers._read_csv(path), expected, check_exact=True)


def test_a_utf8_file_is_never_decoded_as_gb18030(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """UTF-8 text that GB18030 would also decode (into other characters) stays UTF-8."""
    path = tmp_path / "t.csv"
    path.write_bytes("客户号,客户姓名\n0001,张三\n".encode())
    monkeypatch.setattr(readers, "_gb18030_as_utf8", lambda *a: pytest.fail("transcoded a UTF-8 file"))
    assert readers._read_csv(path).to_dict("list") == {"客户号": ["0001"], "客户姓名": ["张三"]}
    assert readers.csv_headers(path) == ["客户号", "客户姓名"]
