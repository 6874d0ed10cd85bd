"""Working days around the real 2026 holidays, the fallback for years without official data, overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.base.errors import InputError
from toolkit.base.notices import notice
from toolkit.base.periods import month_end, month_start
from toolkit.base.workdays import WorkCalendar, plan_month
from toolkit.report.text import say_notice

D = dt.date


def month_workdays(cal: WorkCalendar, period: str) -> list[dt.date]:
    return cal.workdays(month_start(period), month_end(period))


@pytest.mark.parametrize(
    ("period", "count"),
    [
        # Feb 2026: 20 weekdays − Spring Festival 16–20, 23 + make-up Saturdays 14, 28.
        ("2026-02", 16),
        # Sep 2026: 22 weekdays − Mid-Autumn 25 + make-up Sunday 20.
        ("2026-09", 22),
        # Oct 2026: 22 weekdays − National Day 1, 2, 5, 6, 7 + make-up Saturday 10.
        ("2026-10", 18),
    ],
)
def test_month_counts_with_official_schedule(period: str, count: int) -> None:
    cal = WorkCalendar()
    assert len(month_workdays(cal, period)) == count
    assert cal.warnings == []


def test_spring_festival_2026() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 2, 14)) and cal.is_workday(D(2026, 2, 28))  # make-up Saturdays
    for day in (16, 17, 18, 19, 20, 23):
        assert not cal.is_workday(D(2026, 2, day))
        assert cal.is_holiday(D(2026, 2, day))
    assert cal.is_holiday(D(2026, 2, 15))  # Sunday inside the festival block
    assert not cal.is_holiday(D(2026, 2, 14))  # a make-up working day is no holiday


def test_national_day_week_and_make_up_days() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 9, 20))  # Sunday
    assert cal.is_workday(D(2026, 10, 10))  # Saturday
    assert [d.day for d in month_workdays(cal, "2026-10")[:4]] == [8, 9, 10, 12]
    assert cal.is_holiday(D(2026, 10, 3)) and not cal.is_workday(D(2026, 10, 3))
    assert not cal.is_holiday(D(2026, 10, 11))  # an ordinary Sunday is a weekend, not a holiday
    assert not cal.is_workday(D(2026, 10, 11))
    assert cal.previous_workday(D(2026, 10, 8)) == D(2026, 9, 30)
    assert cal.previous_workday(D(2026, 10, 3), inclusive=True) == D(2026, 9, 30)
    assert cal.previous_workday(D(2026, 10, 8), inclusive=True) == D(2026, 10, 8)
    assert cal.next_workday(D(2026, 9, 30)) == D(2026, 10, 8)
    assert cal.next_workday(D(2026, 10, 9)) == D(2026, 10, 10)
    assert cal.next_workday(D(2026, 10, 10), inclusive=True) == D(2026, 10, 10)


def test_year_without_official_data_falls_back_and_says_so() -> None:
    cal = WorkCalendar()
    assert cal.warnings == []
    assert not cal.is_workday(D(2027, 10, 4))  # fixed-date 国庆 10/1–10/7, a Monday
    assert cal.is_holiday(D(2027, 10, 7))
    assert not cal.is_workday(D(2027, 1, 1))  # 元旦
    assert not cal.is_workday(D(2027, 5, 1)) and cal.is_holiday(D(2027, 5, 1))  # 劳动节
    assert not cal.is_workday(D(2027, 2, 8))  # Spring Festival reckoned by the holidays package
    assert cal.is_workday(D(2027, 10, 8))  # a plain Friday
    assert not cal.is_workday(D(2027, 10, 9))  # no make-up Saturday can be known
    # A notice (a code and the year), no words: the report layer says it in the report language.
    assert cal.warnings == [notice("calendar.fallback", year=2027)]
    assert say_notice(cal.warnings[0], "en").startswith("No official holiday schedule (make-up working days) for 2027")
    cal.is_workday(D(2028, 3, 1))
    assert [w.values["year"] for w in cal.warnings] == [2027, 2028]
    assert say_notice(cal.warnings[1], "zh").startswith("2028年尚无官方节假日安排")


def test_extra_days_override_everything() -> None:
    cal = WorkCalendar(
        extra_holidays=["2026-11-11", D(2027, 10, 8)], extra_workdays=[D(2027, 10, 9), "2026-10-03"]
    )
    assert not cal.is_workday(D(2026, 11, 11)) and cal.is_holiday(D(2026, 11, 11))
    assert not cal.is_workday(D(2027, 10, 8))
    assert cal.is_workday(D(2027, 10, 9))
    assert cal.is_workday(D(2026, 10, 3)) and not cal.is_holiday(D(2026, 10, 3))
    assert cal.previous_workday(D(2026, 10, 5)) == D(2026, 10, 3)


def test_a_day_in_both_extra_lists_is_an_input_error() -> None:
    with pytest.raises(InputError, match="2026-12-24"):
        WorkCalendar(extra_holidays=[D(2026, 12, 24)], extra_workdays=["2026-12-24"])


def test_plan_month_is_the_following_month() -> None:
    assert plan_month("2026-11") == "2026-12"
    assert plan_month("2026-12") == "2027-01"


def test_a_plan_month_without_holiday_data_is_an_input_error() -> None:
    from toolkit.base.periods import FIRST_YEAR, LAST_YEAR
    from toolkit.base.workdays import KNOWN_YEARS

    # every supported plan month, and a year's margin for timelines after it, has a calendar
    assert set(range(FIRST_YEAR, LAST_YEAR + 2)) <= set(KNOWN_YEARS)
    assert plan_month("2099-11") == "2099-12"
    for far in ("9999-12", "2099-12", "1949-12"):
        with pytest.raises(InputError, match=f"period {far} is outside the supported range"):
            plan_month(far)
    with pytest.raises(InputError, match="no holiday data for 2201"):  # not a calendar without 春节
        WorkCalendar().is_workday(D(2201, 1, 5))
