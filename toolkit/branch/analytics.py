"""One entry point for a branch's numbers, and one for the whole network (CONTRACT §2, §3, §7).

`analyse_branch` gathers what the branch plan shows: tiers, the five KPIs against the base
snapshot, migration, watch lists, who maintains whom and data-quality warnings (as notices:
codes and values, said by the report); `.summary()` holds the figures of the branch summary.json
of CONTRACT §7 (`clientcare profile`), which toolkit.report.summary renders. `analyse_network` computes every
branch's KPIs and tier figures in one vectorised pass for the province comparison; a branch's
row there equals its `analyse_branch` KPIs exactly, because both run the same grouped code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.base import periods
from toolkit.base.errors import InputError, Problem
from toolkit.base.notices import Notice, notice
from toolkit.base.periods import CompareTo
from toolkit.base.schema import ASSET_COLUMNS, IN_SCOPE_TIERS, TIERS
from toolkit.base.settings import Thresholds
from toolkit.branch.kpi import KPI_KEYS, kpis, migration_matrix, positions, staff_kpis, tier_table
from toolkit.branch.maintainers import Assignment, assign_maintainers
from toolkit.branch.quality import data_quality
from toolkit.branch.quality import warnings as quality_warnings
from toolkit.branch.tiers import classify
from toolkit.branch.watch import outflows, product_gaps, upgrade_candidates

#: The client columns `analyse_network` reads (through `classify` and `kpis`): `clientcare profile
#: --network` loads only these (`load_clients(..., columns=NETWORK_COLUMNS)`), the others unread.
NETWORK_COLUMNS: tuple[str, ...] = (
    "snapshot_date", "client_id", "branch_id", "birth_date", *ASSET_COLUMNS,
    "credit_card_annual_spend", "loan_balance", "card_level",
)

def snapshots(clients: pd.DataFrame) -> list[dt.date]:
    """The distinct snapshot dates of the client book, oldest first."""
    days = pd.to_datetime(pd.Series(clients["snapshot_date"].unique())).dropna().sort_values()
    return [d.date() for d in days]


def resolve_periods(clients: pd.DataFrame, period: str | None, compare_to: CompareTo = "previous_month",
                    source: str = "clients") -> tuple[str, str | None, dt.date, dt.date | None]:
    """(period, base_period, current_date, base_date) for a run; base is None when its snapshot is missing.

    `period=None` means the latest snapshot's month. A period without a snapshot is bad input.
    """
    dates = snapshots(clients)
    if not dates:
        raise InputError(Problem(source, "no client rows: expected at least one snapshot", column="snapshot_date"))
    if period is None:
        period = periods.period_of(dates[-1])
    try:
        periods.parse_period(period)
        wanted = periods.base_period(period, compare_to)
    except ValueError as exc:
        raise InputError(Problem(source, str(exc))) from None
    current = periods.snapshot_for(period, dates)
    if current is None:
        have = ", ".join(sorted({periods.period_of(d) for d in dates}))
        raise InputError(Problem(source, f"no snapshot for period {period}: expected rows with snapshot_date in "
                                         f"{period} (snapshots found: {have})", column="snapshot_date"))
    base = periods.snapshot_for(wanted, dates)
    return period, (wanted if base is not None else None), current, base


def _rows_at(clients: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The rows of one snapshot; a slice (no copy) when they are contiguous, as monthly files read in turn are."""
    rows = np.flatnonzero((clients["snapshot_date"] == pd.Timestamp(day)).to_numpy())
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        return clients.iloc[rows[0]:rows[-1] + 1]
    return clients.iloc[rows]


def json_value(value: Any, digits: int | None = None) -> Any:
    """A JSON-ready Python value: numpy scalars unwrapped, NaN/NA -> None, amounts rounded."""
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return round(float(value), digits) if digits is not None else float(value)
    return value


@dataclass
class BranchAnalytics:
    """Everything the branch plan shows about the clients, for one branch and period.

    `current`: the branch's classified rows at C with maintainers filled (assignment.clients).
    `base`: its classified rows at B (None without a base snapshot; then `migration` is None and
    every comparison figure is null). `kpi`: the branch's KPI row as plain Python values.
    `warnings`: notices (`analytics.*`, `quality.count.*`) for the report to say.
    """

    branch_id: str
    period: str
    base_period: str | None
    current_date: dt.date
    base_date: dt.date | None
    current: pd.DataFrame
    base: pd.DataFrame | None
    assignment: Assignment
    kpi: dict[str, Any]
    staff_kpis: pd.DataFrame
    migration: pd.DataFrame | None
    tiers: pd.DataFrame
    outflows: pd.DataFrame
    upgrade_candidates: pd.DataFrame
    product_gaps: pd.DataFrame
    quality: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def summary(self) -> dict[str, Any]:
        """The branch summary.json of CONTRACT §7 as data (warnings as notices); visits and forum are
        filled in by the planner, the words by toolkit.report.summary."""
        tiers = self.tiers
        return {
            "branch_id": self.branch_id,
            "period": self.period,
            "base_period": self.base_period,
            "tiers": {t: {"clients": json_value(tiers.at[t, "current_clients"]),
                          "aum": json_value(tiers.at[t, "current_aum"], 2)} for t in IN_SCOPE_TIERS},
            "kpi": {k: self.kpi[k] for k in KPI_KEYS},
            "watch": {"outflow": [str(x) for x in self.outflows["client_id"]],
                      "upgrade_candidates": [str(x) for x in self.upgrade_candidates["client_id"]]},
            "visits": None,
            "forum": None,
            "warnings": list(self.warnings),
        }


def analyse_branch(clients: pd.DataFrame, staff: pd.DataFrame, branch_id: str, period: str | None = None,
                   compare_to: CompareTo = "previous_month", thresholds: Thresholds | None = None,
                   source: str = "clients") -> BranchAnalytics:
    """A branch's analytics for `period` (default: latest snapshot) against its base snapshot."""
    t = thresholds or Thresholds()
    period, base_period, current_date, base_date = resolve_periods(clients, period, compare_to, source)
    branch_id = str(branch_id)
    at_c = _rows_at(clients, current_date)
    mine_c = (at_c["branch_id"].astype("str") == branch_id).to_numpy()
    if not mine_c.any():
        raise InputError(Problem(source, f"branch {branch_id} has no client rows at {period}: expected rows with "
                                         f"branch_id {branch_id} and snapshot_date in {period}", column="branch_id"))
    warnings: list[Notice] = []
    base = None
    if base_date is None:
        warnings.append(notice("analytics.no_base", bp=periods.base_period(period, compare_to), cmp=compare_to))
        followed = classify(at_c.loc[mine_c], t)
    else:
        at_b = _rows_at(clients, base_date)
        base = classify(at_b.loc[(at_b["branch_id"].astype("str") == branch_id).to_numpy()], t)
        if base.empty:
            warnings.append(notice("analytics.empty_base", bp=base_period))
        # The branch's clients now, plus its base clients wherever they are now (moved branch).
        followed = classify(at_c.loc[mine_c | (positions(at_c["client_id"], base["client_id"]) >= 0)], t)
    current = followed.loc[(followed["branch_id"].astype("str") == branch_id).to_numpy()]
    assignment = assign_maintainers(current, staff)
    table = kpis(base, current, "branch_id", t)
    branch_staff = staff.loc[(staff["branch_id"].astype("str") == branch_id).to_numpy()]
    quality = data_quality(current, staff, assignment, t)
    warnings += quality_warnings(quality, t)
    return BranchAnalytics(
        branch_id=branch_id, period=period, base_period=base_period, current_date=current_date,
        base_date=base_date, current=assignment.clients, base=base, assignment=assignment,
        kpi={col: json_value(table.at[branch_id, col]) for col in table.columns},
        staff_kpis=staff_kpis(base, followed, branch_staff, t),
        migration=None if base is None else migration_matrix(base, current, t),
        tiers=tier_table(base, current, t),
        outflows=outflows(current.iloc[:0] if base is None else base, followed, t),
        upgrade_candidates=upgrade_candidates(assignment.clients, t),
        product_gaps=product_gaps(assignment.clients, t),
        quality=quality, warnings=warnings, thresholds=t,
    )


def analyse_network(clients: pd.DataFrame, staff: pd.DataFrame | None = None, period: str | None = None,
                    compare_to: CompareTo = "previous_month", thresholds: Thresholds | None = None,
                    source: str = "clients") -> pd.DataFrame:
    """Every branch's KPIs plus in-scope clients and AUM per tier at C, index branch_id.

    Columns: the KPI columns of `kpi.kpis`, then clients_<tier> and aum_<tier> for each in-scope
    tier, and staff (head count) when a staff table is given. `attrs` holds period, base_period,
    current_date and base_date.
    """
    t = thresholds or Thresholds()
    period, base_period, current_date, base_date = resolve_periods(clients, period, compare_to, source)
    current = classify(_rows_at(clients, current_date), t)
    base = None if base_date is None else classify(_rows_at(clients, base_date), t)
    table = kpis(base, current, "branch_id", t)
    row_codes, found = pd.factorize(current["branch_id"])
    codes = np.append(table.index.get_indexer(np.asarray(found, dtype=object)), -1)[row_codes]
    rank = current["rank"].to_numpy(dtype="int64")
    n_tiers, n_branches = len(TIERS), len(table)
    cell = codes * n_tiers + rank
    counts = np.bincount(cell, minlength=n_branches * n_tiers).reshape(n_branches, n_tiers)
    money = np.bincount(cell, weights=current["aum"].to_numpy(dtype="float64"),
                        minlength=n_branches * n_tiers).reshape(n_branches, n_tiers)
    extra = {}
    for tier in IN_SCOPE_TIERS:
        extra[f"clients_{tier}"] = counts[:, TIERS.index(tier)]
    for tier in IN_SCOPE_TIERS:
        extra[f"aum_{tier}"] = money[:, TIERS.index(tier)]
    if staff is not None:
        heads = staff["branch_id"].astype("str").value_counts()
        extra["staff"] = heads.reindex(table.index.astype("str")).fillna(0).astype("int64").to_numpy()
    out = pd.concat([table, pd.DataFrame(extra, index=table.index)], axis=1)
    out.attrs.update(period=period, base_period=base_period, current_date=current_date, base_date=base_date)
    return out
