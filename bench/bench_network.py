"""Benchmark: the network step of `clientcare monthly` (the province view) at 20 and 200 branches.

Builds seeded sample networks (`clientcare sample`, 13 monthly parquet snapshots) and, in a
fresh process per run, does what the batch does for the province view with the books already
loaded and the kernel template warm (as `run_monthly` has them):

* figures — `network_kpis`, the network totals, the 12-month trend and the staff KPIs
  (`branch.network_kpi.network_figures`), and the trend chart drawn: the batch does these while the
  last branches render;
* view + xlsx — the province view (ranks, rank change, action load read from every branch's
  summary.json, staff ranked by role) and network.xlsx, alone: the computing part after the batch;
* after the batch — `commands.monthly.write_network`: that view, network.xlsx, network.json and the
  notebook to HTML and PDF, published. This is what a user waits for once the last branch is done.

    .venv/bin/python bench/bench_network.py                 # 20 × 500, 200 × 500, 20 × 5,000; 3 runs
    .venv/bin/python bench/bench_network.py --quick         # 20 × 500 and 200 × 500, 1 run
    .venv/bin/python bench/bench_network.py --keep /tmp/nb  # reuse (or keep) the sample networks

Target: the network step ≤ 2 s for 20 branches and linear in branches.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine, versions, write_section

PERIOD = "2026-10"
TARGET_S = 2.0
SIZES = {"full": ((20, 500), (200, 500), (20, 5_000)), "quick": ((20, 500), (200, 500))}
SUMMARY = {"visits": {"planned": 30, "due_unscheduled": 4, "outflow": 3, "outflow_scheduled": 2},
           "risk_assessment": {"missing": 12, "expiring": 5}, "coverage": {"top_without_maintainer": 2},
           "forum_status": {"due": True}, "watch": {"outflow": ["0000000001"]}}


def build(folder: Path, branches: int, clients: int) -> Path:
    """The sample network's branch params folder (built once per folder)."""
    params = folder / "params" / "branches"
    if not params.is_dir():
        subprocess.run([sys.executable, "-m", "toolkit", "sample", "--out", str(folder / "data"), "--params-dir",
                        str(folder / "params"), "--branches", str(branches), "--clients-per-branch", str(clients),
                        "--months", "13", "--format", "parquet", "--end-period", PERIOD, "--seed", "7"],
                       check=True, stdout=subprocess.DEVNULL)
    return params


def measure(params_dir: Path, out: Path) -> dict[str, float]:
    """One run, in this (fresh) process: load as the batch does, then time the network step."""
    from toolkit.branch.network_kpi import network_figures, network_view
    from toolkit.commands.monthly import _data_key, write_network
    from toolkit.commands.run import warm_up
    from toolkit.inputs.books import load_branch_inputs
    from toolkit.inputs.params import load_branch_params
    from toolkit.report.charts_network import kpi_trend_png
    from toolkit.report.network_files import summaries_of, write_network_xlsx

    params = [load_branch_params(p) for p in sorted(params_dir.glob("*.yaml"))]
    books, seen = [], set()
    for p in params:
        if _data_key(p) not in seen:
            seen.add(_data_key(p))
            books.append((p, load_branch_inputs(p)))
    names = {p.branch_id: p.branch_name for p in params}
    period_dir = out / PERIOD
    for branch_id in names:  # the branch summaries the batch would have written
        (period_dir / branch_id).mkdir(parents=True, exist_ok=True)
        (period_dir / branch_id / "summary.json").write_text(json.dumps(SUMMARY), encoding="utf-8")
    status = dict.fromkeys(names, "ok")
    # The batch started its kernel template and warmed its converters a minute before its network
    # step: one untimed network step in a scratch folder does the same here.
    warm_up()
    write_network(books, PERIOD, names, out / "warm" / PERIOD, status=status, formats=("html", "pdf"))
    t0, c0 = time.perf_counter(), time.process_time()
    figures = network_figures(books, PERIOD, names)
    trend_png = kpi_trend_png(figures.trend)  # the batch draws it while the branches render, too
    t1, c1 = time.perf_counter(), time.process_time()
    view = network_view(books, PERIOD, names, status=status, summaries=summaries_of(period_dir, names),
                        figures=figures)
    write_network_xlsx(view, out / "alone.xlsx")
    t2, c2 = time.perf_counter(), time.process_time()
    write_network(books, PERIOD, names, period_dir, status=status, formats=("html", "pdf"), figures=figures,
                  trend_png=trend_png)
    t3, c3 = time.perf_counter(), time.process_time()
    return {"figures_s": t1 - t0, "figures_cpu_s": c1 - c0, "tables_s": t2 - t1, "tables_cpu_s": c2 - c1,
            "after_s": t3 - t2, "after_cpu_s": c3 - c2, "load": os.getloadavg()[0],
            "pages": _pages(period_dir / "network.pdf")}


def _pages(pdf: Path) -> float:
    """The PDF's page count (poppler's pdfinfo; 0 when it is not installed)."""
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0.0
    return float(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), 0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 and 200 branches of 500 clients, one run")
    parser.add_argument("--runs", type=int, default=None, help="runs per size (default 3, --quick 1)")
    parser.add_argument("--keep", type=Path, help="folder for the sample networks (reused when present)")
    parser.add_argument("--measure", nargs=2, type=Path, metavar=("PARAMS_DIR", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0
    runs = args.runs or (1 if args.quick else 3)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-network-"))
    rows = []
    for branches, clients in SIZES["quick" if args.quick else "full"]:
        params = build(root / f"n{branches}x{clients}", branches, clients)
        results = []
        for i in range(runs):
            os.sync()
            out = root / f"out{branches}x{clients}-{i}"
            done = subprocess.run([sys.executable, __file__, "--measure", str(params), str(out)], check=True,
                                  capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        rows.append((branches, clients, med, results))
        print(f"{branches} × {clients}: figures {med['figures_s']:.2f} s, view + xlsx {med['tables_s']:.2f} s, "
              f"after the batch {med['after_s']:.2f} s ({med['after_cpu_s']:.2f} s CPU in this process), "
              f"{med['pages']:.0f} PDF pages, load {med['load']:.1f}", flush=True)
    table = ["| branches × clients (13 months) | figures (while the branches render) | view + network.xlsx | "
             "after the batch (view, xlsx, json, notebook, HTML + PDF) | PDF pages | load average |",
             "|---|---|---|---|---|---|"]
    for branches, clients, med, _ in rows:
        table.append(f"| {branches} × {clients:,} | {med['figures_s']:.2f} s ({med['figures_cpu_s']:.2f} s CPU) | "
                     f"{med['tables_s']:.2f} s ({med['tables_cpu_s']:.2f} s CPU) | {med['after_s']:.2f} s "
                     f"({med['after_cpu_s']:.2f} s CPU here, the kernel's not counted) | {med['pages']:.0f} | "
                     f"{med['load']:.1f} |")
    runs_line = "; ".join(f"{b}×{c}: " + ", ".join(f"{r['figures_s']:.2f}/{r['tables_s']:.2f}/{r['after_s']:.2f}"
                                                  for r in res)
                          for b, c, _, res in rows)
    twenty = [m for b, _, m, _ in rows if b == 20]
    ok = all(m["after_s"] <= TARGET_S for m in twenty)
    write_section("bench_network", "\n".join([
        "## bench_network — the province view (network step of `clientcare monthly`)",
        "", f"Machine: {machine()}. {versions()}. Medians of {runs} run(s), each a fresh process with the books "
            "loaded and one untimed network step done first (the kernel template and converters warm, as in "
            "the batch).", "", *table, "",
        f"Runs (figures / view + xlsx / after the batch, s): {runs_line}.",
        f"Target (after the batch ≤ {TARGET_S:.0f} s at 20 branches): {'met' if ok else '**not met**'}. "
        "Wall times grow with the machine's load (last column); the CPU seconds compare across runs."]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
