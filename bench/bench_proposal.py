"""Benchmark: one client proposal, HTML + PDF, from a cold command.

Builds two seeded sample banks in a temp folder: the default sample of `clientcare sample`
(3 branches × 3,000 clients, 13 monthly snapshots as CSV, the data of `make demo`) and the
batch benchmark's network (20 branches × 5,000 clients, 13 snapshots as parquet). For each,
times `clientcare proposal <client params>` — a new process each run, interpreter start-up,
reading and checking the client book, the notebook in a fresh kernel, HTML and PDF all
included — and reports the median wall time, the notebook's own execution time (from the
executed notebook), and, from one more run per bank (sampling memory slows the run it
measures), the peak memory of the process tree (PSS sum, sampled) and the largest single
process (ru_maxrss). Target: ≤ 4 s.

    .venv/bin/python bench/bench_proposal.py             # both banks, 5 runs each
    .venv/bin/python bench/bench_proposal.py --quick     # both banks, 2 runs each
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import machine as machine_line
from common import mark, median, run_measured, versions, write_section

CLIENTCARE = Path(sys.executable).parent / "clientcare"
PERIOD = "2026-10"
TARGET_SECONDS = 4.0
BANKS = {  # name: (description, `clientcare sample` options)
    "sample": ("default sample: 3 branches × 3,000 clients, 13 months, CSV", []),
    "network": ("network: 20 branches × 5,000 clients, 13 months, parquet",
                ["--branches", "20", "--clients-per-branch", "5000", "--format", "parquet"]),
}


def build(folder: Path, options: list[str]) -> Path:
    """A sample bank; returns its first client params file."""
    subprocess.run([sys.executable, "-m", "toolkit", "sample", "--out", str(folder / "data"), "--params-dir",
                    str(folder / "params"), "--end-period", PERIOD, "--seed", "42", *options],
                   check=True, stdout=subprocess.DEVNULL)
    return sorted((folder / "params" / "clients").glob("*.yaml"))[0]


def measure(params: Path, out: Path, memory: bool = False) -> dict[str, float]:
    """One cold `clientcare proposal`; memory sampled only when asked (sampling slows the run)."""
    result = run_measured([str(CLIENTCARE), "proposal", str(params), "--out", str(out)], memory=memory)
    (executed,) = out.glob("clients/*/*/proposal.ipynb")
    result["notebook_s"] = json.loads(executed.read_text(encoding="utf-8"))["metadata"]["papermill"]["duration"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 runs per bank")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]), args.memory)))
        return
    runs = 2 if args.quick else args.runs
    machine = machine_line()
    results: dict[str, list[dict]] = {}
    memory: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench_proposal_") as tmp:
        for name, (_, options) in BANKS.items():
            params = build(Path(tmp) / name, options)
            os.sync()
            results[name] = []
            for i in range(runs):
                out = Path(tmp) / name / f"out-{i}"
                proc = subprocess.run([sys.executable, __file__, "--measure", str(params), str(out)], check=True,
                                      capture_output=True, text=True)
                results[name].append(json.loads(proc.stdout))
                shutil.rmtree(out)
                print(f"{name} run {i + 1}: {results[name][-1]['wall_s']:.2f} s", flush=True)
            out = Path(tmp) / name / "out-memory"  # a run of its own: the PSS sampler slows what it measures
            proc = subprocess.run([sys.executable, __file__, "--memory", "--measure", str(params), str(out)],
                                  check=True, capture_output=True, text=True)
            memory[name] = json.loads(proc.stdout)
    rows = [
        "## bench_proposal — one client proposal, HTML + PDF, from a cold command",
        "",
        f"`.venv/bin/python bench/bench_proposal.py{' --quick' if args.quick else ''}` — "
        f"`clientcare proposal <params>` as a new process each run, median of {runs} runs per bank; "
        "memory from one more run per bank, the only one that samples it.",
        "",
        f"Machine: {machine}. {versions()}.",
        "",
        "| bank | wall (median) | of which the notebook in its kernel | peak memory (PSS sum) "
        "| largest process | target |",
        "|---|---|---|---|---|---|",
    ]
    met = []
    for name, runs_ in results.items():
        wall = median(runs_, "wall_s")
        met.append(wall <= TARGET_SECONDS)
        rows.append(f"| {BANKS[name][0]} | {wall:.2f} s | {median(runs_, 'notebook_s'):.2f} s "
                    f"| {memory[name]['tree_pss_mib']:.0f} MiB "
                    f"| {memory[name]['max_process_mib']:.0f} MiB | ≤ {TARGET_SECONDS:.0f} s |")
    rows += ["", "Runs (wall s): " + "; ".join(f"{n}: " + ", ".join(f"{r['wall_s']:.2f}" for r in rs)
                                              for n, rs in results.items()) + ".",
             f"Targets met: {mark(all(met))} ("
             + ", ".join(f"{n} {mark(ok)}" for n, ok in zip(results, met, strict=True)) + ")."]
    text = "\n".join(rows)
    print(text)
    write_section("bench_proposal", text)


if __name__ == "__main__":
    main()
