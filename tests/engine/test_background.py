"""BackgroundCall: a function on the other core, its answer (or its failure) fetched later."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.engine.background import BackgroundCall


def _pid_and_sum(values: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(values)


def _boom() -> None:
    raise ValueError("bad row 7")


def test_runs_in_a_child_process_and_returns_its_value():
    call = BackgroundCall(_pid_and_sum, [1, 2, 3])
    pid, total = call.result(timeout=30)
    assert total == 6 and pid != os.getpid()
    assert call.result() == (pid, 6)  # asked twice, answered from memory


def test_a_failure_in_the_child_is_raised_with_its_message():
    with pytest.raises(RuntimeError, match="ValueError: bad row 7"):
        BackgroundCall(_boom).result(timeout=30)


def test_without_fork_the_call_runs_when_asked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLIENTCARE_KERNEL_FORK", "0")
    call = BackgroundCall(_pid_and_sum, [4])
    assert call.result() == (os.getpid(), 4)


def test_cancel_stops_a_child_that_is_still_working():
    call = BackgroundCall(time.sleep, 60)
    started = time.monotonic()
    call.cancel()
    assert time.monotonic() - started < 10
    with pytest.raises(RuntimeError, match="died|no answer"):
        call.result(timeout=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux-only here")
def test_the_child_dies_with_a_killed_caller():
    import psutil

    code = ("import time; from toolkit.engine.background import BackgroundCall\n"
            "call = BackgroundCall(time.sleep, 60); print(call._process.pid, flush=True); time.sleep(60)")
    caller = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        child = psutil.Process(int(caller.stdout.readline()))
    finally:
        caller.kill()
        caller.wait()
    _, alive = psutil.wait_procs([child], timeout=10)
    for proc in alive:
        proc.kill()
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
