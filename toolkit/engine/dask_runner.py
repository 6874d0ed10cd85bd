"""The batch on an existing Dask distributed scheduler (`clientcare monthly --scheduler tcp://HOST:PORT`).

The same contract as the local pool (`batch._Runner`), whose place it takes in `run_batch`: every
job runs `toolkit.engine.worker.run_job` (never raises, always reports), its outcome goes into the
manifest as soon as it arrives (`Manifest.record`), one job's failure never stops the others, and
`resume` skips what is done. What differs:

- Workers are Dask's, long-lived, possibly on other machines: every path in a job (params files,
  inputs, the output root and the batch's data slices under `<root>/.staging/`) must be the same
  path on every machine, and readable and writable there by the same user.
- A worker that dies mid-job: the scheduler reruns the job on another worker (Dask's own retry, up
  to `distributed.scheduler.allowed-failures`); a branch publishes by renames (all or none), so a
  rerun of the same branch is safe. A job whose workers kept dying is failed (KilledWorker).
- The scheduler goes away: the client cancels every future. Jobs in flight are recorded as failed
  ("the scheduler went away"), jobs not yet sent stay pending, `meta["scheduler_error"]` says why
  and the batch ends (exit 1); `resume`, locally or on a new scheduler, finishes them. The same when
  the scheduler has had no worker at all for `NO_WORKERS_GRACE` seconds while jobs wait.
- Warm-up: `warm_up` runs once in each worker process present when the batch starts (`Client.run`).
- Time limits: the same per-job limit as the local pool (`timeout`, seconds from the job's start on its
  worker). A Dask task runs in a worker thread, where SIGALRM cannot be used: `run_job` arms a timer
  there instead (`worker._ThreadAlarm`: the job's thread receives `JobTimeout` and the processes the
  job started are killed), and the job is recorded "timed out" like a local one.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from toolkit.base.errors import ClientcareError, InputError, Problem
from toolkit.engine.manifest import Job, Manifest
from toolkit.engine.worker import resolve_target, run_job

__all__ = ["DaskRunner", "SchedulerUnreachable", "check_address"]

#: tcp://host:port (or tls://, ws://, wss://, ucx://, inproc://): what `dask scheduler` prints.
_ADDRESS = re.compile(r"^(tcp|tls|ws|wss|ucx|inproc)://[^\s/]+(:\d{1,5})?/?$")
#: Seconds to reach the scheduler at the start, and to reconnect before giving up on it.
CONNECT_TIMEOUT = 10.0
#: Seconds a scheduler may have no worker at all while jobs wait, before the batch gives up on it.
NO_WORKERS_GRACE = 300.0


class SchedulerUnreachable(ClientcareError):
    """The Dask scheduler could not be reached when the batch started (nothing was run)."""


def check_address(address: str) -> str:
    """The scheduler's address as given, or InputError (exit 2) when it is not one."""
    if not _ADDRESS.match(address.strip()):
        raise InputError(Problem("--scheduler", f"{address!r} is not a Dask scheduler address such as "
                                                "tcp://10.0.0.5:8786"))
    return address.strip()


def warm_worker(target: str) -> None:
    """On a Dask worker (`Client.run`: its main thread, so what it starts lives as long as the worker):
    the batch's warm-up, once per worker process; never fatal."""
    global _warmed
    if target in _warmed:
        return
    _warmed.add(target)
    with contextlib.suppress(Exception):  # a job that needs what failed here reports it properly
        resolve_target(target)()


_warmed: set[str] = set()


class DaskRunner:
    """Runs jobs on a Dask scheduler; the interface of `batch._Runner` (start, run, close)."""

    def __init__(self, address: str, manifest: Manifest | None, progress: Any = None,
                 connect_timeout: float | None = None, warm_up: str | None = None, timeout: float = 0):
        self.address = check_address(address)
        self.timeout = timeout  # seconds per job on its worker (0 = none)
        self.warm_up = warm_up
        self.manifest, self.progress = manifest, progress
        self.connect_timeout = connect_timeout or CONNECT_TIMEOUT
        self.client: Any = None
        self.running: dict[Any, tuple[Job, float]] = {}
        self.lost: str | None = None  # why the scheduler is gone, once it is
        self._checked, self._idle_since = 0.0, None  # the last look at its workers; since when it has none

    def start(self) -> None:
        """Connect now (before the caller reads any data): an unreachable scheduler stops the batch."""
        if self.client is not None:
            return
        from distributed import Client

        try:
            self.client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {self.address} "
                                       f"within {self.connect_timeout:g} s ({exc})") from None
        if self.warm_up:  # every worker present now, in the background: its first job starts warm
            with contextlib.suppress(Exception):
                self.client.run(warm_worker, self.warm_up, wait=False)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):  # a lost scheduler may make closing complain
                self.client.close(timeout=2)
            self.client = None

    def run(self, jobs: Iterable[Job], admit: Callable[[Job], Job | None] = lambda job: job) -> None:
        """Submit each job as soon as `jobs` yields it (and `admit` keeps it); record each outcome as it
        arrives. After the scheduler is lost, the remaining jobs are still admitted (they stay pending)."""
        source: Iterator[Job] | None = iter(jobs)
        self.start()
        # A lost scheduler: we report it once, in our words, not as the client's reconnect tracebacks.
        quiet = {name: logging.getLogger(name) for name in ["distributed", *logging.root.manager.loggerDict]
                 if name.startswith("distributed")}
        levels = {name: log.level for name, log in quiet.items()}
        for log in quiet.values():
            log.setLevel(logging.CRITICAL)
        try:
            while source is not None or self.running:
                if source is not None:
                    job = next(source, None)  # the caller prepares it now, while the workers run
                    if job is None:
                        source = None
                    elif (job := admit(job)) is not None and self.lost is None:
                        self._submit(job)
                if self.running:
                    self._collect(wait=0 if source is not None else 1.0)
        finally:
            self.close()
            for name, log in quiet.items():
                log.setLevel(levels[name])
        if self.lost is not None and self.manifest is not None:
            self.manifest.meta["scheduler_error"] = self.lost
            self.manifest.save()

    def _submit(self, job: Job) -> None:
        if self.client.status != "running":
            self._scheduler_gone()
            return
        key = f"clientcare-{job.id}-{uuid.uuid4().hex[:12]}"
        future = self.client.submit(run_job, job.target, job.kwargs, self.timeout, key=key, pure=False)
        self.running[future] = (job, time.monotonic())

    def _collect(self, wait: float) -> None:
        from distributed import wait as wait_for

        if wait > 0:
            # Timed out, or FuturesCancelledError once the scheduler is lost: the futures tell below.
            with contextlib.suppress(Exception), self.client.as_current():
                wait_for(list(self.running), timeout=wait, return_when="FIRST_COMPLETED")
        done = [f for f in self.running if f.done()]
        for future in done:
            if future.status != "cancelled":
                job, start = self.running.pop(future)
                self._record(job, self._outcome(future, start))
        # Only the client cancels our futures: when it has lost the scheduler.
        if any(f.status == "cancelled" for f in done) or self.client.status in ("closing", "closed"):
            self._scheduler_gone()
        elif self.running and self._no_workers_for() > NO_WORKERS_GRACE:
            self._scheduler_gone(f"the Dask scheduler at {self.address} has had no workers for "
                                 f"{NO_WORKERS_GRACE:g} s")

    def _no_workers_for(self) -> float:
        """Seconds the scheduler has had no worker at all (0 while it has one); checked every few seconds."""
        now = time.monotonic()
        if now - self._checked < 2.0:
            return now - self._idle_since if self._idle_since is not None else 0.0
        self._checked = now
        try:
            workers = self.client.scheduler_info(n_workers=-1).get("workers") or {}
        except TypeError:  # older distributed: no n_workers
            workers = self.client.scheduler_info().get("workers") or {}
        except Exception:  # noqa: BLE001 - the scheduler went away: the futures say so next
            return 0.0
        if workers:
            self._idle_since = None
            return 0.0
        self._idle_since = self._idle_since if self._idle_since is not None else now
        return now - self._idle_since

    def _outcome(self, future: Any, start: float) -> dict[str, Any]:
        seconds = round(time.monotonic() - start, 3)
        try:
            return future.result(timeout=5)
        except Exception as exc:  # noqa: BLE001 - run_job never raises: this is Dask's own failure
            from distributed.scheduler import KilledWorker

            if isinstance(exc, KilledWorker):
                return {"status": "failed", "seconds": seconds,
                        "error": "the Dask workers running this job died each time (crash, out of memory "
                                 f"or killed): {exc}"}
            return {"status": "failed", "seconds": seconds,
                    "error": f"could not run the job on Dask: {type(exc).__name__}: {exc}"}

    def _scheduler_gone(self, why: str | None = None) -> None:
        """Record every job in flight as failed (its result can no longer arrive) and stop submitting."""
        futures = list(self.running)
        if why is not None:  # the scheduler is still there: forget the jobs on it too
            with contextlib.suppress(Exception):
                self.client.cancel(futures, force=True)
        why = why or f"the Dask scheduler at {self.address} went away"
        self.lost = f"{why}; the jobs not done are failed or pending"
        in_flight, self.running = list(self.running.values()), {}
        for job, start in in_flight:
            self._record(job, {"status": "failed", "seconds": round(time.monotonic() - start, 3),
                               "error": f"{why} before this job's result arrived; "
                                        "`clientcare monthly --resume` reruns it"})

    def _record(self, job: Job, outcome: dict[str, Any]) -> None:
        entry = self.manifest.record(job, outcome)
        if self.progress is not None:
            self.progress.advance(job.id, entry)
