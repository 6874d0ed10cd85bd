from pathlib import Path

import pytest

from toolkit.base.errors import ParamsError
from toolkit.inputs.params import load_branch_params, load_client_params

FULL = """\
branch_id: B001
branch_name: 瓯海支行
period: 2026-11
data:
  clients: [clients/clients_*.csv]
  staff: staff.xlsx
  products: products.xlsx
  activities: activities.csv
compare_to: quarter_start
thresholds:
  private_wealth: 6000000
  wealth: 500000
visits:
  cadence_months: {private_wealth: 1, wealth: 3, potential_a: 6}
  max_per_day: 3
forum:
  window: [2026-12-01, 2026-12-20]
  capacity: 60
  expected_attendance_rate: 0.8
  budget_per_guest: 800
  fixed_cost: 5000
  preferred_weekdays: [sat, fri]
salons: [{theme: funds, capacity: 20, window: [2026-12-01, 2026-12-31]}]
greetings:
  gift_tiers: [private_wealth, wealth]
extra_holidays: []
extra_workdays: []
language: zh
mask_pii: true
"""


def _write(folder: Path, text: str) -> Path:
    (folder / "clients").mkdir(exist_ok=True)
    for m in ("202610", "202611"):
        (folder / "clients" / f"clients_{m}.csv").write_text("x")
    path = folder / "b.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_contract_example_parses_and_paths_resolve_against_the_file(tmp_path: Path):
    p = load_branch_params(_write(tmp_path, FULL))
    assert p.period == "2026-11" and p.compare_to == "quarter_start"
    assert [Path(c).name for c in p.data.clients] == ["clients_202610.csv", "clients_202611.csv"]
    assert Path(p.data.staff) == (tmp_path / "staff.xlsx").resolve()
    assert p.thresholds.private_wealth == 6_000_000 and p.thresholds.potential_a == 100_000
    assert p.forum is not None and p.forum.capacity == 60 and p.salons[0].theme == "funds"


def test_unknown_keys_are_named_with_the_file(tmp_path: Path):
    text = FULL.replace("mask_pii: true", "mask_pi: true").replace("max_per_day: 3", "max_per_dya: 3")
    path = _write(tmp_path, text)
    with pytest.raises(ParamsError) as info:
        load_branch_params(path)
    msgs = [p.message for p in info.value.problems]
    assert any("'mask_pi'" in m for m in msgs) and any("'visits.max_per_dya'" in m for m in msgs)
    assert all(p.file == str(path) for p in info.value.problems)


def test_bad_values_missing_keys_and_bad_yaml(tmp_path: Path):
    path = _write(tmp_path, FULL.replace("compare_to: quarter_start", "compare_to: last_week")
                  .replace("branch_name: 瓯海支行\n", ""))
    with pytest.raises(ParamsError) as info:
        load_branch_params(path)
    msgs = " ".join(p.message for p in info.value.problems)
    assert "compare_to" in msgs and "'branch_name' is missing" in msgs
    bad = tmp_path / "bad.yaml"
    bad.write_text("branch_id: [B001\n")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_branch_params(bad)
    with pytest.raises(ParamsError, match="not found"):
        load_branch_params(tmp_path / "none.yaml")


def test_glob_matching_nothing_and_inverted_thresholds(tmp_path: Path):
    path = _write(tmp_path, FULL.replace("clients/clients_*.csv", "nothing/*.csv"))
    with pytest.raises(ParamsError, match="matches no file"):
        load_branch_params(path)
    path = _write(tmp_path, FULL.replace("wealth: 500000", "wealth: 9000000"))
    with pytest.raises(ParamsError, match="private_wealth ≥ wealth"):
        load_branch_params(path)


def test_client_params(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_text("client_id: '0001'\ndata: {clients: book.csv, products: p.xlsx}\nfact_find: ff/0001.xlsx\n"
                    "as_of: 2026-12-01\nlanguage: en\n")
    p = load_client_params(path)
    assert p.client_id == "0001" and p.language == "en" and str(p.as_of) == "2026-12-01"
    assert Path(p.fact_find) == (tmp_path / "ff" / "0001.xlsx").resolve()


@pytest.mark.parametrize(("written", "expected"), [("010", "010"), ("001", "001"), ("7", "7"), ('"007"', "007")])
def test_an_unquoted_id_with_leading_zeros_keeps_them(tmp_path: Path, written: str, expected: str):
    """YAML 1.1 reads 010 as the octal number 8 and 001 as 1; a branch id keeps its digits."""
    text = FULL.replace("branch_id: B001", f"branch_id: {written}").replace("max_per_day: 3", "max_per_day: 03")
    p = load_branch_params(_write(tmp_path, text))
    assert p.branch_id == expected
    assert p.visits.max_per_day == 3  # a setting written with a leading zero is still its number


@pytest.mark.parametrize(("key", "value"), [("branch_id", ".."), ("branch_id", "/abs/path"), ("branch_id", "B 001"),
                                            ("branch_id", "x" * 65), ("period", ".."), ("period", "2026-11/../x"),
                                            ("period", "2026-11\n"), ("period", "２０２６-１１")])
def test_an_id_that_could_be_a_path_is_a_problem_naming_file_key_and_value(tmp_path: Path, key: str, value: str):
    """Ids name output folders (CONTRACT §1): one rule, checked here, whatever the value's YAML spelling."""
    import yaml

    text = FULL.replace("branch_id: B001", f"branch_id: {yaml.safe_dump(value if key == 'branch_id' else 'B001')}")
    text = text.replace("period: 2026-11", f"period: {yaml.safe_dump(value if key == 'period' else '2026-11')}")
    path = _write(tmp_path, text.replace("\n...\n", "\n"))
    with pytest.raises(ParamsError) as info:
        load_branch_params(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and f"key {key!r}" in problem.message and "never a path" in problem.message
    with pytest.raises(ParamsError, match="key 'period'"):
        load_branch_params(_write(tmp_path, FULL), {"period": "../2026-11"})  # a command-line override too


@pytest.mark.parametrize("client_id", ["../../x", "0001/..", "", "客户0001"])
def test_a_client_id_that_could_be_a_path_is_a_problem(tmp_path: Path, client_id: str):
    path = tmp_path / "c.yaml"
    path.write_text(f"client_id: {client_id!r}\ndata: {{products: p.xlsx}}\nfact_find: ff.xlsx\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="key 'client_id': expected an id"):
        load_client_params(path)


def test_a_period_comes_back_in_its_one_spelling(tmp_path: Path):
    assert load_branch_params(_write(tmp_path, FULL), {"period": "2026-03"}).period == "2026-03"
    with pytest.raises(ParamsError, match="not a month"):
        load_branch_params(_write(tmp_path, FULL), {"period": "2026-3"})
