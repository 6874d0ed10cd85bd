"""Names are text everywhere (issue 11, item 2): markup from an input never becomes live HTML in a
report, and a name that looks like a formula never becomes a live formula in a work list."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.branch.test_forum import DECEMBER, STAFF, book
from tests.report.test_worklists import october_plan
from toolkit.base.schema import IN_SCOPE_TIERS
from toolkit.base.workdays import WorkCalendar
from toolkit.branch.forum import plan_forum
from toolkit.branch.ranking import FIVE
from toolkit.commands.cli import app
from toolkit.engine.render import _toc_and_ids
from toolkit.inputs.factfind import load_fact_find
from toolkit.inputs.factfind_workbook import write_fact_find
from toolkit.report import fmt
from toolkit.report.network_files import write_network_xlsx
from toolkit.report.worklists import write_forum_invitees_xlsx, write_visits_xlsx
from toolkit.sample.generate import write_sample

runner = CliRunner()
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
#: Text Excel would evaluate (openpyxl writes the first as a formula; Excel evaluates all once edited).
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)")
PERIOD = "2026-11"


class _Page(HTMLParser):
    """What a browser would run (script elements, on* handlers, foreign images) and the visible text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.live: list[tuple[str, list]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        foreign_image = tag == "img" and not (dict(attrs).get("src") or "").startswith("data:")
        if tag == "script" or foreign_image or any(name.startswith("on") for name, _ in attrs):
            self.live.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert(page: str, *shown: str) -> None:
    """No markup from an input is live, and each `shown` text is what the reader sees."""
    parsed = _Page(page)
    assert parsed.live == []
    text = "".join(parsed.text)
    for value in shown:
        assert value in text


def assert_no_formulas(path: Path) -> None:
    with zipfile.ZipFile(path) as book_:
        for name in book_.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(r"<f[ >]", book_.read(name).decode("utf-8")), name


def text_cells(path: Path) -> dict[str, list]:
    """Every cell whose text starts like a formula, by value."""
    out: dict[str, list] = {}
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    out.setdefault(cell.value, []).append(cell)
    return out


def assert_text(path: Path, values: tuple[str, ...] | list[str]) -> None:
    """The values are in the workbook, unchanged, as strings with quotePrefix; no formula anywhere."""
    assert_no_formulas(path)
    cells = text_cells(path)
    for value in values:
        assert value in cells, (value, sorted(cells))
        assert all(c.data_type == "s" and c.quotePrefix for c in cells[value]), value


# --- reports, through the command ---------------------------------------------------------------
@pytest.fixture
def bank(tmp_path: Path) -> Path:
    write_sample(tmp_path / "data", params_dir=tmp_path / "params", branches=1, clients_per_branch=60, months=2,
                 seed=11, end_period=PERIOD)
    return tmp_path


def test_proposal_shows_a_hostile_name_and_advisor_as_text(bank: Path) -> None:
    params = sorted((bank / "params" / "clients").glob("*.yaml"))[0]
    raw = yaml.safe_load(params.read_text(encoding="utf-8"))
    raw["advisor"] = IMG
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    ff = (params.parent / raw["fact_find"]).resolve()
    wb = load_workbook(ff)
    profile = wb["客户信息"]
    row = next(r for r in profile.iter_rows(min_row=2) if str(r[0].value).endswith("/ name"))
    row[1].value = SCRIPT
    wb["家庭信息"]["B2"].value = "<b onmouseover=alert(2)>配偶</b>"
    wb.save(ff)
    res = runner.invoke(app, ["proposal", str(params), "--formats", "html", "--out", str(bank / "out")])
    assert res.exit_code == 0, res.output
    page = next((bank / "out").rglob("proposal.html")).read_text(encoding="utf-8")
    assert_inert(page, f"{SCRIPT} 家庭", f"理财经理{IMG}", "<b onmouseover=alert(2)>配偶</b>")  # the cover
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_branch_plan_and_work_lists_keep_hostile_names_as_text(bank: Path) -> None:
    names = (SCRIPT, IMG, *FORMULAS)
    for path in (bank / "data" / "clients").glob("*.csv"):
        clients = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        clients["客户姓名"] = [names[i % len(names)] + n for i, n in enumerate(clients["客户姓名"])]
        clients["区域"] = [("<i onclick=alert(3)>东区</i>", "=1+1")[i % 2] for i in range(len(clients))]
        clients.to_csv(path, index=False, encoding="utf-8-sig")
    staff = load_workbook(bank / "data" / "staff.xlsx")
    for i, row in enumerate(staff.active.iter_rows(min_row=2)):
        row[1].value = ("<script>s()</script>", "@员工")[i % 2] + str(row[1].value)
        row[1].data_type = "s"
    staff.save(bank / "data" / "staff.xlsx")
    params = sorted((bank / "params" / "branches").glob("*.yaml"))[0]
    raw = yaml.safe_load(params.read_text(encoding="utf-8"))
    raw.update(branch_name="<b onclick=alert(4)>瓯海</b>", mask_pii=False)
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["branch", str(params), "--period", PERIOD, "--formats", "html",
                              "--out", str(bank / "out")])
    assert res.exit_code == 0, res.output
    folder = bank / "out" / PERIOD / raw["branch_id"]
    page = (folder / "branch_plan.html").read_text(encoding="utf-8")
    assert_inert(page, "<b onclick=alert(4)>瓯海</b>", SCRIPT, IMG, "<i onclick=alert(3)>东区</i>", "<script>s()</script>")
    visits = text_cells(folder / "visits.xlsx")
    assert_text(folder / "visits.xlsx", ["=1+1", *(v for v in visits if v.startswith(FORMULAS))])
    assert any(v.startswith("=HYPERLINK") for v in visits) and any(v.startswith("@员工") for v in visits)
    invitees = [v for v in text_cells(folder / "forum_invitees.xlsx") if v.startswith(FORMULAS)]
    assert invitees
    assert_text(folder / "forum_invitees.xlsx", invitees)


# --- fmt helpers ---------------------------------------------------------------------------------
def test_fmt_helpers_escape_input_text_and_keep_their_own_markup() -> None:
    df = pd.DataFrame({"name": [SCRIPT, "it's \"q\" & co"], "aum": [1e6, 2e6]})
    html = fmt.table(df, money=["aum"], labels={"name": IMG}, caption=SCRIPT)
    assert_inert(html, SCRIPT, IMG, "it's \"q\" & co")
    assert html.startswith('<table class="cc-table"><caption>&lt;script&gt;')
    assert fmt.paragraph(SCRIPT) == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert fmt.paragraph(" · 2026-12-05", strong=IMG) == \
        "<p><strong>&lt;img src=x onerror=alert(1)&gt;</strong> · 2026-12-05</p>"
    assert fmt.paragraph("a<b", box="cc-disclosure") == '<div class="cc-disclosure"><p>a&lt;b</p></div>'
    assert fmt.heading(SCRIPT, 3) == "<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"
    assert_inert(fmt.callout(IMG, "warn", title=SCRIPT), IMG, SCRIPT)
    assert_inert(fmt.key_figures([(SCRIPT, IMG, "<b>note</b>")]), SCRIPT, IMG, "<b>note</b>")
    # A fragment the toolkit built goes in as markup; anything joined to it is escaped.
    assert fmt.bullet_list([fmt.heading("x", 4), "<b>"]) == '<ul class="cc-list"><li><h4>x</h4></li><li>&lt;b&gt;</li></ul>'
    assert fmt.paragraph("x") + SCRIPT == "<p>x</p>&lt;script&gt;alert(1)&lt;/script&gt;"
    assert repr(fmt.heading("x")) == "'<h2>x</h2>'"  # the executed notebook's text/plain is unchanged


def test_markdown_shows_html_as_text_and_never_reads_a_path() -> None:
    assert fmt.markdown(f"**{SCRIPT}** & co")._repr_markdown_() == "**&lt;script>alert(1)&lt;/script>** & co".replace(
        "& co", "&amp; co")
    assert fmt.markdown(fmt.Html("<b>ours</b>"))._repr_markdown_() == "<b>ours</b>"
    assert fmt.markdown(__file__)._repr_markdown_() == __file__  # shown, not read (IPython's Markdown reads it)


def test_table_of_contents_text_is_re_escaped() -> None:
    # Stripping tags from a heading's markup leaves a half tag as it is: the copy is text again.
    body, toc = _toc_and_ids("<h2>a <b>b</b> <img src=x onerror=alert(1)</h2><h3>x &amp; &lt;y&gt;</h3>", "目录")
    assert_inert(toc, "a b <img src=x onerror=alert(1)", "x & <y>")
    assert "x &amp; &lt;y&gt;" in toc and 'id="sec-2"' in body


# --- xlsx writers ----------------------------------------------------------------------------------
def test_visits_xlsx_writes_formula_like_names_as_text_and_keeps_numbers_and_dates(tmp_path: Path) -> None:
    plan = october_plan()
    names = iter(FORMULAS * 2)
    for frame in (plan.schedule, plan.unscheduled):
        frame["name"] = [next(names) for _ in range(len(frame))]
    plan.schedule["district"] = "#N/A"
    assert len(plan.schedule) + len(plan.unscheduled) >= len(FORMULAS)
    path = write_visits_xlsx(tmp_path / "visits.xlsx", plan, mask_pii=False)
    assert_text(path, FORMULAS)
    sheet = load_workbook(path)["王经理_S1"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, sheet[2], strict=True))
    assert first["客户姓名"].value == FORMULAS[0]
    assert first["区域"].value == "#N/A" and first["区域"].data_type == "s"
    assert first["日期"].value == dt.datetime(2026, 10, 8) and first["日期"].is_date
    assert first["金融资产（元）"].data_type == "n" and first["金融资产（元）"].value == 3e6
    assert first["优先顺序"].data_type == "n" and not first["客户号"].quotePrefix


def test_forum_invitees_xlsx_writes_formula_like_names_as_text(tmp_path: Path) -> None:
    clients = book()
    clients["name"] = [FORMULAS[i % len(FORMULAS)] for i in range(len(clients))]
    staff = STAFF.assign(name=["=S1()", "+S2", "-S3", "@S0"])
    forum = plan_forum(clients, staff, None, DECEMBER, WorkCalendar(), "2026-10")
    path = write_forum_invitees_xlsx(tmp_path / "f.xlsx", forum, "zh", mask_pii=False)
    assert_text(path, [*FORMULAS, "+S2", "-S3"])
    wb = load_workbook(path)
    budget = {r[0].value: r[1] for r in wb["预算"].iter_rows(min_row=2)}
    assert budget["合计"].value == 53_000 and budget["合计"].data_type == "n"
    assert wb["筹备时间表"]["A2"].is_date and wb["邀请名单"]["E2"].data_type == "n"


def test_network_xlsx_writes_formula_like_branch_names_as_text(tmp_path: Path) -> None:
    n = len(FORMULAS)
    table = pd.DataFrame({"branch_id": [f"B{i}" for i in range(n)], "branch_name": list(FORMULAS),
                          "overall_rank": range(1, n + 1), "current_clients": [10] * n,
                          "current_aum": [1.5e6] * n, "mean_rank": [1.5] * n, "status": ["=ok"] * n,
                          **{k: [0.1] * n for k, _, _ in FIVE}, **{f"rank_{k}": [1] * n for k, _, _ in FIVE},
                          **{f"clients_{t}": [3] * n for t in IN_SCOPE_TIERS},
                          **{f"aum_{t}": [2e5] * n for t in IN_SCOPE_TIERS}})
    path = write_network_xlsx(table, tmp_path / "network.xlsx")
    assert_text(path, [*FORMULAS, "=ok"])
    ranking = load_workbook(path)["排名"]
    header = [c.value for c in ranking[1]]
    row = dict(zip(header, ranking[2], strict=True))
    assert row["综合排名"].value == 1 and row["综合排名"].data_type == "n"
    assert row["维护对象资产（万元）"].value == 150 and row["保·流失率"].number_format == "0.0%"
    assert row["报告状态"].value == "=ok" and row["报告状态"].data_type == "s"


def test_fact_find_writer_keeps_formula_like_text_and_the_loader_reads_it_back(tmp_path: Path) -> None:
    path = write_fact_find(tmp_path / "ff.xlsx",
                           profile={"client_id": "0010000001", "name": FORMULAS[0], "birth_date": dt.date(1985, 6, 15),
                                    "risk_level": "C3", "risk_assessed_on": dt.date(2026, 1, 10)},
                           family=[{"member": "self", "name": FORMULAS[1], "birth_date": dt.date(1985, 6, 15),
                                    "occupation": FORMULAS[3]}],
                           goals=[{"goal": FORMULAS[2], "target_amount": 500_000, "target_year": 2036}])
    assert_text(path, FORMULAS)
    ff = load_fact_find(path)
    assert ff.profile["name"] == FORMULAS[0] and ff.family["name"].tolist() == [FORMULAS[1]]
    assert ff.goals["goal"].tolist() == [FORMULAS[2]] and ff.goals["target_amount"].tolist() == [500_000]
