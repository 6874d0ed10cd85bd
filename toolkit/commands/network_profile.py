"""`clientcare profile PARAMS --network`: every branch of the params' client files ranked on 保争挖抢培.

The fast path of the province comparison: of the client book only the columns the comparison reads
(`analytics.NETWORK_COLUMNS`) are read and checked, exactly as a full load checks them (bad input is
still exit 2 with file, row and column); the other columns (names, phones, risk levels, …) are not
read at all, so a bad cell there is not reported here: `clientcare validate` and the monthly batch
check every cell (CONTRACT §1).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.base.schema import IN_SCOPE_TIERS
from toolkit.branch.analytics import NETWORK_COLUMNS, analyse_network, json_value
from toolkit.branch.kpi import KPI_KEYS
from toolkit.branch.ranking import RANK_COLUMNS, network_table
from toolkit.inputs.params import BranchParams
from toolkit.inputs.tables import load_clients

#: The fields of each branch in `network_json`, in this order (those the table holds).
JSON_FIELDS: tuple[str, ...] = (
    "branch_id", "branch_name", *RANK_COLUMNS, "mean_rank", *KPI_KEYS, "client_growth_rate",
    *(f"clients_{t}" for t in IN_SCOPE_TIERS), *(f"aum_{t}" for t in IN_SCOPE_TIERS),
    "base_clients", "current_clients", "base_aum", "current_aum",
)


def network_profile(params: BranchParams) -> pd.DataFrame:
    """Every branch of the params' client files at `params.period` (default: the latest snapshot) against
    its base (`params.compare_to`), ranked as the province comparison ranks them (`ranking.network_table`):
    one row per branch, best first; the params' own branch is named params.branch_name, others by id.
    `attrs`: period and base_period. Of the client book, NETWORK_COLUMNS only (the module's docstring)."""
    clients = load_clients(params.data.clients, columns=NETWORK_COLUMNS)
    # No staff table: the ranking does not use it, and reading a province's staff workbook for a head
    # count took as long as the clients' KPI columns (0.6 s of 6,800 rows).
    net = analyse_network(clients, None, params.period, params.compare_to, params.thresholds,
                          source=", ".join(params.data.clients))
    period, base_period = net.attrs["period"], net.attrs["base_period"]
    net.index = net.index.astype(str)
    table = network_table([], period, {params.branch_id: params.branch_name}, kpis=net)
    table.attrs = {"period": period, "base_period": base_period}
    return table


def network_json(table: pd.DataFrame) -> dict[str, Any]:
    """`network_profile`'s table as `profile --network --json` writes it: period, base_period and one
    object per branch (best first) of plain numbers, null where a figure is unknown."""
    fields = [f for f in JSON_FIELDS if f in table.columns]
    branches = [{f: json_value(row[f]) for f in fields} for row in table[fields].to_dict("records")]
    return {"period": table.attrs.get("period"), "base_period": table.attrs.get("base_period"),
            "branches": branches}
