"""`make bench`: every benchmark, one after the other, each rewriting its section of results.md.

    .venv/bin/python bench/run_all.py            # the full set, about 20 minutes on 2 cores
    .venv/bin/python bench/run_all.py --quick    # fewer runs and months, about 6 minutes

1. bench_profile: profile every branch of a 1,000,000-client network (two snapshots).
1b. bench_branch: one branch out of a 1,000,000-client export against its own rows alone, and the
   whole network against a DuckDB query on the same files.
2. bench_batch: 20 branches × 5,000 clients, HTML + PDF, `clientcare monthly` against the plain
   papermill → nbconvert → weasyprint loop, as a ratio.
3. bench_proposal: one client proposal, HTML + PDF, from a cold command.
4. bench_network: the network step of the batch (the province view) at 20 and 200 branches.
5. bench_schedule: a 5,000-client branch month's visit schedule, greedy with repair against CP-SAT.
Peak memory is part of each. The machine and package versions head results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time

from common import HERE, machine, versions, write_section

STEPS = {  # script: (full options, --quick options)
    "bench_profile.py": ([], ["--runs", "3"]),
    "bench_branch.py": ([], ["--runs", "2", "--formats", "html"]),
    "bench_batch.py": ([], ["--quick"]),
    "bench_proposal.py": ([], ["--quick"]),
    "bench_network.py": ([], ["--quick"]),
    "bench_schedule.py": ([], ["--quick"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (and 4 months for the batch)")
    args = parser.parse_args()
    started, t0 = dt.datetime.now().astimezone(), time.perf_counter()
    header = (f"Last `make bench`{' (--quick)' if args.quick else ''}: {started:%Y-%m-%d %H:%M %Z}. "
              f"Machine: {machine()}. {versions()}.")
    timings = []
    for script, (full, quick) in STEPS.items():
        cmd = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"$ {' '.join(cmd[1:])}", flush=True)
        step = time.perf_counter()
        code = subprocess.call(cmd)
        timings.append(f"{script} {time.perf_counter() - step:.0f} s" + ("" if code == 0 else f" (FAILED, exit {code})"))
        if code:
            write_section("run_all", f"{header}\n\nSteps: {', '.join(timings)}.")
            return code
    write_section("run_all", f"{header}\n\nSteps: {', '.join(timings)}; total {time.perf_counter() - t0:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
