"""The practice sections over a small sample bank: every section shows its figures, agrees with
summary.json, speaks English too, and says which input it needs when its table is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.branch.plan import build_branch_plan
from toolkit.branch.practices import practices_of
from toolkit.inputs.books import load_branch_inputs
from toolkit.inputs.params import load_branch_params
from toolkit.report import practice_sections
from toolkit.report.summary import branch_summary
from toolkit.sample.generate import write_sample

KEYS = {"risk_assessment": {"missing", "expiring"}, "maturities": {"count", "amount"},
        "marketing_targets": {"targets", "near_targets"}, "corporate": {"clients", "required_contacts", "shortfall"}}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bank")
    write_sample(out, branches=1, clients_per_branch=400, months=3, seed=7)
    return out / "params" / "branches" / "B001.yaml"


def _html(items: list) -> str:
    return " ".join(str(getattr(i, "_repr_html_", lambda i=i: i)()) for i in items)


def test_the_sample_plan_fills_every_section_and_summary_json(sample: Path) -> None:
    params = load_branch_params(sample)
    plan = build_branch_plan(params, load_branch_inputs(params))
    summary = json.loads(json.dumps(branch_summary(plan)))
    staff = plan.inputs.staff
    bankers = set(staff.loc[staff["role"].isin(["vice_president", "corporate_head", "corporate_manager"]),
                            "staff_id"])
    assert len(bankers) == 4 and not bankers & set(plan.inputs.clients["maintainer_id"].dropna())
    assert {k: set(summary[k]) for k in KEYS} == KEYS
    p = practices_of(plan)
    assert summary["corporate"]["clients"] == len(p.corporate) >= 12
    assert summary["corporate"]["required_contacts"] == p.requirements["required"].sum() > 0
    assert summary["maturities"]["count"] == len(p.maturities) > 0
    assert summary["risk_assessment"]["missing"] > 0 and summary["risk_assessment"]["expiring"] > 0
    assert summary["marketing_targets"]["targets"] > 0
    # Every maturing holding is called inside the plan month, never before it.
    assert (p.maturities["contact_date"].dt.strftime("%Y-%m") == p.plan_month).all()
    zh = _html([x for section in practice_sections.SECTIONS for x in section(plan)])
    for title in ("九、对公客户走访", "十、到期提醒", "十一、风险评估", "十二、500万目标客户"):
        assert title in zh
    assert f"本月到期 {len(p.maturities)} 笔" in zh and "需要" not in zh
    plan.params = plan.params.model_copy(update={"language": "en"})
    en = _html([x for section in (*practice_sections.SECTIONS, practice_sections.summary_lines)
                for x in section(plan)])
    assert "Maturity calls" in en and "Corporate client visits" in en and "holdings mature this month" in en
    assert not any(word in en for word in ("本月", "客户经理", "未评估", "目标客户"))


def test_absent_tables_say_what_is_needed_and_how(sample: Path) -> None:
    params = load_branch_params(sample)
    data = params.data.model_copy(update={"corporate_clients": None, "holdings": None, "fact_finds": []})
    params = params.model_copy(update={"data": data})
    plan = build_branch_plan(params, load_branch_inputs(params))
    text = _html(practice_sections.corporate(plan) + practice_sections.maturities(plan)
                 + practice_sections.targets(plan))
    assert "clientcare template corporate-clients" in text and "clientcare template holdings" in text
    assert "fact_finds" in text
    assert branch_summary(plan)["corporate"] == {"clients": 0, "required_contacts": 0, "shortfall": 0}


def test_a_bad_practice_table_stops_the_run_with_exit_2(sample: Path, tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from toolkit.commands.cli import app

    bad = tmp_path / "holdings.csv"
    bad.write_text("客户号,产品代码,类别,金额,起始日,到期日\n0010000001,TD001,,-5,,2026-13-01\n", encoding="utf-8")
    raw = yaml.safe_load(sample.read_text(encoding="utf-8"))
    raw["data"] = {k: (str((sample.parent / v).resolve()) if isinstance(v, str) and k != "clients" else v)
                   for k, v in raw["data"].items()}
    raw["data"]["clients"] = str((sample.parent / raw["data"]["clients"]).resolve())
    raw["data"]["holdings"] = str(bad)
    params = tmp_path / "B001.yaml"
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["profile", str(params)])
    assert result.exit_code == 2
    assert "holdings.csv, row 2, column 'amount'" in result.output
    assert "holdings.csv, row 2, column 'maturity_date'" in result.output


def test_work_list_sheets_and_calendar_events(sample: Path, tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import load_workbook

    from toolkit.report.practice_lists import practice_events, write_practice_sheets
    from toolkit.report.xlsx_book import Book

    params = load_branch_params(sample)
    plan = build_branch_plan(params, load_branch_inputs(params))
    p = practices_of(plan)
    names = dict(zip(plan.inputs.staff["staff_id"].astype(str), plan.inputs.staff["name"], strict=True))
    wb = Book()
    write_practice_sheets(wb, p, names, "zh", True, plan.planning.visits.schedule)
    wb.save(tmp_path / "v.xlsx")
    book = load_workbook(tmp_path / "v.xlsx")
    assert book.sheetnames == ["对公联系", "对公频次缺口", "到期提醒", "风险评估", "500万目标客户"]
    calls = list(book["到期提醒"].iter_rows(values_only=True))
    assert calls[0][:3] == ("联系日期", "补", "到期日") and len(calls) == len(p.maturities) + 1
    assert all("****" in str(r[6]) for r in calls[1:] if r[6])  # phones masked
    assessed = list(book["风险评估"].iter_rows(values_only=True))
    assert len(assessed) == len(p.assessments) + 1
    # A client due for an assessment whose visit is planned: the visit brings the questionnaire.
    visited = set(plan.planning.visits.schedule["client_id"].astype(str)) & p.assessment_ids()
    with_note = {r[2] for r in assessed[1:] if r[12] == "带评估问卷"}
    assert visited and with_note == visited
    events = practice_events("B001", p, dt.datetime(2026, 12, 1, tzinfo=dt.UTC), staff=set(names))
    assert len(events) == len(p.maturities) + len(p.contacts)
    owners = [o for o, _ in events[: len(p.maturities)]]
    on_staff = p.maturities["maintainer_id"].astype("string").isin(list(names)).fillna(False).tolist()
    assert [bool(o) for o in owners] == on_staff and any(on_staff)
    assert all(o <= set(names) for o, _ in events)


def test_list_rows_bounds_every_named_list_and_its_heading(sample: Path) -> None:
    """params report.list_rows: every list of the plan (HTML, hence PDF) shows at most that many rows,
    and the headings that say "first n" say that number; the work lists keep every row."""
    import re

    from toolkit.report import branch_sections

    params = load_branch_params(sample)
    plan = build_branch_plan(params, load_branch_inputs(params))
    sections = (branch_sections.watch, branch_sections.maintainers, branch_sections.visits,
                branch_sections.greetings, branch_sections.forum, *practice_sections.SECTIONS)
    for rows in (3, 10):
        plan.params = plan.params.model_copy(update={"report": params.report.model_copy(update={"list_rows": rows})})
        items = [_html([x]) for section in sections for x in section(plan)]
        cut = [i for i in items if f"仅显示前 {rows} 行" in i]
        assert len(cut) >= 5  # the sample's long lists: outflow, upgrades, schedule, maturities, …
        for item in cut:
            body = re.search(r"<tbody>(.*?)</tbody>", item, re.S)
            assert body is not None and body.group(1).count("<tr") == rows
        assert not any(re.search(r"仅显示前 (\d+) 行", i) and f"仅显示前 {rows} 行" not in i for i in items)
        firsts = re.findall(r"前 (\d+) [条项位]", " ".join(items))
        assert firsts and set(firsts) == {str(rows)}
    assert len(practices_of(plan).maturities) > 3  # so the bound was reached, not just respected


def test_the_watch_lists_are_whole_in_visits_xlsx_and_the_plan_says_where(sample: Path, tmp_path: Path) -> None:
    """The plan shows the first report.list_rows rows of each watch list; visits.xlsx has every row,
    with the maintainer's id and name, and the plan's note names that sheet."""
    from openpyxl import load_workbook

    from toolkit.report import branch_sections
    from toolkit.report.files import write_branch_files

    params = load_branch_params(sample)
    plan = build_branch_plan(params, load_branch_inputs(params))
    plan.params = plan.params.model_copy(update={"report": params.report.model_copy(update={"list_rows": 2})})
    a = plan.analytics
    write_branch_files(plan, tmp_path)
    book = load_workbook(tmp_path / "visits.xlsx")
    for sheet, frame in (("资金流出", a.outflows), ("升级潜力", a.upgrade_candidates), ("产品缺口", a.product_gaps)):
        rows = list(book[sheet].iter_rows(values_only=True))
        assert [r[0] for r in rows[1:]] == frame["client_id"].astype(str).tolist(), sheet
        assert rows[0][:4] == ("客户号", "客户姓名", "维护人员工号", "维护人")
    page = _html(branch_sections.watch(plan))
    for sheet, frame in (("升级潜力", a.upgrade_candidates), ("产品缺口", a.product_gaps)):
        assert len(frame) > 2
        assert f"仅显示前 2 行，共 {len(frame)} 行；完整名单见 visits.xlsx 的“{sheet}”页" in page
