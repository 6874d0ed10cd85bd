"""Branch and network analytics: periods, the §7 summary by hand, and branch == network row."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from tests.conftest import canonical_clients
from toolkit.base.errors import InputError
from toolkit.base.notices import Notice
from toolkit.base.schema import IN_SCOPE_TIERS
from toolkit.branch.analytics import (
    NETWORK_COLUMNS,
    analyse_branch,
    analyse_network,
    resolve_periods,
    snapshots,
)
from toolkit.branch.kpi import KPI_KEYS
from toolkit.report.text import say_notice


def said(summary: dict, language: str = "zh") -> dict:
    """The summary with its warnings (notices: the rules hold no words) said as the report says them."""
    assert all(isinstance(w, Notice) for w in summary["warnings"])
    return {**summary, "warnings": [say_notice(w, language) for w in summary["warnings"]]}


def frame(rows: list[dict]) -> pd.DataFrame:
    return canonical_clients(rows, name="钱七", phone="13812345678", gender="F")


SEP, OCT, NOV = "2026-09-30", "2026-10-31", "2026-11-30"
CLIENTS = frame([
    {"snapshot_date": SEP, "client_id": "a", "branch_id": "B1", "funds": 250_000.0, "maintainer_id": "F1"},
    {"snapshot_date": OCT, "client_id": "a", "branch_id": "B1", "funds": 300_000.0, "maintainer_id": "F1"},
    {"snapshot_date": OCT, "client_id": "e", "branch_id": "B1", "funds": 500_000.0, "maintainer_id": "F1"},
    {"snapshot_date": OCT, "client_id": "b", "branch_id": "B1", "funds": 150_000.0, "maintainer_id": "L1",
     "birth_date": None},
    {"snapshot_date": OCT, "client_id": "z", "branch_id": "B2", "card_level": "gold"},
    {"snapshot_date": NOV, "client_id": "a", "branch_id": "B1", "funds": 2_500_000.0, "maintainer_id": "F1"},
    {"snapshot_date": NOV, "client_id": "b", "branch_id": "B1", "funds": 90_000.0, "maintainer_id": "L1",
     "birth_date": None},
    {"snapshot_date": NOV, "client_id": "i", "branch_id": "B1", "funds": 185_000.0, "risk_level": None},
    {"snapshot_date": NOV, "client_id": "z", "branch_id": "B2", "card_level": "gold", "funds": 20_000.0},
    {"snapshot_date": NOV, "client_id": "n", "branch_id": "B3", "funds": 80_000.0},
])
STAFF = pd.DataFrame({"staff_id": ["F1", "L1", "D1", "W1", "Y1"], "name": ["甲", "乙", "丙", "丁", "戊"],
                      "branch_id": ["B1", "B1", "B1", "B1", "B2"],
                      "role": ["financial_advisor", "lobby_manager", "branch_director", "wealth_manager", "teller"]})


def test_snapshots_and_periods():
    assert snapshots(CLIENTS) == [dt.date(2026, 9, 30), dt.date(2026, 10, 31), dt.date(2026, 11, 30)]
    assert resolve_periods(CLIENTS, None) == ("2026-11", "2026-10", dt.date(2026, 11, 30), dt.date(2026, 10, 31))
    assert resolve_periods(CLIENTS, "2026-11", "quarter_start")[1::2] == ("2026-09", dt.date(2026, 9, 30))
    assert resolve_periods(CLIENTS, "2026-11", "year_start") == ("2026-11", None, dt.date(2026, 11, 30), None)
    assert resolve_periods(CLIENTS, "2026-09")[1] is None


@pytest.mark.parametrize("period", ["2026-12", "2026-13", "Nov"])
def test_a_period_without_a_snapshot_is_bad_input(period):
    with pytest.raises(InputError) as err:
        resolve_periods(CLIENTS, period)
    assert err.value.problems[0].file == "clients"


def test_branch_summary_by_hand():
    result = analyse_branch(CLIENTS, STAFF, "B1")
    summary = said(result.summary())
    assert list(summary) == ["branch_id", "period", "base_period", "tiers", "kpi", "watch", "visits", "forum",
                             "warnings"]
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary  # plain JSON types only
    assert (summary["branch_id"], summary["period"], summary["base_period"]) == ("B1", "2026-11", "2026-10")
    assert summary["tiers"] == {"basic": {"clients": 0, "aum": 0.0}, "potential_b": {"clients": 1, "aum": 90_000.0},
                                "potential_a": {"clients": 1, "aum": 185_000.0}, "wealth": {"clients": 0, "aum": 0.0},
                                "private_wealth": {"clients": 1, "aum": 2_500_000.0}}
    kpi = summary["kpi"]
    assert list(kpi) == list(KPI_KEYS)
    # E_B = a e b (950,000), E_C = a b i (2,775,000): e churned, a up, b down, i new.
    assert kpi["churn_rate"] == pytest.approx(1 / 3) and kpi["upgrade_rate"] == pytest.approx(1 / 3)
    assert kpi["downgrade_rate"] == pytest.approx(1 / 3)
    assert (kpi["product_coverage_rate"], kpi["products_per_client"]) == (0.0, 1.0)
    assert (kpi["new_clients"], kpi["net_growth"]) == (1, 0)
    assert isinstance(kpi["new_clients"], int)
    assert kpi["aum_growth"] == pytest.approx(1_825_000 / 950_000)
    assert kpi["top20_aum_share"] == pytest.approx(2_500_000 / 2_775_000)
    assert summary["watch"] == {"outflow": ["e"], "upgrade_candidates": ["i", "b"]}
    assert (summary["visits"], summary["forum"]) == (None, None)
    assert summary["warnings"] == ["1 位维护对象缺少出生日期（按60岁以下计）", "1 位维护对象未做风险评估"]


def test_branch_frames_and_assignment():
    result = analyse_branch(CLIENTS, STAFF, "B1")
    got = result.current.set_index("client_id")
    assert got.at["i", "maintainer_id"] == "D1" and got.at["i", "maintainer_source"] == "assigned"
    assert set(result.base["client_id"]) == {"a", "e", "b"}
    assert int(result.migration.at["wealth", "gone"]) == 1
    assert result.staff_kpis.loc["F1", "base_clients"] == 2 and list(result.staff_kpis.index) == ["F1", "L1", "D1",
                                                                                                    "W1"]
    assert result.kpi["base_aum"] == 950_000.0 and result.tiers.at["private_wealth", "current_clients"] == 1


def test_branch_kpis_equal_the_network_row():
    network = analyse_network(CLIENTS, STAFF)
    assert list(network.index) == ["B1", "B2", "B3"]
    for branch in ("B1", "B2", "B3"):
        one = analyse_branch(CLIENTS, STAFF, branch).kpi
        row = {k: (None if pd.isna(v) else v) for k, v in network.loc[branch, list(one)].items()}
        assert row == one, branch
    assert network.loc["B1", ["clients_potential_b", "clients_potential_a", "clients_private_wealth"]].tolist() == \
        [1, 1, 1]
    assert network.at["B1", "aum_private_wealth"] == 2_500_000.0
    assert network["staff"].tolist() == [4, 1, 0]
    assert list(network.columns[-11:-1]) == [f"{kind}_{t}" for kind in ("clients", "aum") for t in IN_SCOPE_TIERS]
    assert network.attrs["base_period"] == "2026-10"



def test_the_network_reads_only_its_columns(tmp_path):
    """NETWORK_COLUMNS is all analyse_network reads: a book of those columns alone gives the same table,
    by hand and for a sample bank loaded with `load_clients(columns=NETWORK_COLUMNS)`."""
    from toolkit.inputs.params import load_branch_params
    from toolkit.inputs.tables import load_clients, load_staff
    from toolkit.sample.generate import write_sample

    pd.testing.assert_frame_equal(analyse_network(CLIENTS[list(NETWORK_COLUMNS)], STAFF),
                                  analyse_network(CLIENTS, STAFF), check_exact=True)
    write_sample(tmp_path / "data", params_dir=tmp_path / "params", branches=3, clients_per_branch=150,
                 months=2, seed=5, end_period="2026-10", fmt="parquet")
    params = load_branch_params(tmp_path / "params" / "branches" / "B001.yaml")
    staff = load_staff(params.data.staff)
    projected = load_clients(params.data.clients, columns=NETWORK_COLUMNS)
    assert sorted(projected.columns) == sorted(NETWORK_COLUMNS)
    full = analyse_network(load_clients(params.data.clients), staff)
    ours = analyse_network(projected, staff)
    pd.testing.assert_frame_equal(ours, full, check_exact=True)
    assert ours.attrs == full.attrs and len(ours) == 3


def test_missing_base_snapshot_nulls_the_comparison_and_warns():
    result = analyse_branch(CLIENTS, STAFF, "B1", compare_to="year_start")
    summary = said(result.summary())
    assert summary["base_period"] is None and result.migration is None and result.outflows.empty
    assert all(summary["kpi"][k] is None for k in ("churn_rate", "upgrade_rate", "new_clients", "aum_growth"))
    assert summary["kpi"]["products_per_client"] == 1.0
    assert summary["warnings"][0] == "没有基期 2025-12 的客户快照（对比口径 year_start），对比类指标为空"
    assert result.warnings[0] == Notice("analytics.no_base", {"bp": "2025-12", "cmp": "year_start"})
    en = said(result.summary(), "en")
    assert en["warnings"][0].startswith("No client snapshot for the base period 2025-12")
    assert en["warnings"][1] == "1 maintained clients have no birth date (counted as under 60)"


def test_a_branch_new_since_the_base_has_null_rates():
    summary = said(analyse_branch(CLIENTS, STAFF, "B3").summary())
    assert summary["kpi"]["churn_rate"] is None and summary["kpi"]["new_clients"] == 1
    assert summary["warnings"][0] == "基期 2026-10 本机构没有客户记录，对比类比率为空"


def test_unknown_branch_or_period_is_bad_input():
    with pytest.raises(InputError) as err:
        analyse_branch(CLIENTS, STAFF, "B9")
    problem = err.value.problems[0]
    assert problem.file == "clients" and "B9" in problem.message and "2026-11" in problem.message
    with pytest.raises(InputError):
        analyse_branch(CLIENTS, STAFF, "B1", period="2027-01")
    with pytest.raises(InputError):
        analyse_network(CLIENTS.iloc[:0], STAFF)
