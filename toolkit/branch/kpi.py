"""The maintenance KPIs of CONTRACT §3 (保争挖抢培), base snapshot B against current snapshot C.

All groups are computed in one pass: clients are matched once (a hash lookup in Arrow), then
every per-group figure is a `np.bincount` over group codes. That is what lets the province
comparison of a million clients run in about a second, and it makes a branch's row identical
whether it is computed alone or as part of the network (same code, same row order).

Inputs are classified frames (`tiers.classify`); unclassified frames are classified here with
the given thresholds. `base=None` means "no base snapshot": every figure that needs B is null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.base.schema import TIERS
from toolkit.base.settings import Thresholds
from toolkit.branch.tiers import classify
from toolkit.inputs.cells import digits_only

#: The nine KPI keys of CONTRACT §3, in the contract's order.
KPI_KEYS: tuple[str, ...] = (
    "churn_rate", "upgrade_rate", "downgrade_rate", "product_coverage_rate", "products_per_client",
    "new_clients", "net_growth", "aum_growth", "top20_aum_share",
)
COUNT_KEYS: tuple[str, ...] = (
    "base_clients", "current_clients", "retained", "upgraded", "downgraded", "unchanged", "churned",
)
AMOUNT_KEYS: tuple[str, ...] = ("base_aum", "current_aum")
#: Extra row and column of the migration matrix: absent at B (row) / absent at C (column).
NEW, GONE = "new", "gone"

#: KPI columns that are counts of clients (the others are rates, products_per_client a ratio).
COUNT_KPIS: tuple[str, ...] = ("new_clients", "net_growth")


@dataclass(frozen=True)
class FiveKpi:
    """One of the five maintenance KPIs 保争挖抢培 (CONTRACT §3), as every view of them reads it.

    `key` is the `kpis()` column the branch plan shows (its chart and table); `rank_measure` is the
    column the network ranking compares. They differ for 抢: one branch's plan shows its net growth
    in clients, but branches of different sizes are only comparable on the growth *rate*
    (`ranking.rank_branches` adds client_growth_rate = net_growth / base_clients).
    """

    key: str
    char: str  # the contract's name of the KPI, 保争挖抢培, shown in both languages
    higher_is_better: bool
    rank_measure: str

    @property
    def is_count(self) -> bool:
        """Whether the plan's measure is a count of clients (else a rate)."""
        return self.key in COUNT_KPIS


#: The five KPIs 保争挖抢培, in the contract's order: the one table the ranking, the branch
#: report, its KPI chart and the network report all read.
FIVE: tuple[FiveKpi, ...] = (
    FiveKpi("churn_rate", "保", False, "churn_rate"),
    FiveKpi("upgrade_rate", "争", True, "upgrade_rate"),
    FiveKpi("product_coverage_rate", "挖", True, "product_coverage_rate"),
    FiveKpi("net_growth", "抢", True, "client_growth_rate"),
    FiveKpi("aum_growth", "培", True, "aum_growth"),
)


def _arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    arr = pa.array(values.astype("str"), from_pandas=True) if values.dtype != "str" else pa.array(values)
    return arr.cast(pa.large_string())


def positions(needles: pd.Series, haystack: pd.Series) -> np.ndarray:
    """For each needle, the row of the (unique) equal value in haystack, or -1 when absent."""
    if len(needles) == 0 or len(haystack) == 0:
        return np.full(len(needles), -1, dtype="int64")
    hay = _arrow_text(haystack)
    if isinstance(hay, pa.ChunkedArray):
        hay = hay.combine_chunks()
    text = _arrow_text(needles)
    found = _digit_positions(text, hay)
    if found is not None:
        return found
    return pc.index_in(text, value_set=hay).fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


#: Digits in an int64 without overflow: longer digit ids are matched as text.
_MAX_DIGITS = 18


def _digit_numbers(text: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, int] | None:
    """(number, width) of text whose cells are all ASCII digit strings of one width, as a bank's client
    numbers are (leading zeros kept): of one width, equal numbers are equal text. None otherwise."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if text.null_count or not digits_only(text):
        return None
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    width = int(offsets[1] - offsets[0])
    if not 0 < width <= _MAX_DIGITS or not (np.diff(offsets) == width).all():
        return None
    digits = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].reshape(-1, width)
    # In place, digit by digit, and the '0's taken off once at the end: a million ids would
    # otherwise allocate (and fault in) two fresh arrays per digit.
    number = np.zeros(len(text), dtype=np.int64)
    for column in digits.T:
        number *= 10
        number += column
    number -= 48 * int("1" * width)
    return number, width


def _digit_positions(needles: pa.Array | pa.ChunkedArray, haystack: pa.Array) -> np.ndarray | None:
    """`positions` of digit ids of one width (`_digit_numbers`) by binary search on their numbers: a
    quarter of the CPU of Arrow's text hash for a million ids. None when they are not such ids or
    the haystack repeats one (then Arrow's first-match answer stands)."""
    found, hay = _digit_numbers(needles), _digit_numbers(haystack)
    if found is None or hay is None:
        return None
    if found[1] != hay[1]:  # other widths: no text is equal
        return np.full(len(needles), -1, dtype="int64")
    numbers, hay = found[0], hay[0]
    order = None
    if not (hay[1:] > hay[:-1]).all():  # snapshots are usually in id order: else sort them once
        order = np.argsort(hay, kind="stable")
        hay = hay[order]
        if not (hay[1:] > hay[:-1]).all():
            return None
    at = np.minimum(np.searchsorted(hay, numbers), len(hay) - 1)
    rows = at if order is None else order[at]
    return np.where(hay[at] == numbers, rows, -1).astype("int64")


def _ensure(df: pd.DataFrame | None, thresholds: Thresholds) -> pd.DataFrame | None:
    if df is None or "rank" in df.columns:
        return df
    return classify(df, thresholds)


def _group_codes(base: pd.Series | None, current: pd.Series) -> tuple[pd.Index, np.ndarray | None, np.ndarray]:
    """Sorted union of group labels and each row's code in it (-1 for a missing label)."""
    codes_c, uniq_c = pd.factorize(current, sort=False)
    codes_b, uniq_b = pd.factorize(base, sort=False) if base is not None else (None, uniq_c[:0])
    labels = pd.Index(np.concatenate([np.asarray(uniq_c, dtype=object), np.asarray(uniq_b, dtype=object)]))
    labels = labels.unique().sort_values()
    remap_c = np.append(labels.get_indexer(uniq_c), -1)
    c = remap_c[codes_c]
    b = None if codes_b is None else np.append(labels.get_indexer(uniq_b), -1)[codes_b]
    return labels, b, c


def _rate(num: np.ndarray, den: np.ndarray, null: np.ndarray | bool = False) -> pd.arrays.FloatingArray:
    empty = (den == 0) | null
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(empty, 0.0, num / np.where(empty, 1.0, den))
    return pd.arrays.FloatingArray(value.astype("float64"), np.broadcast_to(empty, value.shape).copy())


def _ints(values: np.ndarray, null: bool = False) -> pd.arrays.IntegerArray:
    v = np.rint(values).astype("int64")
    return pd.arrays.IntegerArray(v, np.full(len(v), null))


def _table(b: dict[str, np.ndarray] | None, c: dict[str, np.ndarray], client_ids: tuple[pd.Series, pd.Series],
           n_groups: int, thresholds: Thresholds) -> dict[str, object]:
    """Per-group KPI columns from in-scope rows (arrays g, rank, aum[, products]) of B and C."""
    G = n_groups

    def count(g: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(g, weights=w, minlength=G)[:G]

    cg, caum = c["g"], c["aum"]
    n_c = count(cg)
    aum_c = count(cg, caum)
    covered = count(cg, (c["products"] >= thresholds.coverage_min_lines).astype("float64"))
    held = count(cg, c["products"].astype("float64"))
    # Largest AUM first, then a stable sort by group (radix sort on small ints): = lexsort, faster. The
    # first sort need not be stable: tied amounts are equal, so each group's top sum adds the same numbers
    # in the same order either way (and an unstable sort of a million floats takes 40% less).
    by_aum = np.argsort(-caum)
    small = cg.astype("int16") if G < 2**15 else cg
    order = by_aum[np.argsort(small[by_aum], kind="stable")]
    gs = cg[order]
    within = np.arange(len(gs)) - (np.cumsum(n_c) - n_c)[gs]
    top_n = np.ceil(n_c * thresholds.top_share - 1e-9)
    top = count(gs, np.where(within < top_n[gs], caum[order], 0.0))

    missing = b is None
    if missing:
        zero = np.zeros(G)
        n_b = aum_b = retained = up = down = same = zero
    else:
        bg = b["g"]
        pos = positions(client_ids[0], client_ids[1])
        hit = np.clip(pos, 0, None)
        kept = (pos >= 0) & (cg[hit] == bg) if len(cg) else np.zeros(len(bg), dtype=bool)
        moved = (c["rank"][hit] - b["rank"]) if len(cg) else np.zeros(len(bg), dtype="int64")
        n_b = count(bg)
        aum_b = count(bg, b["aum"])
        retained = count(bg, kept.astype("float64"))
        up = count(bg, (kept & (moved > 0)).astype("float64"))
        down = count(bg, (kept & (moved < 0)).astype("float64"))
        same = count(bg, (kept & (moved == 0)).astype("float64"))
    return {
        "churn_rate": _rate(n_b - retained, n_b, missing),
        "upgrade_rate": _rate(up, n_b, missing),
        "downgrade_rate": _rate(down, n_b, missing),
        "product_coverage_rate": _rate(covered, n_c),
        "products_per_client": _rate(held, n_c),
        "new_clients": _ints(n_c - retained, missing),
        "net_growth": _ints(n_c - n_b, missing),
        "aum_growth": _rate(aum_c - aum_b, aum_b, missing),
        "top20_aum_share": _rate(top, aum_c),
        "base_clients": _ints(n_b, missing),
        "current_clients": _ints(n_c),
        "base_aum": pd.arrays.FloatingArray(aum_b.astype("float64"), np.full(G, missing)),
        "current_aum": pd.arrays.FloatingArray(aum_c.astype("float64"), np.full(G, False)),
        "retained": _ints(retained, missing),
        "upgraded": _ints(up, missing),
        "downgraded": _ints(down, missing),
        "unchanged": _ints(same, missing),
        "churned": _ints(n_b - retained, missing),
    }


def _side(df: pd.DataFrame, codes: np.ndarray, products: bool) -> tuple[dict[str, np.ndarray], pd.Series]:
    keep = df["in_scope"].to_numpy(dtype=bool) & (codes >= 0)
    arrays = {"g": codes[keep], "rank": df["rank"].to_numpy(dtype="int64")[keep],
              "aum": df["aum"].to_numpy(dtype="float64")[keep]}
    if products:
        arrays["products"] = df["products_held"].to_numpy(dtype="int64")[keep]
    return arrays, df["client_id"][keep]


def kpis(base: pd.DataFrame | None, current: pd.DataFrame, by: str = "branch_id",
         thresholds: Thresholds | None = None) -> pd.DataFrame:
    """One row per group (index named `by`): the nine §3 KPIs plus the counts and sums behind them.

    E_B and E_C are each group's in-scope rows at B and C, the group read from each row itself,
    so a client who moves branch is churn for the old branch and new for the new one. Rates with
    an empty denominator (no clients, or no AUM for aum_growth/top20_aum_share) are null.
    """
    t = thresholds or Thresholds()
    base, current = _ensure(base, t), _ensure(current, t)
    labels, bcodes, ccodes = _group_codes(None if base is None else base[by], current[by])
    c, c_ids = _side(current, ccodes, products=True)
    b, b_ids = (None, c_ids[:0]) if base is None else _side(base, bcodes, products=False)
    cols = _table(b, c, (b_ids, c_ids), len(labels), t)
    return pd.DataFrame(cols, index=pd.Index(labels, name=by))[[*KPI_KEYS, *COUNT_KEYS, *AMOUNT_KEYS]]


def staff_kpis(base: pd.DataFrame | None, current: pd.DataFrame, staff: pd.DataFrame | None = None,
               thresholds: Thresholds | None = None) -> pd.DataFrame:
    """The §3 KPIs per staff member (index staff_id), attributing each client to one person.

    E_B(s): in-scope clients whose maintainer at B is s. E_C(s): in-scope clients at C attributed
    to s — a client who was in E_B stays with their B maintainer (attribution follows the person
    who maintained them, even if the maintainer or branch changed since); a client new at C (not in
    E_B) goes to their C maintainer, so `new_clients` counts the clients a person brought in or
    was given. Clients with no maintainer at B are in no row. With `staff`, the rows are exactly
    the staff table's (members without clients show zeros) and name/role/branch_id are added.
    """
    t = thresholds or Thresholds()
    base, current = _ensure(base, t), _ensure(current, t)
    c_scope = current.loc[current["in_scope"].to_numpy(dtype=bool)]
    owner = c_scope["maintainer_id"].astype("str").where(c_scope["maintainer_id"].notna())
    if base is not None:
        b_scope = base.loc[base["in_scope"].to_numpy(dtype=bool)]
        pos = positions(c_scope["client_id"], b_scope["client_id"])
        b_owner = b_scope["maintainer_id"].astype("str").where(b_scope["maintainer_id"].notna()).to_numpy()
        owner = pd.Series(np.where(pos >= 0, b_owner[np.clip(pos, 0, None)] if len(b_owner) else None,
                                   owner.to_numpy()), index=c_scope.index, dtype="str")
        b_owner = pd.Series(b_owner, index=b_scope.index, dtype="str")
    labels, bcodes, ccodes = _group_codes(None if base is None else b_owner, owner)
    if staff is not None:
        ids = staff["staff_id"].astype("str")
        remap = np.append(pd.Index(ids).get_indexer(labels), -1)
        labels = pd.Index(ids)
        ccodes = remap[ccodes]
        bcodes = None if bcodes is None else remap[bcodes]
    c, c_ids = _side(c_scope, ccodes, products=True)
    b, b_ids = (None, c_ids[:0]) if base is None else _side(b_scope, bcodes, products=False)
    cols = _table(b, c, (b_ids, c_ids), len(labels), t)
    out = pd.DataFrame(cols, index=pd.Index(labels, name="staff_id"))[[*KPI_KEYS, *COUNT_KEYS, *AMOUNT_KEYS]]
    if staff is not None:
        info = staff.assign(staff_id=staff["staff_id"].astype("str")).set_index("staff_id")
        out = info[[c for c in ("name", "role", "branch_id") if c in info]].join(out)
    return out


def migration_matrix(base: pd.DataFrame, current: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Clients by tier at B (rows) × tier at C (columns), out_of_scope included, matched by client_id.

    Row "new": clients with no row in `base`; column "gone": clients with no row in `current`
    (left the book, or — for one branch's frames — moved to another branch). Pass one branch's
    rows at B and C to get that branch's matrix; the new × gone cell is always 0.
    """
    t = thresholds or Thresholds()
    base, current = _ensure(base, t), _ensure(current, t)
    k = len(TIERS)
    b_rank = base["rank"].to_numpy(dtype="int64")
    c_rank = current["rank"].to_numpy(dtype="int64")
    pos = positions(base["client_id"], current["client_id"])
    col = np.where(pos >= 0, c_rank[np.clip(pos, 0, None)] if len(c_rank) else k, k)
    matched = np.zeros(len(current), dtype=bool)
    matched[pos[pos >= 0]] = True
    cells = np.concatenate([b_rank * (k + 1) + col, k * (k + 1) + c_rank[~matched]])
    counts = np.bincount(cells, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)
    names = list(TIERS)
    return pd.DataFrame(counts, index=pd.Index([*names, NEW], name="base_tier"),
                        columns=pd.Index([*names, GONE], name="current_tier"))


def tier_table(base: pd.DataFrame | None, current: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Clients and AUM per tier (all six, out_of_scope included) at B and at C; B columns null without B."""
    t = thresholds or Thresholds()
    base, current = _ensure(base, t), _ensure(current, t)
    k = len(TIERS)
    out = {}
    for side, df in (("base", base), ("current", current)):
        if df is None:
            out[f"{side}_clients"] = pd.array([None] * k, dtype="Int64")
            out[f"{side}_aum"] = pd.array([None] * k, dtype="Float64")
            continue
        rank = df["rank"].to_numpy(dtype="int64")
        out[f"{side}_clients"] = pd.array(np.bincount(rank, minlength=k)[:k], dtype="Int64")
        out[f"{side}_aum"] = pd.array(np.bincount(rank, weights=df["aum"].to_numpy(dtype="float64"),
                                                  minlength=k)[:k], dtype="Float64")
    return pd.DataFrame(out, index=pd.Index(list(TIERS), name="tier"))
