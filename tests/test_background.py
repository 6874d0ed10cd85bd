"""BackgroundCall: a function on the other core, its answer (or its failure) fetched later."""

from __future__ import annotations

import os
import time

import pytest

from toolkit.background import BackgroundCall


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
