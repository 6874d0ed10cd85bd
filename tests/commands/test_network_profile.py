"""`clientcare profile PARAMS --network`: the whole network ranked, from the client columns it reads."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit.branch.analytics import analyse_network
from toolkit.branch.ranking import RANK_COLUMNS
from toolkit.commands.cli import app
from toolkit.commands.network_profile import network_json, network_profile
from toolkit.inputs.params import load_branch_params
from toolkit.inputs.tables import load_clients

runner = CliRunner()
PERIOD = "2026-10"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("net") / "data"
    res = runner.invoke(app, ["sample", "--out", str(out), "--branches", "3", "--clients-per-branch", "150",
                              "--months", "2", "--seed", "4", "--end-period", PERIOD, "--format", "parquet"])
    assert res.exit_code == 0, res.output
    return out


def _params(sample: Path) -> Path:
    return sample / "params" / "branches" / "B002.yaml"


def test_the_network_ranked_equals_the_full_books_analysis(sample: Path):
    params = load_branch_params(_params(sample))
    ranked = network_profile(params)
    assert ranked.attrs == {"period": PERIOD, "base_period": "2026-09"}
    assert ranked["overall_rank"].is_monotonic_increasing and sorted(ranked["branch_id"]) == ["B001", "B002", "B003"]
    names = dict(zip(ranked["branch_id"], ranked["branch_name"], strict=True))
    assert names == {"B001": "B001", "B002": params.branch_name, "B003": "B003"}
    full = analyse_network(load_clients(params.data.clients), None, PERIOD)
    full.index = full.index.astype(str)
    mine = ranked.set_index("branch_id")[list(full.columns)].loc[full.index]
    pd.testing.assert_frame_equal(mine, full, check_names=False)


def test_json_is_plain_and_the_table_shows_every_branch(sample: Path, tmp_path: Path):
    res = runner.invoke(app, ["profile", str(_params(sample)), "--network", "--json", "-"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert (data["period"], data["base_period"]) == (PERIOD, "2026-09")
    assert data == network_json(network_profile(load_branch_params(_params(sample))))
    first = data["branches"][0]
    assert list(first)[:3] == ["branch_id", "branch_name", "overall_rank"]
    assert {*RANK_COLUMNS, "churn_rate", "net_growth", "aum_growth", "clients_wealth", "aum_private_wealth",
            "current_clients", "current_aum"} <= set(first)
    assert "staff" not in first  # the staff workbook is not read
    assert all(v is None or isinstance(v, (str, int, float)) and not (isinstance(v, float) and math.isnan(v))
               for b in data["branches"] for v in b.values())
    target = tmp_path / "network.json"
    written = runner.invoke(app, ["profile", str(_params(sample)), "--network", "--json", str(target)])
    assert written.exit_code == 0 and json.loads(target.read_text(encoding="utf-8")) == data
    no_base = runner.invoke(app, ["profile", str(_params(sample)), "--network", "--period", "2026-09", "--json", "-"])
    assert no_base.exit_code == 0 and json.loads(no_base.output)["branches"][0]["churn_rate"] is None
    table = runner.invoke(app, ["profile", str(_params(sample)), "--network", "--period", PERIOD])
    assert table.exit_code == 0, table.output
    assert all(b in table.output for b in ("B001", "B002", "B003")) and "保·流失率" in table.output


def _spoil(path: Path, row: int, column: str, value: str) -> None:
    frame = pd.read_parquet(path)
    frame[column] = frame[column].astype(str)  # amounts as text: an export of text cells
    frame.loc[row, column] = value
    frame.to_parquet(path, index=False)


def test_bad_cells_in_the_columns_read_exit_2_and_others_are_not_read(sample: Path, tmp_path: Path):
    params = _params(sample)
    spoilt = tmp_path / "clients"
    spoilt.mkdir()
    files = sorted((sample / "clients").glob("clients_*.parquet"))
    for f in files:
        (spoilt / f.name).write_bytes(f.read_bytes())
    copy = tmp_path / "params.yaml"
    copy.write_text(params.read_text(encoding="utf-8").replace(
        "../../clients/", f"{spoilt}/").replace("../../", f"{sample}/"), encoding="utf-8")
    _spoil(spoilt / files[-1].name, 4, "risk_level", "C9")  # not columns the network reads
    _spoil(spoilt / files[-1].name, 5, "gender", "X")
    res = runner.invoke(app, ["profile", str(copy), "--network", "--json", "-"])
    assert res.exit_code == 0, res.output  # the documented fast path: risk levels are not read
    assert runner.invoke(app, ["validate", str(spoilt / files[-1].name)]).exit_code == 2  # a full check sees it
    _spoil(spoilt / files[-1].name, 7, "demand_deposit", "abc")
    res = runner.invoke(app, ["profile", str(copy), "--network"])
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert f"{spoilt / files[-1].name}, row 9, column 'demand_deposit'" in text and "(found 'abc')" in text
    assert "risk_level" not in text
