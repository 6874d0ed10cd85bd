"""The worker side of the batch engine: what runs inside each worker process.

Kept apart from the scheduling loop (`batch`) because these functions are what the spawned
workers import and call: running one job under a time limit without ever raising, cleaning up
after a timeout, and the worker's start-up (die with the batch, warm up at a lower priority).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import importlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Collection, Iterable
from typing import Any

#: The batch's logger name, unchanged by the split, so logging settings for the engine still apply.
_LOGGER = "toolkit.engine.batch"


class JobTimeout(BaseException):
    """The job ran past its time limit.

    A BaseException, so that the job's own `except Exception` (render_notebook has one) cannot
    swallow it and report the timeout as something else."""


def resolve_target(target: str) -> Callable[..., Any]:
    """"package.module:function" (or "package.module.function") -> the function."""
    module, sep, name = target.partition(":")
    if not sep:
        module, _, name = target.rpartition(".")
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise JobTimeout


def _kill_children(keep: Collection[int] = ()) -> None:
    """After a timeout, stop what the job started (a Jupyter kernel) so it cannot linger; `keep`: pids
    left alone (what was there before the job, in a process that runs other jobs beside it)."""
    import psutil

    children = [c for c in psutil.Process().children(recursive=True) if c.pid not in keep]
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(children, timeout=5)


def _forget_abandoned_tasks() -> None:
    """Cancel and close the event loop a timed-out job was interrupted in (papermill runs nbclient on
    this thread's loop); the next job gets a fresh loop, and no stale task logs errors into it."""
    logger = logging.getLogger("asyncio")
    disabled, logger.disabled = logger.disabled, True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                loop = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:
                return
        if loop.is_running() or loop.is_closed():
            return
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=5))
        for task in tasks:
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: nothing to report later
        loop.close()
        asyncio.set_event_loop(None)
        gc.collect()
    finally:
        logger.disabled = disabled


class _ThreadAlarm:
    """A job's time limit where SIGALRM cannot serve (a Dask task runs in a worker thread, and only the
    main thread receives signals): a timer raises `JobTimeout` in the job's thread (an asynchronous
    exception, delivered at its next Python instruction) and kills the processes the job started (its
    kernel), so a job waiting on them wakes up to receive it. Processes that were there before the job
    (the worker's kernel template, other threads' kernels) are left alone."""

    def __init__(self, timeout: float):
        self.thread = threading.get_ident()
        self.before = _descendants()
        self.lock = threading.Lock()
        self.fired = self.done = False
        self.timer = threading.Timer(timeout, self._fire)
        self.timer.daemon = True

    def __enter__(self) -> _ThreadAlarm:
        self.timer.start()
        return self

    def _fire(self) -> None:
        with self.lock:
            if self.done:
                return
            self.fired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), ctypes.py_object(JobTimeout))
        _kill_children(keep=self.before)

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        with self.lock:
            self.done = True
            if self.fired:  # raised already, or still pending: then it must not hit the caller later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), None)


def _descendants() -> set[int]:
    import psutil

    with contextlib.suppress(psutil.Error):
        return {p.pid for p in psutil.Process().children(recursive=True)}
    return set()


def run_job(target: str, kwargs: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one job in this (worker) process; never raises, always reports.

    timeout: seconds (0 = none), by SIGALRM in a process's main thread (the local pool's workers), by
    `_ThreadAlarm` in any other thread (a Dask worker's)."""
    started = time.perf_counter()
    main = threading.current_thread() is threading.main_thread()
    use_alarm = timeout > 0 and main and hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, _on_alarm) if use_alarm else None
    if use_alarm:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    alarm = _ThreadAlarm(timeout) if timeout > 0 and not main else contextlib.nullcontext()
    try:
        with alarm:
            result = resolve_target(target)(**kwargs)
        outcome: dict[str, Any] = {"status": "ok", "files": _paths(result)}
    except JobTimeout:
        _kill_children(keep=alarm.before if isinstance(alarm, _ThreadAlarm) else ())
        outcome = {"status": "failed", "error": f"timed out after {timeout:g} s", "timed_out": True}
    except (Exception, SystemExit) as exc:
        from toolkit.base.errors import ClientcareError

        expected = isinstance(exc, ClientcareError)
        outcome = {"status": "failed", "error": str(exc) if expected else f"{type(exc).__name__}: {exc}",
                   "detail": None if expected else "".join(traceback.format_exc(limit=-6))}
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if outcome.pop("timed_out", False):
        _forget_abandoned_tasks()
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    _release_memory()
    return outcome


def _release_memory() -> None:
    """Hand the memory a finished job freed back to the system (glibc keeps it otherwise), so the
    high-water mark of one job's PDF does not sit under the next job's kernel."""
    gc.collect()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _paths(result: Any) -> list[str]:
    if isinstance(result, str | os.PathLike):
        return [os.fspath(result)]
    if isinstance(result, Iterable) and not isinstance(result, bytes | dict):
        items = list(result)
        if all(isinstance(p, str | os.PathLike) for p in items):
            return [os.fspath(p) for p in items]
    return []


#: How much lower a worker's CPU priority is while it warms up (nice increment).
WARM_UP_NICENESS = 10


def init_worker(warm_up: str | None, parent: int | None = None) -> None:
    """A new worker's first act: to die with the batch (`parent`, its pid), so that a killed batch
    leaves no worker rendering or publishing for nobody; then the caller's warm-up (imports, a
    kernel template), never fatal.

    The warm-up runs at a lower CPU priority: meanwhile the parent reads and checks the data every job
    needs, which is the batch's critical path, and the cores are shared by more processes than
    there are cores. Afterwards the worker and what it started return to their priority where
    the system allows it (otherwise they all stay equally nice, and only the parent is ahead)."""
    if parent is not None:
        from toolkit.engine.lifecycle import die_with_parent

        die_with_parent(parent)
    if not warm_up:
        return
    priority = _priority()
    if priority is not None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, priority + WARM_UP_NICENESS)
    try:
        resolve_target(warm_up)()
    except Exception:  # a job that needs what failed here reports it properly
        logging.getLogger(_LOGGER).debug("worker warm-up %s failed", warm_up, exc_info=True)
    finally:
        if priority is not None:
            _restore_priority(priority)


def _priority() -> int | None:
    try:
        return os.getpriority(os.PRIO_PROCESS, 0)
    except (AttributeError, OSError):  # not on this platform
        return None


def _restore_priority(priority: int) -> None:
    import psutil

    me = psutil.Process()
    for proc in (me, *me.children(recursive=True)):
        with contextlib.suppress(psutil.Error, OSError):
            proc.nice(priority)
