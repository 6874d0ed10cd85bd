"""The batch engine on a real Dask scheduler with two workers on 127.0.0.1 (toolkit.engine.dask_runner).

`DaskCluster` starts `dask scheduler` and `dask worker` processes from this venv, each in its own
session, and stops them with every process they started; tests/commands/test_monthly_dask.py uses
it for the monthly batch and its faults."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from toolkit.base.errors import InputError
from toolkit.engine import dask_runner, lifecycle
from toolkit.engine.batch import Job, Manifest, run_batch
from toolkit.engine.worker import run_job

BIN = Path(sys.executable).parent


class DaskCluster:
    """A scheduler and `workers` single-threaded workers on 127.0.0.1, no dashboard."""

    def __init__(self, folder: Path, workers: int = 2, wait: bool = True):
        """wait=False: return once the workers are started, not joined (`wait_for_workers` later)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.file = folder, folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        try:
            self._boot(workers, wait)
        except BaseException:  # nothing started here outlives a failed start
            self.stop()
            raise

    def _boot(self, workers: int, wait: bool) -> None:
        self.scheduler = self._start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--scheduler-file", str(self.file), "--no-dashboard"], "scheduler")
        deadline = time.monotonic() + 30
        while not (self.file.exists() and self.file.stat().st_size):
            assert time.monotonic() < deadline and self.scheduler.poll() is None, self.log("scheduler")
            time.sleep(0.1)
        time.sleep(0.1)  # the file is written in one go; read it once complete
        self.address = json.loads(self.file.read_text())["address"]
        self.workers = [self._start([str(BIN / "dask"), "worker", "--scheduler-file", str(self.file),
                                     "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                    f"worker{i}") for i in range(workers)]
        if wait and workers:
            self.wait_for_workers(workers)

    def _start(self, argv: list[str], name: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=self.folder)
        log.close()
        self.processes.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=10, set_as_default=False)

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=timeout)

    def kill_scheduler(self) -> None:
        self._kill(self.scheduler)

    def _kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the process, its whole session and every process below it."""
        try:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        for p in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        gone, alive = psutil.wait_procs(tree, timeout=10)
        assert not alive, f"left running: {alive}"

    def stop(self) -> None:
        for proc in reversed(self.processes):
            self._kill(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    started = DaskCluster(tmp_path_factory.mktemp("dask"))
    try:
        yield started
    finally:
        started.stop()


def test_scheduler_address_is_checked():
    assert dask_runner.check_address(" tcp://10.0.0.5:8786 ") == "tcp://10.0.0.5:8786"
    for bad in ("10.0.0.5:8786", "http://x:1", "tcp://a b:1", "", "tcp://x/../y"):
        with pytest.raises(InputError):
            dask_runner.check_address(bad)


def test_unreachable_scheduler_stops_before_any_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(dask_runner.SchedulerUnreachable, match="cannot reach the Dask scheduler"):
        run_batch(lambda: iter([Job("a", "os.path:join", {"a": "x"})]), manifest_path=tmp_path / "m.json",
                  progress=False, scheduler="tcp://127.0.0.1:9")
    assert time.monotonic() - started < 15


def test_sweep_leaves_other_machines_work_folders(tmp_path: Path):
    """On a root shared by several machines a pid means nothing elsewhere: only this host's dead folders go."""
    dead = 4_000_000  # above any pid_max: no such process here
    mine = lifecycle.make_work_dir(tmp_path, "batch")
    assert (mine / lifecycle.HOST_FILE).read_text().strip()
    theirs, ours = (mine.with_name(f"batch-{dead}-{n}") for n in ("theirs", "ours"))
    mine.rename(ours)
    theirs.mkdir()
    (theirs / lifecycle.HOST_FILE).write_text("another-machine\n")
    assert lifecycle.sweep(tmp_path) == [ours]
    assert theirs.exists()


def test_jobs_run_on_dask_with_failure_isolation_and_resume(cluster: DaskCluster, tmp_path: Path):
    files = [tmp_path / f"f{i}.txt" for i in range(3)]
    for f in files:
        f.write_text("x")
    jobs = [Job(f"ok{i}", "os.path:join", {"a": str(f)}, files=(str(f),)) for i, f in enumerate(files)]
    jobs.insert(1, Job("bad", "json:loads", {"s": "{"}))
    path = tmp_path / "manifest.json"
    first = run_batch(jobs, manifest_path=path, progress=False, scheduler=cluster.address, meta={"period": "p"})
    assert first.ok == ["ok0", "ok1", "ok2"] and first.failed == ["bad"] and first.exit_code == 1
    assert "JSONDecodeError" in first.entries["bad"].error
    saved = Manifest.load(path)
    assert saved.meta == {"period": "p", "scheduler": cluster.address} and saved.complete
    finished = {k: e.finished_at for k, e in saved.entries.items()}
    time.sleep(1.1)  # finished_at has whole seconds
    again = run_batch(jobs, manifest_path=path, progress=False, resume=True)  # locally: the Dask key goes
    assert again.failed == ["bad"] and again.meta == {"period": "p"}
    assert all(again.entries[f"ok{i}"].finished_at == finished[f"ok{i}"] for i in range(3))  # not rerun
    assert again.entries["bad"].finished_at != finished["bad"]


def test_a_scheduler_without_workers_ends_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Jobs waiting on a scheduler with no worker at all are failed after a grace period, not forever."""
    monkeypatch.setattr(dask_runner, "NO_WORKERS_GRACE", 1.0)
    empty = DaskCluster(tmp_path / "dask", workers=0)
    try:
        done = run_batch([Job("a", "os.path:join", {"a": "x"}), Job("b", "os.path:join", {"a": "y"})],
                         manifest_path=tmp_path / "m.json", progress=False, scheduler=empty.address)
    finally:
        empty.stop()
    assert done.failed == ["a", "b"] and "no workers for 1 s" in done.entries["a"].error
    assert "no workers" in Manifest.load(tmp_path / "m.json").meta["scheduler_error"]


def _in_thread(fn: Callable[[], Any]) -> Any:
    """fn's result when run in a thread that is not the main one (as a Dask task runs), or its exception."""
    out: dict[str, Any] = {}

    def body() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["value"] = exc

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    return out["value"]


def test_a_job_in_a_worker_thread_has_the_same_time_limit():
    """No SIGALRM outside the main thread: the timer interrupts the job and kills what it started."""
    started = time.monotonic()
    outcome = _in_thread(lambda: run_job("subprocess:run", {"args": ["sleep", "30"]}, 1.0))
    assert outcome["status"] == "failed" and outcome["error"] == "timed out after 1 s"
    assert time.monotonic() - started < 15
    assert not [p for p in psutil.Process().children(recursive=True) if p.name() == "sleep"]


def test_a_job_done_in_time_is_not_interrupted_later():
    def job_then_wait() -> dict[str, Any]:
        outcome = run_job("os.path:join", {"a": "x"}, 0.3)
        time.sleep(0.8)  # past the limit: no JobTimeout may arrive now
        return outcome

    outcome = _in_thread(job_then_wait)
    assert isinstance(outcome, dict) and outcome["status"] == "ok"


def test_the_time_limit_applies_on_dask_workers(cluster: DaskCluster, tmp_path: Path):
    jobs = [Job("slow", "subprocess:run", {"args": ["sleep", "60"]}), Job("quick", "os.path:join", {"a": "x"})]
    started = time.monotonic()
    done = run_batch(jobs, manifest_path=tmp_path / "m.json", progress=False, timeout=2, scheduler=cluster.address)
    assert done.ok == ["quick"] and done.failed == ["slow"]
    assert done.entries["slow"].error == "timed out after 2 s"
    assert time.monotonic() - started < 40
