import datetime as dt

import pytest

from toolkit.base import periods
from toolkit.base.periods import base_period, last_closed_month, month_end, parse_period, shift, snapshot_for


def test_parse_and_shift():
    assert parse_period("2026-11") == (2026, 11)
    assert shift("2026-01", -1) == "2025-12" and shift("2026-12", 1) == "2027-01"
    assert month_end("2028-02") == dt.date(2028, 2, 29)
    for bad in ("2026-13", "2026/11", "26-11", ""):
        with pytest.raises(ValueError, match="month like 2026-11"):
            parse_period(bad)


@pytest.mark.parametrize(("period", "compare_to", "expected"), [
    ("2026-11", "previous_month", "2026-10"),
    ("2026-01", "previous_month", "2025-12"),
    ("2026-11", "quarter_start", "2026-09"),
    ("2026-10", "quarter_start", "2026-09"),
    ("2026-03", "quarter_start", "2025-12"),
    ("2026-11", "year_start", "2025-12"),
])
def test_base_period(period, compare_to, expected):
    assert base_period(period, compare_to) == expected


def test_last_closed_month_and_snapshot_lookup():
    assert last_closed_month(dt.date(2026, 12, 2)) == "2026-11"
    assert last_closed_month(dt.date(2026, 1, 1)) == "2025-12"
    dates = [dt.date(2026, 10, 30), dt.date(2026, 11, 30), dt.date(2026, 10, 31)]
    assert snapshot_for("2026-10", dates) == dt.date(2026, 10, 31)
    assert snapshot_for("2026-09", dates) is None


def test_supported_range_covers_every_plan_month_and_nothing_past_it():
    from toolkit.base.periods import supported_date, supported_period

    assert supported_period("1950-01") == "1950-01" and supported_period(" 2099-11") == "2099-11"
    for far in ("1949-12", "2099-12", "9999-12", "0001-01"):  # 2099-12 would plan in 2100-01
        with pytest.raises(ValueError, match=rf"period {far} is outside the supported range 1950-01 to 2099-11"):
            supported_period(far)
    with pytest.raises(ValueError, match="month like 2026-11"):
        supported_period("10000-01")
    assert supported_date(dt.date(2099, 12, 31)) == dt.date(2099, 12, 31)
    for far in (dt.date(1949, 12, 31), dt.date(2100, 1, 1), dt.date(9999, 12, 31)):
        with pytest.raises(ValueError, match=rf"as_of {far} is outside the supported range 1950-01-01 to 2099-12-31"):
            supported_date(far, "as_of")


def test_report_period_is_the_most_specific_one_given_else_the_last_closed_month():
    day = dt.date(2026, 12, 2)
    assert periods.report_period("2026-09", "2026-10", today=day) == "2026-09"  # the command line wins
    assert periods.report_period(None, "2026-10", today=day) == "2026-10"  # then the params file
    assert periods.report_period(None, None, today=day) == "2026-11"  # then the month the batch closes
    assert periods.report_period(today=day) == "2026-11"
