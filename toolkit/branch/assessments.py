"""Risk assessments (风险评估) due: without a valid one a client may be offered R1 products only
(CONTRACT §4), so each maintainer gets the list of their clients to assess, largest AUM first.

On the plan month's first day an in-scope client's assessment is, by the rule of
toolkit.base.suitability: `missing` (no risk level), `undated` (a level with no assessment date:
it cannot be shown to be current), `expired` (older than AssessmentSettings.valid_months),
`in_future` (dated after that day), or `expiring` (valid now, its last valid day at most
expiring_within_months after that day). Everyone else is current and not listed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from toolkit.base.settings import AssessmentSettings
from toolkit.base.suitability import risk_number

#: Status codes, the ones counted as "no valid assessment" first.
NOT_VALID: tuple[str, ...] = ("missing", "undated", "expired", "in_future")
STATUSES: tuple[str, ...] = (*NOT_VALID, "expiring")
COLUMNS = ["maintainer_id", "priority", "client_id", "name", "phone", "tier", "aum", "risk_level",
           "risk_assessed_on", "expires_on", "status"]


def _shift_months(days: pd.Series, months: int) -> pd.Series:
    """Each date plus `months` calendar months, the day clipped to the month's length (Jan 31 + 1
    month = Feb 28, as pd.DateOffset and toolkit.base.suitability reckon it); NaT kept."""
    known = days.notna()
    out = pd.Series(pd.NaT, index=days.index, dtype="datetime64[ns]")
    if known.any():
        d = days[known]
        idx = (d.dt.year * 12 + d.dt.month - 1 + months).astype("int64")
        first = pd.to_datetime(pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1}))
        day = np.minimum(d.dt.day.to_numpy(), first.dt.days_in_month.to_numpy())
        out[known] = (first + pd.to_timedelta(day - 1, unit="D")).to_numpy()
    return out


def assessments_due(clients: pd.DataFrame, month_first: dt.date,
                    settings: AssessmentSettings | None = None) -> pd.DataFrame:
    """In-scope clients whose assessment is not valid on `month_first` or expires within the window;
    per maintainer, priority 1 = largest AUM (ties by client id)."""
    s = settings or AssessmentSettings()
    scope = clients.loc[clients["in_scope"].astype(bool)].drop_duplicates("client_id").copy()
    scope["client_id"] = scope["client_id"].astype(str)
    if "risk_assessed_on" not in scope:
        scope["risk_assessed_on"] = pd.NaT
    on = pd.to_datetime(scope["risk_assessed_on"]).astype("datetime64[ns]")
    level = scope["risk_level"].map(risk_number)
    expires = _shift_months(on, s.valid_months)
    day = pd.Timestamp(month_first)
    window_end = day + pd.DateOffset(months=s.expiring_within_months)
    status = np.select(
        [level.isna().to_numpy(), on.isna().to_numpy(), (on > day).to_numpy(), (expires < day).to_numpy(),
         (expires <= window_end).to_numpy()],
        ["missing", "undated", "in_future", "expired", "expiring"], "")
    scope = scope.assign(risk_assessed_on=on, expires_on=expires, status=status)
    due = scope.loc[scope["status"] != ""].copy()
    due["maintainer_id"] = due["maintainer_id"].astype("string")
    due = due.sort_values(["maintainer_id", "aum", "client_id"], ascending=[True, False, True],
                          na_position="last", kind="mergesort")
    due["priority"] = due.groupby("maintainer_id", dropna=False).cumcount() + 1
    for col in ("name", "phone", "tier"):
        if col not in due:
            due[col] = None
    due["tier"] = due["tier"].astype(str)
    return due[COLUMNS].reset_index(drop=True)


def counts(due: pd.DataFrame) -> dict[str, int]:
    """summary.json's `risk_assessment`: {missing: no valid assessment, expiring: valid but expiring}."""
    return {"missing": int(due["status"].isin(NOT_VALID).sum()), "expiring": int((due["status"] == "expiring").sum())}
