"""The console script as a user meets it: sample, profile, template, validate, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.commands.cli import app

runner = CliRunner()
PERIOD = "2026-10"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "data"
    res = runner.invoke(app, ["sample", "--out", str(out), "--branches", "2", "--clients-per-branch", "200",
                              "--months", "3", "--seed", "3", "--end-period", PERIOD])
    assert res.exit_code == 0, res.output
    return out


def test_profile_json_is_the_contract_summary(sample: Path, tmp_path: Path):
    params = sample / "params" / "branches" / "B001.yaml"
    target = tmp_path / "summary.json"
    res = runner.invoke(app, ["profile", str(params), "--period", PERIOD, "--json", str(target)])
    assert res.exit_code == 0, res.output
    summary = json.loads(target.read_text(encoding="utf-8"))
    assert summary["branch_id"] == "B001" and summary["period"] == PERIOD and summary["base_period"] == "2026-09"
    assert set(summary["kpi"]) == {"churn_rate", "upgrade_rate", "downgrade_rate", "product_coverage_rate",
                                   "products_per_client", "new_clients", "net_growth", "aum_growth",
                                   "top20_aum_share"}
    assert summary["visits"]["planned"] >= 0 and summary["forum"]["invitees"] > 0
    table = runner.invoke(app, ["profile", str(params), "--period", PERIOD])
    assert table.exit_code == 0 and "churn_rate" in table.output and "私行/财富客户" in table.output
    stdout = runner.invoke(app, ["profile", str(params), "--period", PERIOD, "--json", "-"])
    assert json.loads(stdout.output) == summary


def test_profile_with_quarter_start_and_missing_period(sample: Path):
    params = sample / "params" / "branches" / "B001.yaml"
    text = params.read_text(encoding="utf-8").replace("compare_to: previous_month", "compare_to: quarter_start")
    q = params.with_name("q.yaml")
    q.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["profile", str(q), "--period", PERIOD, "--json", "-"])
    assert res.exit_code == 0
    assert json.loads(res.output)["base_period"] == "2026-09"  # quarter Oct–Dec: base is the Sep month-end
    res = runner.invoke(app, ["profile", str(params), "--period", "2025-01"])
    assert res.exit_code == 2 and "2025-01" in res.output
    q.unlink()


def test_template_then_validate(tmp_path: Path):
    book = tmp_path / "ff.xlsx"
    res = runner.invoke(app, ["template", "fact-find", str(book)])
    assert res.exit_code == 0 and book.is_file()
    res = runner.invoke(app, ["validate", str(book)])
    assert res.exit_code == 0 and "fact_find" in res.output


def test_proposal_from_options(sample: Path, tmp_path: Path):
    ff = sorted((sample / "fact_finds").glob("*.xlsx"))[0]
    res = runner.invoke(app, ["proposal", "--fact-find", str(ff), "--client-id", ff.stem,
                              "--clients", str(sorted((sample / "clients").glob("*.csv"))[-1]),
                              "--products", str(sample / "products.xlsx"), "--as-of", "2026-11-02",
                              "--formats", "html", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "clients" / ff.stem / "2026-11-02" / "summary.json").read_text("utf-8"))
    assert summary["client_id"] == ff.stem and summary["as_of"] == "2026-11-02"
    res = runner.invoke(app, ["proposal", "--fact-find", str(ff), "--client-id", "999",
                              "--products", str(sample / "products.xlsx"), "--out", str(tmp_path)])
    assert res.exit_code == 2 and "999" in res.output
    assert runner.invoke(app, ["proposal", "--client-id", "1"]).exit_code == 2


def test_bad_formats_and_python_dash_m(sample: Path):
    params = sample / "params" / "branches" / "B001.yaml"
    assert runner.invoke(app, ["branch", str(params), "--formats", "docx"]).exit_code == 2
    res = subprocess.run([sys.executable, "-m", "toolkit", "--help"], capture_output=True, text=True, check=False)
    assert res.returncode == 0 and "monthly" in res.stdout
