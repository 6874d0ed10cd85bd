"""The network step of `clientcare monthly` end to end (the notebook rendered to HTML): two batches
in a row, the second showing each branch's rank change and its action load; `--compare-to`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.branch.test_ranking import BOOKS, NAMES
from toolkit.commands.cli import app
from toolkit.commands.monthly import write_network


def test_two_batches_in_a_row_give_the_rank_change_and_the_plan_links(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_network(BOOKS, "2026-10", NAMES, out / "2026-10", status=dict.fromkeys(NAMES, "ok"))
    assert sorted(p.name for p in first) == ["network.html", "network.ipynb", "network.json", "network.xlsx"]
    was = json.loads((out / "2026-10" / "network.json").read_text(encoding="utf-8"))["ranks"]
    (out / "2026-11" / "B1").mkdir(parents=True)
    (out / "2026-11" / "B1" / "summary.json").write_text(json.dumps(
        {"visits": {"due_unscheduled": 17}, "forum_status": {"due": True}}), encoding="utf-8")
    write_network(BOOKS, "2026-11", NAMES, out / "2026-11", status=dict.fromkeys(NAMES, "ok"), language="en")
    now = json.loads((out / "2026-11" / "network.json").read_text(encoding="utf-8"))
    assert now["ranks"]["B3"]["overall_rank"] == 3 and now["totals"]["clients"]["current"] == 11
    page = (out / "2026-11" / "network.html").read_text(encoding="utf-8")
    assert '<a href="B1/branch_plan.html">' in page and "since the last batch (2026-10)" in page
    moved = was["B3"]["overall_rank"] - 3
    assert (f"▼{-moved}" if moved < 0 else "=") in page
    assert ">17<" in page and ">Yes<" in page  # B1's action load, read from its summary.json
    assert "size: A4 landscape" in page and "data:image/png;base64," in page  # the page set-up, the trend


def test_compare_to_takes_only_the_three_bases(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["monthly", "--compare-to", "last_week", "--params-dir", str(tmp_path),
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "previous_month, quarter_start or year_start" in res.output
    assert not (tmp_path / "out").exists()


def test_the_trend_chart_drawn_during_the_batch_is_the_one_the_page_shows(tmp_path: Path) -> None:
    """The batch draws the trend chart while the branches render (`kpi_trend_png`): the network
    notebook shows those bytes, and they are the chart the notebook draws itself without them."""
    import base64

    import nbformat

    from toolkit.branch.network_kpi import network_figures
    from toolkit.report.charts_network import kpi_trend_png

    status = dict.fromkeys(NAMES, "ok")
    png = kpi_trend_png(network_figures(BOOKS, "2026-10", NAMES).trend, "en")
    write_network(BOOKS, "2026-10", NAMES, tmp_path / "a" / "2026-10", status=status, language="en", trend_png=png)
    write_network(BOOKS, "2026-10", NAMES, tmp_path / "b" / "2026-10", status=status, language="en")

    def shown(side: str) -> list[bytes]:
        nb = nbformat.read(tmp_path / side / "2026-10" / "network.ipynb", as_version=4)
        return [base64.b64decode(o["data"]["image/png"]) for c in nb.cells if c.cell_type == "code"
                for o in c.get("outputs", []) if "image/png" in o.get("data", {})]

    assert shown("a") == [png] and shown("b") == [png]
    page = (tmp_path / "a" / "2026-10" / "network.html").read_text(encoding="utf-8")
    assert base64.b64encode(png).decode() in page
    assert sorted(p.name for p in (tmp_path / "a" / "2026-10").iterdir()) == [
        "network.html", "network.ipynb", "network.json", "network.xlsx"]
