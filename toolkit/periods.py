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


def parse_period(text: str) -> tuple[int, int]:
    """`'2026-11'` -> `(2026, 11)`; raises ValueError with the expected shape."""
    m = _PERIOD.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"period {text!r} is not a month like 2026-11")
    return int(m.group(1)), int(m.group(2))


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
