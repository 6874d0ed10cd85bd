"""Benchmark: the month's visit schedule of a 5,000-client branch, greedy with repair against CP-SAT.

One seeded sample branch (`clientcare sample`: 1 branch × 5,000 clients, 13 monthly snapshots,
plan month December 2026, handed out on 2026-12-02 like the batch). Times, in CPU seconds
(median of runs; the machine is shared, so wall time would measure the neighbours):

* the visit scheduler (`plan_visits`: who is due, the windows, every staff member's schedule, the
  unscheduled list with reasons and first dates) with toolkit.branch.schedule.schedule_staff,
* all of the month's actions (`plan_branch`: coverage, forum, salons, visits, greetings),

against the same `plan_visits` with an OR-Tools CP-SAT model per staff member, solved
lexicographically: (1) the most visits, weighted by priority (outflow watch first), each in its
window; (2) with that fixed, the lowest busiest day; (3) with that fixed, the fewest district-days
(one staff member in one district on one day). One worker and a deterministic time limit, so
it is reproducible. Quality is compared on the same measures. Target: ≤ 0.3 s for the month.
CP-SAT is optional here (`pip install ortools`); without it only the greedy is timed.

    .venv/bin/python bench/bench_schedule.py            # 7 greedy runs, CP-SAT once
    .venv/bin/python bench/bench_schedule.py --quick    # 3 greedy runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import machine as machine_line
from common import mark, versions, write_section

from toolkit.base.workdays import WorkCalendar
from toolkit.branch.actions import plan_branch
from toolkit.branch.coverage import plan_coverage
from toolkit.branch.plan import build_branch_plan, gap_lines
from toolkit.branch.schedule import StaffSchedule, schedule_staff
from toolkit.branch.visits import plan_visits
from toolkit.inputs.books import load_branch_inputs
from toolkit.inputs.params import load_branch_params
from toolkit.sample.generate import write_sample

PERIOD, AS_OF = "2026-11", dt.date(2026, 12, 2)
TARGET_SECONDS = 0.3
CPSAT_SECONDS = 10.0  # deterministic time per stage and staff member


def cpsat_staff(release: np.ndarray, deadline: np.ndarray, district: np.ndarray, day_caps: np.ndarray,
                month_cap: int) -> StaffSchedule:
    """The same problem as schedule_staff, as a CP-SAT model solved in three lexicographic stages."""
    from ortools.sat.python import cp_model

    n, n_days = len(release), len(day_caps)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for i in range(n):
        for d in range(int(release[i]), min(int(deadline[i]), n_days - 1) + 1):
            if day_caps[d] > 0:
                x[i, d] = model.NewBoolVar(f"x{i}_{d}")
    taken = [sum(x[i, d] for d in range(n_days) if (i, d) in x) for i in range(n)]
    for i in range(n):
        model.Add(taken[i] <= 1)
    loads = []
    for d in range(n_days):
        load = sum(x[i, d] for i in range(n) if (i, d) in x)
        model.Add(load <= int(day_caps[d]))
        loads.append(load)
    model.Add(sum(taken) <= month_cap)
    weight = sum((n - i) * taken[i] for i in range(n))  # priority order: any such weights, one optimum
    peak = model.NewIntVar(0, int(max(day_caps, default=0)), "peak")
    for load in loads:
        model.Add(load <= peak)
    groups = []
    for code in sorted({int(c) for c in district if c >= 0}):
        for d in range(n_days):
            members = [x[i, d] for i in range(n) if district[i] == code and (i, d) in x]
            if members:
                used = model.NewBoolVar(f"g{code}_{d}")
                for m in members:
                    model.AddImplication(m, used)
                groups.append(used)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = CPSAT_SECONDS
    for stage, (objective, maximize) in enumerate(((weight, True), (peak, False), (sum(groups), False))):
        if maximize:
            model.Maximize(objective)
        else:
            model.Minimize(objective)
        status = solver.Solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"CP-SAT stage {stage + 1}: {solver.StatusName(status)}")
        best = int(round(solver.ObjectiveValue()))
        model.Add(objective >= best if maximize else objective <= best)
        model.ClearHints()
        for var in x.values():  # start the next stage from this solution
            model.AddHint(var, solver.Value(var))
    day = np.full(n, -1, dtype=np.int64)
    for (i, d), var in x.items():
        if solver.Value(var):
            day[i] = d
    reasons = ["" if day[i] >= 0 else "capacity" for i in range(n)]
    return StaffSchedule(day, reasons, np.zeros(n, dtype=bool), np.bincount(day[day >= 0], minlength=n_days))


def quality(plan, days: list[dt.date]) -> dict[str, float]:
    """The measures both methods are compared on; a person's days are every working day from the
    hand-out date, the empty ones included."""
    s = plan.schedule
    grid = s.groupby(["staff_id", "date"]).size().unstack(fill_value=0)
    grid = grid.reindex(columns=pd.to_datetime(days), fill_value=0)
    summary = plan.summary()
    weight = int((len(s) + len(plan.unscheduled) + 1 - s["priority"]).sum())
    return {"planned": summary["planned"], "unscheduled": summary["due_unscheduled"],
            "outflow in 5 days": f"{summary['outflow_scheduled']} / {summary['outflow']}",
            "priority weight": weight, "busiest staff-day": int(grid.to_numpy().max()),
            "sum of each person's busiest day": int(grid.max(axis=1).sum()),
            "mean spread (sd of a person's daily visits)": round(float(grid.std(axis=1, ddof=0).mean()), 3),
            "district-days": int(s.dropna(subset=["district"]).groupby(["staff_id", "date", "district"]).ngroups)}


def cpu(call, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.process_time()
        result = call()
        times.append(time.process_time() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 greedy runs")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    with tempfile.TemporaryDirectory(prefix="bench_schedule_") as tmp:
        root = Path(tmp)
        write_sample(root / "data", params_dir=root / "params", branches=1, clients_per_branch=5000, months=13,
                     seed=20261202, end_period=PERIOD)
        params = load_branch_params(next((root / "params" / "branches").glob("*.yaml")))
        inputs = load_branch_inputs(params)
        model = build_branch_plan(params, inputs, PERIOD, as_of=AS_OF)
    a = model.analytics
    current, staff, acts = a.current, inputs.staff, inputs.activities
    outflow = set(a.outflows["client_id"].astype(str))
    visitor = plan_coverage(current, staff, params.coverage).visitor()
    cal = WorkCalendar(params.extra_holidays, params.extra_workdays)

    def visits(solver=schedule_staff):
        return plan_visits(current, staff, acts, PERIOD, params.visits, cal, outflow, as_of=AS_OF, visitor=visitor,
                           solver=solver)

    visits()  # warm: the calendar's year, imports
    greedy_s, greedy = cpu(visits, runs)
    actions_s, _ = cpu(lambda: plan_branch(current, staff, acts, PERIOD, params, outflow, gap_lines(a.product_gaps),
                                           as_of=AS_OF), runs)
    again = visits()
    same = again.schedule.equals(greedy.schedule) and again.unscheduled.equals(greedy.unscheduled)
    days = cal.workdays(AS_OF, dt.date(2026, 12, 31))
    rows = {"greedy + repair": {**quality(greedy, days), "CPU seconds": round(greedy_s, 3)}}
    try:
        import ortools  # noqa: F401
    except ImportError:
        cpsat_note = "CP-SAT not measured: ortools is not installed (`pip install ortools`)."
    else:
        cpsat_s, exact = cpu(lambda: visits(cpsat_staff), 1)
        rows["CP-SAT (3 stages)"] = {**quality(exact, days), "CPU seconds": round(cpsat_s, 3)}
        cpsat_note = (f"CP-SAT: OR-Tools {version('ortools')}, one worker, {CPSAT_SECONDS:g} deterministic "
                      f"seconds per stage and staff member.")
    table = pd.DataFrame(rows)
    lines = [
        "## Visit scheduler: greedy with repair against CP-SAT (5,000-client branch month)",
        "",
        f"Machine: {machine_line()}. {versions()}.",
        f"Branch: 1 × 5,000 clients, 13 months (sample seed 20261202), period {PERIOD}, handed out "
        f"{AS_OF.isoformat()}; {len(greedy.schedule) + len(greedy.unscheduled)} due visits, "
        f"{greedy.schedule['staff_id'].nunique()} staff visiting. CPU seconds, median of {runs} runs.",
        "",
        "| measure | " + " | ".join(table.columns) + " |",
        "|---|" + "---|" * len(table.columns),
        *(f"| {k} | " + " | ".join(str(v) for v in table.loc[k]) + " |" for k in table.index),
        "",
        f"All of the month's actions (`plan_branch`: coverage, forum, salons, visits, greetings): "
        f"{actions_s:.3f} CPU s; target ≤ {TARGET_SECONDS} s: {mark(actions_s <= TARGET_SECONDS)}. "
        f"The same input gives the same schedule: {mark(same)}.",
        cpsat_note,
    ]
    write_section("bench_schedule", "\n".join(lines))
    print("\n".join(lines))
    return 0 if actions_s <= TARGET_SECONDS and same else 1


def version(package: str) -> str:
    from importlib.metadata import version as v

    return v(package)


if __name__ == "__main__":
    sys.exit(main())
