"""The sample's tables for the seed's practices: corporate clients with their bankers, holdings with
maturity dates, and risk-assessment dates on the client book.

Drawn from their own Generator (seeded from the sample's seed), so adding them leaves every other
table of a seed as it was. Vectorised over clients, like the book: a million clients' holdings take
a fraction of a second.

- Corporate: per branch a vice president, a head of corporate banking and two corporate managers
  join the staff; 12–18 companies per branch, mostly 三类 with a few 二类 and 一类 (one of them by
  its target credit), so the branch's minimum contacts meet its capacity somewhere.
- Holdings: a client's time deposits and wealth products are held in one term product each,
  maturing over the next year (so roughly a twelfth matures in the plan month).
- Assessments: clients with a risk level were assessed within the last 14 months (those assessed
  after an earlier snapshot carry the assessment before it), so some have expired, some expire soon.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from toolkit.base import periods
from toolkit.sample.book import DEPARTED_SERIAL

INDUSTRIES = ("精密机械", "鞋业", "电气", "服饰", "眼镜", "阀门", "汽摩配件", "印刷包装", "建设工程", "新材料",
              "物流", "食品", "泵业", "电子科技", "家居用品", "化工")
PLACES = ("瓯海", "鹿城", "龙湾", "温州", "浙南", "瑞安", "永嘉", "乐清", "东海", "平阳")
FORMS = ("有限公司", "股份有限公司", "集团有限公司")
CORPORATE_STAFF = (("vice_president", None), ("corporate_head", None), ("corporate_manager", None),
                   ("corporate_manager", None))
SURNAMES = ("陈", "林", "黄", "张", "王", "李", "周", "吴", "郑", "潘")
GIVEN = ("建国", "志强", "海燕", "晓东", "丽君", "伟", "敏", "军", "静", "磊")
#: Term products a holding may be (time deposits, wealth products): the sample shelf's ids.
TERM_PRODUCTS = {"time_deposit": ("TD001", "TD002", "TD003", "TD004", "TD005"),
                 "wealth_products": ("WP002", "WP003", "WP004", "WP006")}
YI, WAN = 100_000_000, 10_000
#: Staff serials of the corporate bankers: after the departed (book.DEPARTED_SERIAL + 1 … + 49).
CORPORATE_SERIAL = DEPARTED_SERIAL + 60


def practice_rng(seed: int) -> np.random.Generator:
    """The practices' own stream: the same seed, a different sequence from the book's."""
    return np.random.default_rng([seed, 16])


def corporate_staff(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The corporate bankers of every branch, in the staff table's columns (ids S001961 …: above
    the retail staff, who count up from S001001, and the departed, S001901–S001949)."""
    rows = []
    for b in sorted(staff["branch_id"].astype(str).unique()):
        for k, (role, limit) in enumerate(CORPORATE_STAFF, start=1):
            rows.append({"staff_id": f"S{b[1:]}{CORPORATE_SERIAL + k:03d}", "branch_id": b, "role": role,
                         "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "max_visits_per_month": limit,
                         "phone": f"1390577{int(b[1:]) % 100:02d}{k:02d}"})
    extra = pd.DataFrame(rows).reindex(columns=staff.columns)
    return extra.astype(staff.dtypes.to_dict())


def corporate_clients(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """12–18 companies per branch: about 10% 一类, 25% 二类, the rest 三类 (deposits in yuan)."""
    rows = []
    for b in sorted(staff["branch_id"].astype(str).unique()):
        team = staff.loc[staff["branch_id"].astype(str) == b]
        managers = team.loc[team["role"] == "corporate_manager", "staff_id"].astype(str).tolist()
        leaders = team.loc[team["role"].isin(["branch_president", "vice_president"]), "staff_id"].astype(str).tolist()
        n = int(rng.integers(12, 19))
        kind = rng.choice(3, size=n, p=[0.1, 0.25, 0.65])
        kind[:2] = (0, 1)  # every branch has at least one 一类 and one 二类 client
        for i in range(n):
            credit = 0.0
            if kind[i] == 0:
                deposits = rng.uniform(2, 5) * YI
                if i == 0 and rng.random() < 0.5:  # 一类 by its target credit alone
                    deposits, credit = rng.uniform(0.6, 1.9) * YI, rng.uniform(2, 4) * YI
            elif kind[i] == 1:
                deposits = rng.uniform(0.5, 1.99) * YI
            else:
                deposits = rng.uniform(200, 4_900) * WAN
            if credit == 0.0 and rng.random() < 0.3:
                credit = rng.uniform(0.1, 1.5) * YI
            rows.append({
                "client_id": f"K{b[1:]}{i + 1:04d}",
                "name": f"{rng.choice(PLACES)}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}",
                "branch_id": b, "deposit_balance": round(deposits, -4), "target_credit": round(credit, -6),
                "manager_id": managers[i % len(managers)] if managers else None,
                "leader_id": leaders[int(rng.integers(len(leaders)))] if leaders and kind[i] < 2 else None,
                "head_id": None, "director_id": None,
            })
    return pd.DataFrame(rows)


def holdings(last: pd.DataFrame, end_period: str, rng: np.random.Generator) -> pd.DataFrame:
    """Each time-deposit and wealth-product balance of the last snapshot as one term holding, maturing
    between 20 days before and a year after the plan month's first day."""
    first = np.datetime64(periods.month_start(periods.shift(end_period, 1)), "D")
    frames = []
    shelf_terms = {"TD001": 90, "TD002": 365, "TD003": 1095, "TD004": 730, "TD005": 1095,
                   "WP002": 90, "WP003": 365, "WP004": 540, "WP006": 730}
    for category, products in TERM_PRODUCTS.items():
        amount = last[category].to_numpy(dtype="float64")
        who = np.flatnonzero(amount >= 10_000)
        pick = np.array(products)[rng.integers(0, len(products), who.size)]
        term = np.array([shelf_terms[p] for p in pick], dtype="int64")
        maturity = first + rng.integers(-20, 366, who.size).astype("timedelta64[D]")
        frames.append(pd.DataFrame({
            "client_id": last["client_id"].to_numpy()[who], "product_id": pick, "category": category,
            "amount": np.round(amount[who], 2),
            "start_date": (maturity - term.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "maturity_date": maturity.astype("datetime64[ns]"),
        }))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["maturity_date", "client_id"], kind="mergesort").reset_index(drop=True)


def assessment_dates(clients: pd.DataFrame, end_period: str, rng: np.random.Generator) -> pd.Series:
    """risk_assessed_on per row: each assessed client's latest assessment within 14 months of the
    last snapshot; rows before it carry the one a year earlier; never after the row's snapshot."""
    ids, code = np.unique(clients["client_id"].to_numpy().astype(str), return_inverse=True)
    end = np.datetime64(periods.month_end(end_period), "D")
    latest = end - rng.integers(0, 14 * 30, ids.size).astype("timedelta64[D]")
    day = latest[code]
    snap = clients["snapshot_date"].to_numpy().astype("datetime64[D]")
    day = np.where(day > snap, day - np.timedelta64(365, "D"), day)
    out = pd.Series(day.astype("datetime64[ns]"), index=clients.index, name="risk_assessed_on")
    return out.where(clients["risk_level"].notna().to_numpy() & (day <= snap))


def add_practices(net: Any, seed: int) -> Any:
    """The generated network (toolkit.sample.generate.SampleNetwork) with the practices' tables:
    assessment dates on the book, the corporate bankers on the staff, corporate clients, holdings."""
    rng = practice_rng(seed)
    net.clients["risk_assessed_on"] = assessment_dates(net.clients, net.end_period, rng)
    net.staff = pd.concat([net.staff, corporate_staff(net.staff, rng)], ignore_index=True)
    net.corporate_clients = corporate_clients(net.staff, rng)
    last = net.clients.loc[net.clients["snapshot_date"] == net.clients["snapshot_date"].max()]
    net.holdings = holdings(last, net.end_period, rng)
    return net
