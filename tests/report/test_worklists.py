"""visits.xlsx and forum_invitees.xlsx read back: sheets, frozen headers, filters, dates, masked phones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.branch.test_forum import DECEMBER, STAFF, book
from tests.branch.test_visits import client_book
from toolkit.base.notices import notice
from toolkit.base.settings import GreetingSettings, SalonSettings, VisitSettings
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.forum import plan_forum, plan_salons
from toolkit.branch.greetings import plan_greetings
from toolkit.branch.visits import VisitPlan, plan_visits
from toolkit.report.text import say_notice
from toolkit.report.worklists import write_forum_invitees_xlsx, write_visits_xlsx


def october_plan() -> VisitPlan:
    clients = client_book(
        [
            {
                "client_id": "A",
                "name": "张三丰",
                "phone": "13812345678",
                "maintainer_id": "S1",
                "district": "东区",
            },
            {"client_id": "B", "name": "李四", "phone": "13900001111", "maintainer_id": "S1", "aum": 2.5e6},
            {
                "client_id": "C",
                "name": "王五",
                "phone": "13700002222",
                "maintainer_id": "S2",
                "tier": "wealth",
                "aum": 5e5,
            },
            {"client_id": "D", "name": "赵六", "phone": "13600003333"},
        ]
    )
    return plan_visits(
        clients, STAFF, None, "2026-09", VisitSettings(max_per_day=1), WorkCalendar()
    )


def test_visits_workbook_in_chinese(tmp_path: Path) -> None:
    plan = october_plan()
    path = write_visits_xlsx(tmp_path / "visits.xlsx", plan)
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "王经理_S1", "李理财_S2", "未安排"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    summary = wb["汇总"]
    assert [c.value for c in summary[1]] == [
        "员工号",
        "维护人",
        "计划拜访",
        "拜访天数",
        "首次拜访",
        "最后拜访",
        "资金流出预警客户",
        "名额不足未安排",
    ]
    assert [c.value for c in summary[2]][:4] == ["S1", "王经理", 2, 2]
    sheet = wb["王经理_S1"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["日期", "星期", "时间", "客户号", "客户姓名", "客户层级"]
    first = dict(zip(header, (c.value for c in sheet[2]), strict=True))
    assert first["日期"] == dt.datetime(2026, 10, 8) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert first["星期"] == "周四" and first["时间"] == dt.time(9, 30) and sheet["C2"].number_format == "hh:mm"
    assert first["客户姓名"] == "张三丰"
    assert first["手机号"] == "138****5678" and first["客户层级"] == "私行/财富客户"
    assert [c.value for c in sheet["A"][1:]] == [dt.datetime(2026, 10, 8), dt.datetime(2026, 10, 9)]
    assert sheet.column_dimensions["K"].width >= 14  # the reason column fits 从未上门拜访
    unscheduled = wb["未安排"]
    assert [c.value for c in unscheduled[2]][1:3] == ["D", "赵六"]
    assert unscheduled.cell(2, 8).value == "未指定维护人；指定同岗位员工后最早可安排：2026-10-10"
    # A wealth manager (S1) has room from 10-10 (10-08 and 10-09 are full at one a day).
    assert [c.value for c in unscheduled[1]][-2:] == ["最早拜访日", "最早可安排"]


def test_visits_workbook_in_english_with_greetings(tmp_path: Path) -> None:
    plan = october_plan()
    clients = client_book(
        [{"client_id": "G", "phone": "13812345678", "birth_date": "1960-10-20", "maintainer_id": "S1"}]
    )
    greetings = plan_greetings(clients, STAFF, "2026-09", GreetingSettings(festivals=()), WorkCalendar()).rows
    wb = load_workbook(write_visits_xlsx(tmp_path / "v.xlsx", plan, "en", greetings=greetings))
    assert wb.sheetnames == ["Summary", "王经理_S1", "李理财_S2", "Not scheduled", "Greetings"]
    assert [c.value for c in wb["王经理_S1"][1]][:3] == ["Date", "Weekday", "Time"]
    assert wb["王经理_S1"]["B2"].value == "Thu" and wb["王经理_S1"]["K2"].value == "Never visited"
    assert wb["Not scheduled"].cell(2, 8).value == "No maintainer assigned; with a colleague of the fitting role, earliest possible: 2026-10-10"
    row = [c.value for c in wb["Greetings"][2]]
    assert row[:3] == [dt.datetime(2026, 10, 20), "Birthday", dt.datetime(2026, 10, 20)]
    assert row[6] == "Flowers/gift"
    assert row[8] == "Private & wealth · Birthday (20 Oct): flowers or a gift, delivered by 王经理 on 20 Oct"


def test_phones_stay_masked_unless_asked(tmp_path: Path) -> None:
    plan = october_plan()
    masked = load_workbook(write_visits_xlsx(tmp_path / "a.xlsx", plan))
    phones = [
        c.value
        for ws in masked.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("13")
    ]
    assert phones and all("****" in p for p in phones)
    full = load_workbook(write_visits_xlsx(tmp_path / "b.xlsx", plan, mask_pii=False))
    assert full["王经理_S1"]["I2"].value == "13812345678"


def test_forum_workbook(tmp_path: Path) -> None:
    forum = plan_forum(book(), STAFF, None, DECEMBER.model_copy(update={"venue": "三楼会议室"}), WorkCalendar(),
                       dt.date(2026, 11, 2))
    salons = plan_salons(
        book(),
        None,
        [SalonSettings(theme="funds", capacity=3)],
        WorkCalendar(),
        dt.date(2026, 11, 2),
        staff=STAFF,
        avoid={forum.date},
    )
    wb = load_workbook(write_forum_invitees_xlsx(tmp_path / "f.xlsx", forum, "zh", salons))
    assert wb.sheetnames == ["概况", "邀请名单", "筹备时间表", "主持人", "预算", "基金主题沙龙 2026-11-21"]
    invitees = wb["邀请名单"]
    assert invitees.max_row == 76 and invitees.freeze_panes == "A2" and invitees.auto_filter.ref == "A1:H76"
    assert [c.value for c in invitees[1]] == [
        "客户号",
        "客户姓名",
        "手机号",
        "客户层级",
        "金融资产（元）",
        "维护人员工号",
        "维护人",
        "确认出席",
    ]
    assert "****" in invitees["C2"].value
    timeline = wb["筹备时间表"]
    assert timeline["A2"].value == dt.datetime(2026, 11, 5) and timeline["B2"].value == "发出邀请"
    budget = {r[0].value: r[1].value for r in wb["预算"].iter_rows(min_row=2)}
    assert budget == {"人均预算": 800, "嘉宾费用": 48_000, "固定费用": 5000, "合计": 53_000}
    overview = {r[0].value: r[1].value for r in wb["概况"].iter_rows(min_row=2)}
    assert overview["日期"] == "2026-12-05" and overview["主持人"] == "陈行长、李理财、赵理财"
    assert overview["地点"] == "三楼会议室"
    salon = wb["基金主题沙龙 2026-11-21"]
    assert salon.max_row == 4
    assert [c.value for c in salon[1]][5:] == ["维护人", "电话邀请日", "确认出席日", "确认出席", "会后回访日"]
    assert [c.value for c in salon[2]][6] == dt.datetime(2026, 11, 6)  # 14 days before, on a working day


@pytest.mark.parametrize(
    ("language", "header", "text"),
    [("zh", "说明", "本计划没有座谈会。"), ("en", "Note", "There is no forum in this plan.")],
)
def test_forum_workbook_without_a_forum_has_a_note(
    tmp_path: Path, language: str, header: str, text: str
) -> None:
    wb = load_workbook(write_forum_invitees_xlsx(tmp_path / "f.xlsx", None, language))
    assert len(wb.sheetnames) == 1
    assert [[c.value for c in row] for row in wb.active.iter_rows()] == [[header], [text]]
    note = notice("forum.window_passed", start="2026-06-01", end="2026-06-30")
    noted = load_workbook(write_forum_invitees_xlsx(tmp_path / "g.xlsx", None, language, note=note))
    assert noted.active["A2"].value == say_notice(note, language)
    assert "2026-06-01" in noted.active["A2"].value


def test_amounts_are_written_to_the_fen():
    """A client's AUM is a sum of asset lines: the cell holds 6326207.88, not 6326207.880000001."""
    from toolkit.report.xlsx_book import cell_value

    assert cell_value(1.1 + 2.2, "amount") == 3.3 and cell_value(6326207.880000001, "amount") == 6326207.88
    assert cell_value(0.123456, "pct") == 0.123456  # fractions keep their digits
