"""The synthetic client book behind `clientcare sample`: who the clients are and how their wealth moves.

One entry per client ever on the book, drawn vectorised from the seeded Generator: a long tail
of wealth per branch, a monthly AUM walk with jumps, churn and new clients, large outflows,
holdings, cards, ages, and maintainers by tier. The tables and files are built from it
elsewhere (`tables`, `generate`), so the order of draws here is what fixes the sample for a seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from toolkit.base.schema import ASSET_COLUMNS, ROLES
from toolkit.base.settings import Thresholds
from toolkit.branch import tiers

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

# --- branch names and the districts their clients live in -----------------------------------
BRANCH_ROOTS = ("瓯海", "鹿城", "龙湾", "瑞安", "乐清", "永嘉", "平阳", "苍南", "文成", "泰顺", "洞头", "龙港")
BRANCH_DISTRICTS = {
    "瓯海": ("娄桥街道", "梧田街道", "新桥街道", "景山街道", "潘桥街道", "郭溪街道"),
    "鹿城": ("五马街道", "松台街道", "南汇街道", "滨江街道", "双屿街道", "七都街道"),
    "龙湾": ("永中街道", "蒲州街道", "海滨街道", "瑶溪街道", "状元街道"),
}
PLACE_WORDS = ("东城", "西城", "南湖", "北苑", "新华", "人民路", "解放路", "中山路", "城关", "开发区",
               "高新区", "滨江", "江北", "江南", "湖滨", "工业区", "新城", "老城")
BRANCH_SUFFIXES = ("", "东", "西", "南", "北", "中")


@dataclass
class Pools:
    """What Faker and the branch names give once per network; clients index into these pools."""

    surnames: np.ndarray
    given_names: np.ndarray  # (2, NAME_POOL): male, female
    phone_prefixes: np.ndarray
    branch_names: list[str]
    districts: list[tuple[str, ...]]


def make_pools(seed: int, branches: int, rng: np.random.Generator) -> Pools:
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
    return Pools(surnames, given, prefixes, names, districts)


def staff_layout(clients_per_branch: int) -> list[str]:
    """The roles of one branch's staff, in serial order (serial 1 is the president)."""
    scale = max(1, round(clients_per_branch / CLIENTS_PER_STAFF_SCALE))
    return [role for role, count in STAFF_PER_BRANCH.items()
            for _ in range(count * (scale if role in SCALED_ROLES else 1))]


def _logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def pick_per_branch(branch: np.ndarray, eligible: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
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
    """Tier index into schema.TIERS per client, used to shape maintainers and activities.

    The real rule (`tiers.tier_codes`, CONTRACT §2), not a copy: the sample must tier its clients
    as the product will. `card` is a code into CARD_LEVELS; `age` in years, NaN counts as young.
    """
    levels = pd.Categorical.from_codes(card, categories=list(CARD_LEVELS))
    return tiers.tier_codes(aum, spend, loan, custody, levels, age, th).astype(np.int64)


class Book:
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
        self.outflow = pick_per_branch(self.branch, eligible, max(2, per_branch // OUTFLOWS_PER_CLIENTS), rng)
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


def cents(amounts: np.ndarray) -> np.ndarray:
    """Round money to the fen, in place (np.round would allocate three temporaries per column)."""
    amounts *= 100
    np.rint(amounts, out=amounts)
    amounts /= 100
    return amounts
