"""`clientcare monthly --scheduler`: the sample bank's batch on a real Dask scheduler and two workers,
against the local pool's batch; a worker killed mid-job; a scheduler that goes away, then `--resume`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.engine.test_dask_runner import DaskCluster

BIN = Path(sys.executable).parent
BRANCHES = ["B001", "B002", "B003"]


def clientcare(*args: str, wait: bool = True) -> subprocess.Popen | subprocess.CompletedProcess:
    argv = [str(BIN / "clientcare"), *args]
    if wait:
        return subprocess.run(argv, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bank")
    res = clientcare("sample", "--out", str(root / "data"), "--params-dir", str(root / "params"), "--branches", "3",
                     "--clients-per-branch", "60", "--months", "2")
    assert res.returncode == 0, res.stderr
    return root


def monthly_args(bank: Path, out: str, *more: str) -> list[str]:
    return ["monthly", "--params-dir", str(bank / "params" / "branches"), "--out", str(bank / out),
            "--formats", "html", *more]


def period_dir(bank: Path, out: str) -> Path:
    (found,) = [p for p in (bank / out).iterdir() if not p.name.startswith(".")]
    return found


def manifest(bank: Path, out: str) -> dict:
    return json.loads((period_dir(bank, out) / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """Two workers; they start up while the local batch renders (`local` asks for them first)."""
    started = DaskCluster(tmp_path_factory.mktemp("dask"), wait=False)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def local(bank: Path, cluster: DaskCluster) -> Path:
    res = clientcare(*monthly_args(bank, "local", "--workers", "2"))
    assert res.returncode == 0, res.stdout + res.stderr
    return period_dir(bank, "local")


def assert_same_as_local(folder: Path, local: Path) -> None:
    """Every branch published once, complete, with the local batch's summary.json; nothing half-done."""
    leftovers = [p.name for p in folder.iterdir() if ".staging-" in p.name or ".old-" in p.name
                 or p.name.startswith(("_failed", ".publish-"))]
    assert leftovers == []
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == BRANCHES
    for branch in BRANCHES:
        assert sorted(p.name for p in (folder / branch).iterdir()) == sorted(p.name for p in (local / branch).iterdir())
        ours = json.loads((folder / branch / "summary.json").read_text(encoding="utf-8"))
        assert ours == json.loads((local / branch / "summary.json").read_text(encoding="utf-8")), branch
    assert not [p for p in (folder.parent / ".staging").iterdir() if p.is_dir()]  # the slices are removed


def test_batch_on_dask_matches_the_local_batch(bank: Path, local: Path, cluster: DaskCluster):
    cluster.wait_for_workers(2)
    res = clientcare(*monthly_args(bank, "dask", "--scheduler", cluster.address))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 ok, 0 failed" in res.stdout
    m = manifest(bank, "dask")
    assert m["counts"] == {"total": 3, "ok": 3, "failed": 0, "pending": 0} and m["complete"]
    assert m["meta"]["scheduler"] == cluster.address
    assert_same_as_local(period_dir(bank, "dask"), local)
    assert (period_dir(bank, "dask") / "network.html").exists()


def test_a_worker_killed_mid_job_is_rerun_elsewhere(bank: Path, local: Path, cluster: DaskCluster):
    out = bank / "killed"
    batch = clientcare(*monthly_args(bank, "killed", "--scheduler", cluster.address), wait=False)
    killed = None
    with cluster.client() as client:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and batch.poll() is None:
            rendering = [p.name for p in out.glob("*/.B00*.staging-*")]  # a job is past its start
            if rendering:
                pids = client.run(os.getpid)
                for worker, keys in client.processing().items():
                    if any(str(k).startswith("clientcare-") for k in keys) and worker in pids:
                        os.kill(pids[worker], signal.SIGKILL)  # the worker process; its nanny restarts it
                        killed = (worker, keys)
                        break
            time.sleep(0.05)
    output, _ = batch.communicate(timeout=240)
    assert killed is not None, output
    assert batch.returncode == 0, output
    m = manifest(bank, "killed")
    assert m["counts"]["ok"] == 3, m
    assert_same_as_local(period_dir(bank, "killed"), local)
    cluster.wait_for_workers(2)  # the nanny's new worker joined: the cluster is whole again


def test_scheduler_gone_exits_1_and_resume_finishes_locally(bank: Path, local: Path, cluster: DaskCluster):
    """The last test on the module's cluster: it kills the scheduler once a first branch is ok (two
    workers, three branches: one at least is not done yet), then stops the workers too, so that
    nothing of this run renders behind the resume."""
    done: list[Path] = []
    try:
        batch = clientcare(*monthly_args(bank, "lost", "--scheduler", cluster.address), wait=False)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and batch.poll() is None:
            done = [m for m in (bank / "lost").glob("*/manifest.json")
                    if json.loads(m.read_text(encoding="utf-8") or "{}").get("counts", {}).get("ok")]
            if done:
                cluster.kill_scheduler()
                break
            time.sleep(0.05)
        output, _ = batch.communicate(timeout=120)
    finally:
        cluster.stop()
    assert done, output
    assert batch.returncode == 1, output
    assert "Traceback" not in output  # reported once, in our words
    assert "went away" in output and "--resume" in output
    m = manifest(bank, "lost")
    not_done = [k for k, e in m["jobs"].items() if e["status"] != "ok"]
    assert 1 <= m["counts"]["ok"] < 3 and not_done
    assert all(m["jobs"][k]["status"] in ("failed", "pending") for k in not_done)
    assert "went away" in m["meta"]["scheduler_error"]
    ok_before = {k: e["finished_at"] for k, e in m["jobs"].items() if e["status"] == "ok"}

    res = clientcare(*monthly_args(bank, "lost", "--resume", "--workers", "2"))
    assert res.returncode == 0, res.stdout + res.stderr
    m = manifest(bank, "lost")
    assert m["counts"]["ok"] == 3 and m["complete"] and "scheduler_error" not in m["meta"]
    assert "scheduler" not in m["meta"]  # this run was local
    assert all(m["jobs"][k]["finished_at"] == v for k, v in ok_before.items())  # done once, not redone
    assert_same_as_local(period_dir(bank, "lost"), local)


def test_a_bad_scheduler_address_is_exit_2_before_anything_is_written(tmp_path: Path):
    from typer.testing import CliRunner

    from toolkit.commands.cli import app

    (tmp_path / "params").mkdir()
    res = CliRunner().invoke(app, ["monthly", "--params-dir", str(tmp_path / "params"), "--out",
                                   str(tmp_path / "out"), "--scheduler", "localhost:8786"])
    assert res.exit_code == 2 and "not a Dask scheduler address" in res.output
    assert not (tmp_path / "out").exists()
