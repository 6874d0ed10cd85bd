"""Periods (a month, `2026-11`) and the snapshots that stand for them.

Snapshots are month-end rows of the client book; a bank's export may be dated the last working
day rather than the calendar month-end, so a period is matched by year and month, not by day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Literal

CompareTo = Literal["previous_month", "quarter_start", "year_start"]
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
#: Years a period, its plan month and a date (as_of, a forum window) may fall in. Each plan needs
#: the working days of the month after its period; they can be known only where the `holidays`
#: package reckons China's statutory holidays (1950–2100; chinese-calendar's official schedules
#: cover fewer years, the others fall back with a warning), and 2100 stays as a margin for
#: timelines that run past the year's end. So the last period is 2099-11, planning 2099-12.
FIRST_YEAR, LAST_YEAR = 1950, 2099
SUPPORTED_PERIODS = f"{FIRST_YEAR}-01 to {LAST_YEAR}-11"
SUPPORTED_DATES = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"


def parse_period(text: str) -> tuple[int, int]:
    """`'2026-11'` -> `(2026, 11)`; raises ValueError with the expected shape."""
    m = _PERIOD.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"period {text!r} is not a month like 2026-11")
    return int(m.group(1)), int(m.group(2))


def supported_period(text: object) -> str:
    """`text` as a period (`'2026-11'`) inside the supported range; ValueError naming the value and
    the range otherwise (a period in 9999 once failed inside the notebook, planning month 10000-01)."""
    y, m = parse_period(str(text))
    if not (FIRST_YEAR, 1) <= (y, m) <= (LAST_YEAR, 11):
        raise ValueError(f"period {format_period(y, m)} is outside the supported range {SUPPORTED_PERIODS} "
                         f"(its plan month, the month after, must lie in {FIRST_YEAR}–{LAST_YEAR})")
    return format_period(y, m)


def supported_date(day: dt.date, what: str = "date") -> dt.date:
    """`day` when it lies inside the supported range; ValueError naming it and the range otherwise."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{what} {day.isoformat()} is outside the supported range {SUPPORTED_DATES}")
    return day


def format_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_of(day: dt.date) -> str:
    return format_period(day.year, day.month)


def shift(period: str, months: int) -> str:
    y, m = parse_period(period)
    idx = y * 12 + (m - 1) + months
    return format_period(idx // 12, idx % 12 + 1)


def month_start(period: str) -> dt.date:
    y, m = parse_period(period)
    return dt.date(y, m, 1)


def month_end(period: str) -> dt.date:
    return month_start(shift(period, 1)) - dt.timedelta(days=1)


def last_closed_month(today: dt.date | None = None) -> str:
    """The month before today's: what a batch run on the 2nd of the month reports on."""
    today = today or dt.date.today()
    return shift(period_of(today), -1)


def report_period(*choices: str | None, today: dt.date | None = None) -> str:
    """The period a report is for (CONTRACT §5), decided here only: the first period given, most
    specific first (the command line's, then the params file's), else the last closed month."""
    return next((p for p in choices if p), None) or last_closed_month(today)


def base_period(period: str, compare_to: CompareTo) -> str:
    """The period of base snapshot B (CONTRACT §3)."""
    y, m = parse_period(period)
    if compare_to == "previous_month":
        return shift(period, -1)
    if compare_to == "quarter_start":  # last month-end before the quarter
        return shift(format_period(y, (m - 1) // 3 * 3 + 1), -1)
    if compare_to == "year_start":
        return format_period(y - 1, 12)
    raise ValueError(f"compare_to must be previous_month, quarter_start or year_start, not {compare_to!r}")


def snapshot_for(period: str, snapshot_dates: Iterable[dt.date]) -> dt.date | None:
    """The latest snapshot date that falls in the period's month, or None."""
    y, m = parse_period(period)
    hits = [d for d in snapshot_dates if d.year == y and d.month == m]
    return max(hits) if hits else None
