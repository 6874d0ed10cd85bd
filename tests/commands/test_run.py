"""End to end: a small sample bank rendered as a branch plan, a proposal and a monthly batch."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from toolkit.commands.cli import app
from toolkit.sample.generate import write_sample

PERIOD = "2026-10"
runner = CliRunner()


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bank")
    write_sample(root / "data", params_dir=root / "params", branches=2, clients_per_branch=300, months=4,
                 seed=7, end_period=PERIOD)
    return root


@pytest.fixture(scope="module")
def branch_dir(bank: Path) -> Path:
    params = sorted((bank / "params" / "branches").glob("*.yaml"))[0]
    res = runner.invoke(app, ["branch", str(params), "--period", PERIOD, "--out", str(bank / "out")])
    assert res.exit_code == 0, res.output
    return bank / "out" / PERIOD / params.stem


def test_branch_plan_files_sections_and_summary(branch_dir: Path):
    names = {p.name for p in branch_dir.iterdir()}
    staff_calendars = {n for n in names if re.fullmatch(r"visits_[A-Za-z0-9_-]+\.ics", n)}
    assert staff_calendars and names - staff_calendars == {
        "branch_plan.html", "branch_plan.pdf", "branch_plan.ipynb", "summary.json", "visits.xlsx", "visits.ics",
        "forum_invitees.xlsx"}
    summary = json.loads((branch_dir / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) >= {"branch_id", "period", "base_period", "tiers", "kpi", "watch", "visits", "forum",
                            "warnings", "risk_assessment", "maturities", "marketing_targets", "corporate"}
    assert summary["period"] == PERIOD and summary["base_period"] == "2026-09"
    page = (branch_dir / "branch_plan.html").read_text(encoding="utf-8")
    for section in ("本月概要", "客户分层与资产", "维护指标", "重点关注名单", "维护分工", "上门拜访计划", "生日关怀",
                    "客户座谈会", "数据质量", "对公客户走访", "到期提醒", "风险评估", "500万目标客户"):
        assert section in page, section
    # Data quality closes the plan, after the practices (headings and the table of contents alike).
    assert page.rindex("数据质量提示") > page.rindex("500万目标客户") > page.rindex("客户座谈会")
    assert "import " not in page and "load_plan(" not in page  # no code in the report
    # The report's headline figures are the summary's.
    assert f"{summary['visits']['planned']:,}" in page
    clients = sum(t["clients"] for t in summary["tiers"].values())
    assert f"{clients:,}" in page


def test_branch_plan_masks_personal_data(branch_dir: Path, bank: Path):
    import pandas as pd

    book = pd.concat(pd.read_csv(p, dtype=str, encoding="utf-8-sig") for p in (bank / "data" / "clients").glob("*.csv"))
    page = (branch_dir / "branch_plan.html").read_text(encoding="utf-8")
    notebook = (branch_dir / "branch_plan.ipynb").read_text(encoding="utf-8")
    phones = book["手机号"].dropna().unique()
    assert not any(p in page or p in notebook for p in phones)
    full_names = [n for n in book["客户姓名"].dropna().unique() if len(n) >= 3]
    assert not any(f">{n}<" in page for n in full_names)
    assert re.search(r">[\u4e00-\u9fff]\*+[\u4e00-\u9fff]?<", page)  # masked names are shown


def test_branch_pdf_has_chinese_text_and_embedded_fonts(branch_dir: Path):
    reader = PdfReader(branch_dir / "branch_plan.pdf")
    text = "".join(page.extract_text() for page in reader.pages[:3])
    assert "客户分层" in text and "维护指标" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert all("/FontFile" in str(f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object())
               or "/FontFile" in "".join(f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                                         .get_object().keys())
               for f in fonts.values())


def test_proposal_renders_with_summary(bank: Path):
    params = sorted((bank / "params" / "clients").glob("*.yaml"))[0]
    res = runner.invoke(app, ["proposal", str(params), "--out", str(bank / "out")])
    assert res.exit_code == 0, res.output
    (folder,) = (bank / "out" / "clients" / params.stem).iterdir()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) == {"client_id", "as_of", "tier", "ratios", "flags", "ratios_after", "actions", "goals",
                            "recommendations", "advisor_notes", "warnings"}  # CONTRACT §7
    page = (folder / "proposal.html").read_text(encoding="utf-8")
    for section in ("规划摘要", "家庭与财务状况", "财务诊断", "理财目标", "规划方案", "产品配置", "风险揭示",
                    "确认与签署"):
        assert section in page
    # advisor notes go to their own file, never into the client's document
    notes = (folder / "advisor_notes.html").read_text(encoding="utf-8")
    for note in summary["advisor_notes"]:
        assert note in notes and note not in page
    assert "理财规划" in "".join(p.extract_text() for p in PdfReader(folder / "proposal.pdf").pages[:1])


def test_bad_input_exits_2_and_leaves_outputs_alone(bank: Path, branch_dir: Path, tmp_path: Path):
    params = sorted((bank / "params" / "branches").glob("*.yaml"))[0]
    before = {p.name: p.stat().st_mtime_ns for p in branch_dir.iterdir()}
    bad = tmp_path / "bad.yaml"
    bad.write_text(params.read_text(encoding="utf-8").replace("compare_to:", "compare_too:"), encoding="utf-8")
    res = runner.invoke(app, ["branch", str(bad), "--period", PERIOD, "--out", str(bank / "out")])
    assert res.exit_code == 2 and "compare_too" in res.output
    res = runner.invoke(app, ["branch", str(params), "--period", "2024-01", "--out", str(bank / "out")])
    assert res.exit_code == 2 and "2024-01" in res.output
    assert {p.name: p.stat().st_mtime_ns for p in branch_dir.iterdir()} == before


def test_monthly_batch_one_broken_branch_then_resume(bank: Path, branch_dir: Path, tmp_path: Path):
    params_dir = tmp_path / "branches"
    shutil.copytree(bank / "params" / "branches", params_dir)
    good, other = sorted(params_dir.glob("*.yaml"))
    text = other.read_text(encoding="utf-8")
    # Relative data paths must still resolve from the copy's folder.
    for f in (good, other):
        f.write_text(f.read_text(encoding="utf-8").replace("../../", str(bank) + "/"), encoding="utf-8")
    text = other.read_text(encoding="utf-8")
    other.write_text(text.replace("staff.xlsx", "no_such_staff.xlsx"), encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["monthly", "--period", PERIOD, "--params-dir", str(params_dir), "--out", str(out),
                              "--workers", "2", "--formats", "html"])
    assert res.exit_code == 1, res.output
    manifest = json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    jobs = manifest["jobs"]
    assert jobs[good.stem]["status"] == "ok" and jobs[other.stem]["status"] == "failed"
    assert "no_such_staff.xlsx" in jobs[other.stem]["error"]
    assert (out / PERIOD / "network.html").is_file() and (out / PERIOD / "network.xlsx").is_file()
    # A branch rendered by the batch (slice of a shared read, kernel forked in a worker) is the same as
    # the one-at-a-time `clientcare branch` render of the same branch.
    batch_dir = out / PERIOD / good.stem
    assert (json.loads((batch_dir / "summary.json").read_text(encoding="utf-8"))
            == json.loads((branch_dir / "summary.json").read_text(encoding="utf-8")))
    assert _cell_outputs(batch_dir / "branch_plan.ipynb") == _cell_outputs(branch_dir / "branch_plan.ipynb")
    first = (out / PERIOD / good.stem / "branch_plan.html").stat().st_mtime_ns
    other.write_text(text, encoding="utf-8")  # fix it
    other.write_text(other.read_text(encoding="utf-8").replace("../../", str(bank) + "/"), encoding="utf-8")
    res = runner.invoke(app, ["monthly", "--period", PERIOD, "--params-dir", str(params_dir), "--out", str(out),
                              "--workers", "2", "--formats", "html", "--resume"])
    assert res.exit_code == 0, res.output
    assert (out / PERIOD / good.stem / "branch_plan.html").stat().st_mtime_ns == first  # not rerun
    assert (out / PERIOD / other.stem / "branch_plan.html").is_file()


def _cell_outputs(path: Path) -> list:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [c.outputs for c in nb.cells if c.cell_type == "code"]


def test_branch_slices_follow_every_client_ever_at_the_branch():
    import pandas as pd

    from toolkit.inputs.books import BranchInputs, branch_slice, branch_slices

    clients = pd.DataFrame({"snapshot_date": pd.to_datetime(["2026-09-30"] * 3 + ["2026-10-31"] * 3),
                            "client_id": ["c1", "c2", "c3", "c1", "c2", "c3"],
                            "branch_id": ["B1", "B1", "B2", "B2", "B1", "B2"]})  # c1 moved from B1 to B2
    acts = pd.DataFrame({"client_id": ["c3", "c1", "zz", "c2"], "kind": ["visit", "call", "sms", "gift"]})
    inputs = BranchInputs(clients=clients, staff=pd.DataFrame({"staff_id": ["S1"]}), products=None,
                          activities=acts)
    got = {b: part for b, part in branch_slices(inputs, ["B1", "B2", "B9"])}
    assert got["B1"].clients["client_id"].tolist() == ["c1", "c2", "c1", "c2"]
    assert got["B2"].clients["client_id"].tolist() == ["c1", "c3", "c1", "c3"]
    assert got["B1"].activities["kind"].tolist() == ["call", "gift"]
    assert got["B2"].activities["kind"].tolist() == ["visit", "call"]
    assert got["B9"].clients.empty and got["B9"].activities.empty and list(got["B9"].clients) == list(clients)
    assert got["B1"].staff is inputs.staff
    pd.testing.assert_frame_equal(branch_slice(inputs, "B2").clients, got["B2"].clients)


def test_relative_output_root_puts_every_file_in_place(bank: Path, monkeypatch: pytest.MonkeyPatch):
    """`clientcare branch` with the default relative `outputs/`: the work lists land beside the report."""
    params = sorted((bank / "params" / "branches").glob("*.yaml"))[0]
    monkeypatch.chdir(bank)
    res = runner.invoke(app, ["branch", str(params), "--period", PERIOD, "--formats", "html", "--out", "rel_out"])
    assert res.exit_code == 0, res.output
    folder = bank / "rel_out" / PERIOD / params.stem
    assert {"summary.json", "visits.xlsx", "visits.ics", "forum_invitees.xlsx"} <= {p.name for p in folder.iterdir()}
    assert all(p.is_file() for p in folder.iterdir())


def test_monthly_with_a_relative_output_root(bank: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(bank)
    res = runner.invoke(app, ["monthly", "--period", PERIOD, "--params-dir", "params/branches", "--out", "rel_batch",
                              "--formats", "html", "--workers", "2"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((bank / "rel_batch" / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    assert {e["status"] for e in manifest["jobs"].values()} == {"ok"}


def test_a_proposal_checks_every_row_of_the_book_and_publishes_nothing_on_a_problem(bank: Path, tmp_path: Path):
    """CONTRACT §1: another client's bad cell stops a proposal too (it renders from its own rows while
    the whole book is checked on the other core); every problem is reported and nothing is written.
    The report that was already there stays as it was."""
    import pandas as pd
    import yaml

    params = sorted((bank / "params" / "clients").glob("*.yaml"))[0]
    raw = yaml.safe_load(params.read_text(encoding="utf-8"))
    for key in ("products", "activities", "staff"):
        raw["data"][key] = str((params.parent / raw["data"][key]).resolve())
    raw["fact_find"] = str((params.parent / raw["fact_find"]).resolve())
    clients = sorted(params.parent.glob(raw["data"]["clients"]))
    shutil.copytree(clients[0].parent, tmp_path / "clients")
    last = tmp_path / "clients" / clients[-1].name
    raw["data"]["clients"] = str(tmp_path / "clients" / "clients_*.csv")
    mine = tmp_path / "client.yaml"
    mine.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["proposal", str(mine), "--formats", "html", "--out", str(out)])
    assert res.exit_code == 0, res.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    book = pd.read_csv(last, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    other = int((book["客户号"] != raw["client_id"]).to_numpy().argmax())
    book.loc[other, "活期存款"] = "abc"
    book.to_csv(last, index=False, encoding="utf-8-sig")
    assert runner.invoke(app, ["validate", str(last)]).exit_code == 2
    res = runner.invoke(app, ["proposal", str(mine), "--formats", "html", "--out", str(out)])
    assert res.exit_code == 2 and f"row {other + 2}, column 'demand_deposit'" in res.output, res.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    own = int((book["客户号"] == raw["client_id"]).to_numpy().argmax())
    book.loc[own, "活期存款"] = "abc"
    book.to_csv(last, index=False, encoding="utf-8-sig")
    res = runner.invoke(app, ["proposal", str(mine), "--formats", "html", "--out", str(tmp_path / "out2")])
    assert res.exit_code == 2 and f"row {own + 2}, column 'demand_deposit'" in res.output
    assert f"row {other + 2}, column 'demand_deposit'" in res.output and not (tmp_path / "out2").exists()
