"""Run a function on the other core while this process goes on: in a forked child process.

Used where a command has two independent pieces of work and a user waits for both, e.g. a
proposal checks every row of the client book (CONTRACT §1) while it already renders from the
client's own rows; nothing is published unless the check passes. A forked child starts in a few
milliseconds with every module this process has imported, and shares its memory until it writes.
Where fork is not available (or CLIENTCARE_KERNEL_FORK=0), the function simply runs when its
result is asked for.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def fork_available() -> bool:
    return sys.platform.startswith("linux") and os.environ.get("CLIENTCARE_KERNEL_FORK", "1") != "0"


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], parent: int) -> None:
    from toolkit.engine.lifecycle import die_with_parent

    die_with_parent(parent)  # a killed caller takes its check with it
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-4)}"))
    finally:
        conn.close()


class BackgroundCall(Generic[T]):
    """fn(*args) started now in a forked child; `result()` waits for its (picklable) return value.

    Fork it before this process starts threads (a child inherits no thread, only its memory).
    An exception in the child is raised in the parent as RuntimeError with the child's traceback.
    """

    def __init__(self, fn: Callable[..., T], *args: Any):
        self._fn, self._args = fn, args
        self._process: Any = None
        self._value: tuple[str, Any] | None = None
        if fork_available():
            ctx = multiprocessing.get_context("fork")
            self._conn, child_conn = ctx.Pipe(duplex=False)
            self._process = ctx.Process(target=_child, args=(child_conn, fn, args, os.getpid()), daemon=True,
                                        name="clientcare-background")
            self._process.start()
            child_conn.close()

    def result(self, timeout: float | None = None) -> T:
        if self._value is None:
            self._value = self._wait(timeout) if self._process is not None else ("ok", self._fn(*self._args))
        kind, value = self._value
        if kind != "ok":
            raise RuntimeError(f"background {getattr(self._fn, '__name__', 'call')} failed: {value}")
        return value

    def _wait(self, timeout: float | None) -> tuple[str, Any]:
        try:
            if not self._conn.poll(timeout):
                self.cancel()
                return "error", f"no answer within {timeout:g} s"
            return self._conn.recv()
        except EOFError:
            return "error", f"the process died (exit code {self._process.exitcode})"
        finally:
            self._process.join(5)
            self._conn.close()

    def cancel(self) -> None:
        """Stop the child if it is still running (the parent no longer needs its answer)."""
        if self._process is not None and self._process.is_alive():
            with contextlib.suppress(OSError):
                self._process.kill()
            self._process.join(5)
