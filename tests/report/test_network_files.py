"""network.xlsx (typed cells in the HTML's units and order, bold frozen headers, filters, words),
network.json and the last batch's ranks, and the view the notebook reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.branch.test_ranking import BOOKS, NAMES
from toolkit.branch.network_kpi import network_view
from toolkit.report import network_files
from toolkit.report.network_sections import tier_order


@pytest.fixture(scope="module")
def view():
    return network_view(BOOKS, "2026-11", NAMES, status={"B1": "ok", "B2": "failed", "B3": "pending"},
                        summaries={"B1": {"visits": {"due_unscheduled": 4}}})


def rows(ws) -> list[dict]:
    head = [c.value for c in ws[1]]
    return [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2)]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_sheet_has_a_bold_frozen_header_and_filters(view, tmp_path: Path, language):
    wb = load_workbook(network_files.write_network_xlsx(view, tmp_path / "n.xlsx", language))
    zh = language == "zh"
    expected = (["排名", "待办负荷", "全辖合计", "月度趋势", "客户分层", "理财经理", "大堂经理"] if zh else
                ["Ranking", "Action load", "Network totals", "Trend", "Tiers", "Financial advisor", "Lobby manager"])
    assert wb.sheetnames == expected
    for ws in wb:
        assert all(c.font.b for c in ws[1]), ws.title
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")
        assert ws.auto_filter.ref == ws.dimensions


def test_ranking_cells_are_typed_in_the_html_units_with_words(view, tmp_path: Path):
    wb = load_workbook(network_files.write_network_xlsx(view, tmp_path / "n.xlsx", "zh"))
    got = {r["机构号"].value: r for r in rows(wb["排名"])}
    b1 = got["B1"]
    assert b1["综合排名"].value == 1 and b1["综合排名"].data_type == "n" and b1["综合排名"].number_format == "0"
    assert b1["维护对象资产（万元）"].value == pytest.approx(123.0)  # 1,230,000 yuan = 123.00万, as the HTML
    assert b1["维护对象资产（万元）"].number_format == "#,##0.00"
    assert b1["保·流失率"].value == pytest.approx(0.25) and b1["保·流失率"].number_format == "0.0%"
    assert b1["维护对象数"].value == 5 and isinstance(b1["维护对象数"].value, int)
    assert [got[b]["报告状态"].value for b in ("B1", "B2", "B3")] == ["已生成", "生成失败", "未完成"]
    assert b1["综合排名·名次变化"].value is None  # no last batch


def test_tiers_follow_the_html_order_and_english_amounts_are_yuan(view, tmp_path: Path):
    wb = load_workbook(network_files.write_network_xlsx(view, tmp_path / "n.xlsx", "en"))
    head = [c.value for c in wb["Tiers"][1]]
    firsts = [h for h in head if h.endswith("clients")]
    assert firsts[0].startswith("Private") and len(firsts) == len(tier_order())
    b1 = {r["Branch id"].value: r for r in rows(wb["Ranking"])}["B1"]
    assert b1["Maintained AUM (yuan)"].value == pytest.approx(1_230_000)


def test_totals_and_trend_and_staff_sheets(view, tmp_path: Path):
    wb = load_workbook(network_files.write_network_xlsx(view, tmp_path / "n.xlsx", "zh"))
    totals = {r["指标"].value: r for r in rows(wb["全辖合计"])}
    assert totals["维护对象数"]["本期（2026-11）"].value == 11 and totals["维护对象数"]["变化"].value == 1
    assert totals["维护对象资产（万元）"]["本期（2026-11）"].value == pytest.approx(380.6)
    assert totals["流失率"]["本期（2026-11）"].number_format == "0.0%"
    trend = rows(wb["月度趋势"])
    assert [r["月份"].value for r in trend] == ["2026-09", "2026-10", "2026-11"]
    advisors = rows(wb["理财经理"])
    assert [r["工号"].value for r in advisors] == ["F3", "F1"] and advisors[0]["姓名"].value == "丙*"
    assert advisors[0]["岗位内名次"].data_type == "n"
    load = {r["机构号"].value: r for r in rows(wb["待办负荷"])}
    assert load["B1"]["到期未排拜访"].value == 4 and load["B2"]["到期未排拜访"].value is None


def test_network_json_gives_the_next_batch_its_rank_change(view, tmp_path: Path):
    root = tmp_path / "out"
    for period, rank in (("2026-09", 3), ("2026-10", 2)):
        (root / period).mkdir(parents=True)
        data = network_files.network_json(view)
        data["ranks"]["B1"]["overall_rank"] = rank
        (root / period / "network.json").write_text(json.dumps(data), encoding="utf-8")
    (root / "2026-11").mkdir()
    (root / "2026-12").mkdir()
    network_files.write_network_json(view, root / "2026-12" / "network.json")  # later: not "the last batch"
    (root / "clients").mkdir()
    prev, ranks = network_files.previous_ranks(root, "2026-11")
    assert prev == "2026-10" and ranks["B1"]["overall_rank"] == 2 and ranks["B3"]["rank_aum_growth"] == 3
    assert network_files.previous_ranks(root, "2026-09") == (None, None)
    (root / "2026-10" / "network.json").write_text("{broken", encoding="utf-8")
    assert network_files.previous_ranks(root, "2026-11") == (None, None)
    saved = json.loads((root / "2026-12" / "network.json").read_text(encoding="utf-8"))
    assert saved["totals"]["clients"] == {"current": 11.0, "base": 10.0, "change": 1.0}


def test_the_view_survives_the_notebook_handover(view, tmp_path: Path):
    back = network_files.load_view(network_files.save_view(view, tmp_path / "v"))
    pd.testing.assert_frame_equal(back.table, view.table.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(back.totals, view.totals, check_dtype=False)
    assert list(back.trend.index) == list(view.trend.index) and len(back.staff) == len(view.staff)
    assert (back.period, back.base_period, back.compare_to, back.mask_pii) == ("2026-11", "2026-10",
                                                                               "previous_month", True)


def test_a_last_batch_without_network_json_has_its_ranks_rebuilt_from_its_summaries(view, tmp_path: Path):
    from toolkit.base.schema import IN_SCOPE_TIERS

    folder = tmp_path / "out" / "2026-10"
    for row in view.table.to_dict("records"):
        summary = {"kpi": {k: row[k] for k in ("churn_rate", "upgrade_rate", "product_coverage_rate", "aum_growth",
                                               "net_growth")},
                   "tiers": {t: {"clients": int(row[f"clients_{t}"]), "aum": float(row[f"aum_{t}"])}
                             for t in IN_SCOPE_TIERS}}
        (folder / row["branch_id"]).mkdir(parents=True)
        (folder / row["branch_id"] / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (folder / "B9").mkdir()
    (folder / "B9" / "summary.json").write_text('{"kpi": null}', encoding="utf-8")  # unreadable: left out
    assert network_files.previous_ranks(tmp_path / "out", "2026-11") == (None, None)  # no manifest: no batch
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    prev, ranks = network_files.previous_ranks(tmp_path / "out", "2026-11")
    assert prev == "2026-10" and ranks == network_files.network_json(view)["ranks"]
