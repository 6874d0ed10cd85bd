"""What a killed run leaves behind: no process, no client data, no second batch on the same root.

Three guarantees (issue 11):
- Every process we start dies with the one that started it (`die_with_parent`): batch workers with
  the batch, a kernel template with its worker, each kernel with its template, a background
  checker with its caller. On Linux the kernel delivers SIGKILL when the parent goes
  (PR_SET_PDEATHSIG), so a `kill -9` of the batch (or of its process group: kernels have their own
  session) takes the whole tree with it, and nothing publishes afterwards. Elsewhere a thread
  watches the parent's pid.
- Work folders (a batch's data slices, a render's inputs, a proposal's params) live under the
  output root, in `<root>/.staging/<kind>-<pid>-<random>/` (mode 0700), never in the system temp
  folder; they are on the outputs' filesystem, and the next run removes those of dead processes.
  Each holds a `.host` file naming the machine that made it: on an output root shared by several
  machines (the batch on Dask), a pid is only checked on its own machine (`sweep` leaves the
  others' folders alone).
- One batch per output root: `batch_lock` holds an flock on `<root>/.staging/batch.lock`, which the
  kernel releases when the holder dies, however it dies.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

#: The output root's private folder for work in progress; hidden, on the same filesystem as outputs.
STAGING = ".staging"
LOCK_NAME = "batch.lock"
#: The file in a work folder naming the machine whose process made it.
HOST_FILE = ".host"
_WORK = re.compile(r"^(?P<kind>[a-z]+)-(?P<pid>\d+)-[a-z0-9_]+$")
_PR_SET_PDEATHSIG = 1
#: The pid this process must outlive no longer than a moment (set by `die_with_parent`).
_parent: int | None = None


# --- children die with their parent ---------------------------------------------------------------
@cache
def _prctl() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _arm_pdeathsig() -> bool:
    """Ask the Linux kernel to SIGKILL this process when its parent (the thread that made it) ends."""
    prctl = _prctl()
    return prctl is not None and prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0


def _watch(parent: int) -> None:
    """Fallback where there is no parent-death signal: leave once the parent is gone."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def die_with_parent(parent: int) -> None:
    """Make this (child) process end when `parent`, the process that started it, ends.

    Call it first thing in the child, with the parent's pid as the parent saw it: if the parent
    died before the signal was armed, this process has already been handed to another parent, and
    it leaves at once rather than run (or publish) for nobody."""
    global _parent
    _parent = parent
    if not _arm_pdeathsig():
        threading.Thread(target=_watch, args=(parent,), name="clientcare-parent-watch", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def parent_alive() -> bool:
    """False in a process set up by `die_with_parent` whose parent has gone (True elsewhere)."""
    return _parent is None or os.getppid() == _parent


def ensure_parent_alive() -> None:
    """Raise instead of publishing when the batch that asked for this work has died."""
    if not parent_alive():
        from toolkit.base.errors import ClientcareError

        raise ClientcareError(f"the batch that started this worker (pid {_parent}) has stopped; nothing published")


# --- work folders under the output root -----------------------------------------------------------
def staging_root(out_root: str | Path) -> Path:
    return Path(out_root) / STAGING


def make_work_dir(out_root: str | Path, kind: str) -> Path:
    """A new private folder `<out_root>/.staging/<kind>-<pid>-<random>/` (mode 0700), as an absolute
    path (a kernel running in another folder reads it)."""
    if not re.fullmatch(r"[a-z]+", kind):
        raise ValueError(f"work folder kind must be lower-case letters, got {kind!r}")
    root = staging_root(Path(out_root).resolve())
    for _ in range(2):
        root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # an empty staging root just removed by `work_dir`
            return _mark_host(Path(tempfile.mkdtemp(prefix=f"{kind}-{os.getpid()}-", dir=root)))
    root.mkdir(parents=True, exist_ok=True)
    return _mark_host(Path(tempfile.mkdtemp(prefix=f"{kind}-{os.getpid()}-", dir=root)))


def _mark_host(folder: Path) -> Path:
    (folder / HOST_FILE).write_text(socket.gethostname() + "\n", encoding="utf-8")
    return folder


def _elsewhere(folder: str) -> bool:
    """Made by a process on another machine (its pid means nothing here)?"""
    try:
        host = (Path(folder) / HOST_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):  # no marker (an older run): judged here, as before
        return False
    return bool(host) and host != socket.gethostname()


@contextlib.contextmanager
def work_dir(out_root: str | Path, kind: str) -> Iterator[Path]:
    """`make_work_dir` for the length of a block, after sweeping what dead runs left; removed after,
    with the folders it had to create when they are empty (a run stopped by bad input writes nothing)."""
    sweep(out_root)
    created = []
    folder = staging_root(Path(out_root).resolve())
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    path = make_work_dir(out_root, kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        for folder in created:  # innermost first
            try:
                folder.rmdir()
            except OSError:  # not empty: outputs (or another run's work) are in it
                break


def _owner_alive(pid: int, mtime: float) -> bool:
    """Is the process that made a folder (last changed at mtime) still running? A live process with
    that pid that started after the folder last changed is a newcomer that reused the pid."""
    if pid == os.getpid():
        return True
    import psutil

    try:
        started = psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:  # not ours to inspect: assume it is alive
        return True
    return started <= mtime + 1.0


def sweep(out_root: str | Path) -> list[Path]:
    """Remove the work folders under `<out_root>/.staging` whose process has died; the removed ones."""
    try:
        entries = list(os.scandir(staging_root(out_root)))
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed = []
    for entry in entries:
        match = _WORK.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            mtime = entry.stat(follow_symlinks=False).st_mtime
        except FileNotFoundError:  # removed meanwhile by another sweep
            continue
        if not _elsewhere(entry.path) and not _owner_alive(int(match["pid"]), mtime):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


# --- one batch per output root --------------------------------------------------------------------
def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    return None


@contextlib.contextmanager
def batch_lock(out_root: str | Path) -> Iterator[Path]:
    """Hold `<out_root>/.staging/batch.lock` for a block; BatchRunningError (exit 2) if another
    process holds it. The lock goes with the holder's last file descriptor, so a killed batch
    never leaves it behind. Without flock (not POSIX) there is no lock."""
    from toolkit.base.errors import BatchRunningError

    root = staging_root(out_root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_NAME
    try:
        import fcntl
    except ImportError:
        yield path
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchRunningError(Path(out_root), _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        os.close(fd)
