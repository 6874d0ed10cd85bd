"""The province branch's comparison (网点对比): every branch ranked on the five KPIs 保争挖抢培.

Branches differ in size, so growth is compared as rates: 抢 uses net growth over the base count
(the `rank_measure` of `kpi.FIVE`). Each KPI gives a rank (1 = best); the overall rank orders
branches by their mean rank. Column headers are words: toolkit.report.network_sections.headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from toolkit.base.periods import CompareTo
from toolkit.branch import kpi
from toolkit.branch.analytics import analyse_network
from toolkit.inputs.books import BranchInputs
from toolkit.inputs.params import BranchParams

#: The five KPIs as ranked: (measure compared, 保争挖抢培 character, higher is better), read from
#: the one table `kpi.FIVE`.
FIVE: tuple[tuple[str, str, bool], ...] = tuple((k.rank_measure, k.char, k.higher_is_better) for k in kpi.FIVE)


def rank_rows(table: pd.DataFrame, within: str | None = None) -> pd.DataFrame:
    """Add client_growth_rate, one rank per KPI (1 = best, missing values last) and the overall rank
    (by mean rank), over all rows or within each group of the column `within` (a staff role)."""
    out = table.copy()
    base = out["base_clients"].astype("float64")
    out["client_growth_rate"] = (out["net_growth"].astype("float64") / base).where(base > 0)
    groups = [out[within].astype("str")] if within else [pd.Series(0, index=out.index)]
    ranks = []
    for key, _, higher in FIVE:
        col = f"rank_{key}"
        out[col] = out[key].astype("float64").groupby(groups).rank(
            ascending=not higher, method="min", na_option="bottom")
        ranks.append(col)
    out["mean_rank"] = out[ranks].mean(axis=1)
    out["overall_rank"] = out["mean_rank"].groupby(groups).rank(method="min").astype("int64")
    for col in ranks:
        out[col] = out[col].astype("int64")
    return out


def rank_branches(table: pd.DataFrame) -> pd.DataFrame:
    """Add client_growth_rate, one rank per KPI (1 = best, missing values last) and the overall rank."""
    return rank_rows(table).sort_values(["overall_rank", "current_aum"], ascending=[True, False], kind="stable")


#: The rank columns compared with the last batch: overall first, then 保争挖抢培.
RANK_COLUMNS: tuple[str, ...] = ("overall_rank", *(f"rank_{k}" for k, _, _ in FIVE))


def with_rank_change(table: pd.DataFrame, previous: Mapping[str, Mapping[str, Any]] | None) -> pd.DataFrame:
    """Add change_<rank column> = previous rank - rank now (positive: moved up) for every branch the
    last batch ranked (`previous`: branch_id -> its ranks, as network.json holds them); null for
    a branch new to the ranking or when there was no last batch."""
    out = table.copy()
    previous = previous or {}
    for col in RANK_COLUMNS:
        entries = [previous.get(str(b)) for b in out["branch_id"]]
        before = [e.get(col) if isinstance(e, Mapping) else None for e in entries]
        # A rank the last batch wrote is a positive integer; anything else (a hand-edited file) is unknown.
        was = pd.array([v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else None for v in before],
                       dtype="Int64")
        out[f"change_{col}"] = was - pd.array(out[col].to_numpy(dtype="int64"), dtype="Int64")
    return out


def network_kpis(books: Iterable[tuple[BranchParams, BranchInputs]], period: str,
                 branches: Mapping[str, str], compare_to: CompareTo | None = None) -> pd.DataFrame:
    """Every batch branch's KPIs, tier counts and AUM at `period` (indexed by branch id): the costly
    part of the comparison, which does not depend on how the branch renders went. compare_to: the
    base of the network view (default: each data set's first params file's)."""
    frames = []
    for params, inputs in books:
        net = analyse_network(inputs.clients, inputs.staff, period, compare_to or params.compare_to,
                              params.thresholds)
        net.index = net.index.astype(str)
        frames.append(net.loc[net.index.isin(list(branches))])
    table = pd.concat(frames)
    return table[~table.index.duplicated()]


def network_table(books: Iterable[tuple[BranchParams, BranchInputs]], period: str,
                  branches: dict[str, str], status: dict[str, str] | None = None,
                  kpis: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every batch branch's KPIs, tier counts and AUM at `period`, ranked; `branches` maps id -> name.
    kpis: `network_kpis` of the same books, when already computed."""
    table = (network_kpis(books, period, branches) if kpis is None else kpis).copy()
    table.insert(0, "branch_name", [branches.get(b, b) for b in table.index])
    if status is not None:
        table["status"] = [status.get(b, "") for b in table.index]
    table.index.name = "branch_id"
    table.attrs = {}  # analyse_network's dates would not survive parquet, and the period is known here
    return rank_branches(table).reset_index()


def ranking_columns() -> list[str]:
    return ["overall_rank", "branch_id", "branch_name", *(k for k, _, _ in FIVE), "current_clients",
            "current_aum", "mean_rank"]




def ranks_from_summaries(summaries: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """The ranks a batch had, rebuilt from its branches' summary.json (for a batch that left no
    network.json): the KPIs from `kpi`, the clients and AUM in scope from `tiers`, the base count
    as clients now minus net growth. A summary without those figures is left out."""
    rows = {}
    for branch_id, s in summaries.items():
        kpi_, tiers = s.get("kpi"), s.get("tiers")
        if not isinstance(kpi_, Mapping) or not isinstance(tiers, Mapping):
            continue
        try:
            clients = sum(int(t["clients"]) for t in tiers.values())
            aum = sum(float(t["aum"] or 0) for t in tiers.values())
            net = kpi_.get("net_growth")
            row = {k: (None if kpi_.get(k) is None else float(kpi_[k]))
                   for k in ("churn_rate", "upgrade_rate", "product_coverage_rate", "aum_growth")}
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        row.update(net_growth=None if net is None else float(net), current_aum=aum,
                   base_clients=None if net is None else float(clients - net))
        rows[str(branch_id)] = row
    if not rows:
        return {}
    table = pd.DataFrame.from_dict(rows, orient="index").astype("float64").rename_axis("branch_id").reset_index()
    ranked = rank_branches(table)
    return {str(r["branch_id"]): {c: int(r[c]) for c in RANK_COLUMNS} for r in ranked.to_dict("records")}
