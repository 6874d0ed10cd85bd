"""Mainland China working days, with 调休 (make-up working days on weekends).

The State Council publishes each year's holiday schedule in the autumn before; chinese-calendar
carries the official schedules it knows. For a year it does not know yet we fall back to weekends
plus the statutory holidays (the `holidays` package's China calendar, which reckons the lunar
festivals, and the fixed dates 元旦 1/1, 劳动节 5/1, 国庆 10/1–10/7) and say so in `warnings` (a
notice per year, `calendar.fallback`, worded by the report layer), because make-up working days
cannot be guessed. The params file's extra_holidays and
extra_workdays override everything, so a branch can patch the fallback (or a local closure).

`plan_month` lives here, next to the calendar, because every planner needs it: the plan made
from month P's snapshot schedules actions in the following month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import chinese_calendar
import holidays as holidays_lib
import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.base.notices import Notice, notice
from toolkit.base.periods import shift, supported_period

_ONE_DAY = dt.timedelta(days=1)
#: Years with an official schedule in chinese-calendar (it raises for any other year).
OFFICIAL_YEARS: range = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
#: Years whose statutory holidays the `holidays` package reckons (the fallback): beyond them a
#: calendar would silently miss the Spring Festival, so such a year is an input error instead.
KNOWN_YEARS: range = range(holidays_lib.China.start_year, holidays_lib.China.end_year + 1)
_FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), *((10, d) for d in range(1, 8)))
#: Festival codes -> the holiday's name in the holidays package (its day itself, not the days off).
_FESTIVAL_NAMES = {"spring_festival": "Chinese New Year (Spring Festival)", "mid_autumn": "Mid-Autumn Festival"}


def plan_month(period: str) -> str:
    """The month the plan made from period P's snapshot acts in: P + 1 (run on Dec 2 for 2026-11).

    Only for a supported period (toolkit.base.periods.supported_period): otherwise InputError, because
    that plan month's working days cannot be known (P = 9999-12 would plan in month 10000-01)."""
    try:
        return shift(supported_period(period), 1)
    except ValueError as exc:
        raise InputError(Problem("period", str(exc))) from None


def as_date(value: object) -> dt.date:
    """A plain date from a date, datetime, pandas Timestamp or ISO text."""
    if isinstance(value, dt.datetime):  # pandas Timestamps are datetimes too
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(str(value)).date()


@dataclass(frozen=True)
class _Year:
    days_off: frozenset[dt.date]  # statutory holidays, including weekend days inside a holiday block
    make_up_workdays: frozenset[dt.date]  # weekend days that are working days (调休)
    official: bool


def _official_year(year: int) -> _Year:
    return _Year(
        days_off=frozenset(d for d in chinese_calendar.holidays if d.year == year),
        make_up_workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
        official=True,
    )


def _fallback_year(year: int) -> _Year:
    reckoned = set(holidays_lib.China(years=year))
    reckoned.update(dt.date(year, m, d) for m, d in _FIXED_HOLIDAYS)
    return _Year(days_off=frozenset(reckoned), make_up_workdays=frozenset(), official=False)


class WorkCalendar:
    """Working days of mainland China for any year; years are loaded on first use."""

    def __init__(self, extra_holidays: Iterable[object] = (), extra_workdays: Iterable[object] = ()):
        self.extra_holidays = frozenset(as_date(d) for d in extra_holidays)
        self.extra_workdays = frozenset(as_date(d) for d in extra_workdays)
        clash = sorted(self.extra_holidays & self.extra_workdays)
        if clash:
            raise InputError(Problem("params", "dates listed both in extra_holidays and extra_workdays: "
                                     + ", ".join(d.isoformat() for d in clash)))
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        if year not in KNOWN_YEARS:
            raise InputError(Problem("working-day calendar", f"no holiday data for {year}: China's working days "
                                     f"are known for {KNOWN_YEARS[0]}–{KNOWN_YEARS[-1]} only"))
        if year not in self._years:
            self._years[year] = _official_year(year) if year in OFFICIAL_YEARS else _fallback_year(year)
        return self._years[year]

    @property
    def warnings(self) -> list[Notice]:
        """A `calendar.fallback` notice per year looked at so far that had no official schedule."""
        return [notice("calendar.fallback", year=y) for y, info in sorted(self._years.items()) if not info.official]

    def is_holiday(self, day: object) -> bool:
        """A statutory day off (or an extra holiday); an ordinary weekend is not a holiday."""
        d = as_date(day)
        if d in self.extra_workdays:
            return False
        return d in self.extra_holidays or d in self._year(d.year).days_off

    def is_workday(self, day: object) -> bool:
        d = as_date(day)
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        info = self._year(d.year)
        if d in info.make_up_workdays:
            return True
        return d.weekday() < 5 and d not in info.days_off

    def is_rest_day(self, day: object) -> bool:
        """A day clients are free for an event: not a working day (a 调休 make-up Saturday is one)
        and not a statutory holiday (people travel)."""
        return not self.is_workday(day) and not self.is_holiday(day)

    def festival(self, code: str, year: int) -> dt.date | None:
        """The day of a lunar festival in `year` (spring_festival: 正月初一, mid_autumn: 八月十五), as the
        holidays package reckons it; None for a year it does not know."""
        if year not in KNOWN_YEARS:
            return None
        name = _FESTIVAL_NAMES[code]
        days = [d for d, n in holidays_lib.China(years=year).items() if n == name]
        return min(days) if days else None

    def workdays(self, start: object, end: object) -> list[dt.date]:
        """Working days from start to end, both included."""
        d, last = as_date(start), as_date(end)
        out = []
        while d <= last:
            if self.is_workday(d):
                out.append(d)
            d += _ONE_DAY
        return out

    def previous_workday(self, day: object, inclusive: bool = False) -> dt.date:
        """The last working day before `day` (or `day` itself when inclusive and a working day)."""
        d = as_date(day)
        if not inclusive:
            d -= _ONE_DAY
        while not self.is_workday(d):
            d -= _ONE_DAY
        return d

    def next_workday(self, day: object, inclusive: bool = False) -> dt.date:
        """The first working day after `day` (or `day` itself when inclusive and a working day)."""
        d = as_date(day)
        if not inclusive:
            d += _ONE_DAY
        while not self.is_workday(d):
            d += _ONE_DAY
        return d
