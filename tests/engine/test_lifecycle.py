"""A killed batch leaves no process and no client data behind; one batch per output root.

The end-to-end tests start `python -m toolkit monthly` on a tiny sample, SIGKILL it (or its whole
process group) once a report kernel is running, and check that every process it started is gone
within seconds, that nothing was left in the system temp folder, and that the next run sweeps
the dead run's work folders and `--resume` completes the batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from toolkit.base.errors import BatchRunningError, ClientcareError
from toolkit.commands.cli import app
from toolkit.engine import lifecycle

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-11"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and the parent-death signal")


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bank")
    res = CliRunner().invoke(app, ["sample", "--out", str(folder), "--params-dir", str(folder / "params"),
                                   "--branches", "2", "--clients-per-branch", "60", "--months", "2",
                                   "--end-period", PERIOD])
    assert res.exit_code == 0, res.output
    return folder


def _monthly(bank: Path, out: Path, tmp: Path, *extra: str, **popen) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "toolkit", "monthly", "--params-dir", str(bank / "params" / "branches"),
           "--out", str(out), "--period", PERIOD, "--formats", "html", "--workers", "2", *extra]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)


def _cmdline(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline())
    except psutil.Error:
        return ""


def _descendants_once_a_kernel_runs(parent: psutil.Process, seconds: float = 120) -> list[psutil.Process]:
    """Every descendant of `parent`, as soon as one of them is a report kernel (forked by a template)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = parent.children(recursive=True)
        templates = {p.pid for p in found if "_serve" in _cmdline(p)}
        if any(_ppid(p) in templates for p in found):
            return found
        time.sleep(0.05)
    pytest.fail("no report kernel started")


def _ppid(proc: psutil.Process) -> int | None:
    try:
        return proc.ppid()
    except psutil.Error:
        return None


def _survivors(procs: list[psutil.Process], seconds: float = 10) -> list[str]:
    """Those of procs still running after a few seconds (killed now, so a failing test leaves none)."""
    _, alive = psutil.wait_procs(procs, timeout=seconds)
    found = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            if proc.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{proc.pid} {_cmdline(proc)[:80]}")
                proc.kill()
    return found


def _kill_and_check(bank: Path, tmp_path: Path, group: bool) -> tuple[Path, Path]:
    out, tmp = tmp_path / "outputs", tmp_path / "tmp"
    tmp.mkdir()
    batch = _monthly(bank, out, tmp, start_new_session=True)
    try:
        procs = _descendants_once_a_kernel_runs(psutil.Process(batch.pid))
        if group:
            os.killpg(batch.pid, signal.SIGKILL)
        else:
            batch.kill()
        batch.wait(30)
    finally:
        batch.kill()
    assert len(procs) >= 4  # workers, kernel templates and at least one kernel
    assert _survivors(procs) == []
    assert [p.name for p in tmp.iterdir() if p.name.startswith("clientcare-")] == []
    return out, tmp


@linux_only
def test_a_killed_batch_leaves_no_process_no_temp_folder_and_resume_completes_it(bank, tmp_path):
    out, tmp = _kill_and_check(bank, tmp_path, group=False)
    left = [p.name for p in (out / lifecycle.STAGING).iterdir() if p.is_dir()]
    assert left and all(name.startswith("batch-") for name in left)  # the slices, under the root only

    again = _monthly(bank, out, tmp, "--resume")
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output
    manifest = json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and {j["status"] for j in manifest["jobs"].values()} == {"ok"}
    assert len(manifest["jobs"]) == 2
    assert sorted(p.name for p in (out / lifecycle.STAGING).iterdir()) == [lifecycle.LOCK_NAME]  # swept
    period = sorted(p.name for p in (out / PERIOD).iterdir())
    assert not [n for n in period if ".staging-" in n or n.startswith(("_network", "_failed"))]
    assert {"network.html", "network.xlsx", "B001", "B002"} <= set(period)


@linux_only
def test_killing_the_batch_process_group_also_stops_the_kernels(bank, tmp_path):
    _kill_and_check(bank, tmp_path, group=True)  # kernels have their own session: the group kill misses them


def test_a_second_batch_on_the_same_root_exits_2_naming_the_holder(bank, tmp_path):
    out = (tmp_path / "outputs").resolve()
    with lifecycle.batch_lock(out):
        res = CliRunner().invoke(app, ["monthly", "--params-dir", str(bank / "params" / "branches"),
                                       "--out", str(out), "--period", PERIOD, "--formats", "html"])
    assert res.exit_code == 2
    assert f"another batch is running on {out} (pid {os.getpid()})" in " ".join(res.output.split())
    assert not (out / PERIOD).exists()  # nothing started, nothing written


# --- the lock ---------------------------------------------------------------------------------------
def test_the_lock_is_exclusive_and_released_after_the_block(tmp_path):
    with lifecycle.batch_lock(tmp_path), pytest.raises(BatchRunningError) as caught, lifecycle.batch_lock(tmp_path):
        pass
    assert caught.value.exit_code == 2 and caught.value.pid == os.getpid()
    with lifecycle.batch_lock(tmp_path):  # free again
        pass


def test_the_lock_dies_with_a_killed_holder(tmp_path):
    code = ("import sys, time; from toolkit.engine.lifecycle import batch_lock\n"
            f"with batch_lock({str(tmp_path)!r}):\n    print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BatchRunningError, match=f"pid {holder.pid}"), lifecycle.batch_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    with lifecycle.batch_lock(tmp_path):
        pass


# --- work folders and the sweep ------------------------------------------------------------------------
DEAD_PID = 4_000_000  # above Linux's pid_max: no such process


def test_work_folders_are_private_under_the_root_and_removed_after(tmp_path):
    with lifecycle.work_dir(tmp_path, "inputs") as work:
        assert work.parent == tmp_path / ".staging" and work.name.startswith(f"inputs-{os.getpid()}-")
        assert work.stat().st_mode & 0o777 == 0o700
        (work / "clients.parquet").write_bytes(b"x")
    assert not work.exists() and not (tmp_path / ".staging").exists()  # made for the run, and empty
    with pytest.raises(ValueError, match="kind"):
        lifecycle.make_work_dir(tmp_path, "../x")


def test_the_sweep_removes_only_what_dead_runs_left(tmp_path):
    staging = tmp_path / ".staging"
    dead = staging / f"batch-{DEAD_PID}-abc123"
    mine = lifecycle.make_work_dir(tmp_path, "inputs")
    live = staging / f"proposal-{os.getppid()}-q1"  # a running process that started before the folder
    reused = staging / f"network-{os.getppid()}-old"  # same pid, but the folder predates that process
    for folder in (dead, live, reused):
        folder.mkdir(parents=True)
        (folder / "clients.parquet").write_bytes(b"names and phones")
    os.utime(reused, (0, 0))
    (staging / "notes").mkdir()
    (staging / lifecycle.LOCK_NAME).write_text("123\n")
    assert sorted(lifecycle.sweep(tmp_path)) == [dead, reused]
    assert sorted(p.name for p in staging.iterdir()) == sorted(["notes", lifecycle.LOCK_NAME, mine.name, live.name])
    assert lifecycle.sweep(tmp_path / "nowhere") == []


# --- processes die with their parent -----------------------------------------------------------------
@linux_only
def test_a_child_whose_parent_already_died_leaves_at_once():
    code = "import time; from toolkit.engine.lifecycle import die_with_parent; die_with_parent(1); time.sleep(30)"
    started = time.monotonic()
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=30).returncode == 1
    assert time.monotonic() - started < 25


def test_an_orphaned_worker_publishes_nothing(monkeypatch):
    monkeypatch.setattr(lifecycle, "_parent", os.getppid())
    lifecycle.ensure_parent_alive()  # the parent is there: nothing to say
    monkeypatch.setattr(lifecycle, "_parent", DEAD_PID)
    with pytest.raises(ClientcareError, match="nothing published"):
        lifecycle.ensure_parent_alive()


def test_a_branch_render_checks_its_batch_before_publishing(bank, monkeypatch, tmp_path):
    from toolkit.commands import run as reports
    from toolkit.engine import render
    from toolkit.inputs.params import load_branch_params

    seen = {}
    monkeypatch.setattr(render, "render_notebook", lambda *a, **kw: seen.update(kw))
    params = bank / "params" / "branches" / "B001.yaml"
    reports._render_branch(params, load_branch_params(params), PERIOD, tmp_path, ("html",), tmp_path / "out", 60)
    assert seen["before_publish"] is lifecycle.ensure_parent_alive


# --- the network comparison has its own staging ------------------------------------------------------
def test_the_network_files_are_staged_per_run_and_published_together(monkeypatch, tmp_path):
    import pandas as pd

    from toolkit.branch import network_kpi
    from toolkit.commands import monthly
    from toolkit.engine import render
    from toolkit.report import network_files

    def fake_render(notebook, params, dest, basename, **kw):
        dest.mkdir(parents=True)
        assert Path(params["table_path"]).is_file()
        for ext in ("html", "ipynb"):
            (dest / f"network.{ext}").write_text("new")
        return sorted(dest.iterdir())

    monkeypatch.setattr(render, "render_notebook", fake_render)
    view = network_kpi.NetworkView(table=pd.DataFrame({"branch_id": ["B001"], "overall_rank": [1]}),
                                   totals=pd.DataFrame(), trend=pd.DataFrame(), staff=pd.DataFrame(),
                                   period=PERIOD, base_period=PERIOD, compare_to="previous_month")
    monkeypatch.setattr(network_kpi, "network_view", lambda *a, **kw: view)
    monkeypatch.setattr(network_files, "save_view", lambda view, folder: folder.mkdir(parents=True)
                        or (folder / "network.parquet").write_text("x") and folder / "network.parquet")
    monkeypatch.setattr(network_files, "write_network_json", lambda view, path: path.write_text("new") and path)
    monkeypatch.setattr(network_files, "write_network_xlsx", lambda table, path, language: path.write_text("new") and path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "systemp"))
    (tmp_path / "systemp").mkdir()
    period_dir = tmp_path / "out" / PERIOD
    other = period_dir / "_network" / "network.html"  # another run's staging, in the old fixed place
    other.parent.mkdir(parents=True)
    other.write_text("other run")
    (period_dir / "network.xlsx").write_text("old")

    written = monthly.write_network([], PERIOD, {"B001": "瓯海"}, period_dir)
    assert sorted(p.name for p in written) == ["network.html", "network.ipynb", "network.json", "network.xlsx"]
    assert all((period_dir / p.name).read_text() == "new" for p in written)
    assert other.read_text() == "other run"
    assert not (tmp_path / "out" / ".staging").exists() and list((tmp_path / "systemp").iterdir()) == []
