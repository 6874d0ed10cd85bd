"""The monthly batch engine: many independent jobs, N worker processes, a manifest that never lies.

Generic on purpose: a job is "call this importable function with these keyword arguments and
expect these files". The monthly command makes one job per branch params file; tests use tiny
jobs. Guarantees: one job's failure (exception, timeout, even a crashed worker) never stops the
others; `manifest.json` is rewritten atomically after every job, so a batch killed half-way
leaves a valid manifest; `resume=True` reruns only jobs that are not ok or whose files are gone.

This module is the parent's side (the scheduling loop and `run_batch`); the manifest lives in
`manifest`, what runs inside a worker in `worker`. Their public names are re-exported here, so
`from toolkit.engine.batch import run_batch, Job, Manifest, run_job` keeps working.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from toolkit.engine.dask_runner import DaskRunner
from toolkit.engine.manifest import Entry, Job, Manifest, Status, timestamp
from toolkit.engine.worker import WARM_UP_NICENESS, JobTimeout, init_worker, resolve_target, run_job

__all__ = ["WARM_UP_NICENESS", "WATCHDOG_GRACE", "Entry", "Job", "JobTimeout", "Manifest", "Status",
           "resolve_target", "run_batch", "run_job"]

#: Extra time the parent allows past a job's own timeout before it kills the worker outright.
WATCHDOG_GRACE = 30.0


class _Progress:
    """A rich progress bar on a terminal; silence otherwise."""

    def __init__(self, total: int, enabled: bool, open_ended: bool = False):
        """open_ended: jobs are still being prepared; `grow` counts each one in."""
        self.bar = None
        if enabled and (total or open_ended) and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self.task = self.bar.add_task("ok 0 · failed 0", total=total)
            self.bar.start()
        self.ok = self.failed = 0

    def grow(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=(self.bar.tasks[0].total or 0) + 1)

    def advance(self, job_id: str, entry: Entry) -> None:
        if entry.status == "ok":
            self.ok += 1
        else:
            self.failed += 1
        if self.bar is not None:
            if entry.status != "ok":
                self.bar.console.print(f"[red]✗ {job_id}[/red]: {entry.error}", markup=True, highlight=False)
            self.bar.update(self.task, advance=1, description=f"ok {self.ok} · failed {self.failed}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


class _Runner:
    """The scheduling loop: keeps at most `workers` jobs in flight and survives broken pools."""

    def __init__(self, manifest: Manifest | None, workers: int, timeout: float, progress: _Progress | None,
                 warm_up: str | None = None):
        self.manifest, self.workers, self.timeout, self.progress = manifest, workers, timeout, progress
        self.warm_up = warm_up
        self.context = multiprocessing.get_context("spawn")
        self.pool: cf.ProcessPoolExecutor | None = None
        self.pending: deque[Job] = deque()
        self.suspects: set[str] = set()  # jobs in flight when a worker died: rerun one at a time
        self.running: dict[cf.Future[dict[str, Any]], tuple[Job, float]] = {}

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context,
                                      initializer=init_worker, initargs=(self.warm_up, os.getpid()))

    def start(self) -> None:
        """Start every worker now (each runs the warm-up), so they get ready while the caller works."""
        if self.pool is None:
            self.pool = self._new_pool()
            for _ in range(self.workers):  # each submit spawns a worker while none is idle yet
                self.pool.submit(int)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, jobs: Iterable[Job], admit: Callable[[Job], Job | None] = lambda job: job) -> None:
        """Run every job. `jobs` may be a lazy iterator: each job is taken (and passed through
        `admit`, which may drop it) as soon as the previous one is, and runs as soon as a worker is
        free, so the caller's work of preparing the next job overlaps the workers' rendering."""
        source: Iterator[Job] | None = iter(jobs)
        self.start()
        try:
            while source is not None or self.pending or self.running:
                if source is not None:
                    job = next(source, None)  # the caller prepares it now, while the workers run
                    if job is None:
                        source = None
                    elif (job := admit(job)) is not None:
                        self.pending.append(job)
                self._fill()
                if not self.running:
                    continue
                wait = 0 if source is not None else 1.0
                done, _ = cf.wait(list(self.running), timeout=wait, return_when=cf.FIRST_COMPLETED)
                if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    self._after_break(overdue=set())
                    continue
                for future in done:
                    job, start = self.running.pop(future)
                    exc = future.exception()
                    self._record(job, future.result() if exc is None else {
                        "status": "failed", "seconds": round(time.monotonic() - start, 3),
                        "error": f"could not run the job: {type(exc).__name__}: {exc}"})
                self._watchdog()
        finally:
            self.close()

    def _fill(self) -> None:
        isolate = bool(self.suspects)
        while self.pending and len(self.running) < (1 if isolate else self.workers):
            job = self.pending[0]
            try:
                future = self.pool.submit(run_job, job.target, job.kwargs, self.timeout)
            except BrokenProcessPool:  # a worker died between jobs (or while warming up)
                if self.running:
                    return  # the jobs in flight report the break; `_after_break` renews the pool
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()
                future = self.pool.submit(run_job, job.target, job.kwargs, self.timeout)
            self.pending.popleft()
            self.running[future] = (job, time.monotonic())

    def _record(self, job: Job, outcome: dict[str, Any]) -> None:
        self.suspects.discard(job.id)
        self.progress.advance(job.id, self.manifest.record(job, outcome))

    def _watchdog(self) -> None:
        """Kill the pool if a job is far past its timeout (stuck where the alarm cannot reach it)."""
        if self.timeout <= 0:
            return
        now = time.monotonic()
        limit = self.timeout + WATCHDOG_GRACE
        overdue = {job.id for job, start in self.running.values() if now - start > limit}
        if overdue:
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.kill()
            cf.wait(list(self.running), timeout=30)
            self._after_break(overdue)

    def _after_break(self, overdue: set[str]) -> None:
        """A worker died: settle every job in flight, then carry on with a fresh pool.

        Jobs that finished keep their result; a job that was alone in flight (or was already a
        suspect) is the culprit; the others are requeued as suspects and rerun one at a time.
        """
        cf.wait(list(self.running), timeout=30)
        in_flight = list(self.running.items())
        self.running.clear()
        alone = len(in_flight) == 1
        requeue: list[Job] = []
        for future, (job, start) in in_flight:
            exc = future.exception() if future.done() else BrokenProcessPool("worker lost")
            if exc is None:
                self._record(job, future.result())
            elif job.id in overdue:
                self._record(job, {"status": "failed", "seconds": round(time.monotonic() - start, 3),
                                   "error": f"timed out after {self.timeout:g} s (worker killed)"})
            elif alone or job.id in self.suspects:
                self._record(job, {"status": "failed", "seconds": round(time.monotonic() - start, 3),
                                   "error": "the worker process died while running this job "
                                            "(crash, out of memory or killed)"})
            else:
                self.suspects.add(job.id)
                requeue.append(job)
        self.pending.extendleft(reversed(requeue))
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()


def run_batch(jobs: Sequence[Job] | Callable[[], Iterable[Job]], workers: int | None = None, resume: bool = False,
              manifest_path: Path = Path("manifest.json"), timeout: float = 1800, progress: bool = True,
              meta: dict[str, Any] | None = None, warm_up: str | None = None,
              scheduler: str | None = None) -> Manifest:
    """Run every job in worker processes and return the manifest (also written to manifest_path).

    workers: processes (default: the number of cores). timeout: seconds per job (0 = none).
    resume: skip jobs that the existing manifest records as ok and whose files all exist.
    warm_up: "module:function" each worker runs once when it starts (imports, caches).
    jobs may be a function that returns them: the workers are then started (and warm up) first,
    while it runs, e.g. reading the data the jobs share. It may return a generator: each job
    then runs as soon as it is yielded, while the generator prepares the next one.
    The manifest lists exactly these jobs; `manifest.exit_code` is 1 if any failed.
    scheduler: a Dask scheduler's address ("tcp://HOST:PORT"): the jobs run on its workers
    (`toolkit.engine.dask_runner`; `workers` is then not used, `timeout` applies on the workers), and the
    batch ends early, with the jobs not done failed or pending, if the scheduler goes away.
    """
    if not callable(jobs):
        ids = [j.id for j in jobs]
        if len(set(ids)) != len(ids):
            raise ValueError("job ids must be unique")
        return _run_batch(list(jobs), workers, resume, Path(manifest_path), timeout, progress, meta, warm_up,
                          _dask(scheduler, warm_up, timeout))
    early = _dask(scheduler, warm_up, timeout) or _Runner(None, max(1, workers or os.cpu_count() or 1), timeout, None, warm_up)
    early.start()
    try:
        source = jobs()
        return _run_batch(source, workers, resume, Path(manifest_path), timeout, progress, meta, warm_up, early)
    finally:
        early.close()


def _dask(scheduler: str | None, warm_up: str | None, timeout: float) -> DaskRunner | None:
    return DaskRunner(scheduler, None, warm_up=warm_up, timeout=timeout) if scheduler else None


def _run_batch(jobs: Iterable[Job], workers: int | None, resume: bool, manifest_path: Path, timeout: float,
               progress: bool, meta: dict[str, Any] | None, warm_up: str | None,
               early: _Runner | DaskRunner | None) -> Manifest:
    previous = Manifest.load(manifest_path) if resume else Manifest(path=manifest_path)
    manifest = Manifest(path=manifest_path, meta={**previous.meta, **(meta or {})}, started_at=timestamp())
    manifest.meta.pop("scheduler_error", None)  # of an earlier run: this one says for itself
    manifest.meta.pop("scheduler", None)  # where the jobs ran: a Dask scheduler, or (absent) here
    if isinstance(early, DaskRunner):
        manifest.meta["scheduler"] = early.address
    known = isinstance(jobs, Sequence)
    bar: _Progress | None = None

    def admit(job: Job) -> Job | None:
        """Enter a job in the manifest; None when resume finds it already done."""
        if job.id in manifest.entries:
            raise ValueError(f"job ids must be unique ({job.id!r} twice)")
        done = resume and previous.is_done(job)
        manifest.entries[job.id] = previous.entries[job.id] if done else Entry()
        if not known:
            manifest.save()
            if bar is not None and not done:
                bar.grow()
        return None if done else job

    if known:
        todo = [job for job in jobs if admit(job) is not None]
        manifest.save()
        if not todo:
            return _finish(manifest)
        jobs = todo
    else:
        manifest.save()
    bar = _Progress(len(jobs) if known else 0, progress, open_ended=not known)
    runner = early or _Runner(manifest, max(1, min(workers or os.cpu_count() or 1, len(jobs))), timeout, bar,
                              warm_up)
    runner.manifest, runner.progress = manifest, bar
    try:
        runner.run(jobs, admit if not known else lambda job: job)
    finally:
        bar.close()
    return _finish(manifest)


def _finish(manifest: Manifest) -> Manifest:
    manifest.complete = all(e.status != "pending" for e in manifest.entries.values())
    manifest.save()
    return manifest
