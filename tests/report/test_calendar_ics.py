"""visits.ics: valid RFC 5545, one event per visit, stable UIDs, no full phone numbers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pandas as pd

from tests.branch.test_forum import DECEMBER, STAFF, book
from tests.branch.test_visits import client_book
from tests.report.test_worklists import october_plan
from toolkit.base.settings import SalonSettings, VisitSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.forum import plan_forum, plan_salons
from toolkit.branch.visits import plan_visits
from toolkit.report.calendar_ics import event_uid, write_ics

STAMP = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)


def events(path: Path) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_one_event_per_visit_in_shanghai_time(tmp_path: Path) -> None:
    plan = october_plan()
    found = events(write_ics(tmp_path / "v.ics", "B001", plan.schedule, stamp=STAMP))
    assert len(found) == len(plan.schedule) == 3
    first = next(e for e in found if str(e["summary"]) == "上门拜访：张三丰（王经理）")
    start = first.decoded("dtstart")
    assert (
        start == dt.datetime(2026, 10, 8, 9, 30, tzinfo=start.tzinfo) and str(start.tzinfo) == "Asia/Shanghai"
    )
    assert first.decoded("dtend") - start == dt.timedelta(minutes=90)
    assert str(first["location"]) == "东区"
    assert "手机号：138****5678" in str(first["description"])
    assert str(first["uid"]) == event_uid("visit", "B001", "2026-10", "A")
    for required in ("uid", "dtstamp", "dtstart", "summary"):
        assert all(required in e for e in found)


def test_uids_are_stable_when_a_visit_moves(tmp_path: Path) -> None:
    plan = october_plan()
    before = {
        str(e["uid"]) for e in events(write_ics(tmp_path / "a.ics", "B001", plan.schedule, stamp=STAMP))
    }
    moved = plan.schedule.assign(
        date=plan.schedule["date"] + pd.Timedelta(days=5),
        start=plan.schedule["start"] + pd.Timedelta(days=5),
        end=plan.schedule["end"] + pd.Timedelta(days=5),
    ).iloc[::-1]
    later = STAMP + dt.timedelta(days=1)
    after = events(write_ics(tmp_path / "b.ics", "B001", moved, stamp=later))
    assert {str(e["uid"]) for e in after} == before and len(before) == 3
    assert all(
        int(e["sequence"]) > int((STAMP - dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).total_seconds() // 60)
        for e in after
    )
    other_branch = {str(e["uid"]) for e in events(write_ics(tmp_path / "c.ics", "B002", plan.schedule))}
    assert not other_branch & before


def test_same_input_same_file(tmp_path: Path) -> None:
    plan = october_plan()
    one = write_ics(tmp_path / "1.ics", "B001", plan.schedule, stamp=STAMP).read_bytes()
    two = write_ics(tmp_path / "2.ics", "B001", plan.schedule, stamp=STAMP).read_bytes()
    assert one == two


def test_forum_steps_and_salons_without_full_phones(tmp_path: Path) -> None:
    clients = book()
    forum = plan_forum(clients, STAFF, None, DECEMBER.model_copy(update={"venue": "三楼会议室"}), WorkCalendar(),
                       dt.date(2026, 11, 2))
    salons = plan_salons(
        clients,
        None,
        [
            SalonSettings(theme="funds"),
            SalonSettings(theme="bonds", window=(dt.date(2026, 1, 1), dt.date(2026, 1, 9))),
        ],
        WorkCalendar(),
        dt.date(2026, 11, 2),
        staff=STAFF,
        avoid={forum.date},
    )
    plan = october_plan()
    path = write_ics(tmp_path / "v.ics", "B001", plan.schedule, forum, salons, language="en", stamp=STAMP)
    found = events(path)
    summaries = [str(e["summary"]) for e in found]
    # 3 visits, the forum, its 5 steps (the on-the-day step is the forum itself), 1 dated salon and
    # its 3 call days.
    assert len(found) == 3 + 1 + 5 + 1 + 3
    forum_event = found[summaries.index("Annual client forum")]
    assert forum_event.decoded("dtstart").replace(tzinfo=None) == dt.datetime(2026, 12, 5, 14, 30)
    assert str(forum_event["location"]) == "三楼会议室" and "Venue: 三楼会议室" in str(forum_event["description"])
    [alarm] = list(forum_event.walk("VALARM"))
    assert alarm.decoded("trigger") == -dt.timedelta(days=1) and str(alarm["action"]) == "DISPLAY"
    assert "Funds salon: Invitation calls" in summaries
    step = found[summaries.index("Forum preparation: Send invitations")]
    assert step.decoded("dtstart") == dt.date(2026, 11, 5) and str(step["transp"]) == "TRANSPARENT"
    assert "Funds salon" in summaries and "Bonds salon" not in summaries
    assert "No forum in the past 12 months" in str(forum_event["description"])
    visit = found[summaries.index("Home visit: 张三丰 (王经理)")]
    assert "Reason: Never visited" in str(visit["description"]) and "Tier: Private & wealth" in str(
        visit["description"]
    )
    assert "AUM: ¥3,000,000" in str(visit["description"])  # an amount with its unit
    assert len({str(e["uid"]) for e in found}) == len(found)
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"1[3-9]\d{9}", text.replace("\r\n ", ""))


def test_a_slot_past_midnight_becomes_an_all_day_event(tmp_path: Path) -> None:
    # 34 clients, 2 a day at most over October's 17 working days from 10-08: two visits every day.
    clients = client_book([{"client_id": f"C{i:02d}", "maintainer_id": "S1", "district": "东区"} for i in range(34)])
    late = VisitSettings(first_visit_at=dt.time(22, 0), max_per_day=2)
    plan = plan_visits(clients, STAFF, None, "2026-09", late, WorkCalendar())
    found = {
        str(e["uid"]): e for e in events(write_ics(tmp_path / "v.ics", "B001", plan.schedule, stamp=STAMP))
    }
    day = plan.schedule.loc[plan.schedule["date"] == pd.Timestamp("2026-10-08")].sort_values("slot")
    first, second = (found[event_uid("visit", "B001", "2026-10", c)] for c in day["client_id"])
    assert first.decoded("dtstart").replace(tzinfo=None) == dt.datetime(2026, 10, 8, 22, 0)
    assert second.decoded("dtstart") == dt.date(2026, 10, 8) and second.decoded("dtend") == dt.date(
        2026, 10, 9
    )


def test_long_lines_fold_at_75_octets_between_characters_and_text_round_trips(tmp_path: Path) -> None:
    plan = october_plan()
    tricky = "备注; 含逗号, 反斜杠\\ 与换行\n第二行" * 4
    schedule = plan.schedule.assign(staff_name=tricky, district="东区, 3; 号楼")
    path = write_ics(tmp_path / "v.ics", "B001", schedule, stamp=STAMP)
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never cut inside a character
    found = events(path)
    assert all(f"维护人：{tricky} (S" in str(e["description"]) for e in found)
    # The events follow the schedule's rows; the name and the tricky staff name round-trip in SUMMARY.
    summaries = [str(e["summary"]) for e in found]
    assert summaries == [f"上门拜访：{name}（{tricky}）" for name in schedule["name"]]
    assert all("拜访原因：从未上门拜访" in str(e["description"]) for e in found)
    assert {str(e["location"]) for e in found} == {"东区, 3; 号楼"}
    assert len(list(icalendar.Calendar.from_ical(raw).walk("VTIMEZONE"))) == 1


def test_one_calendar_per_staff_member_with_location_units_and_reminders(tmp_path: Path) -> None:
    from toolkit.report.calendar_ics import calendar_events, staff_file, write_staff_ics

    plan = october_plan()
    owned = calendar_events("B001", plan.schedule, language="zh", stamp=STAMP, branch_name="瓯海支行")
    paths = write_staff_ics(tmp_path, "B001", owned, {"S1": "王经理", "S2": "李理财"})
    assert [p.name for p in paths] == [staff_file("S1"), staff_file("S2")] == ["visits_S1.ics", "visits_S2.ics"]
    mine = events(paths[0])
    assert {str(e["summary"]) for e in mine} == {"上门拜访：张三丰（王经理）", "上门拜访：李四（王经理）"}
    visit = next(e for e in mine if "张三丰" in str(e["summary"]))
    assert str(visit["location"]) == "瓯海 东区"  # the branch's area and the client's district
    assert "金融资产：300.00万元" in str(visit["description"])
    [alarm] = list(visit.walk("VALARM"))
    assert alarm.decoded("trigger") == -dt.timedelta(days=1) and "明天" in str(alarm["description"])
    assert [str(e["summary"]) for e in events(paths[1])] == ["上门拜访：王五（李理财）"]
    calname = icalendar.Calendar.from_ical(paths[1].read_bytes())["x-wr-calname"]
    assert str(calname) == "B001 李理财 的客户维护日程"
