"""Happy events (乔迁, 结婚, 生子 …) in the sample's activity notes.

The branch plan greets a happy event a maintainer recorded in an activity note within
GreetingSettings.happy_event_days before the hand-out date (toolkit.branch.greetings); without a few
such notes `make demo` never shows that greeting. They are calls in the last weeks of the sample's
last month, to clients with a maintainer on the staff, as a maintainer would log what the client told
them. Drawn from their own Generator (seeded from the sample's seed): every other table of a seed, and
every other activity, stays as it was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from toolkit.base import periods
from toolkit.base.schema import ASSET_COLUMNS

#: What a maintainer writes after the call; each names its event with one of the default
#: GreetingSettings.happy_event_words (wedding, admission, baby, new_home, promotion).
HAPPY_NOTES = (
    "电话回访，客户乔迁新居，约定下月上门",
    "电话沟通，客户女儿本月结婚",
    "电话回访，客户家中喜添孙子，下周满月",
    "电话沟通，客户孩子升学，被重点大学录取",
    "电话回访，客户近期晋升，关注资产配置",
)
#: One client in this many of a branch (at least MIN_PER_BRANCH) had a happy event in the last weeks.
CLIENTS_PER_EVENT, MIN_PER_BRANCH = 400, 3
#: Events fall within this many days before the last month's end (inside the default 30-day look-back).
WITHIN_DAYS = 20
#: Clients with at least this much in assets (the lowest default tier line): mostly in scope.
MIN_ASSETS = 50_000
#: Clients from this line (the default 理财 tier, greeted with flowers or a gift) are this many times as
#: likely to be picked: the plan then shows both greetings, a gift and an SMS.
GIFT_ASSETS, GIFT_WEIGHT = 200_000, 2.0


def events_rng(seed: int) -> np.random.Generator:
    """The events' own stream: the same seed, a different sequence from the book's and the practices'."""
    return np.random.default_rng([seed, 14])


def happy_event_calls(clients: pd.DataFrame, staff: pd.DataFrame, end_period: str,
                      rng: np.random.Generator) -> pd.DataFrame:
    """Activity rows (date, staff_id, client_id, kind, note): a few calls per branch naming a happy event,
    each by the client's maintainer on the branch's staff."""
    last = clients.loc[clients["snapshot_date"] == clients["snapshot_date"].max()]
    branch_of = staff.drop_duplicates("staff_id").set_index("staff_id")["branch_id"]
    on_staff = last["maintainer_id"].map(branch_of).eq(last["branch_id"]).fillna(False).astype(bool)
    assets = last[list(ASSET_COLUMNS)].sum(axis=1)
    eligible = last.loc[on_staff & (assets >= MIN_ASSETS)]
    weight = np.where(assets[eligible.index] >= GIFT_ASSETS, GIFT_WEIGHT, 1.0)
    end = np.datetime64(periods.month_end(end_period), "D")
    size = last["branch_id"].value_counts()
    parts, offset = [], 0
    for branch_id, rows in sorted(eligible.groupby("branch_id").indices.items()):
        w = weight[rows]
        n = min(rows.size, max(MIN_PER_BRANCH, int(size[branch_id]) // CLIENTS_PER_EVENT))
        pick = eligible.iloc[np.sort(rows[rng.choice(rows.size, size=n, replace=False, p=w / w.sum())])]
        day = np.busday_offset(end - rng.integers(0, WITHIN_DAYS, n).astype("timedelta64[D]"), 0, roll="backward")
        parts.append(pd.DataFrame({
            "date": day.astype("datetime64[ns]"),
            "staff_id": pick["maintainer_id"].to_numpy(),
            "client_id": pick["client_id"].to_numpy(),
            "kind": "call",
            # The kinds of event in turn across the branches (each branch shuffled): every one appears.
            "note": [HAPPY_NOTES[i] for i in rng.permutation((np.arange(n) + offset) % len(HAPPY_NOTES))],
        }))
        offset += n
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["date", "staff_id",
                                                                                  "client_id", "kind", "note"])


def add_happy_events(net: Any, seed: int) -> Any:
    """The generated network (toolkit.sample.generate.SampleNetwork) with the happy-event calls among its
    activities, in the activities' order (date, branch and staff, client)."""
    calls = happy_event_calls(net.clients, net.staff, net.end_period, events_rng(seed))
    calls = calls.astype({c: net.activities[c].dtype for c in net.activities.columns})
    both = pd.concat([net.activities, calls], ignore_index=True)
    net.activities = both.sort_values(["date", "staff_id", "client_id"], kind="stable", ignore_index=True)
    return net
