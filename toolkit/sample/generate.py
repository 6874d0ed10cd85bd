"""A realistic synthetic branch network for demos, tests and load checks (`clientcare sample`).

Real client books may not leave the bank, yet every notebook needs one that shows something: a
long tail of wealth, clients crossing tiers both ways, churn, new clients, large outflows, staff
of every role, a product shelf from R1 to R5, a year of visits and a past forum. Everything is
drawn from one seeded numpy Generator, vectorised over clients (Faker only fills small pools of
names and phone prefixes once), so the same seed gives the same tables and a million clients times
thirteen snapshots take seconds.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml
from faker import Faker

from toolkit.base import periods
from toolkit.base.schema import (
    ACTIVITIES,
    ASSET_COLUMNS,
    CLIENTS,
    PRODUCTS,
    ROLES,
    STAFF,
    TIERS,
    ZH_LABELS,
    Table,
)
from toolkit.base.schema import CARD_LEVELS as CARD_WORDS
from toolkit.base.settings import ForumSettings, GreetingSettings, Thresholds, VisitSettings
from toolkit.inputs.factfind_workbook import display_width, write_fact_find

# --- shape of the book (rates per month unless said otherwise) -----------------------------------
CHURN_PER_MONTH = 0.01
NEW_PER_MONTH = 0.012
#: ln AUM is logistic around ~41,000 yuan; above ~8,000,000 its tail is halved (a sub-branch has
#: a few 1000万 clients, not billionaires). Gives ~45% over 5万 and ~2% over 200万.
LOG_AUM_CENTRE, LOG_AUM_SCALE, LOG_TAIL_KNEE = 10.62, 1.0, np.log(8e6)
DRIFT, VOLATILITY, JUMP_RATE, JUMP_VOLATILITY = 0.004, 0.035, 0.015, 0.45
OUTFLOWS_PER_CLIENTS, OUTFLOW_MIN_AUM, OUTFLOW_CUT = 500, 400_000, (0.35, 0.75)
#: Holding probability logistic(a + b·x) and weight exp(c + d·x) per asset, x = ln(AUM / 200,000):
#: wealthier clients hold more lines and tilt from deposits to funds, wealth products and insurance.
HOLDING = np.array([  # a, b, c, d
    [0.0, 0.0, 0.8, -0.5],    # demand_deposit (everyone)
    [0.3, 0.6, 0.6, -0.1],    # time_deposit
    [-0.6, 0.9, 0.3, 0.25],   # wealth_products
    [-1.2, 0.8, -0.2, 0.3],   # funds
    [-2.2, 0.6, -0.8, 0.1],   # bonds
    [-1.2, 0.7, -0.3, 0.25],  # insurance
    [-2.8, 0.6, -1.5, 0.1],   # precious_metals
    [-2.2, 0.4, -1.0, 0.1],   # custody_margin
])
AMOUNT_COLUMNS = (*ASSET_COLUMNS, "credit_card_annual_spend", "loan_balance")  # contiguous in CLIENTS
MIN_HOLDING = 1_000  # yuan; smaller slices are folded into the demand deposit
NAME_POOL = 2000  # Faker draws per name pool
CARD_LEVELS = ("normal", "gold", "platinum", "diamond")
CARD_FLOORS = np.log([150_000, 1_200_000, 6_000_000])
RISK_CODES = ("C1", "C2", "C3", "C4", "C5")

# --- staff: per branch, in staff-id order; SCALED_ROLES grow with the book ---------------------
STAFF_PER_BRANCH = {"branch_president": 1, "wealth_manager": 2, "financial_advisor": 4,
                    "branch_director": 1, "lobby_manager": 2, "teller": 6}
SCALED_ROLES = ("wealth_manager", "financial_advisor", "lobby_manager", "teller")
CLIENTS_PER_STAFF_SCALE = 3000
MAX_VISITS = {"wealth_manager": 40, "financial_advisor": 60, "branch_director": 25, "lobby_manager": 30}
DEPARTED_SERIAL = 900  # staff serials from here on are people who left the bank
#: Maintainer role by tier code (0 out of scope … 5 private_wealth); potential_a is split in two.
TIER_ROLE = np.array([ROLES.index(r) for r in ("lobby_manager", "lobby_manager", "teller", "branch_director",
                                               "financial_advisor", "wealth_manager")])

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

BRANCH_ROOTS = ("瓯海", "鹿城", "龙湾", "瑞安", "乐清", "永嘉", "平阳", "苍南", "文成", "泰顺", "洞头", "龙港")
BRANCH_DISTRICTS = {
    "瓯海": ("娄桥街道", "梧田街道", "新桥街道", "景山街道", "潘桥街道", "郭溪街道"),
    "鹿城": ("五马街道", "松台街道", "南汇街道", "滨江街道", "双屿街道", "七都街道"),
    "龙湾": ("永中街道", "蒲州街道", "海滨街道", "瑶溪街道", "状元街道"),
}
PLACE_WORDS = ("东城", "西城", "南湖", "北苑", "新华", "人民路", "解放路", "中山路", "城关", "开发区",
               "高新区", "滨江", "江北", "江南", "湖滨", "工业区", "新城", "老城")
BRANCH_SUFFIXES = ("", "东", "西", "南", "北", "中")


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


@dataclass
class SampleNetwork:
    """The generated tables in memory; `write_sample` turns them into files and params."""

    clients: pd.DataFrame  # every snapshot, sorted by snapshot_date then client_id
    staff: pd.DataFrame
    products: pd.DataFrame
    activities: pd.DataFrame
    fact_finds: list[dict[str, Any]]  # keyword arguments for template.write_fact_find
    branch_names: dict[str, str]
    end_period: str


@dataclass
class _Pools:
    surnames: np.ndarray
    given_names: np.ndarray  # (2, NAME_POOL): male, female
    phone_prefixes: np.ndarray
    branch_names: list[str]
    districts: list[tuple[str, ...]]


def _pools(seed: int, branches: int, rng: np.random.Generator) -> _Pools:
    """Name and phone pools from Faker (a few thousand calls, once), branch names and districts."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = np.array([fake.last_name() for _ in range(NAME_POOL)])
    given = np.array([[fake.first_name_male() for _ in range(NAME_POOL)],
                      [fake.first_name_female() for _ in range(NAME_POOL)]])
    prefixes = np.array([int(fake.phone_number()[:3]) for _ in range(500)], dtype=np.int64)
    roots = list(dict.fromkeys([*BRANCH_ROOTS, *fake.provider("faker.providers.address").districts]))
    names, districts = [], []
    for b in range(branches):
        root, lap = roots[b % len(roots)], b // len(roots)
        suffix = BRANCH_SUFFIXES[lap] if lap < len(BRANCH_SUFFIXES) else f"第{lap}"
        names.append(f"{root}{suffix}支行")
        places = BRANCH_DISTRICTS.get(root) if lap == 0 else None
        if places is None:
            words = [str(w) for w in rng.choice(PLACE_WORDS, size=int(rng.integers(4, 7)), replace=False)]
            places = tuple(w if w.endswith("区") else w + ("片区" if w.endswith("路") else "街道") for w in words)
        districts.append(places)
    return _Pools(surnames, given, prefixes, names, districts)


def _staff_layout(clients_per_branch: int) -> list[str]:
    """The roles of one branch's staff, in serial order (serial 1 is the president)."""
    scale = max(1, round(clients_per_branch / CLIENTS_PER_STAFF_SCALE))
    return [role for role, count in STAFF_PER_BRANCH.items()
            for _ in range(count * (scale if role in SCALED_ROLES else 1))]


def _logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _pick_per_branch(branch: np.ndarray, eligible: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Mask of up to k random eligible clients in each branch."""
    key = np.where(eligible, rng.random(branch.size), np.inf)
    order = np.lexsort((key, branch))
    sorted_branch = branch[order]
    rank = np.arange(branch.size) - np.searchsorted(sorted_branch, sorted_branch, side="left")
    chosen = np.zeros(branch.size, dtype=bool)
    chosen[order] = (rank < k) & np.isfinite(key[order])
    return chosen


def tier_codes(aum: np.ndarray, spend: np.ndarray, loan: np.ndarray, custody: np.ndarray, card: np.ndarray,
               age: np.ndarray, th: Thresholds | None = None) -> np.ndarray:
    """Tier index into schema.TIERS per client (CONTRACT §2), used to shape maintainers and activities."""
    th = th or Thresholds()
    eligible_cards = [CARD_LEVELS.index(c) for c in th.eligible_card_levels]
    in_scope = ((aum >= th.eligible_aum) | (spend >= th.eligible_card_spend) | (loan >= th.eligible_loan)
                | (custody >= th.eligible_custody_margin) | np.isin(card, eligible_cards))
    young = ~(age >= th.potential_b_max_age)  # no birth date (NaN) counts as under the limit
    tier = np.select([aum >= th.private_wealth, aum >= th.wealth, aum >= th.potential_a,
                      (aum >= th.potential_b) & young], [5, 4, 3, 2], 1)
    return np.where(in_scope, tier, 0)


class _Book:
    """Per-client arrays (one entry per client ever on the book) and the monthly AUM path."""

    def __init__(self, rng: np.random.Generator, branches: int, per_branch: int, months: int):
        self.months = months
        n_new = round(per_branch * NEW_PER_MONTH * (months - 1))
        per = per_branch + n_new
        self.n = n = branches * per
        self.branch = np.repeat(np.arange(branches), per)
        self.serial = np.tile(np.arange(1, per + 1), branches)  # new clients get the higher numbers
        entry = np.zeros((branches, per), dtype=np.int64)
        entry[:, per_branch:] = np.sort(rng.integers(1, months, (branches, n_new)), axis=1)
        self.entry = entry.ravel()
        self.leave = self.entry + rng.geometric(CHURN_PER_MONTH, n)  # first snapshot without them
        # Stratified draw of wealth: every branch gets the whole long tail, not a lucky sample.
        u = (np.argsort(rng.random((branches, per)), axis=1).ravel() + rng.uniform(0.02, 0.98, n)) / per
        log_w = LOG_AUM_CENTRE + rng.normal(0, 0.1, branches)[self.branch] + LOG_AUM_SCALE * np.log(u / (1 - u))
        self.log_w = np.where(log_w > LOG_TAIL_KNEE, LOG_TAIL_KNEE + (log_w - LOG_TAIL_KNEE) / 2, log_w)
        steps = rng.normal(DRIFT, VOLATILITY, (n, months - 1))
        jumps = rng.integers(0, steps.size, rng.binomial(steps.size, JUMP_RATE))
        steps.flat[jumps] += rng.normal(0, JUMP_VOLATILITY, jumps.size)
        walk = np.concatenate([np.zeros((n, 1)), np.cumsum(steps, axis=1)], axis=1)
        self.level = np.exp(self.log_w[:, None] + walk - walk[:, -1:])  # AUM per client and snapshot
        self.x = self.log_w - np.log(200_000)

    def present(self, t: int) -> np.ndarray:
        return (self.entry <= t) & (t < self.leave)

    def add_outflows(self, rng: np.random.Generator, per_branch: int) -> None:
        """A few good clients per branch lose 35–75% of AUM in the last month (≥ 140,000 yuan)."""
        last = self.months - 1
        eligible = self.present(last) & self.present(last - 1) & (self.level[:, last - 1] >= OUTFLOW_MIN_AUM)
        self.outflow = _pick_per_branch(self.branch, eligible, max(2, per_branch // OUTFLOWS_PER_CLIENTS), rng)
        cut = rng.uniform(*OUTFLOW_CUT, self.n)
        self.level[:, last] = np.where(self.outflow, self.level[:, last - 1] * (1 - cut), self.level[:, last])

    def draw_attributes(self, rng: np.random.Generator, end: dt.date, n_districts: np.ndarray) -> None:
        n, x = self.n, self.x
        a, b, c, d = HOLDING.T
        held = rng.random((n, len(ASSET_COLUMNS))) < _logistic(a + b * x[:, None])
        held[:, 0] = True  # everyone has a current account
        weight = np.exp(c + d * x[:, None]) * rng.gamma(2.0, 0.5, held.shape) * held
        share = weight / weight.sum(axis=1, keepdims=True)
        tiny = share * np.exp(self.log_w)[:, None] < MIN_HOLDING
        tiny[:, 0] = False
        share[:, 0] += np.where(tiny, share, 0).sum(axis=1)
        self.share = np.where(tiny, 0.0, share).T.copy()  # (asset, client) for fast column gathers
        self.spend = np.where(rng.random(n) < _logistic(-0.2 + 0.6 * x),
                              np.exp(np.log(36_000) + 0.35 * x + rng.normal(0, 0.7, n)), 0.0)
        self.loan = np.where(rng.random(n) < 0.06 + 0.10 * _logistic(x),
                             np.exp(np.log(380_000) + 0.2 * x + rng.normal(0, 0.6, n)), 0.0)
        score = self.log_w + rng.normal(0, 0.5, n) + 0.3 * (self.spend > 100_000)
        card = np.searchsorted(CARD_FLOORS, score)
        self.card = np.where((card == 0) & (rng.random(n) < 0.02), 1, card)  # a few legacy gold cards
        risk = np.clip(np.rint(2.7 + 0.3 * x + rng.normal(0, 0.9, n)), 1, 5).astype(np.int64) - 1
        self.risk = np.where(rng.random(n) < _logistic(0.4 + x), risk, -1)  # -1: never assessed
        mean_age = np.clip(44 + 3 * x, 30, 68)
        age = 22 + 68 * rng.beta((mean_age - 22) / 68 * 4, (90 - mean_age) / 68 * 4)
        self.age = np.where(rng.random(n) < 0.03, rng.uniform(70, 90, n), age)  # elderly depositors
        birth = np.datetime64(end, "D") - np.rint(self.age * 365.25).astype("timedelta64[D]")
        self.birth = np.where(rng.random(n) < 0.01, np.datetime64("NaT"), birth).astype("datetime64[ns]")
        self.gender = np.where(rng.random(n) < 0.01, -1, rng.integers(0, 2, n))  # 0 M, 1 F, -1 missing
        self.district = np.where(rng.random(n) < 0.02, -1, (rng.random(n) * n_districts[self.branch]).astype(int))
        self.name_gender = np.where(self.gender >= 0, self.gender, rng.integers(0, 2, n))
        self.surname = rng.integers(0, NAME_POOL, n)
        self.given = rng.integers(0, NAME_POOL, n)
        self.phone_tail = np.where(rng.random(n) < 0.03, -1, rng.integers(0, 10**8, n))
        self.phone_prefix = rng.integers(0, 500, n)

    def end_tiers(self) -> np.ndarray:
        last = self.months - 1
        aum = self.level[:, last]
        return tier_codes(aum, self.spend, self.loan, aum * self.share[-1], self.card, self.age)

    def assign_maintainers(self, rng: np.random.Generator, layout: list[str]) -> None:
        """Staff serial per client: mostly their tier's role, some kept from a lower tier, some none,
        a few who left the bank; 0 means no maintainer."""
        n = self.n
        roles = np.array([ROLES.index(r) for r in layout])
        count = np.bincount(roles, minlength=len(ROLES))
        first = np.array([int(np.argmax(roles == r)) for r in range(len(ROLES))])
        tier = self.end_tiers()
        role_tier = np.where((tier >= 4) & (rng.random(n) < 0.12), tier - 1, tier)  # upgraded, kept
        role_tier = np.where(tier == 0, rng.integers(1, 3, n), role_tier)  # formerly basic / potential_b
        role = TIER_ROLE[role_tier]
        role = np.where((role_tier == 3) & (rng.random(n) < 0.5), ROLES.index("lobby_manager"), role)
        serial = first[role] + (rng.random(n) * count[role]).astype(int) + 1
        u = rng.random(n)
        serial = np.where(tier > 0, np.where(u < 0.08, 0, serial), np.where(u < 0.15, serial, 0))
        departed = (tier > 0) & (u >= 0.08) & (u < 0.095)
        self.maintainer = np.where(departed, DEPARTED_SERIAL + rng.integers(1, 50, n), serial)
        self.staff_roles = roles

    def valid_maintainer(self) -> np.ndarray:
        return (self.maintainer > 0) & (self.maintainer < DEPARTED_SERIAL)


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


def _cents(amounts: np.ndarray) -> np.ndarray:
    """Round money to the fen, in place (np.round would allocate three temporaries per column)."""
    amounts *= 100
    np.rint(amounts, out=amounts)
    amounts /= 100
    return amounts


def _client_rows(book: _Book, pools: _Pools, snapshot_dates: list[dt.date]) -> pd.DataFrame:
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
    frame = pd.DataFrame(_cents(amounts).T, columns=list(AMOUNT_COLUMNS), copy=False)
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


# --- fact-finds: three clients whose 表1–表3 agree with their rows in the book --------------------
@dataclass(frozen=True)
class _Story:
    key: str
    target_aum: float
    age: int
    occupation: str
    risk_level: str
    assessed_months_ago: int  # > 12: the assessment has expired
    loan: float
    spouse: tuple[int, str]  # age, occupation
    child: tuple[int, str] | None
    cashflow: tuple[tuple[str, str, float], ...]
    real_assets: tuple[tuple[str, float], ...]
    loan_item: str
    goals: tuple[tuple[str, float, int], ...]  # goal, amount in today's money, years from now


STORIES = (
    _Story("family", 900_000, 41, "工程师", "C3", 4, 1_150_000, (39, "中学教师"), (10, "小学生"),
           (("income", "工资收入（本人）", 360_000), ("income", "工资收入（配偶）", 180_000),
            ("income", "年终奖金", 60_000), ("expense", "日常生活开支", 144_000),
            ("expense", "子女教育支出", 36_000), ("expense", "保险保费", 18_000),
            ("debt_payment", "住房贷款月供", 96_000)),
           (("自住房产", 3_200_000),), "住房贷款",
           (("子女教育", 600_000, 8), ("改善型购房", 1_500_000, 5), ("退休养老", 3_000_000, 19))),
    _Story("senior", 1_600_000, 68, "退休教师", "C2", 2, 0, (66, "退休"), None,
           (("income", "退休金", 96_000), ("income", "房屋租金收入", 60_000),
            ("expense", "日常生活开支", 72_000), ("expense", "医疗保健支出", 30_000),
            ("expense", "旅游及其他", 18_000)),
           (("自住房产", 2_500_000), ("出租住房", 1_600_000)), "",
           (("医疗储备", 500_000, 3), ("财富传承", 2_000_000, 10))),
    _Story("stale_risk", 3_500_000, 52, "企业主", "C4", 18, 800_000, (50, "企业财务"), (24, "研究生"),
           (("income", "经营收入", 900_000), ("income", "工资收入（配偶）", 150_000),
            ("expense", "日常生活开支", 240_000), ("expense", "子女留学支出", 180_000),
            ("debt_payment", "经营贷款还款", 120_000)),
           (("自住房产", 5_000_000), ("商铺", 2_000_000)), "经营贷款",
           (("子女留学", 800_000, 2), ("退休养老", 5_000_000, 8))),
)


def _born(as_of: dt.date, age: int, rng: np.random.Generator) -> dt.date:
    """A birth date that makes someone exactly `age` on `as_of`."""
    return as_of - dt.timedelta(days=round((age + rng.uniform(0.05, 0.95)) * 365.25))


def _fact_finds(book: _Book, pools: _Pools, rng: np.random.Generator, end_period: str) -> list[dict[str, Any]]:
    """Pick one client per story (branches in turn) and align the book with the story."""
    last = book.months - 1
    as_of = periods.month_start(periods.shift(end_period, 1))
    end_aum = book.level[:, last]
    free = book.present(last) & ~book.outflow
    out: list[dict[str, Any]] = []
    for s, story in enumerate(STORIES):
        candidates = free & (book.branch == s % (book.branch[-1] + 1))
        if not candidates.any():
            continue
        i = int(np.argmin(np.where(candidates, np.abs(np.log(end_aum / story.target_aum)), np.inf)))
        free[i] = False
        birth = _born(as_of, story.age, rng)
        book.age[i] = (np.datetime64(as_of) - np.datetime64(birth)).astype(int) / 365.25
        book.birth[i] = np.datetime64(birth, "ns")
        book.risk[i] = RISK_CODES.index(story.risk_level)
        book.loan[i] = story.loan
        book.gender[i] = book.name_gender[i]
        if not book.valid_maintainer()[i]:
            role = TIER_ROLE[book.end_tiers()[i]]
            book.maintainer[i] = int(np.argmax(book.staff_roles == role)) + 1
        out.append(_story_tables(story, book, pools, i, as_of, rng))
    return out


def _story_tables(story: _Story, book: _Book, pools: _Pools, i: int, as_of: dt.date,
                  rng: np.random.Generator) -> dict[str, Any]:
    last = book.months - 1
    surname = str(pools.surnames[book.surname[i]])
    gender = int(book.gender[i])
    name = surname + str(pools.given_names[gender, book.given[i]])
    spouse_surname = str(rng.choice(pools.surnames))
    birth = pd.Timestamp(book.birth[i]).date()
    family = [{"member": "self", "name": name, "birth_date": birth, "occupation": story.occupation},
              {"member": "spouse", "name": spouse_surname + str(rng.choice(pools.given_names[1 - gender])),
               "birth_date": _born(as_of, story.spouse[0], rng), "occupation": story.spouse[1]}]
    if story.child:
        child_surname = surname if gender == 0 else spouse_surname
        family.append({"member": "child", "name": child_surname + str(rng.choice(pools.given_names[gender])),
                       "birth_date": _born(as_of, story.child[0], rng), "occupation": story.child[1]})
    amounts = _cents(book.level[i, last] * book.share[:, i])
    holdings = dict(zip(ASSET_COLUMNS, amounts.tolist(), strict=True))
    balance = [{"type": "liquid" if col == "demand_deposit" else "financial", "item": ZH_LABELS[col], "amount": v}
               for col, v in holdings.items() if v > 0]
    balance += [{"type": "real", "item": item, "amount": amount} for item, amount in story.real_assets]
    if story.loan:
        balance.append({"type": "liability", "item": story.loan_item, "amount": story.loan})
    assessed = periods.month_start(periods.shift(periods.period_of(as_of), -story.assessed_months_ago))
    return {
        "profile": {"client_id": f"{book.branch[i] + 1:03d}{book.serial[i]:07d}", "name": name,
                    "birth_date": birth, "risk_level": story.risk_level,
                    "risk_assessed_on": assessed + dt.timedelta(days=9)},
        "family": family,
        "cashflow": [{"type": t, "item": item, "annual_amount": a} for t, item, a in story.cashflow],
        "balance": balance,
        "goals": [{"goal": g, "target_amount": a, "target_year": as_of.year + y} for g, a, y in story.goals],
    }


# --- staff, products, activities -------------------------------------------------------------
def _staff(pools: _Pools, layout: list[str], branches: int, rng: np.random.Generator) -> pd.DataFrame:
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
    })[STAFF.names]


def _products(year: int) -> pd.DataFrame:
    df = pd.DataFrame(_product_shelf(year), columns=PRODUCTS.names)
    return df.astype({"min_amount": "float64", "term_days": "Int64", "expected_return": "float64"})


def _visits(book: _Book, rng: np.random.Generator, active: np.ndarray, tier: np.ndarray,
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


def _activities(book: _Book, rng: np.random.Generator, end_period: str) -> pd.DataFrame:
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
    guests = np.flatnonzero(_pick_per_branch(book.branch, book.present(last) & joined & (tier >= 4),
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


def generate_network(branches: int = 3, clients_per_branch: int = 3000, months: int = 13, seed: int = 42,
                     end_period: str | None = None) -> SampleNetwork:
    """The whole synthetic network in memory; same arguments, same frames.

    `months` month-end snapshots end with `end_period` (default: the last closed month);
    `clients_per_branch` is the size of each branch's first snapshot (later ones drift by churn
    and new clients).
    """
    if not 1 <= branches <= 999:
        raise ValueError("branches must be between 1 and 999 (branch ids are B001…B999)")
    if not 10 <= clients_per_branch <= 5_000_000:
        raise ValueError("clients_per_branch must be between 10 and 5,000,000")
    if months < 2:
        raise ValueError("months must be at least 2 (month-to-month movement needs two snapshots)")
    end_period = end_period or periods.last_closed_month()
    periods.parse_period(end_period)
    snapshot_dates = [periods.month_end(periods.shift(end_period, t - months + 1)) for t in range(months)]
    rng = np.random.default_rng(seed)
    pools = _pools(seed, branches, rng)
    layout = _staff_layout(clients_per_branch)
    book = _Book(rng, branches, clients_per_branch, months)
    book.add_outflows(rng, clients_per_branch)
    book.draw_attributes(rng, snapshot_dates[-1], np.array([len(d) for d in pools.districts]))
    book.assign_maintainers(rng, layout)
    fact_finds = _fact_finds(book, pools, rng, end_period)
    return SampleNetwork(
        clients=_client_rows(book, pools, snapshot_dates),
        staff=_staff(pools, layout, branches, rng),
        products=_products(periods.parse_period(periods.shift(end_period, 1))[0]),
        activities=_activities(book, rng, end_period),
        fact_finds=fact_finds,
        branch_names={f"B{b + 1:03d}": name for b, name in enumerate(pools.branch_names)},
        end_period=end_period,
    )


# --- files and params (CONTRACT §1, §5) --------------------------------------------------------
CSV_MAX_CLIENTS = 200_000  # per snapshot; above this `fmt="auto"` writes parquet
FORMATS = ("auto", "csv", "xlsx", "parquet")
_SNAPSHOT_FILE = re.compile(r"^clients_\d{6}\.(csv|xlsx|parquet)$")
_FACT_FIND_FILE = re.compile(r"^\d{10}\.xlsx$")
#: Bank systems export Chinese words; the loader accepts them as well as the canonical codes.
EXPORT_WORDS: dict[str, dict[str, str]] = {
    "gender": {"M": "男", "F": "女"},
    "card_level": {code: word for word, code in CARD_WORDS.items() if word != code},
    "risk_level": {c: ZH_LABELS[c] for c in RISK_CODES},
    "role": {r: ZH_LABELS[r] for r in ROLES},
    "category": {c: ZH_LABELS[c] for c in ASSET_COLUMNS},
    "kind": {"visit": "拜访", "call": "电话", "sms": "短信", "gift": "礼品", "event": "活动"},
}
AMOUNT_FORMAT = "#,##0.00"
PARQUET_DICTIONARY = ["snapshot_date", "branch_id", "gender", "maintainer_id", "card_level", "risk_level",
                      "district"]  # low-cardinality columns; dictionary-encoding ids and phones only costs time


class _FlowLists(yaml.SafeDumper):
    """Block mappings with inline lists, the layout of the params example in CONTRACT §5."""


_FlowLists.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
# Ids made of digits are quoted, so nobody reading or editing the file takes them for numbers.
_FlowLists.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v,
                                                                 style="'" if v.isdigit() else None))


def _export(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The frame as a bank export: Chinese headers and Chinese words in coded columns."""
    out = df.copy()
    for col in set(EXPORT_WORDS) & set(out.columns):
        out[col] = out[col].map(EXPORT_WORDS[col])
    return out.rename(columns={c.name: c.alias for c in table.columns})


def _write_xlsx(df: pd.DataFrame, path: Path, sheet: str, formats: dict[str, str] | None = None) -> None:
    """An Excel sheet people can read: dates as dates, amounts with separators, frozen header."""
    with pd.ExcelWriter(path, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD") as writer:
        df.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns, start=1):
            width = max(display_width(v) for v in [col, *df[col].head(200).dropna()])
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width + 2, 8), 40)
            fmt = (formats or {}).get(str(col))
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a BOM (so Excel shows the Chinese) and ISO dates; Arrow's writer, ~10× pandas'."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for k, column in enumerate(table.columns):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(k, table.field(k).name, column.cast(pa.date32()))
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        pacsv.write_csv(table, fh)


def _write_clients(clients: pd.DataFrame, folder: Path, ext: str) -> list[Path]:
    """One file per snapshot, named by month: what a bank's monthly export looks like."""
    folder.mkdir(parents=True, exist_ok=True)
    dates = clients["snapshot_date"].to_numpy()
    months = np.unique(dates)
    starts, ends = np.searchsorted(dates, months, "left"), np.searchsorted(dates, months, "right")
    arrow = pa.Table.from_pandas(clients, preserve_index=False) if ext == "parquet" else None
    amounts = {c.alias: AMOUNT_FORMAT for c in CLIENTS.columns if c.kind == "amount"}
    written = [folder / f"clients_{pd.Timestamp(month):%Y%m}.{ext}" for month in months]

    def write(k: int) -> None:
        a, b, path = int(starts[k]), int(ends[k]), written[k]
        if arrow is not None:
            pq.write_table(arrow.slice(a, b - a), path, use_dictionary=PARQUET_DICTIONARY)
        elif ext == "csv":
            _write_csv(_export(clients.iloc[a:b], CLIENTS), path)
        else:
            _write_xlsx(_export(clients.iloc[a:b], CLIENTS), path, "客户", amounts)

    if arrow is not None:  # Arrow releases the GIL: two snapshots encode at once
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, range(len(written))))
    else:
        for k in range(len(written)):
            write(k)
    return written


def _remove_stale(folder: Path, pattern: re.Pattern[str], keep: list[Path]) -> None:
    """Drop files of an earlier sample in the same place, so a glob never mixes two runs."""
    if folder.is_dir():
        for path in folder.iterdir():
            if pattern.match(path.name) and path not in keep:
                path.unlink()


def _rel(target: Path, params_file: Path) -> str:
    """Paths in a params file are relative to its folder (CONTRACT §5), so the tree can move."""
    return Path(os.path.relpath(target.absolute(), params_file.parent.absolute())).as_posix()


def _write_yaml(path: Path, content: dict[str, Any], title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(content, Dumper=_FlowLists, allow_unicode=True, sort_keys=False, default_flow_style=False)
    path.write_text(f"# {title}\n{text}", encoding="utf-8")


def _branch_params(branch_id: str, name: str, path: Path, files: dict[str, Path], end_period: str) -> dict:
    th, visits = Thresholds(), VisitSettings()
    # The plan of month P acts in P+1; the forum falls mid-P+2 so that its invitations (T-30) and
    # phone confirmations go out during the plan month, as branches prepare it in practice.
    start = periods.month_start(periods.shift(end_period, 2)) + dt.timedelta(days=9)
    forum = ForumSettings(window=(start, start + dt.timedelta(days=18)))
    return {
        "branch_id": branch_id,
        "branch_name": name,
        "data": {key: _rel(p, path) for key, p in files.items()},
        "compare_to": "previous_month",
        "thresholds": {k: int(getattr(th, k)) for k in ("private_wealth", "wealth", "potential_a", "potential_b",
                                                        "potential_b_max_age")},
        "visits": {"cadence_months": dict(visits.cadence_months), "max_per_day": visits.max_per_day},
        "forum": {"window": list(forum.window), "capacity": forum.capacity,
                  "expected_attendance_rate": forum.expected_attendance_rate,
                  "budget_per_guest": int(forum.budget_per_guest), "fixed_cost": int(forum.fixed_cost),
                  "preferred_weekdays": list(forum.preferred_weekdays)},
        "salons": [],
        "greetings": {"gift_tiers": list(GreetingSettings().gift_tiers)},
        "extra_holidays": [],
        "extra_workdays": [],
        "language": "zh",
        "mask_pii": True,
    }


def _remove_stale_params(folder: Path, keep: list[Path], clients_glob: str) -> None:
    """Params of an earlier, larger sample over the same data would name branches that are gone."""
    if not folder.is_dir():
        return
    for path in folder.glob("*.yaml"):
        if path in keep:
            continue
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(content, dict) and (content.get("data") or {}).get("clients") == clients_glob:
            path.unlink()


def write_network(net: SampleNetwork, out: str | Path, params_dir: str | Path | None = None,
                  fmt: str = "auto") -> dict[str, Any]:
    """Write the tables, fact-finds and params files of a generated network; returns what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = Path(out)
    params_dir = Path(params_dir) if params_dir is not None else out / "params"
    out.mkdir(parents=True, exist_ok=True)
    per_snapshot = int(net.clients["snapshot_date"].value_counts().max())
    ext = fmt if fmt != "auto" else ("csv" if per_snapshot <= CSV_MAX_CLIENTS else "parquet")
    snapshots = _write_clients(net.clients, out / "clients", ext)
    _remove_stale(out / "clients", _SNAPSHOT_FILE, snapshots)
    staff, products, activities = out / "staff.xlsx", out / "products.xlsx", out / "activities.csv"
    _write_xlsx(_export(net.staff, STAFF), staff, "员工")
    _write_xlsx(_export(net.products, PRODUCTS), products, "产品",
                {"起购金额": "#,##0", "业绩比较基准": "0.00%"})
    _write_csv(_export(net.activities, ACTIVITIES), activities)

    as_of = periods.month_start(periods.shift(net.end_period, 1))
    last = net.clients[net.clients["snapshot_date"] == net.clients["snapshot_date"].max()]
    fact_finds, client_params, branch_params = [], [], []
    clients_glob = out / "clients" / f"clients_*.{ext}"
    for ff in net.fact_finds:
        client_id = ff["profile"]["client_id"]
        ff_path = write_fact_find(out / "fact_finds" / f"{client_id}.xlsx", **ff)
        fact_finds.append(ff_path)
        path = params_dir / "clients" / f"{client_id}.yaml"
        advisor = last.loc[last["client_id"] == client_id, "maintainer_id"].iloc[0]
        _write_yaml(path, {
            "client_id": client_id,
            "data": {"clients": _rel(clients_glob, path), "products": _rel(products, path),
                     "activities": _rel(activities, path)},
            "fact_find": _rel(ff_path, path),
            "as_of": as_of,
            "advisor": str(advisor),
            "language": "zh",
        }, "样例客户建议书参数（clientcare sample 生成）/ Sample client proposal params")
        client_params.append(path)
    _remove_stale(out / "fact_finds", _FACT_FIND_FILE, fact_finds)
    for branch_id, name in net.branch_names.items():
        path = params_dir / "branches" / f"{branch_id}.yaml"
        files = {"clients": clients_glob, "staff": staff, "products": products, "activities": activities}
        _write_yaml(path, _branch_params(branch_id, name, path, files, net.end_period),
                    f"{name}样例参数（clientcare sample 生成）/ Sample branch params")
        branch_params.append(path)
    for folder, keep in ((params_dir / "branches", branch_params), (params_dir / "clients", client_params)):
        _remove_stale_params(folder, keep, _rel(clients_glob, folder / "x.yaml"))
    return {
        "period": net.end_period,
        "branches": len(net.branch_names),
        "client_rows": len(net.clients),
        "clients": [str(p) for p in snapshots],
        "staff": str(staff),
        "products": str(products),
        "activities": str(activities),
        "fact_finds": [str(p) for p in fact_finds],
        "branch_params": [str(p) for p in branch_params],
        "client_params": [str(p) for p in client_params],
    }


def write_sample(out: str | Path, params_dir: str | Path | None = None, fmt: str = "auto",
                 **generate: Any) -> dict[str, Any]:
    """`clientcare sample`: generate a network (keyword arguments of generate_network) and write it."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return write_network(generate_network(**generate), out, params_dir=params_dir, fmt=fmt)
