"""The province view's figures beyond the ranking: the network as one whole, its 12-month trend,
staff scorecards by class (分类考核) and each branch's action load.

Everything comes from the snapshots the batch already read (`BranchInputs`) and the branch
summaries it wrote: no file is read here. The network is the batch's branches taken together,
so a client who moves between two of them is neither churn nor new for the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.base import periods
from toolkit.base.periods import CompareTo
from toolkit.base.settings import Thresholds
from toolkit.branch.analytics import _rows_at, snapshots
from toolkit.branch.kpi import FIVE, KPI_KEYS, kpis, staff_kpis
from toolkit.branch.tiers import classify
from toolkit.inputs.books import BranchInputs
from toolkit.inputs.params import BranchParams

#: Months shown in the trend (the report month and the eleven before it).
TREND_MONTHS = 12
#: The network totals' rows, in the report's order: clients and AUM in scope, then the nine KPIs.
TOTAL_ROWS: tuple[str, ...] = ("clients", "aum", *KPI_KEYS)
#: The action load per branch: (column, dotted key in the branch summary.json).
ACTION_KEYS: tuple[tuple[str, str], ...] = (
    ("due_unscheduled", "visits.due_unscheduled"),
    ("outflow", "visits.outflow"),
    ("outflow_scheduled", "visits.outflow_scheduled"),
    ("risk_missing", "risk_assessment.missing"),
    ("risk_expiring", "risk_assessment.expiring"),
    ("top_without_maintainer", "coverage.top_without_maintainer"),
    ("forum_due", "forum_status.due"),
)


@dataclass
class Book:
    """One data set of the batch: its snapshots, each classified once when first needed, with
    `in_batch` marking the rows of the batch's branches; its staff cut to those branches."""

    thresholds: Thresholds
    staff: pd.DataFrame
    dates: list[dt.date]
    clients: pd.DataFrame
    mine: list[str]
    frames: dict[dt.date, pd.DataFrame] = field(default_factory=dict)

    def at(self, day: dt.date | None) -> pd.DataFrame | None:
        """The classified snapshot of `day` (None for None or a day without a snapshot)."""
        if day is None or day not in self.dates:
            return None
        if day not in self.frames:
            frame = classify(_rows_at(self.clients, day), self.thresholds)
            frame["in_batch"] = frame["branch_id"].astype("str").isin(self.mine).to_numpy()
            self.frames[day] = frame
        return self.frames[day]


def network_books(books: Iterable[tuple[BranchParams, BranchInputs]], branches: Mapping[str, str]) -> list[Book]:
    """Each data set with the batch branches it holds (all its rows are kept: clients who left the
    batch's branches count as churn). A branch present in two data sets is taken from the first
    (as `ranking.network_kpis` does)."""
    out: list[Book] = []
    seen: set[str] = set()
    for params, inputs in books:
        mine = [b for b in map(str, inputs.clients["branch_id"].astype("str").unique()) if b in branches
                and b not in seen]
        seen.update(mine)
        if not mine:
            continue
        staff = inputs.staff.loc[inputs.staff["branch_id"].astype("str").isin(mine).to_numpy()]
        out.append(Book(params.thresholds, staff, snapshots(inputs.clients), inputs.clients, mine))
    return out


def _whole(book: Book, base: dt.date | None, current: dt.date) -> pd.DataFrame:
    """The nine KPIs (and counts) of the book's batch branches taken as one group."""
    cols = ["client_id", "in_scope", "rank", "aum", "products_held"]

    def side(day: dt.date | None) -> pd.DataFrame | None:
        frame = book.at(day)
        if frame is None:
            return None
        return frame.loc[frame["in_batch"].to_numpy(), cols].assign(network="network")

    current_rows = side(current)
    assert current_rows is not None
    return kpis(side(base), current_rows, "network", book.thresholds)


def _network_row(books: Sequence[Book], period: str, compare_to: CompareTo) -> pd.Series | None:
    """The network's KPI row for `period` against its base (None without the period's snapshot)."""
    rows = []
    for book in books:
        current = periods.snapshot_for(period, book.dates)
        if current is None:
            continue
        base = periods.snapshot_for(periods.base_period(period, compare_to), book.dates)
        rows.append(_whole(book, base, current))
    if not rows:
        return None
    if len(rows) == 1:
        return rows[0].iloc[0]
    return _combine(pd.concat(rows))


def _combine(rows: pd.DataFrame) -> pd.Series:
    """Several data sets' network rows as one: counts and sums added, rates recomputed from them
    (coverage, products per client and the top-20 share weighted by each set's clients / AUM, an
    approximation for the share). A set without the base snapshot leaves every base figure null."""
    s = rows.astype("float64").sum(skipna=False)
    w, a = rows["current_clients"].astype("float64"), rows["current_aum"].astype("float64")

    def ratio(num: float, den: float) -> float | None:
        return None if pd.isna(num) or pd.isna(den) or den == 0 else float(num / den)

    out = s.copy()
    for key, part in (("churn_rate", "churned"), ("upgrade_rate", "upgraded"), ("downgrade_rate", "downgraded")):
        out[key] = ratio(s[part], s["base_clients"])
    out["new_clients"] = s["current_clients"] - s["retained"]
    out["net_growth"] = s["current_clients"] - s["base_clients"]
    out["aum_growth"] = ratio(s["current_aum"] - s["base_aum"], s["base_aum"])
    for key in ("product_coverage_rate", "products_per_client"):
        out[key] = ratio((rows[key].astype("float64") * w).sum(), w.sum())
    out["top20_aum_share"] = ratio((rows["top20_aum_share"].astype("float64") * a).sum(), a.sum())
    return out


def network_totals(books: Sequence[Book], period: str, compare_to: CompareTo = "previous_month") -> pd.DataFrame:
    """The network's clients and AUM in scope and its nine KPIs now (`current`), at the base period
    (`base`: the KPIs as they stood then, against that period's own base) and `change`
    (current - base). Index TOTAL_ROWS; a figure without its snapshots is null."""
    now = _network_row(books, period, compare_to)
    bp = periods.base_period(period, compare_to)
    then = _network_row(books, bp, compare_to)

    def value(row: pd.Series | None, key: str, side: str = "current") -> float | None:
        if row is None:
            return None
        name = {"clients": f"{side}_clients", "aum": f"{side}_aum"}.get(key, key)
        v = row.get(name)
        return None if v is None or pd.isna(v) else float(v)

    current = [value(now, k) for k in TOTAL_ROWS]
    # The base period's clients and AUM are this period's base counts (the same snapshot).
    base = [value(now, k, "base") if k in ("clients", "aum") else value(then, k) for k in TOTAL_ROWS]
    change = [None if c is None or b is None else c - b for c, b in zip(current, base, strict=True)]
    out = pd.DataFrame({"current": current, "base": base, "change": change},
                       index=pd.Index(TOTAL_ROWS, name="measure"), dtype="Float64")
    out.attrs = {"period": period, "base_period": bp}
    return out


def network_trend(books: Sequence[Book], period: str, months: int = TREND_MONTHS) -> pd.DataFrame:
    """The network's five KPIs 保争挖抢培 month by month (each month against the month before),
    for the last `months` months up to `period` that have a snapshot; index period, oldest first."""
    rows: dict[str, dict[str, Any]] = {}
    for k in range(months - 1, -1, -1):
        p = periods.shift(period, -k)
        row = _network_row(books, p, "previous_month")
        if row is None:
            continue
        rows[p] = {f.key: (None if pd.isna(row[f.key]) else float(row[f.key])) for f in FIVE}
        rows[p]["current_clients"] = float(row["current_clients"])
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[*(f.key for f in FIVE), "current_clients"])
    out.index.name = "period"
    return out.astype("Float64")


def staff_scorecards(books: Sequence[Book], period: str, compare_to: CompareTo = "previous_month") -> pd.DataFrame:
    """Every batch staff member's KPIs (kpi.staff_kpis, attribution to the base maintainer) with
    branch_id and role, for staff who maintained in-scope clients at the base or now; ranked
    within their role by `ranking.rank_rows`. Names are as in the staff table (masking is the
    report's)."""
    frames = []
    for book in books:
        current = periods.snapshot_for(period, book.dates)
        if current is None or book.staff.empty:
            continue
        base = periods.snapshot_for(periods.base_period(period, compare_to), book.dates)
        table = staff_kpis(book.at(base), book.at(current), book.staff, book.thresholds)
        frames.append(table)
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames)
    table = table[~table.index.duplicated()]
    keep = (table["current_clients"].fillna(0) > 0) | (table["base_clients"].fillna(0) > 0)
    return table.loc[keep.to_numpy()]


def _dig(summary: Mapping[str, Any] | None, dotted: str) -> Any:
    node: Any = summary
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _count(value: Any) -> int | None:
    """A summary figure as a count: a number, a list's length, a flag as 1/0; else None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and not pd.isna(value):
        return int(value)
    if isinstance(value, list | tuple):
        return len(value)
    return None


def action_load(summaries: Mapping[str, Mapping[str, Any] | None]) -> pd.DataFrame:
    """Per branch (index branch_id) the work the province pushes: ACTION_KEYS read from each
    branch's summary.json; a key a summary lacks is null (the outflow count falls back to
    len(watch.outflow)). Integer columns, nullable."""
    rows = {}
    for branch_id, summary in summaries.items():
        row = {col: _count(_dig(summary, key)) for col, key in ACTION_KEYS}
        if row["outflow"] is None:
            row["outflow"] = _count(_dig(summary, "watch.outflow"))
        rows[branch_id] = row
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[c for c, _ in ACTION_KEYS])
    out.index.name = "branch_id"
    return out.astype("Int64")


@dataclass
class NetworkFigures:
    """What the network view computes from the snapshots (the costly part, done while the last
    branches render): every branch's KPIs (`ranking.network_kpis`), the network totals, the trend
    and the staff KPIs."""

    kpis: pd.DataFrame
    totals: pd.DataFrame
    trend: pd.DataFrame
    staff: pd.DataFrame
    compare_to: CompareTo


def network_figures(books: Sequence[tuple[BranchParams, BranchInputs]], period: str, branches: Mapping[str, str],
                    compare_to: CompareTo | None = None) -> NetworkFigures:
    """The snapshots' part of the network view; compare_to None: the first params file's."""
    from toolkit.branch.ranking import network_kpis

    compare = compare_to or (books[0][0].compare_to if books else "previous_month")
    cut = network_books(books, branches)
    return NetworkFigures(kpis=network_kpis(books, period, dict(branches), compare),
                          totals=network_totals(cut, period, compare), trend=network_trend(cut, period),
                          staff=staff_scorecards(cut, period, compare), compare_to=compare)


@dataclass
class NetworkView:
    """The province view as data (codes and numbers): `table` the ranked branches with their rank
    change since the last batch and their action load; `totals`, `trend` as computed; `staff` the
    scorecards ranked within each role (ROLES order, then rank)."""

    table: pd.DataFrame
    totals: pd.DataFrame
    trend: pd.DataFrame
    staff: pd.DataFrame
    period: str
    base_period: str
    compare_to: CompareTo
    previous_period: str | None = None
    mask_pii: bool = True
    thresholds: Thresholds = field(default_factory=Thresholds)  # the ones the KPI names quote


def network_view(books: Sequence[tuple[BranchParams, BranchInputs]], period: str, branches: Mapping[str, str],
                 status: Mapping[str, str] | None = None, summaries: Mapping[str, Mapping[str, Any] | None] | None = None,
                 previous: Mapping[str, Mapping[str, Any]] | None = None, previous_period: str | None = None,
                 figures: NetworkFigures | None = None, compare_to: CompareTo | None = None,
                 mask_pii: bool | None = None) -> NetworkView:
    """The whole province view. status: the batch's status per branch; summaries: each branch's
    summary.json (None when it has none); previous: the last batch's ranks per branch; mask_pii:
    whether staff names are masked (default: unless every params file read says mask_pii: false)."""
    from toolkit.base.schema import ROLES
    from toolkit.branch.ranking import network_table, rank_rows, with_rank_change

    figs = figures or network_figures(books, period, branches, compare_to)
    table = network_table(books, period, dict(branches), dict(status) if status is not None else None, figs.kpis)
    table = with_rank_change(table, previous)
    load = action_load({b: (summaries or {}).get(b) for b in table["branch_id"]})
    table = table.join(load, on="branch_id")
    staff = figs.staff
    if not staff.empty:
        staff = rank_rows(staff.reset_index(), within="role")
        staff["branch_name"] = [branches.get(str(b), str(b)) for b in staff["branch_id"]]
        order = {r: i for i, r in enumerate(ROLES)}
        staff = staff.assign(_role=staff["role"].map(order).fillna(len(ROLES))).sort_values(
            ["_role", "overall_rank", "current_aum"], ascending=[True, True, False], kind="stable").drop(columns="_role")
        staff = staff.reset_index(drop=True)
    return NetworkView(table=table, totals=figs.totals, trend=figs.trend, staff=staff, period=period,
                       base_period=periods.base_period(period, figs.compare_to), compare_to=figs.compare_to,
                       previous_period=previous_period,
                       mask_pii=(any(p.mask_pii for p, _ in books) or not books) if mask_pii is None else mask_pii,
                       thresholds=books[0][0].thresholds if books else Thresholds())


def role_summary(staff: pd.DataFrame) -> pd.DataFrame:
    """Per role (index, in the staff table's order) of ranked scorecards: head count, clients and
    AUM maintained, the role's five KPIs pooled over its people (rates from the summed counts;
    coverage weighted by clients) and the staff ids ranked first and last within the role."""
    rows = {}
    for role, part in staff.groupby("role", sort=False):
        base = float(part["base_clients"].fillna(0).sum())
        now = part["current_clients"].astype("float64").fillna(0)
        b_aum = float(part["base_aum"].fillna(0).sum())
        ranked = part.sort_values(["overall_rank", "current_aum"], ascending=[True, False], kind="stable")
        rows[role] = {
            "staff": len(part), "current_clients": int(now.sum()), "current_aum": float(part["current_aum"].sum()),
            "churn_rate": float(part["churned"].fillna(0).sum()) / base if base else None,
            "upgrade_rate": float(part["upgraded"].fillna(0).sum()) / base if base else None,
            "product_coverage_rate": float((part["product_coverage_rate"].astype("float64").fillna(0) * now).sum())
            / now.sum() if now.sum() else None,
            "client_growth_rate": float(part["net_growth"].fillna(0).sum()) / base if base else None,
            "aum_growth": (float(part["current_aum"].sum()) - b_aum) / b_aum if b_aum else None,
            "first": str(ranked["staff_id"].iloc[0]), "last": str(ranked["staff_id"].iloc[-1]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "role"
    return out
