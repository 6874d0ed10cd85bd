"""Benchmark: one branch out of a province's export, and the whole network against a DuckDB query.

Builds with `clientcare sample` a network in parquet (default 200 branches × 5,000 clients, two monthly
snapshots: 1,000,000 clients; activities as parquet), then, side by side in one run (alternating,
each run a fresh process, medians):

1. one branch from the whole export: `clientcare profile` and `clientcare branch` of one branch's
   params pointing at the province's files, against the same commands on a copy of that branch's
   own rows alone (its clients' rows and activities; the same staff, products and other tables).
   Target: ≤ 1.5× the own-rows time. Peak memory of the one-branch runs: target ≤ 500 MiB.
2. the whole network: `clientcare profile PARAMS --network`'s API, `network_profile` (both snapshots
   loaded with only the columns the comparison reads, `analytics.NETWORK_COLUMNS`, every cell of those
   checked; `analyse_network`; the ranking) — against a DuckDB query computing the same
   tiers and KPIs from the same parquet files (`NETWORK_SQL`, no checks). Target: within 2×. The two
   results are compared branch by branch before anything is timed.

    .venv/bin/python bench/bench_branch.py                                  # 1,000,000 clients
    .venv/bin/python bench/bench_branch.py --branches 40 --runs 2 --formats html   # a quick look

The table is printed and written into this benchmark's section of bench/results.md.
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
from typing import TYPE_CHECKING

from common import machine, mark, run_measured, versions, write_section

ROOT = Path(__file__).resolve().parents[1]
CLIENTCARE = str(Path(sys.executable).with_name("clientcare"))
PERIOD, END = "2026-10", "2026-10"
TARGET_RATIO, TARGET_MIB, TARGET_ANCHOR = 1.5, 500, 2.0
if TYPE_CHECKING:
    from toolkit.inputs.params import BranchParams

#: The whole-network profile in SQL: CONTRACT §2 tiers and §3 KPIs per branch, base = previous month.
NETWORK_SQL = """
WITH raw AS (
  SELECT CAST(snapshot_date AS DATE) AS d, trim(client_id) AS client_id, trim(branch_id) AS branch_id,
         {aum} AS aum, {products} AS products, card_level, CAST(birth_date AS DATE) AS birth,
         coalesce(credit_card_annual_spend, 0) AS card, coalesce(loan_balance, 0) AS loan,
         coalesce(custody_margin, 0) AS margin
  FROM read_parquet({files})
), dates AS (
  SELECT max(d) AS cur, (SELECT max(d) FROM raw WHERE d < date_trunc('month', (SELECT max(d) FROM raw))) AS base
  FROM raw
), rows AS (
  SELECT r.*, year(d) - year(birth) - CASE WHEN month(d) * 100 + day(d) < month(birth) * 100 + day(birth)
                                           THEN 1 ELSE 0 END AS age,
         (aum >= 50000 OR card >= 50000 OR loan >= 300000 OR margin >= 10000
          OR card_level IN ('gold', 'platinum', 'diamond', '金卡', '白金卡', '钻石卡')) AS in_scope
  FROM raw r
), ranked AS (
  SELECT *, CASE WHEN NOT in_scope THEN 0 WHEN aum >= 2000000 THEN 5 WHEN aum >= 200000 THEN 4
                 WHEN aum >= 100000 THEN 3 WHEN aum >= 50000 AND coalesce(age, 0) < 60 THEN 2 ELSE 1 END AS rank
  FROM rows WHERE in_scope
), c AS (SELECT * FROM ranked WHERE d = (SELECT cur FROM dates)),
b AS (SELECT * FROM ranked WHERE d = (SELECT base FROM dates)),
kept AS (SELECT b.branch_id, c.rank - b.rank AS moved FROM b JOIN c USING (client_id, branch_id)),
cs AS (SELECT branch_id, count(*) AS n_c, sum(aum) AS aum_c, sum(CAST(products >= 3 AS INT)) AS covered,
              sum(products) AS held,
              {tiers}
       FROM c GROUP BY branch_id),
top AS (SELECT branch_id, sum(aum) AS top FROM (
          SELECT branch_id, aum, row_number() OVER (PARTITION BY branch_id ORDER BY aum DESC) AS k,
                 count(*) OVER (PARTITION BY branch_id) AS n FROM c) WHERE k <= ceil(n * 0.2 - 1e-9)
        GROUP BY branch_id),
bs AS (SELECT branch_id, count(*) AS n_b, sum(aum) AS aum_b FROM b GROUP BY branch_id),
ks AS (SELECT branch_id, count(*) AS retained, sum(CAST(moved > 0 AS INT)) AS up,
              sum(CAST(moved < 0 AS INT)) AS down FROM kept GROUP BY branch_id)
SELECT branch_id, coalesce(n_b, 0) AS base_clients, coalesce(n_c, 0) AS current_clients,
       coalesce(retained, 0) AS retained, (coalesce(n_b, 0) - coalesce(retained, 0)) / n_b AS churn_rate,
       coalesce(up, 0) / n_b AS upgrade_rate, coalesce(down, 0) / n_b AS downgrade_rate,
       covered / n_c AS product_coverage_rate, held / n_c AS products_per_client,
       coalesce(n_c, 0) - coalesce(retained, 0) AS new_clients, coalesce(n_c, 0) - coalesce(n_b, 0) AS net_growth,
       (coalesce(aum_c, 0) - aum_b) / aum_b AS aum_growth, top / aum_c AS top20_aum_share,
       coalesce(aum_c, 0) AS current_aum, {tier_columns}
FROM cs FULL JOIN bs USING (branch_id) LEFT JOIN ks USING (branch_id) LEFT JOIN top USING (branch_id)
ORDER BY branch_id
"""
ASSETS = ("demand_deposit", "time_deposit", "wealth_products", "funds", "bonds", "insurance", "precious_metals",
          "custody_margin")
LINES = (*ASSETS, "credit_card_annual_spend", "loan_balance")
TIERS = ("basic", "potential_b", "potential_a", "wealth", "private_wealth")  # ranks 1..5


def network_sql(files: list[Path]) -> str:
    return NETWORK_SQL.format(
        files="[" + ", ".join(f"'{f}'" for f in files) + "]",
        aum=" + ".join(f"coalesce({c}, 0)" for c in ASSETS),
        products=" + ".join(f"CAST(coalesce({c}, 0) > 0 AS INT)" for c in LINES),
        tiers=",\n              ".join(f"count(*) FILTER (WHERE rank = {k}) AS clients_{t}, "
                                      f"coalesce(sum(aum) FILTER (WHERE rank = {k}), 0) AS aum_{t}"
                                      for k, t in enumerate(TIERS, start=1)),
        tier_columns=", ".join(f"coalesce(clients_{t}, 0) AS clients_{t}, coalesce(aum_{t}, 0) AS aum_{t}"
                               for t in TIERS))


# --- the data --------------------------------------------------------------------------------------
def build(folder: Path, branches: int, per_branch: int, branch: str) -> None:
    """The network (folder/net) and one branch's own rows alone (folder/own, with its params)."""
    import pyarrow as pa
    import yaml

    from toolkit.inputs.books import branch_slice, load_branch_inputs
    from toolkit.inputs.params import load_branch_params
    from toolkit.sample.tables import write_parquet_by_branch

    net = folder / "net"
    subprocess.run([CLIENTCARE, "sample", "--out", str(net), "--params-dir", str(net / "params"),
                    "--branches", str(branches), "--clients-per-branch", str(per_branch), "--months", "2",
                    "--format", "parquet", "--end-period", END], check=True, stdout=subprocess.DEVNULL)
    params_file = net / "params" / "branches" / f"{branch}.yaml"
    params = load_branch_params(params_file)
    part = branch_slice(load_branch_inputs(params), params.branch_id)
    own = folder / "own"
    own.mkdir()
    clients = []
    for day, rows in part.clients.groupby("snapshot_date", sort=True):
        path = own / f"clients_{day:%Y%m}.parquet"
        table = pa.Table.from_pandas(rows, preserve_index=False)
        write_parquet_by_branch(table, path, table.column("branch_id"))
        clients.append(str(path))
    part.activities.to_parquet(own / "activities.parquet", index=False)
    raw = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    base = params_file.parent
    data = {k: ([str((base / x).resolve()) for x in v] if isinstance(v, list) else str((base / v).resolve()))
            for k, v in raw["data"].items() if v}
    data.update(clients=clients, activities=str(own / "activities.parquet"))
    raw["data"] = data
    (own / f"{branch}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


# --- the whole network, in a fresh process each --------------------------------------------------
def _network_params(net: Path) -> BranchParams:
    """Any branch's params of the network (each names the same client files), for PERIOD."""
    from toolkit.inputs.params import load_branch_params

    return load_branch_params(sorted((net / "params" / "branches").glob("*.yaml"))[0], {"period": PERIOD})


def network_ours(net: Path) -> dict[str, float]:
    """`network_profile` (what `clientcare profile PARAMS --network` runs), from the params file on."""
    import pyarrow.parquet as pq

    from toolkit.commands.network_profile import network_profile

    start = time.perf_counter()
    cpu = time.process_time()
    table = network_profile(_network_params(net))
    done, cpu_done = time.perf_counter(), time.process_time()
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in (net / "clients").glob("clients_*.parquet"))
    return {"total_s": done - start, "cpu_s": cpu_done - cpu, "branches": len(table), "rows": rows}


def network_duckdb(net: Path) -> dict[str, float]:
    import duckdb

    start = time.perf_counter()
    cpu = time.process_time()
    rows = duckdb.connect().execute(network_sql(sorted((net / "clients").glob("clients_*.parquet")))).fetchall()
    return {"total_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu, "branches": len(rows)}


def network_check(net: Path) -> str:
    """The DuckDB query's figures against `network_profile`'s, branch by branch (not timed)."""
    import duckdb
    import numpy as np

    from toolkit.commands.network_profile import network_profile

    files = sorted((net / "clients").glob("clients_*.parquet"))
    ours = network_profile(_network_params(net)).set_index("branch_id")
    theirs = duckdb.connect().execute(network_sql(files)).df().set_index("branch_id")
    if sorted(ours.index) != list(theirs.index):
        raise SystemExit("DuckDB and network_profile disagree: branches")
    columns = [c for c in theirs.columns if c in ours.columns]
    bad = [c for c in columns if not np.allclose(ours[c].to_numpy(dtype="float64", na_value=np.nan),
                                                 theirs.loc[ours.index, c].to_numpy(dtype="float64"),
                                                 rtol=1e-9, atol=1e-6, equal_nan=True)]
    if bad:
        raise SystemExit(f"DuckDB and network_profile disagree: {bad}")
    return f"equal for {len(ours)} branches × {len(columns)} columns"


# --- the driver ----------------------------------------------------------------------------------------
def _self(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--clients-per-branch", type=int, default=5000)
    parser.add_argument("--branch", default="B100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--network-runs", type=int, default=7,
                        help="rounds of the network anchor (2 s each; this VM varies by ±30%% run to run)")
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--folder", type=Path, help="keep the data here (built if empty)")
    for hidden in ("--build", "--network-ours", "--network-duckdb", "--network-check"):
        parser.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measured", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measured:  # in a fresh process: ru_maxrss of RUSAGE_CHILDREN only ever grows
        print(json.dumps(run_measured(json.loads(args.measured), cwd=ROOT)))
        return None
    if args.build:
        return build(args.build, args.branches, args.clients_per_branch, args.branch)
    for flag, fn in (("network_ours", network_ours), ("network_duckdb", network_duckdb),
                     ("network_check", network_check)):
        if getattr(args, flag):
            print(json.dumps(fn(getattr(args, flag))))
            return None
    with tempfile.TemporaryDirectory(prefix="bench_branch_") as tmp:
        folder = args.folder or Path(tmp)
        t0 = time.perf_counter()
        if not (folder / "own").is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, __file__, "--build", str(folder), "--branches", str(args.branches),
                            "--clients-per-branch", str(args.clients_per_branch), "--branch", args.branch],
                           check=True)
        built = time.perf_counter() - t0
        os.sync()
        report(args, folder, built)
    return None


def report(args: argparse.Namespace, folder: Path, built: float) -> None:
    net, own = folder / "net", folder / "own"
    sides = {"export": net / "params" / "branches" / f"{args.branch}.yaml", "own": own / f"{args.branch}.yaml"}
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())

    def commands(side: str) -> dict[str, list[str]]:
        params = str(sides[side])
        return {"profile": [CLIENTCARE, "profile", params, "--period", PERIOD, "--json", "-"],
                "branch": [CLIENTCARE, "branch", params, "--period", PERIOD, "--formats", args.formats,
                           "--out", str(folder / f"out-{side}")]}

    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for command in ("profile", "branch"):
            for side in ("export", "own"):
                start = time.perf_counter()
                subprocess.run(commands(side)[command], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
                times.setdefault((command, side), []).append(time.perf_counter() - start)
    memory = {(c, s): _self("--measured", json.dumps(commands(s)[c])) for c in ("profile", "branch") for s in sides}
    check = _self("--network-check", str(net))
    network: dict[str, list[dict]] = {"ours": [], "duckdb": []}
    for _ in range(args.network_runs):
        network["ours"].append(_self("--network-ours", str(net)))
        network["duckdb"].append(_self("--network-duckdb", str(net)))
    med = {k: statistics.median(v) for k, v in times.items()}
    ours_net = statistics.median(r["total_s"] for r in network["ours"])
    duck_net = statistics.median(r["total_s"] for r in network["duckdb"])
    ratio = {c: med[c, "export"] / med[c, "own"] for c in ("profile", "branch")}
    round_ratios = [o["total_s"] / d["total_s"] for o, d in zip(network["ours"], network["duckdb"], strict=True)]
    # The run that reads the export: profile (one process). A render's largest process is its PDF
    # (WeasyPrint), the same on both sides: what matters there is that the export adds nothing.
    peak = memory["profile", "export"]["max_process_mib"]
    render_extra = memory["branch", "export"]["max_process_mib"] - memory["branch", "own"]["max_process_mib"]
    clients = args.branches * args.clients_per_branch
    rows = [
        "## bench_branch — one branch from a province's export; the network against DuckDB",
        "",
        f"`.venv/bin/python bench/bench_branch.py --branches {args.branches} --clients-per-branch "
        f"{args.clients_per_branch} --runs {args.runs} --network-runs {args.network_runs} --formats {args.formats}` — "
        "`clientcare sample` network in "
        f"parquet, {clients:,} clients × 2 snapshots ({network['ours'][0]['rows']:,} client rows), a row group per "
        f"branch, activities as parquet; branch {args.branch}; period {PERIOD}; data built in {built:.0f} s "
        "(not timed). Medians of the runs, the two sides alternating, each run a fresh process; the network anchor "
        f"over {args.network_runs} rounds (with the median of the rounds' own ratios beside the ratio of the medians).",
        "",
        f"Machine: {machine()}; load average at the start of the runs {load}. {versions()}.",
        "",
        "| measure | from the whole export | its own rows alone | ratio | target |",
        "|---|---|---|---|---|",
        f"| `clientcare profile` (wall) | {med['profile', 'export']:.2f} s | {med['profile', 'own']:.2f} s | "
        f"{ratio['profile']:.2f}× | ≤ {TARGET_RATIO}× |",
        f"| `clientcare branch --formats {args.formats}` (wall) | {med['branch', 'export']:.2f} s | "
        f"{med['branch', 'own']:.2f} s | {ratio['branch']:.2f}× | ≤ {TARGET_RATIO}× |",
        f"| profile: peak memory (one process) | {memory['profile', 'export']['max_process_mib']:.0f} MiB | "
        f"{memory['profile', 'own']['max_process_mib']:.0f} MiB | | ≤ {TARGET_MIB} MiB |",
        f"| branch: largest process (the command: reads the data, then the HTML and PDF) | "
        f"{memory['branch', 'export']['max_process_mib']:.0f} MiB | "
        f"{memory['branch', 'own']['max_process_mib']:.0f} MiB | | ≤ {TARGET_MIB} MiB |",
        f"| branch: whole tree with its kernel (PSS sum) | {memory['branch', 'export']['tree_pss_mib']:.0f} MiB | "
        f"{memory['branch', 'own']['tree_pss_mib']:.0f} MiB | | |",
        "",
        "| whole network, every branch's tiers and KPIs | wall | target |",
        "|---|---|---|",
        "| ours: `network_profile` (`clientcare profile --network`: only the columns it reads, every cell of those "
        f"checked; ranking) | {ours_net:.2f} s "
        f"(CPU {statistics.median(r['cpu_s'] for r in network['ours']):.2f} s) | ≤ {TARGET_ANCHOR}× DuckDB |",
        f"| DuckDB: `NETWORK_SQL` on the same files (no checks) | {duck_net:.2f} s | |",
        f"| ratio (of the medians; median of the rounds' ratios) | {ours_net / duck_net:.2f}×; "
        f"{statistics.median(round_ratios):.2f}× | |",
        "",
        "Runs (wall s): " + "; ".join(f"{c} {s}: " + ", ".join(f"{x:.2f}" for x in v) for (c, s), v in times.items())
        + "; network ours: " + ", ".join(f"{r['total_s']:.2f}" for r in network["ours"])
        + "; DuckDB: " + ", ".join(f"{r['total_s']:.2f}" for r in network["duckdb"]) + f". Anchor check: {check}.",
        f"Targets met: one branch {mark(max(ratio.values()) <= TARGET_RATIO)}, memory of the run reading the "
        f"export {mark(peak <= TARGET_MIB)} ({peak:.0f} MiB; the render's largest process is its PDF, "
        f"{render_extra:+.0f} MiB from the export), network anchor {mark(ours_net <= TARGET_ANCHOR * duck_net)}.",
    ]
    text = "\n".join(rows)
    print(text)
    write_section("bench_branch", text)


if __name__ == "__main__":
    main()
