"""What the benchmarks share: timing a command with its whole process tree, the machine, results.md.

Memory of a process tree is measured two ways. `ru_maxrss` of RUSAGE_CHILDREN is the largest
single process (kernels and workers included, once they have been waited for). The sampler
adds up the proportional set size (PSS) of every live process of the tree every 0.2 s, so pages
shared between processes (a kernel forked from its template, shared libraries) count once:
that is the memory the command really needs at its peak. (Sampling costs a few per cent of one core.)
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
RESULTS = Path(os.environ.get("BENCH_RESULTS") or HERE / "results.md")  # BENCH_RESULTS: write elsewhere
MIB = 2**20
PACKAGES = ("pandas", "numpy", "pyarrow", "matplotlib", "papermill", "nbclient", "ipykernel", "nbconvert",
            "weasyprint")


class TreeSampler:
    """Peak PSS of a process and all its descendants, sampled in a background thread."""

    def __init__(self, pid: int, interval: float = 0.2, group: Callable[[psutil.Process], bool] | None = None):
        self.root = psutil.Process(pid)
        self.interval, self.group = interval, group
        self.peak = 0
        self.group_peak = 0  # largest subtree rooted at a direct child for which `group` is true
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _pss(proc: psutil.Process) -> int:
        """PSS from /proc/PID/smaps_rollup (one summed record; psutil's memory_full_info parses
        every mapping of smaps: more CPU taken from the measured run on 2 cores)."""
        try:
            with open(f"/proc/{proc.pid}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
        try:
            return proc.memory_full_info().pss
        except (psutil.Error, OSError):
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                children = self.root.children()
            except psutil.Error:
                children = []
            total = self._pss(self.root)
            for child in children:
                try:
                    subtree = [child, *child.children(recursive=True)]
                except psutil.Error:
                    continue
                size = sum(self._pss(p) for p in subtree)
                total += size
                if self.group is not None and self._matches(child):
                    self.group_peak = max(self.group_peak, size)
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def _matches(self, proc: psutil.Process) -> bool:
        try:
            return bool(self.group(proc))
        except psutil.Error:
            return False


def run_measured(cmd: Sequence[str], cwd: Path | None = None, group: Callable[[psutil.Process], bool] | None = None,
                 env: dict[str, str] | None = None, memory: bool = True) -> dict[str, float]:
    """Run a command to completion: wall seconds, CPU seconds and memory of its whole tree.

    memory=False: no PSS sampling (tree_pss_mib and group_pss_mib are 0). The sampler reads
    every live process's smaps_rollup every 0.2 s, which costs the machine CPU (about 5 s in a
    40 s batch on 2 cores): timing runs go without it, memory is measured in runs of its own.
    Call it from a fresh process per measurement: ru_maxrss of RUSAGE_CHILDREN only grows.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid, group=group) if memory else None
    with sampler or contextlib.nullcontext():
        _, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "tree_pss_mib": sampler.peak / MIB if sampler else 0.0,
            "group_pss_mib": sampler.group_peak / MIB if sampler else 0.0, "max_process_mib": after.ru_maxrss / 1024}


def median(runs: Sequence[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def machine() -> str:
    """One line: CPU model, cores, memory, OS, load average now."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}; load average at start {load}")


def versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 - an absent package is simply not listed
            continue
    return f"Python {platform.python_version()}, " + ", ".join(found)


def write_section(name: str, text: str) -> None:
    """Replace this benchmark's section of results.md (between its markers), or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    body = f"{start}\n{text.strip()}\n{end}"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + body + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(new, encoding="utf-8")


def mark(ok: bool) -> str:
    return "yes" if ok else "**no**"
