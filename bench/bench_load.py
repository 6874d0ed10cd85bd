"""Benchmark: reading and checking client snapshots with `toolkit.inputs.tables.load_clients` (full validation).

Two data sets, written by the sample generator (seeded, so the same bytes every time):

* network — 200 branches × 5,000 clients, two month-end snapshots as parquet (2,001,856 rows), as
  `clientcare sample --branches 200 --clients-per-branch 5000 --months 2 --end-period 2026-10` writes it;
* sample — the default sample, 3 branches × 3,000 clients, 13 monthly CSV files (118,055 rows, Chinese
  headers, UTF-8 BOM), as `clientcare sample --end-period 2026-10` writes it.

Each run is a fresh `python bench/bench_load.py --measure …` subprocess that imports the loader and
then times `load_clients(files)`: wall clock, CPU time (all threads) and peak RSS (`ru_maxrss`, so the
interpreter, pandas, pyarrow and pandera are included). The table gives the median of the runs and the
largest peak. `--baseline FILE` measures another version of toolkit/inputs/tables.py the same way, for a
before/after table — e.g. the loader before the speed work:

    git show 5d419e7:toolkit/inputs/tables.py > /tmp/io_before.py
    .venv/bin/python bench/bench_load.py --baseline /tmp/io_before.py
    .venv/bin/python bench/bench_load.py --network-dir /tmp/big --sample-dir /tmp/s1   # reuse samples

The table is printed and written into this benchmark's section of bench/results.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import write_section

DATASETS = {  # name -> (`clientcare sample` options, client file pattern, label)
    "network": (["--branches", "200", "--clients-per-branch", "5000", "--months", "2", "--end-period", "2026-10"],
                "clients_*.parquet", "1M-client network, 2 parquet snapshots"),
    "sample": (["--end-period", "2026-10"], "clients_*.csv", "default sample, 13 monthly CSV files"),
}


def measure(files: list[Path], io_file: Path | None) -> dict[str, float]:
    """The timed part, in a fresh process: `load_clients` on the files, after every import."""
    if io_file is None:
        from toolkit.inputs.tables import load_clients
    else:  # another version of the loader module, imported from its file
        spec = importlib.util.spec_from_file_location("baseline_io", io_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        load_clients = module.load_clients
    wall, cpu = time.perf_counter(), time.process_time()
    book = load_clients(files)
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, "rows": len(book),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _client_files(folder: Path, name: str) -> list[Path]:
    """The data set's client files in `folder`, written there first (by `clientcare sample`) if it has none.

    The sample is written by a child process, so this process stays small: a measuring process starts
    as a fork of it, and Linux carries the RSS at the fork into the child's `ru_maxrss`.
    """
    options, pattern, _ = DATASETS[name]
    files = sorted((folder / "clients").glob(pattern))
    if not files:
        subprocess.run([sys.executable, "-m", "toolkit", "sample", "--out", str(folder), *options],
                       check=True, capture_output=True)
        files = sorted((folder / "clients").glob(pattern))
    return files


def _runs(files: list[Path], io_file: Path | None, runs: int) -> list[dict[str, float]]:
    command = [sys.executable, __file__, "--measure", *map(str, files)]
    command += ["--io", str(io_file)] if io_file else []
    return [json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            for _ in range(runs)]




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another toolkit/inputs/tables.py to measure the same way")
    parser.add_argument("--network-dir", type=Path, help="folder with (or for) the 1M-client sample")
    parser.add_argument("--sample-dir", type=Path, help="folder with (or for) the default CSV sample")
    parser.add_argument("--only", choices=sorted(DATASETS), help="measure one data set")
    parser.add_argument("--measure", nargs="+", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--io", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.io)))
        return
    loaders = ([("before", args.baseline.resolve())] if args.baseline else []) + [("toolkit.inputs.tables", None)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        for name in [args.only] if args.only else list(DATASETS):
            folder = getattr(args, f"{name}_dir") or Path(tmp) / name
            files = _client_files(folder, name)
            os.sync()  # flush freshly written files, so write-back does not land in a timed run
            for label, io_file in loaders:
                load = os.getloadavg()[0]
                runs = _runs(files, io_file, args.runs)
                rows.append((name, len(files), label, runs, load))
    table = [
        "## bench_load — load_clients: read + full validation",
        "",
        f"`.venv/bin/python bench/bench_load.py --runs {args.runs}"
        + (" --baseline <io.py before>`" if args.baseline else "`")
        + f" — Python {platform.python_version()}, {os.cpu_count()} cores; "
        f"median of {args.runs} fresh processes.",
        "",
        "| data | rows | files | loader | wall | CPU | peak RSS | load avg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, n_files, label, runs, load in rows:
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        table.append(f"| {DATASETS[name][2]} | {runs[0]['rows']:,} | {n_files} | {label} | {wall:.2f} s "
                     f"| {cpu:.2f} s | {max(r['peak_mib'] for r in runs):.0f} MiB | {load:.1f} |")
    each = "; ".join(f"{name}/{label}: " + ", ".join(f"{r['wall_s']:.2f}" for r in runs)
                     for name, _, label, runs, _ in rows)
    table += ["", f"Runs (wall s): {each}."]
    text = "\n".join(table)
    print(text)
    write_section("bench_load", text)


if __name__ == "__main__":
    main()
