"""Exit codes at the edges (issue 11 item 7): dates outside the supported years are bad input
(exit 2, before any notebook runs); a read-only, full or misplaced output root is a plain message
about the machine (exit 1, never "a bug in clientcare"); a kept failed notebook is never empty."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError
from typer.testing import CliRunner

from toolkit.commands.cli import app
from toolkit.engine import publish, render

runner = CliRunner()
PERIOD = "2026-11"
ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("env")
    res = runner.invoke(app, ["sample", "--out", str(root / "data"), "--params-dir", str(root / "params"),
                              "--branches", "1", "--clients-per-branch", "60", "--months", "2",
                              "--end-period", PERIOD])
    assert res.exit_code == 0, res.output
    return root


@pytest.fixture(autouse=True)
def _no_debug_no_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """No traceback mode, and no warm kernel: these renders stop (or are faked) before one would run."""
    import toolkit.commands.run

    monkeypatch.delenv("CLIENTCARE_DEBUG", raising=False)
    monkeypatch.setattr(toolkit.commands.run, "warm_up", lambda *a, **k: None)


def _params(sample: Path, kind: str, name: str, old: str, new: str) -> Path:
    """A copy of a sample params file with one line changed, next to the original."""
    src = sorted((sample / "params" / kind).glob("*.yaml"))[0]
    text = src.read_text(encoding="utf-8")
    assert old in text
    target = src.with_name(name)
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def _no_bug(output: str) -> None:
    assert "bug" not in output and "Internal error" not in output and "Traceback" not in output


# --- dates and periods outside the supported years: exit 2, naming key or option, value and range --
def test_as_of_option_far_in_the_future_is_bad_input(sample: Path, tmp_path: Path):
    params = sorted((sample / "params" / "clients").glob("*.yaml"))[0]
    res = runner.invoke(app, ["proposal", str(params), "--as-of", "9999-12-31", "--formats", "html",
                              "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert "--as-of" in res.output and "9999-12-31" in res.output and "1950-01-01 to 2099-12-31" in res.output
    assert not (tmp_path / "out" / "clients").exists()


def test_params_dates_outside_the_supported_years_are_named_by_key(sample: Path):
    as_of = _params(sample, "clients", "far.yaml", "as_of: 2026-12-01", "as_of: 9999-12-31")
    period = _params(sample, "branches", "far.yaml", "compare_to:", "period: 9999-12\ncompare_to:")
    window = _params(sample, "branches", "far_forum.yaml", "window: [2027-01-10, 2027-01-28]",
                     "window: [9999-12-01, 9999-12-31]")
    res = runner.invoke(app, ["validate", str(as_of), str(period), str(window)])
    assert res.exit_code == 2, res.output
    assert "key 'as_of'" in res.output and "as_of 9999-12-31 is outside the supported range" in res.output
    assert "key 'period'" in res.output and "period 9999-12 is outside the supported range 1950-01 to 2099-11" \
        in res.output
    assert "key 'forum.window'" in res.output and "9999-12-01" in res.output
    for command in (["profile", str(period)], ["profile", str(window)]):
        res = runner.invoke(app, command)
        assert res.exit_code == 2 and "outside the supported range" in res.output, res.output
    assert "(got [datetime.date(9999, 12, 1)" in res.output  # values in brackets are text, not rich markup


def test_period_whose_plan_month_has_no_holiday_data_is_bad_input(sample: Path):
    """A snapshot in 2200 loads, but 2201's working days cannot be known: no silent plan without
    the Spring Festival, an exit 2 naming --period instead."""
    clients = sample / "data" / "clients"
    far = clients.parent / "far_clients" / "clients_220012.csv"
    far.parent.mkdir(exist_ok=True)
    far.write_text((clients / "clients_202611.csv").read_text(encoding="utf-8-sig").replace("2026-11-30",
                                                                                              "2200-12-31"),
                   encoding="utf-8")
    params = _params(sample, "branches", "far_data.yaml", "../../data/clients/clients_*.csv", str(far))
    res = runner.invoke(app, ["profile", str(params), "--period", "2200-12"])
    assert res.exit_code == 2, res.output
    assert "--period" in res.output and "2200-12" in res.output and "1950-01 to 2099-11" in res.output


def test_monthly_and_sample_reject_a_period_out_of_range_before_starting(sample: Path, tmp_path: Path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["monthly", "--period", "9999-12", "--params-dir", str(sample / "params" / "branches"),
                              "--out", str(out), "--workers", "1"])
    assert res.exit_code == 2 and "--period" in res.output and "9999-12" in res.output, res.output
    assert not (out / "9999-12").exists()
    res = runner.invoke(app, ["sample", "--out", str(tmp_path / "s"), "--end-period", "9999-11"])
    assert res.exit_code == 2 and "--end-period" in res.output and "9999-11" in res.output, res.output
    _no_bug(res.output)


# --- the machine stops the run: exit 1, a plain message, no "bug" ----------------------------------
def test_output_root_under_a_regular_file_is_an_environment_problem(sample: Path, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    params = sample / "params" / "branches" / "B001.yaml"
    res = runner.invoke(app, ["branch", str(params), "--period", PERIOD, "--formats", "html",
                              "--out", str(blocker / "outputs")])
    assert res.exit_code == 1, res.output
    assert "Environment problem" in res.output and "not a folder" in res.output and str(blocker) in res.output
    _no_bug(res.output)
    res = runner.invoke(app, ["profile", str(params), "--period", PERIOD, "--json", str(blocker / "s.json")])
    assert res.exit_code == 1 and "not a folder" in res.output, res.output
    _no_bug(res.output)
    assert blocker.read_text() == "not a folder"


def _fake_papermill(monkeypatch: pytest.MonkeyPatch, written: bytes | None = None,
                    error: BaseException | None = None) -> None:
    """papermill without a kernel: the parameterised notebook (or `written`) lands at the output path,
    then `error` is raised. Preparing only (no kernel) goes to the real papermill."""
    real = papermill.execute_notebook

    def fake(input_path, output_path, parameters=None, prepare_only=False, **kwargs):
        if prepare_only or error is None:
            nb = real(input_path, output_path, parameters=parameters, prepare_only=True, progress_bar=False)
            if prepare_only:
                return nb
        if written is not None:
            Path(output_path).write_bytes(written)
        if error is not None:
            raise error
        return nb

    monkeypatch.setattr(papermill, "execute_notebook", fake)


def test_read_only_output_root_at_publish_is_an_environment_problem(sample: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch):
    real_rename = os.rename

    def read_only(src, dst, *args, **kwargs):
        if ".staging-" in str(src):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
        return real_rename(src, dst, *args, **kwargs)

    _fake_papermill(monkeypatch)
    monkeypatch.setattr(publish.os, "rename", read_only)
    out = tmp_path / "outputs"
    res = runner.invoke(app, ["branch", str(sample / "params" / "branches" / "B001.yaml"), "--period", PERIOD,
                              "--formats", "html", "--out", str(out)])
    assert res.exit_code == 1, res.output
    assert f"cannot write to {out / PERIOD / 'B001'}: read-only file system" in res.output
    _no_bug(res.output)
    assert not (out / PERIOD / "B001").exists()


def test_full_disk_in_the_kernel_keeps_no_empty_notebook(sample: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    """The kernel hit ENOSPC writing visits.xlsx, papermill's own notebook came out empty, and the
    kept copy cannot be written either: say so, exit 1, and leave no 0-byte file behind."""
    error = PapermillExecutionError(cell_index=5, exec_count=5, source="", ename="OSError", traceback=[],
                                    evalue="[Errno 28] No space left on device: '/x/visits.xlsx'")
    _fake_papermill(monkeypatch, written=b"", error=error)

    def full(path, data):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(render, "atomic_write_bytes", full, raising=False)
    out = tmp_path / "outputs"
    res = runner.invoke(app, ["branch", str(sample / "params" / "branches" / "B001.yaml"), "--period", PERIOD,
                              "--formats", "html", "--out", str(out)])
    assert res.exit_code == 1, res.output
    assert "no space left on device while writing /x/visits.xlsx" in res.output
    assert "the failed notebook could not be kept: no space left on device" in res.output
    _no_bug(res.output)
    assert [p for p in out.rglob("*.ipynb")] == []


# --- render_notebook's failed-notebook keeping, without a kernel -----------------------------------
@pytest.fixture
def tiny_notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("rows = 1")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(rows)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_empty_executed_notebook_is_replaced_by_the_parameterised_one(tiny_notebook: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    from toolkit.base.errors import EnvironmentProblem

    _fake_papermill(monkeypatch, written=b"", error=OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    dest = tmp_path / "out" / "B001"
    with pytest.raises(EnvironmentProblem) as caught:
        render.render_notebook(tiny_notebook, {"rows": 7}, dest, "plan", formats=())
    kept = tmp_path / "out" / "_failed" / "B001" / "plan.ipynb"
    assert kept.stat().st_size > 0 and f"failed notebook kept at {kept}" in str(caught.value)
    assert "rows = 7" in json.dumps(json.loads(kept.read_bytes()))  # the injected parameters, ready to rerun
    assert not dest.exists()


def test_kept_notebook_that_cannot_be_written_is_said_and_absent(tiny_notebook: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch):
    error = PapermillExecutionError(cell_index=1, exec_count=1, source="", ename="ValueError", evalue="bad rows",
                                    traceback=[])
    _fake_papermill(monkeypatch, error=error)
    monkeypatch.setattr(publish.tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(ENOSPC))
    dest = tmp_path / "out" / "B001"
    stale = tmp_path / "out" / "_failed" / "B001" / "plan.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")  # last run's failure: must not pass for this one's
    with pytest.raises(render.RenderError) as caught:
        render.render_notebook(tiny_notebook, {"rows": 7}, dest, "plan", formats=())
    message = str(caught.value)
    assert "ValueError: bad rows" in message
    assert "the failed notebook could not be kept: no space left on device" in message
    assert caught.value.kept_notebook is None and not stale.exists()
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []
