"""Benchmark: the monthly batch, `clientcare monthly` against the plain loop an analyst would write.

Builds a seeded sample network (`clientcare sample`: 20 branches × 5,000 clients, 13 monthly
snapshots as parquet, period 2026-10) in a temp folder, then times, in the same run and in
alternating order, HTML + PDF for every branch:

- ours: `clientcare monthly --workers <cores>` (reads each snapshot once, hands every branch
  its slice, renders in parallel worker processes with kernels forked from a warm template,
  then the network comparison);
- the plain loop, one branch after the other, as command-line tools: `papermill
  notebooks/branch_plan.ipynb` (the kernel reads the exports itself), `jupyter nbconvert --to
  html --no-input`, `weasyprint out.html out.pdf`.

Every run is a fresh `bench_batch.py --measure ...` process that reports wall and CPU time of
the whole process tree. Memory is measured in one more run of each side (`--memory`; the plain
loop's on its first 3 branches), because sampling it slows what is timed: the peak of the PSS sum
of the tree, the largest single process (ru_maxrss) and, for ours, the peak of one worker's tree
(worker + kernel template + kernel), which is what rendering a branch needs. Afterwards every
branch's summary.json from the batch is compared with the plain loop's one-at-a-time render.
Medians go to bench/results.md.

    .venv/bin/python bench/bench_batch.py            # 20 × 5,000 clients, 13 months, 3 runs each
    .venv/bin/python bench/bench_batch.py --quick    # 4 months, 1 run each
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from common import machine as machine_line
from common import mark, median, run_measured, versions, write_section

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "branch_plan.ipynb"
BIN = Path(sys.executable).parent
PERIOD = "2026-10"
TARGET_RATIO, TARGET_PER_BRANCH, TARGET_RENDER_MIB = 2.0, 2.0, 600
PLAIN_MEMORY_BRANCHES = 3  # branches of the plain loop's memory run


def build(folder: Path, branches: int, clients: int, months: int) -> Path:
    """The sample network and its params files; returns the branch params folder."""
    subprocess.run([sys.executable, "-m", "toolkit", "sample", "--out", str(folder / "data"), "--params-dir",
                    str(folder / "params"), "--branches", str(branches), "--clients-per-branch", str(clients),
                    "--months", str(months), "--format", "parquet", "--end-period", PERIOD, "--seed", "42"],
                   check=True, stdout=subprocess.DEVNULL)
    return folder / "params" / "branches"


def _is_worker(proc: psutil.Process) -> bool:
    return "spawn_main" in " ".join(proc.cmdline())


def measure_ours(params_dir: Path, out: Path, workers: int, memory: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "toolkit", "monthly", "--period", PERIOD, "--params-dir", str(params_dir),
           "--out", str(out), "--workers", str(workers)]
    launched = dt.datetime.now().astimezone()
    result = run_measured(cmd, group=_is_worker, memory=memory)
    manifest = json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    jobs = manifest["jobs"].values()
    if any(j["status"] != "ok" for j in jobs) or manifest["meta"].get("network_error"):
        raise RuntimeError(f"the batch failed: {json.dumps(manifest)[:2000]}")
    first = min(dt.datetime.fromisoformat(j["finished_at"]) - dt.timedelta(seconds=j["seconds"]) for j in jobs)
    last = max(dt.datetime.fromisoformat(j["finished_at"]) for j in jobs)
    result.update(branches=len(manifest["jobs"]), job_s=statistics.median(j["seconds"] for j in jobs),
                  prepare_s=(first - launched).total_seconds(),
                  network_s=result["wall_s"] - (last - launched).total_seconds())
    return result


def measure_plain(params_dir: Path, out: Path, memory: bool = False, limit: int | None = None) -> dict[str, Any]:
    """The three command-line steps per branch, one branch after the other (the first `limit`)."""
    steps = {"papermill_s": 0.0, "nbconvert_s": 0.0, "weasyprint_s": 0.0}
    total = {"wall_s": 0.0, "cpu_s": 0.0, "tree_pss_mib": 0.0, "max_process_mib": 0.0}
    files = sorted(params_dir.glob("*.yaml"))[:limit]
    for params in files:
        folder = out / params.stem
        folder.mkdir(parents=True)
        executed, page = folder / "branch_plan.ipynb", folder / "branch_plan.html"
        commands = {
            "papermill_s": [BIN / "papermill", NOTEBOOK, executed, "-p", "params_path", params, "-p", "period",
                            PERIOD, "-p", "output_dir", folder, "--no-progress-bar"],
            "nbconvert_s": [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed],
            "weasyprint_s": [BIN / "weasyprint", page, folder / "branch_plan.pdf"],
        }
        for step, cmd in commands.items():
            r = run_measured([str(c) for c in cmd], cwd=folder, memory=memory)
            steps[step] += r["wall_s"]
            total["wall_s"] += r["wall_s"]
            total["cpu_s"] += r["cpu_s"]
            total["tree_pss_mib"] = max(total["tree_pss_mib"], r["tree_pss_mib"])
            total["max_process_mib"] = max(total["max_process_mib"], r["max_process_mib"])
    return {**total, **steps, "branches": len(files)}


def measure_breakdown(params_dir: Path, out: Path) -> dict[str, Any]:
    """Where one branch's time goes: the batch's shared steps, then the first branch rendered in a
    warm worker (medians of 3 renders after a first one), phase by phase; then its PDF with fixed
    and with WeasyPrint's automatic table layout (CPU time), and a render with a cold kernel."""
    import nbformat
    import papermill
    import weasyprint
    from pypdf import PdfReader

    from toolkit.commands import run as reports
    from toolkit.engine import pdf as pdf_mod
    from toolkit.engine import render as render_mod
    from toolkit.inputs.books import branch_slices, load_branch_inputs, write_inputs
    from toolkit.inputs.params import load_branch_params

    files = sorted(params_dir.glob("*.yaml"))
    params = load_branch_params(files[0])
    result: dict[str, Any] = {}
    start = time.perf_counter()
    inputs = load_branch_inputs(params)
    result["read_s"] = time.perf_counter() - start
    start = time.perf_counter()
    slices = branch_slices(inputs, [load_branch_params(f).branch_id for f in files])
    folders = [write_inputs(part, out / "inputs" / bid) for bid, part in slices]
    result["slice_s"] = time.perf_counter() - start
    del inputs, slices
    reports.warm_worker()
    time.sleep(3)  # the kernel template finishes its imports
    spent: dict[str, float] = {}

    def timed(module: Any, name: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] = time.perf_counter() - begin
        setattr(module, name, wrapper)

    for module, name in ((papermill, "execute_notebook"), (render_mod, "notebook_html"), (render_mod, "html_to_pdf")):
        timed(module, name)

    def one(dest: Path) -> dict[str, float]:
        folder = reports._render_branch(files[0], params, PERIOD, folders[0], ("html", "pdf"), dest, 600)
        nb = nbformat.read(folder / "branch_plan.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        begun = dt.datetime.fromisoformat(nb.metadata["papermill"]["start_time"])
        first = dt.datetime.fromisoformat(code[0].metadata["papermill"]["start_time"])
        cells = [c.metadata["papermill"]["duration"] for c in code]
        plan_cell = next(i for i, c in enumerate(code) if "load_plan(" in c.source)
        return {"papermill_s": spent["execute_notebook"], "kernel_start_s": (first - begun).total_seconds(),
                "plan_s": cells[plan_cell], "sections_s": sum(cells[plan_cell + 1:]),
                "html_s": spent["notebook_html"], "pdf_s": spent["html_to_pdf"],
                "pages": len(PdfReader(folder / "branch_plan.pdf").pages), "folder": str(folder)}

    one(out / "first")
    runs = [one(out / f"warm-{i}") for i in range(3)]
    warm = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "folder"}
    page = (Path(runs[0]["folder"]) / "branch_plan.html").read_text(encoding="utf-8")
    cpu: dict[str, list[float]] = {"fixed": [], "auto": []}
    for _ in range(3):  # the two table layouts, alternating, in CPU seconds of this process
        for layout, html in (("fixed", pdf_mod.fixed_tables(page)), ("auto", page)):
            begin = time.process_time()
            weasyprint.HTML(string=html).write_pdf()
            cpu[layout].append(time.process_time() - begin)
    warm.update(pdf_fixed_cpu_s=statistics.median(cpu["fixed"]), pdf_auto_cpu_s=statistics.median(cpu["auto"]))
    os.environ["CLIENTCARE_KERNEL_FORK"] = "0"
    cold = one(out / "cold")
    warm.update(cold_papermill_s=cold["papermill_s"], cold_kernel_start_s=cold["kernel_start_s"],
                cold_plan_s=cold["plan_s"])
    return {**result, **warm}


def same_summaries(ours: Path, plain: Path) -> tuple[int, list[str]]:
    """Branches whose batch summary.json equals the one-at-a-time render's, and those that differ."""
    same, differ = 0, []
    for folder in sorted(p for p in plain.iterdir() if p.is_dir()):
        a = json.loads((ours / PERIOD / folder.name / "summary.json").read_text(encoding="utf-8"))
        b = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        if a == b:
            same += 1
        else:
            differ.append(folder.name)
    return same, differ


def _measure_main(args: argparse.Namespace) -> None:
    kind, params_dir, out = args.measure
    if kind == "ours":
        result = measure_ours(Path(params_dir), Path(out), args.workers, args.memory)
    elif kind == "breakdown":
        result = measure_breakdown(Path(params_dir), Path(out))
    else:
        result = measure_plain(Path(params_dir), Path(out), args.memory, args.limit)
    print(json.dumps(result))


def _report(args: argparse.Namespace, ours: list[dict], plain: list[dict], memory: dict[str, dict], built: float,
            same: int,
            differ: list[str], machine: str, parts: dict[str, Any]) -> str:
    n = ours[0]["branches"]
    o, p = median(ours, "wall_s"), median(plain, "wall_s")
    ratio, per_branch = p / o, o / n
    render_mib = memory["ours"]["group_pss_mib"]
    ok = ratio >= TARGET_RATIO and per_branch <= TARGET_PER_BRANCH and render_mib <= TARGET_RENDER_MIB
    flags = " ".join(f"--{k} {v}" for k, v in (("months", args.months), ("runs", args.runs)) if v != {
        "months": 13, "runs": 3}[k])
    rows = [
        "## bench_batch — monthly batch: `clientcare monthly` against the plain papermill loop",
        "",
        f"`make bench` or `.venv/bin/python bench/bench_batch.py{' ' + flags if flags else ''}` — "
        f"{n} branches × {args.clients:,} clients, {args.months} monthly snapshots (parquet), period {PERIOD}, "
        f"HTML + PDF; ours with `--workers {args.workers}`. Medians of {len(ours)} run(s) each, alternating; "
        f"sample built in {built:.0f} s (not timed).",
        "",
        f"Machine: {machine}. {versions()}.",
        "",
        "| measure | ours: `clientcare monthly` | plain loop (papermill → nbconvert → weasyprint CLIs) | target |",
        "|---|---|---|---|",
        f"| wall, all {n} branches | {o:.1f} s | {p:.1f} s | |",
        f"| per branch, amortised | {per_branch:.2f} s | {p / n:.2f} s | ≤ {TARGET_PER_BRANCH:.0f} s (ours) |",
        f"| speed-up | {ratio:.1f}× | 1× | ≥ {TARGET_RATIO:.0f}× |",
        f"| CPU time, every process | {median(ours, 'cpu_s'):.0f} s | {median(plain, 'cpu_s'):.0f} s | |",
        f"| peak memory, whole run (PSS sum) | {memory['ours']['tree_pss_mib']:.0f} MiB "
        f"| {memory['plain']['tree_pss_mib']:.0f} MiB | |",
        f"| largest single process (ru_maxrss) | {memory['ours']['max_process_mib']:.0f} MiB "
        f"| {memory['plain']['max_process_mib']:.0f} MiB | |",
        f"| rendering one branch (a worker with its kernel; plain: the largest step) | {render_mib:.0f} MiB "
        f"| {memory['plain']['tree_pss_mib']:.0f} MiB | ≤ {TARGET_RENDER_MIB} MiB |",
        "",
        f"Wall and CPU: the timed runs, which sample no memory. Memory: one more run of each side with "
        f"every live process's PSS sampled every 0.2 s (that sampling costs about 5 s of CPU in a 40 s "
        f"batch); the plain loop's on its first {PLAIN_MEMORY_BRANCHES} branches, as every branch's steps "
        f"are alike.",
        "",
        f"Ours, where the wall time goes: until the first branch job starts (start-up, reading and checking "
        f"the snapshots, the first slice; the workers warm up meanwhile, and the other slices are cut while "
        f"they render) {median(ours, 'prepare_s'):.0f} s, branch jobs "
        f"{median(ours, 'job_s'):.1f} s each on a worker ({args.workers} at a time), network comparison "
        f"{median(ours, 'network_s'):.0f} s (timestamps to the second). "
        f"Plain loop per branch: papermill {median(plain, 'papermill_s') / n:.1f} s, nbconvert "
        f"{median(plain, 'nbconvert_s') / n:.1f} s, weasyprint {median(plain, 'weasyprint_s') / n:.1f} s.",
        "",
        "Where one branch's time goes (`--measure breakdown`: branch B001 rendered alone in a warm worker, "
        "medians of 3, wall seconds):",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| once per batch: read + check the {args.months} snapshots, staff, products, activities "
        f"| {parts['read_s']:.2f} |",
        f"| once per batch: cut and write the {n} branch slices | {parts['slice_s']:.2f} |",
        f"| kernel forked from the template, to its first cell | {parts['kernel_start_s']:.2f} |",
        f"| first cell: the plan from the slice, summary.json, visits.xlsx/.ics, forum_invitees.xlsx "
        f"| {parts['plan_s']:.2f} |",
        f"| the sections: tables and 5 charts | {parts['sections_s']:.2f} |",
        f"| papermill in all (the above + parameters, kernel shutdown, writing the notebook) "
        f"| {parts['papermill_s']:.2f} |",
        f"| HTML (nbconvert, our template) | {parts['html_s']:.2f} |",
        f"| PDF (WeasyPrint, {parts['pages']:.0f} pages, fixed table layout) | {parts['pdf_s']:.2f} |",
        f"| for comparison: that PDF's CPU time with the fixed table layout / WeasyPrint's automatic one "
        f"| {parts['pdf_fixed_cpu_s']:.2f} / {parts['pdf_auto_cpu_s']:.2f} |",
        f"| for comparison: papermill with a cold kernel (start {parts['cold_kernel_start_s']:.2f} s, first cell "
        f"with its imports {parts['cold_plan_s']:.2f} s) | {parts['cold_papermill_s']:.2f} |",
        "",
        "Runs (wall s), ours: " + ", ".join(f"{r['wall_s']:.1f}" for r in ours)
        + "; plain: " + ", ".join(f"{r['wall_s']:.1f}" for r in plain) + ".",
        f"Correctness: summary.json of the batch equals the one-at-a-time render's for {same} of {n} branches"
        + (f" (differ: {', '.join(differ)})" if differ else "") + ".",
        f"Targets met: {mark(ok)} (speed-up {mark(ratio >= TARGET_RATIO)}, per branch "
        f"{mark(per_branch <= TARGET_PER_BRANCH)}, branch render memory {mark(render_mib <= TARGET_RENDER_MIB)}).",
    ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--clients", type=int, default=5000, help="clients per branch")
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="4 months, 1 run each")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure_main(args)
        return
    if args.quick:
        args.months, args.runs = 4, 1
    machine = machine_line()
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        params_dir = build(root, args.branches, args.clients, args.months)
        built = time.perf_counter() - t0
        os.sync()
        ours: list[dict] = []
        plain: list[dict] = []
        for i in range(args.runs):
            for kind in (("ours", "plain") if i % 2 == 0 else ("plain", "ours")):
                out = root / f"{kind}-{i}"
                proc = subprocess.run([sys.executable, __file__, "--workers", str(args.workers), "--measure", kind,
                                       str(params_dir), str(out)], check=True, capture_output=True, text=True)
                (ours if kind == "ours" else plain).append(json.loads(proc.stdout))
                print(f"run {i + 1} {kind}: {(ours if kind == 'ours' else plain)[-1]['wall_s']:.1f} s", flush=True)
                if i < args.runs - 1:
                    shutil.rmtree(out)
        same, differ = same_summaries(root / f"ours-{args.runs - 1}", root / f"plain-{args.runs - 1}")
        memory = {}  # separate runs: the PSS sampler would slow the timed ones
        for kind, extra in (("ours", []), ("plain", ["--limit", str(PLAIN_MEMORY_BRANCHES)])):
            proc = subprocess.run([sys.executable, __file__, "--workers", str(args.workers), "--memory", *extra,
                                   "--measure", kind, str(params_dir), str(root / f"{kind}-memory")],
                                  check=True, capture_output=True, text=True)
            memory[kind] = json.loads(proc.stdout)
            print(f"memory run {kind}: {memory[kind]['wall_s']:.1f} s", flush=True)
        proc = subprocess.run([sys.executable, __file__, "--measure", "breakdown", str(params_dir),
                               str(root / "breakdown")], check=True, capture_output=True, text=True)
        parts = json.loads(proc.stdout)
    text = _report(args, ours, plain, memory, built, same, differ, machine, parts)
    print(text)
    write_section("bench_batch", text)


if __name__ == "__main__":
    main()
