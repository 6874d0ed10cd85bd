"""Corporate clients (对公客户): their class and the month's minimum contacts per role (the seed).

一类: deposits ≥ 2亿 or target credit ≥ 2亿; 二类: deposits 5000万 (inclusive) up to 2亿; 三类: the
rest. Per month: 行长/副行长 ≥ 1 for 一类 and 二类 they co-manage; 分行公司业务部主任 ≥ 2 for 一类
and 二类; 客户经理 ≥ 3 for every class; 网点主任/副主任 ≥ 2 for 二类 and 三类. Every number is a
setting (toolkit.base.settings.CorporateSettings).

Who contacts: the client's row names its 客户经理 and, optionally, the co-managers by role; a blank
co-manager is the branch's staff member of that role (several: spread in client order). A contact
nobody can make is kept with a reason code (no_staff, not_in_branch), never dropped.
`schedule_contacts` spreads each client's contacts over the month's working days with the visit
scheduler, within the room each person's retail visits leave; what does not fit is the shortfall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.base.settings import CorporateSettings
from toolkit.branch.schedule import schedule_staff

CLASSES: tuple[str, ...] = ("class_1", "class_2", "class_3")
#: Contact role -> (the client row's column naming the person, staff roles that fill it when blank).
CONTACT_ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "leader": ("leader_id", ("branch_president", "vice_president")),
    "head": ("head_id", ("corporate_head",)),
    "manager": ("manager_id", ("corporate_manager",)),
    "director": ("director_id", ("branch_director",)),
}
REQUIREMENT_COLUMNS = ["client_id", "name", "corporate_class", "deposit_balance", "target_credit",
                       "contact_role", "staff_id", "staff_name", "required", "problem"]
CONTACT_COLUMNS = ["date", "staff_id", "staff_name", "contact_role", "client_id", "name", "corporate_class",
                   "number", "required"]
SHORTFALL_COLUMNS = ["client_id", "name", "corporate_class", "contact_role", "staff_id", "staff_name",
                     "required", "planned", "missing", "reason"]


def classify_corporate(corporate: pd.DataFrame, settings: CorporateSettings | None = None) -> pd.Series:
    """The class code of each row (lower bounds inclusive; blank amounts count as 0)."""
    s = settings or CorporateSettings()
    deposits = pd.to_numeric(corporate["deposit_balance"], errors="coerce").fillna(0.0)
    credit = pd.to_numeric(corporate["target_credit"], errors="coerce").fillna(0.0)
    code = np.select([(deposits >= s.class_1_deposits) | (credit >= s.class_1_credit),
                      deposits >= s.class_2_deposits], ["class_1", "class_2"], "class_3")
    return pd.Series(code, index=corporate.index, name="corporate_class")


def _team(staff: pd.DataFrame, branch_id: str) -> pd.DataFrame:
    team = staff.assign(staff_id=staff["staff_id"].astype(str))
    team = team.loc[team["branch_id"].astype(str) == str(branch_id)].drop_duplicates("staff_id")
    return team.sort_values("staff_id").set_index("staff_id")


def required_contacts(corporate: pd.DataFrame, staff: pd.DataFrame, branch_id: str,
                      settings: CorporateSettings | None = None) -> pd.DataFrame:
    """One row per client and contact role that the seed asks for: who (staff_id, or None with a
    `problem` code) and how many contacts this month (`required`)."""
    s = settings or CorporateSettings()
    clients = corporate.loc[corporate["branch_id"].astype(str) == str(branch_id)].copy()
    clients["corporate_class"] = classify_corporate(clients, s)
    clients = clients.sort_values("client_id", kind="mergesort")
    team = _team(staff, branch_id)
    rows = []
    for role, (column, fill_roles) in CONTACT_ROLES.items():
        needs = s.contacts.get(role, {})
        pool = [sid for r in fill_roles for sid in team.index[team["role"] == r]]
        wanted = clients.loc[clients["corporate_class"].map(lambda c, n=needs: n.get(c, 0) > 0)]
        for k, row in enumerate(wanted.itertuples(index=False)):
            listed = getattr(row, column, None)
            listed = None if listed is None or pd.isna(listed) or not str(listed).strip() else str(listed).strip()
            who, problem = listed, None
            if listed is None:
                who = pool[k % len(pool)] if pool else None
                problem = None if pool else "no_staff"
            elif listed not in team.index:
                problem = "not_in_branch"
            rows.append({"client_id": str(row.client_id), "name": row.name,
                         "corporate_class": row.corporate_class, "deposit_balance": float(row.deposit_balance),
                         "target_credit": float(row.target_credit), "contact_role": role, "staff_id": who,
                         "staff_name": team["name"].get(who) if who in team.index else None,
                         "required": int(needs[row.corporate_class]), "problem": problem})
    out = pd.DataFrame(rows, columns=REQUIREMENT_COLUMNS)
    order = {r: i for i, r in enumerate(CONTACT_ROLES)}
    out = out.assign(_r=out["contact_role"].map(order)).sort_values(["client_id", "_r"], kind="mergesort")
    out["problem"] = out["problem"].astype(object).where(out["problem"].notna(), None)
    return out.drop(columns="_r").reset_index(drop=True)


def _windows(n: int, days: int) -> list[tuple[int, int]]:
    """n contacts' windows of working-day numbers: the k-th contact in the k-th part of the month."""
    return [(k * days // n, max((k + 1) * days // n - 1, k * days // n)) for k in range(n)]


def schedule_contacts(requirements: pd.DataFrame, workdays: Sequence[dt.date],
                      room: Mapping[str, int], per_day: int,
                      busy: Mapping[tuple[str, dt.date], int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(contacts, shortfall): each person's contacts placed by the visit scheduler
    (toolkit.branch.schedule.schedule_staff) on the days the retail visits leave: `per_day` less
    what `busy` already holds, `room[staff_id]` in the month. The k-th of a client's n contacts is
    due in the k-th part of the month (evenly spread); larger classes and deposits come first.

    The shortfall lists every requirement not fully planned: no_staff / not_in_branch (nobody can
    go), month_limit (the person's month is full) or capacity (no day with room), with required,
    planned and missing."""
    busy = dict(busy or {})
    order = requirements.assign(_c=requirements["corporate_class"].map({c: i for i, c in enumerate(CLASSES)}))
    order = order.sort_values(["_c", "deposit_balance", "client_id"], ascending=[True, False, True],
                              kind="mergesort").reset_index(drop=True)
    problem = order["problem"].map(lambda v: None if pd.isna(v) else str(v))
    planned = np.zeros(len(order), dtype=np.int64)
    why = [""] * len(order)
    contacts = []
    n_days = len(workdays)
    for staff_id, rows in order.loc[problem.isna()].groupby("staff_id", sort=True).indices.items():
        rows = order.index[problem.isna()][rows]
        items = [(r, k + 1, window) for r in rows for k, window in
                 enumerate(_windows(int(order.at[r, "required"]), n_days) if n_days else [])]
        caps = np.array([max(per_day - busy.get((str(staff_id), d), 0), 0) for d in workdays], dtype=np.int64)
        placed = schedule_staff(np.array([w[0] for _, _, w in items], dtype=np.int64),
                                np.array([w[1] for _, _, w in items], dtype=np.int64),
                                np.full(len(items), -1, dtype=np.int64), caps,
                                max(int(room.get(str(staff_id), 0)), 0))
        for (r, number, _), day, reason in zip(items, placed.day, placed.reason, strict=True):
            if day < 0:
                why[r] = why[r] or reason or "capacity"
                continue
            planned[r] += 1
            req = order.loc[r]
            contacts.append({"date": pd.Timestamp(workdays[int(day)]), "staff_id": str(staff_id),
                             "staff_name": req["staff_name"], "contact_role": req["contact_role"],
                             "client_id": req["client_id"], "name": req["name"],
                             "corporate_class": req["corporate_class"], "number": number,
                             "required": int(req["required"])})
    short = order.assign(planned=planned, missing=order["required"].astype("int64") - planned,
                         reason=[p or w or "capacity" for p, w in zip(problem, why, strict=True)])
    short = short.loc[short["missing"] > 0, SHORTFALL_COLUMNS].reset_index(drop=True)
    schedule = pd.DataFrame(contacts, columns=CONTACT_COLUMNS).astype({"date": "datetime64[ns]"})
    schedule = schedule.sort_values(["date", "staff_id", "client_id", "number"], kind="mergesort")
    return schedule.reset_index(drop=True), short
