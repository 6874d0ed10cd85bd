"""The monthly batch engine: failures are contained, the manifest is always valid, resume reruns
only what failed.

Quick jobs use importable standard-library callables (subprocess.run, os._exit, shutil.copyfile) so
that spawned workers can import them without the tests folder on their path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.engine import batch
from toolkit.engine.batch import Job, Manifest, run_batch

NOTEBOOK = Path(__file__).parents[1] / "fixtures" / "notebooks" / "report.ipynb"


def touch(job_id: str, path: Path) -> Job:
    return Job(job_id, "subprocess:run", {"args": ["touch", str(path)], "check": True}, files=(str(path),))


def fail(job_id: str) -> Job:
    return Job(job_id, "subprocess:run", {"args": ["false"], "check": True})


def test_failures_timeouts_and_crashes_never_stop_the_others(tmp_path):
    jobs = [touch("A", tmp_path / "a.txt"), fail("B"),
            Job("C", "subprocess:run", {"args": ["sleep", "30"]}),
            Job("D", "os:_exit", {"status": 3}),
            touch("E", tmp_path / "e.txt"),
            Job("F", "toolkit.no_such_module:render"),
            touch("G", tmp_path / "missing-dir" / "g.txt")]
    manifest = run_batch(jobs, workers=2, manifest_path=tmp_path / "manifest.json", timeout=1.5,
                         progress=False)
    entries = manifest.entries
    assert {k: e.status for k, e in entries.items()} == {
        "A": "ok", "B": "failed", "C": "failed", "D": "failed", "E": "ok", "F": "failed", "G": "failed"}
    assert entries["A"].files == ["a.txt"] and entries["B"].files == []
    assert "CalledProcessError" in entries["B"].error and "Traceback" in entries["B"].detail
    assert entries["C"].error == "timed out after 1.5 s" and 1.4 < entries["C"].seconds < 5
    assert "worker process died" in entries["D"].error
    assert "ModuleNotFoundError" in entries["F"].error
    assert "CalledProcessError" in entries["G"].error
    assert manifest.exit_code == 1 and manifest.failed == ["B", "C", "D", "F", "G"]
    on_disk = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["complete"] is True
    assert on_disk["counts"] == {"total": 7, "ok": 2, "failed": 5, "pending": 0}
    assert on_disk["jobs"]["A"]["status"] == "ok" and "detail" not in on_disk["jobs"]["A"]
    assert on_disk["jobs"]["D"]["error"] == entries["D"].error


def test_resume_reruns_only_failed_or_missing_jobs(tmp_path):
    path = tmp_path / "manifest.json"
    first = run_batch([touch("A", tmp_path / "a.txt"), touch("B", tmp_path / "b.txt"), fail("C")], workers=2,
                      manifest_path=path, progress=False, meta={"period": "2026-11"})
    assert first.failed == ["C"]
    (tmp_path / "b.txt").unlink()  # B's output went missing since
    # Were A rerun it would now fail; B and C are rerun and succeed.
    second = run_batch([fail("A"), touch("B", tmp_path / "b.txt"), touch("C", tmp_path / "c.txt")], workers=2,
                       manifest_path=path, resume=True, progress=False)
    assert {k: e.status for k, e in second.entries.items()} == {"A": "ok", "B": "ok", "C": "ok"}
    assert second.entries["A"].finished_at == first.entries["A"].finished_at
    assert second.exit_code == 0 and second.meta == {"period": "2026-11"}
    # a job dropped from the batch leaves the manifest; without resume everything runs again
    third = run_batch([fail("A")], workers=1, manifest_path=path, progress=False)
    assert list(third.entries) == ["A"] and third.failed == ["A"]


def test_manifest_is_valid_while_the_batch_runs(tmp_path):
    path = tmp_path / "manifest.json"
    snapshot = tmp_path / "seen-by-job.json"
    job = Job("copy", "shutil:copyfile", {"src": str(path), "dst": str(snapshot)})
    run_batch([job, touch("other", tmp_path / "x")], workers=1, manifest_path=path, progress=False)
    seen = json.loads(snapshot.read_text(encoding="utf-8"))
    assert seen["complete"] is False and seen["jobs"]["copy"]["status"] == "pending"
    assert seen["counts"]["pending"] == 2


def test_no_progress_output_when_not_on_a_terminal(tmp_path, capfd):
    manifest = run_batch([fail("A")], workers=1, manifest_path=tmp_path / "m.json", progress=True)
    assert manifest.failed == ["A"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_watchdog_kills_a_worker_stuck_past_its_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "WATCHDOG_GRACE", -1.5)  # fire before the worker's own alarm at 2 s
    jobs = [Job("stuck", "subprocess:run", {"args": ["sleep", "30"]}), touch("quick", tmp_path / "q")]
    manifest = run_batch(jobs, workers=2, manifest_path=tmp_path / "m.json", timeout=2, progress=False)
    assert manifest.entries["stuck"].error == "timed out after 2 s (worker killed)"
    assert manifest.entries["quick"].status == "ok"


def test_manifest_load_tolerates_missing_or_corrupt_files(tmp_path):
    assert Manifest.load(tmp_path / "none.json").entries == {}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert Manifest.load(bad).entries == {}
    assert Manifest(path=bad).exit_code == 1  # an empty batch did not succeed


def test_job_ids_must_be_unique(tmp_path):
    with pytest.raises(ValueError, match="unique"):
        run_batch([fail("A"), fail("A")], manifest_path=tmp_path / "m.json", progress=False)


def test_resolve_target_accepts_colon_or_dotted_names():
    assert batch.resolve_target("os.path:join") is os.path.join
    assert batch.resolve_target("os.path.join") is os.path.join
    assert batch.resolve_target("toolkit.engine.batch:Manifest.load") == Manifest.load


def _render_job(branch: str, out: Path, rows: int) -> Job:
    dest = out / "2026-11" / branch
    return Job(branch, "toolkit.engine.render:render_notebook",
               {"notebook": str(NOTEBOOK), "parameters": {"rows": rows}, "dest": str(dest),
                "basename": "branch_plan", "formats": ["html"], "title": f"{branch} 客户维护计划",
                "timeout": 60},
               files=tuple(str(dest / f"branch_plan.{ext}") for ext in ("html", "ipynb")))


def test_monthly_batch_with_one_broken_branch_then_resume(tmp_path):
    out = tmp_path / "outputs"
    manifest_path = out / "2026-11" / "manifest.json"
    jobs = [_render_job("B001", out, 3), _render_job("B002", out, -1), _render_job("B003", out, 5)]
    manifest = run_batch(jobs, workers=3, manifest_path=manifest_path, timeout=120, progress=False)

    assert manifest.exit_code == 1
    assert manifest.ok == ["B001", "B003"] and manifest.failed == ["B002"]
    error = manifest.entries["B002"].error
    assert "rows must be positive, got -1" in error and "_failed/B002/branch_plan.ipynb" in error
    assert manifest.entries["B001"].files == ["B001/branch_plan.html", "B001/branch_plan.ipynb",
                                              "B001/summary.json"]
    assert not (out / "2026-11" / "B002").exists()
    on_disk = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert on_disk["jobs"]["B002"]["status"] == "failed" and on_disk["jobs"]["B002"]["error"] == error
    stamps = {p: p.stat().st_mtime_ns for b in ("B001", "B003") for p in (out / "2026-11" / b).iterdir()}

    jobs[1] = _render_job("B002", out, 2)  # the branch's params were fixed
    again = run_batch(jobs, workers=2, manifest_path=manifest_path, resume=True, timeout=120, progress=False)
    assert again.exit_code == 0 and again.failed == []
    for job_id in ("B001", "B003"):
        assert again.entries[job_id].finished_at == manifest.entries[job_id].finished_at
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # the good branches were not re-rendered
    assert (out / "2026-11" / "B002" / "branch_plan.html").is_file()
    assert not (out / "2026-11" / "_failed" / "B002" / "branch_plan.ipynb").exists()


def test_jobs_from_a_function_start_after_the_workers_and_a_failing_warm_up_is_harmless(tmp_path):
    calls = []

    def prepare() -> list[Job]:
        calls.append("prepared")
        return [touch("A", tmp_path / "a.txt"), touch("B", tmp_path / "b.txt")]

    manifest = run_batch(prepare, workers=2, manifest_path=tmp_path / "m.json", progress=False,
                         warm_up="toolkit.no_such_module:warm")
    assert calls == ["prepared"]
    assert manifest.ok == ["A", "B"] and (tmp_path / "a.txt").is_file()


def test_a_job_function_that_fails_stops_the_workers_it_started(tmp_path):
    import psutil

    def prepare() -> list[Job]:
        raise RuntimeError("bad params folder")

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(RuntimeError, match="bad params folder"):
        run_batch(prepare, workers=2, manifest_path=tmp_path / "m.json", progress=False)
    assert {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()} - before == set()
    assert not (tmp_path / "m.json").exists()


def test_workers_that_die_while_warming_up_fail_the_jobs_without_hanging(tmp_path):
    jobs = [touch(i, tmp_path / f"{i}.txt") for i in "ABC"]
    manifest = run_batch(lambda: jobs, workers=2, manifest_path=tmp_path / "m.json", progress=False,
                         warm_up="os:abort", timeout=20)
    assert manifest.failed == ["A", "B", "C"] and manifest.complete
    assert all("worker process died" in e.error for e in manifest.entries.values())


def _wait_for(path: Path, seconds: float = 60) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.05)
    return False


def test_jobs_from_a_generator_run_as_soon_as_each_is_yielded(tmp_path):
    seen_before_next: list[bool] = []

    def prepare():
        yield touch("A", tmp_path / "a.txt")
        # A runs while this generator is still preparing B: its file appears before B is yielded.
        seen_before_next.append(_wait_for(tmp_path / "a.txt"))
        yield fail("B")
        yield touch("C", tmp_path / "c.txt")

    manifest = run_batch(prepare, workers=2, manifest_path=tmp_path / "m.json", progress=False)
    assert seen_before_next == [True]
    assert list(manifest.entries) == ["A", "B", "C"]
    assert manifest.ok == ["A", "C"] and manifest.failed == ["B"] and manifest.complete
    on_disk = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert on_disk["counts"] == {"total": 3, "ok": 2, "failed": 1, "pending": 0}


def test_a_generator_resumes_and_rejects_a_repeated_id(tmp_path):
    path = tmp_path / "m.json"
    run_batch(lambda: iter([touch("A", tmp_path / "a.txt"), fail("B")]), workers=1, manifest_path=path,
              progress=False)
    stamp = (tmp_path / "a.txt").stat().st_mtime_ns
    again = run_batch(lambda: iter([touch("A", tmp_path / "a.txt"), touch("B", tmp_path / "b.txt")]), workers=1,
                      manifest_path=path, resume=True, progress=False)
    assert again.ok == ["A", "B"] and (tmp_path / "a.txt").stat().st_mtime_ns == stamp
    with pytest.raises(ValueError, match="unique"):
        run_batch(lambda: iter([fail("X"), fail("X")]), workers=1, manifest_path=tmp_path / "n.json",
                  progress=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_die_with_a_killed_batch(tmp_path):
    """A worker stuck in its warm-up (or its job) goes when the batch is killed: no orphan renders on."""
    import psutil

    code = ("import sys; from toolkit.engine.batch import Job, run_batch\n"
            "run_batch([Job('A', 'signal:pause')], workers=1, manifest_path=sys.argv[1], progress=False, "
            "warm_up='signal:pause')")
    parent = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "m.json")],
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        while not workers and time.monotonic() < deadline:
            workers = [p for p in psutil.Process(parent.pid).children() if "spawn_main" in " ".join(p.cmdline())]
            time.sleep(0.05)
        assert workers
    finally:
        parent.kill()
        parent.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    for proc in alive:
        proc.kill()
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
