"""The sample's fact-finds: three clients whose 表1–表3 agree with their rows in the book.

A proposal demo needs a family, a senior and a client whose risk assessment has expired; each
story picks the book client closest to its AUM and aligns that client's age, risk, loan and
maintainer with the story, before the tables are built from the book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.base import periods
from toolkit.base.schema import ASSET_COLUMNS, ZH_LABELS
from toolkit.sample.book import RISK_CODES, TIER_ROLE, Book, Pools, cents


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


def align_stories(book: Book, pools: Pools, rng: np.random.Generator, end_period: str) -> list[dict[str, Any]]:
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


def _story_tables(story: _Story, book: Book, pools: Pools, i: int, as_of: dt.date,
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
    amounts = cents(book.level[i, last] * book.share[:, i])
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


