"""The sample's tables from its book: client snapshots, staff, the product shelf and a year of activities.

Text columns are built once per client in Arrow and gathered per row, so a million clients
times thirteen snapshots never create a Python string per row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.base import periods
from toolkit.base.schema import ACTIVITIES, ASSET_COLUMNS, PRODUCTS, ROLES, STAFF, TIERS
from toolkit.base.settings import VisitSettings
from toolkit.sample.book import (
    AMOUNT_COLUMNS,
    CARD_LEVELS,
    MAX_VISITS,
    NAME_POOL,
    RISK_CODES,
    Book,
    Pools,
    cents,
    pick_per_branch,
)

# --- activities per client and year, by tier code 0..5 -----------------------------------------
CONTACT_RATES = {  # kind: rates for out_of_scope, basic, potential_b, potential_a, wealth, private_wealth
    "call": (0.1, 0.5, 1.0, 2.0, 4.0, 8.0),
    "sms": (0.5, 1.5, 2.0, 2.0, 3.0, 4.0),
    "gift": (0, 0, 0, 0, 0.5, 2.0),
}
MISSED_VISIT_SHARE = 0.15
NOTES = {
    "visit": ("上门拜访，了解家庭理财需求", "上门拜访，到期资金再配置沟通", "上门拜访，回访服务满意度"),
    "call": ("电话回访，产品到期提醒", "电话沟通近期市场观点", "电话邀约网点面谈"),
    "sms": ("生日祝福短信", "节日问候短信", "理财产品到期提醒短信"),
    "gift": ("生日鲜花", "节日礼品", "新春台历"),
}
FORUM_NOTE, FORUM_GUESTS = "年度客户座谈会", 45


def _product_shelf(year: int) -> list[tuple]:
    """(id, name, category, risk, min_amount, term_days, expected_return): every category, R1–R5."""
    nan = float("nan")
    return [
        ("DD001", "活期储蓄", "demand_deposit", "R1", 1, None, 0.0015),
        ("DD002", "七天通知存款", "demand_deposit", "R1", 50_000, 7, 0.011),
        ("TD001", "整存整取三个月", "time_deposit", "R1", 50, 90, 0.0125),
        ("TD002", "整存整取一年", "time_deposit", "R1", 50, 365, 0.0155),
        ("TD003", "整存整取三年", "time_deposit", "R1", 50, 1095, 0.019),
        ("TD004", "大额存单两年期", "time_deposit", "R1", 200_000, 730, 0.020),
        ("TD005", "大额存单三年期", "time_deposit", "R1", 200_000, 1095, 0.0215),
        ("WP001", "天天利现金管理", "wealth_products", "R1", 1, None, 0.019),
        ("WP002", "稳享90天理财", "wealth_products", "R2", 10_000, 90, 0.028),
        ("WP003", "安鑫一年期固收理财", "wealth_products", "R2", 10_000, 365, 0.032),
        ("WP004", "睿盈18个月混合类理财", "wealth_products", "R3", 50_000, 540, 0.040),
        ("WP005", "私享家高净值专属理财", "wealth_products", "R3", 1_000_000, 365, 0.045),
        ("WP006", "权益增强两年期理财", "wealth_products", "R4", 100_000, 730, nan),
        ("FD001", "货币市场基金A", "funds", "R1", 1, None, 0.018),
        ("FD002", "纯债债券基金", "funds", "R2", 1_000, None, 0.030),
        ("FD003", "均衡混合基金", "funds", "R3", 100, None, nan),
        ("FD004", "沪深300指数基金", "funds", "R4", 10, None, nan),
        ("FD005", "科技成长股票基金", "funds", "R5", 100, None, nan),
        ("FD006", "QDII全球精选基金", "funds", "R5", 1_000, None, nan),
        ("BD001", f"国债{year}第三期（凭证式三年）", "bonds", "R1", 100, 1095, 0.0238),
        ("BD002", f"国债{year}第五期（电子式五年）", "bonds", "R1", 100, 1825, 0.0250),
        ("BD003", f"地方政府债{year}柜台两年", "bonds", "R1", 100, 730, 0.0210),
        ("IN001", "福满堂年金保险", "insurance", "R1", 10_000, 3650, 0.025),
        ("IN002", "康宁重大疾病保险", "insurance", "R1", 5_000, None, nan),
        ("IN003", "鑫享分红两全保险", "insurance", "R2", 50_000, 7300, 0.030),
        ("IN004", "乐享投资连结保险", "insurance", "R4", 100_000, None, nan),
        ("PM001", "积存金", "precious_metals", "R3", 500, None, nan),
        ("PM002", "投资金条50克", "precious_metals", "R3", 30_000, None, nan),
        ("PM003", "纸白银", "precious_metals", "R4", 1_000, None, nan),
        ("CM001", "银证第三方存管", "custody_margin", "R1", 0, None, nan),
        ("CM002", "银期转账保证金", "custody_margin", "R5", 50_000, None, nan),
    ]


# --- text columns: built once per client in Arrow, gathered per row (no Python strings per row) ---
_STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


def _text(values: pa.Array, rows: np.ndarray | None = None) -> pd.Series:
    """Arrow strings, optionally gathered by row, as a pandas `str` column."""
    gathered = values if rows is None else values.take(pa.array(rows))
    return gathered.to_pandas(types_mapper=lambda t: _STR_DTYPE if pa.types.is_string(t) else None)


def _coded(words: list[str] | tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """Words by code; code -1 is missing."""
    return pa.array(list(words)).take(pa.array(np.where(codes < 0, 0, codes), mask=codes < 0))


def _padded(numbers: np.ndarray, width: int, prefix: str = "", missing: np.ndarray | None = None) -> pa.Array:
    """Zero-padded ids ('0010000123', 'S001007'): text, so Excel and CSV keep the leading zeros."""
    text = pc.utf8_lpad(pa.array(numbers, mask=missing).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def client_rows(book: Book, pools: Pools, snapshot_dates: list[dt.date]) -> pd.DataFrame:
    """One row per client per snapshot they are on the book, sorted by snapshot then client id."""
    months = np.arange(book.months)[:, None]
    t, i = np.nonzero((book.entry[None, :] <= months) & (months < book.leave[None, :]))
    level = book.level[i, t]
    names = pc.binary_join_element_wise(pa.array(pools.surnames[book.surname]),
                                        pa.array(pools.given_names[book.name_gender, book.given]), "")
    phone = pools.phone_prefixes[book.phone_prefix] * 10**8 + np.maximum(book.phone_tail, 0)
    offsets = np.cumsum([0] + [len(p) for p in pools.districts])[:-1]
    district = np.where(book.district >= 0, offsets[book.branch] + book.district, -1)
    amounts = np.empty((len(AMOUNT_COLUMNS), t.size))  # one float block: no consolidation copy later
    for k in range(len(ASSET_COLUMNS)):
        np.multiply(level, book.share[k][i], out=amounts[k])
    amounts[-2] = book.spend[i] * np.exp(0.3 * (np.log(level) - book.log_w[i]))
    amounts[-1] = book.loan[i] * (1 + 0.006 * (book.months - 1 - t))
    frame = pd.DataFrame(cents(amounts).T, columns=list(AMOUNT_COLUMNS), copy=False)
    leading = {
        "snapshot_date": np.array(snapshot_dates, dtype="datetime64[ns]")[t],
        "client_id": _text(_padded((book.branch + 1) * 10**7 + book.serial, 10), i),
        "name": _text(names, i),
        "branch_id": _text(_padded(book.branch + 1, 3, "B"), i),
        "gender": _text(_coded(("M", "F"), book.gender), i),
        "birth_date": book.birth[i],
        "phone": _text(pa.array(phone, mask=book.phone_tail < 0).cast(pa.string()), i),
        "maintainer_id": _text(_padded((book.branch + 1) * 1000 + book.maintainer, 6, "S",
                                       missing=book.maintainer == 0), i),
    }
    for position, (name, values) in enumerate(leading.items()):
        frame.insert(position, name, values)
    frame["card_level"] = _text(_coded(CARD_LEVELS, book.card), i)
    frame["risk_level"] = _text(_coded(RISK_CODES, book.risk), i)
    frame["district"] = _text(_coded([d for places in pools.districts for d in places], district), i)
    return frame


# --- staff, products, activities -------------------------------------------------------------
def staff_table(pools: Pools, layout: list[str], branches: int, rng: np.random.Generator) -> pd.DataFrame:
    per = len(layout)
    branch = np.repeat(np.arange(branches), per)
    given = pools.given_names[rng.integers(0, 2, branch.size), rng.integers(0, NAME_POOL, branch.size)]
    names = pc.binary_join_element_wise(pa.array(rng.choice(pools.surnames, branch.size)), pa.array(given), "")
    return pd.DataFrame({
        "staff_id": _text(_padded((branch + 1) * 1000 + np.tile(np.arange(1, per + 1), branches), 6, "S")),
        "name": _text(names),
        "branch_id": _text(_padded(branch + 1, 3, "B")),
        "role": _text(_coded(ROLES, np.tile([ROLES.index(r) for r in layout], branches))),
        "max_visits_per_month": pd.array(np.tile([MAX_VISITS.get(r) for r in layout], branches), dtype="Int64"),
        # a work mobile per staff member (the proposal's cover names the advisor and their phone)
        "phone": _text(pa.array([f"13{8 - b % 3}0577{k:04d}" for k, b in enumerate(branch, start=1)])),
    })[STAFF.names]


def products_table(year: int) -> pd.DataFrame:
    df = pd.DataFrame(_product_shelf(year), columns=PRODUCTS.names)
    return df.astype({"min_amount": "float64", "term_days": "Int64", "expected_return": "float64"})


def _visits(book: Book, rng: np.random.Generator, active: np.ndarray, tier: np.ndarray,
            end: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Home visits on each tier's cadence (VisitSettings) with a random phase; some clients missed
    their latest visit, so the next plan has overdue visits to catch up."""
    cadence = VisitSettings().cadence_months
    interval = np.array([30.44 * cadence.get(t, 0) for t in TIERS])[tier]
    who = np.flatnonzero(active & (interval > 0))
    interval = interval[who]
    phase = rng.uniform(0, 1, who.size) * interval
    phase = np.where(rng.random(who.size) < MISSED_VISIT_SHARE, phase + interval, phase)
    count = np.maximum(np.floor((365 - phase) / interval).astype(int) + 1, 0)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)  # 0 = most recent visit
    offset = np.repeat(phase, count) + k * np.repeat(interval, count) + rng.normal(0, 3, k.size)
    return np.repeat(who, count), end - np.rint(np.clip(offset, 0, 364)).astype("timedelta64[D]")


def activities_table(book: Book, rng: np.random.Generator, end_period: str) -> pd.DataFrame:
    """A year of maintainer contact (more for richer tiers) and one past forum per branch."""
    last = book.months - 1
    end = np.datetime64(periods.month_end(end_period), "D")
    tier = book.end_tiers()
    active = book.present(last) & book.valid_maintainer()
    kind_words = ["visit", *CONTACT_RATES, "event"]
    note_words = [note for kind in kind_words[:-1] for note in NOTES[kind]] + [FORUM_NOTE]
    who, days = _visits(book, rng, active, tier, end)
    whos, kinds, dayss = [who], [np.zeros(who.size, dtype=np.int64)], [days]
    for k, rates in enumerate(CONTACT_RATES.values(), start=1):
        count = rng.poisson(np.where(active, np.array(rates)[tier], 0.0))
        whos.append(np.repeat(np.arange(book.n), count))
        kinds.append(np.full(whos[-1].size, k))
        dayss.append(end - rng.integers(0, 365, whos[-1].size).astype("timedelta64[D]"))
    idx, kind, day = np.concatenate(whos), np.concatenate(kinds), np.concatenate(dayss)
    day = np.where(kind <= 1, np.busday_offset(day, 0, roll="backward"), day)  # visits, calls on workdays
    note = kind * 3 + rng.integers(0, 3, idx.size)
    staff = book.maintainer[idx]
    # The annual forum 10–11 months ago: up to 45 wealth and private-wealth clients per branch.
    branches = int(book.branch[-1]) + 1
    forum_month = [periods.shift(end_period, -10 - b % 2) for b in range(branches)]
    forum_day = np.array([np.busday_offset(np.datetime64(periods.month_start(p)), 1, roll="forward",
                                           weekmask="Sat") for p in forum_month])
    joined = book.entry <= max(last - 10, 0)
    guests = np.flatnonzero(pick_per_branch(book.branch, book.present(last) & joined & (tier >= 4),
                                             FORUM_GUESTS, rng))
    idx = np.concatenate([idx, guests])
    day = np.concatenate([day, forum_day[book.branch[guests]]])
    kind = np.concatenate([kind, np.full(guests.size, len(kind_words) - 1)])
    note = np.concatenate([note, np.full(guests.size, len(note_words) - 1)])
    staff = np.concatenate([staff, np.where(book.valid_maintainer()[guests], book.maintainer[guests], 1)])
    order = np.lexsort((book.serial[idx], staff, book.branch[idx], day))
    idx, day, kind, note, staff = idx[order], day[order], kind[order], note[order], staff[order]
    return pd.DataFrame({
        "date": day.astype("datetime64[ns]"),
        "staff_id": _text(_padded((book.branch[idx] + 1) * 1000 + staff, 6, "S")),
        "client_id": _text(_padded((book.branch[idx] + 1) * 10**7 + book.serial[idx], 10)),
        "kind": _text(_coded(kind_words, kind)),
        "note": _text(_coded(note_words, note)),
    })[ACTIVITIES.names]




# --- parquet laid out for one-branch runs -----------------------------------------------------------
def write_parquet_by_branch(table: pa.Table, path: Path, branch: pa.ChunkedArray | pa.Array,
                            dictionary: list[str] | bool = True) -> None:
    """Write `table` sorted by `branch` (one value per row; stable, so each branch keeps its rows' order)
    with one row group per branch: a run of one branch then reads that row group and skips the others by
    their statistics (toolkit.inputs.selection). The export layout README "Exporting for speed" asks for."""
    order = pc.sort_indices(pa.table({"b": branch}), sort_keys=[("b", "ascending")]).to_numpy()
    if not np.array_equal(order, np.arange(len(order))):
        table, branch = table.take(pa.array(order)), pa.chunked_array([branch]).take(pa.array(order))
    codes = pa.chunked_array([branch]).combine_chunks().dictionary_encode().indices.to_numpy(zero_copy_only=False)
    bounds = [0, *(np.flatnonzero(np.diff(codes) != 0) + 1).tolist(), len(codes)]
    with pq.ParquetWriter(path, table.schema, use_dictionary=dictionary) as writer:
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            if b > a or len(bounds) == 2:
                writer.write_table(table.slice(a, b - a), row_group_size=max(b - a, 1))


def activity_branches(clients: pd.DataFrame, activities: pd.DataFrame) -> pa.Array:
    """Each activity's client's branch (at the client's last snapshot; '' for a client not on the book)."""
    last = clients.drop_duplicates("client_id", keep="last")
    where = pd.Index(last["client_id"]).get_indexer(activities["client_id"])
    branches = np.append(last["branch_id"].to_numpy(dtype=object), "")
    return pa.array(branches[where], pa.string())
