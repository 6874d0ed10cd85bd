"""Benchmark: profile every branch of a 1,000,000-client network (two snapshots).

Builds a seeded synthetic network in canonical form with numpy only (200 branches × 5,000
clients, snapshots 2026-10-31 and 2026-11-30), writes one parquet file per snapshot to a temp
folder, then times — in fresh subprocesses, after imports — what a run does: loading both
snapshots and the staff table with `toolkit.inputs.tables` (every cell checked, the typed book built), then
`analytics.analyse_network` for all branches. Reports both figures and their total (median of
the runs) and the largest peak RSS (`resource.getrusage(...).ru_maxrss` of the measuring process,
which includes the interpreter and pandas). Targets: ≤ 3 s, ≤ 2 GiB.

    .venv/bin/python bench/bench_profile.py            # 1,000,000 clients, 5 runs
    .venv/bin/python bench/bench_profile.py --clients 100000 --runs 3

The table is printed and written into this benchmark's section of bench/results.md.
"""

from __future__ import annotations

import argparse
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

import numpy as np
import pandas as pd
from common import write_section

TARGET_SECONDS, TARGET_MIB = 3.0, 2048
ASSETS = ("demand_deposit", "time_deposit", "wealth_products", "funds", "bonds", "insurance",
          "precious_metals", "custody_margin")
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"))
GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"))


def _strings(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), width))


def _people(rng: np.random.Generator, total: int, branches: int,
            staff_ids: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """What stays put from month to month: identity, branch, maintainer, cards, risk level, asset mix."""
    branch = np.repeat(np.arange(branches), -(-total // branches))[:total]
    born = np.datetime64("2026-11-30", "ns") - rng.integers(22 * 365, 90 * 365, total).astype("timedelta64[D]")
    names = np.char.add(np.char.add(SURNAMES[rng.integers(0, len(SURNAMES), total)],
                                    GIVEN[rng.integers(0, len(GIVEN), total)]),
                        np.where(rng.random(total) < 0.6, GIVEN[rng.integers(0, len(GIVEN), total)], ""))
    risk = rng.choice(["C1", "C2", "C3", "C4", "C5", ""], total, p=[0.15, 0.25, 0.3, 0.15, 0.05, 0.1])
    people = pd.DataFrame({
        "client_id": _strings("C", rng.permutation(total) + 10_000_000, 9),
        "name": names,
        "branch": branch,
        "phone": _strings("13", rng.integers(0, 10**9, total), 9),
        "maintainer_id": np.where(rng.random(total) < 0.85,
                                  staff_ids[branch, rng.integers(0, staff_ids.shape[1], total)], None),
        "district": _strings("D", rng.integers(0, 12, total), 2),
        "gender": np.where(rng.random(total) < 0.5, "M", "F"),
        "birth_date": np.where(rng.random(total) < 0.03, np.datetime64("NaT"), born),
        "credit_card_annual_spend": np.where(rng.random(total) < 0.3, np.round(rng.lognormal(10, 1.0, total), 2), 0.0),
        "loan_balance": np.where(rng.random(total) < 0.1, np.round(rng.lognormal(12.5, 0.8, total), 2), 0.0),
        "card_level": rng.choice(["normal", "gold", "platinum", "diamond"], total, p=[0.85, 0.1, 0.04, 0.01]),
        "risk_level": np.where(risk == "", None, risk),
    })
    mix = rng.random((total, len(ASSETS))) * (rng.random((total, len(ASSETS))) < np.linspace(0.9, 0.1, len(ASSETS)))
    mix[:, 0] += 1e-3  # everyone keeps a demand deposit
    return people, mix / mix.sum(axis=1, keepdims=True)


def _snapshot(people: pd.DataFrame, mix: np.ndarray, rows: np.ndarray, branch: np.ndarray, money: np.ndarray,
              when: str) -> pd.DataFrame:
    """One month-end snapshot of the given people, in canonical column order and dtypes."""
    p = people.iloc[rows]

    def text(col: str) -> pd.Series:
        return pd.Series(p[col].to_numpy(), dtype="str")

    df = pd.DataFrame({
        "snapshot_date": pd.Series(np.full(len(rows), np.datetime64(when, "ns"))),
        "client_id": text("client_id"), "name": text("name"),
        "branch_id": pd.Series(_strings("B", branch, 3), dtype="str"),
        "phone": text("phone"), "maintainer_id": text("maintainer_id"), "district": text("district"),
        "gender": text("gender"),
        "birth_date": pd.Series(p["birth_date"].to_numpy(), dtype="datetime64[ns]"),
    })
    holdings = np.round(mix[rows] * money[:, None], 2)
    for j, col in enumerate(ASSETS):
        df[col] = holdings[:, j]
    for col in ("credit_card_annual_spend", "loan_balance"):
        df[col] = p[col].to_numpy(dtype="float64")
    df["card_level"] = text("card_level")
    df["risk_level"] = text("risk_level")
    return df


def build(out: Path, clients: int, branches: int = 200, seed: int = 20261130) -> tuple[list[Path], Path]:
    """Write clients_202610.parquet, clients_202611.parquet and staff.parquet; return their paths.

    About 3% of clients leave and 3% arrive between the months, 1% change branch, 1% take out
    70% of their money, and everyone's balance drifts (lognormal, σ 0.15).
    """
    rng = np.random.default_rng(seed)
    n_new = clients // 30
    total = clients + n_new
    per_branch = 14
    staff_ids = _strings("S", np.arange(branches * per_branch), 5).reshape(branches, per_branch)
    people, mix = _people(rng, total, branches, staff_ids)
    aum_b = np.round(rng.lognormal(np.log(30_000), 1.6, total), 2)
    draw = rng.random(total)
    aum_c = aum_b * rng.lognormal(0.0, 0.15, total)
    aum_c = np.where(draw < 0.01, aum_c * 0.3, aum_c)
    branch = people["branch"].to_numpy()
    branch_c = np.where(draw > 0.99, rng.integers(0, branches, total), branch)
    at_b = np.flatnonzero(np.arange(total) < clients)
    at_c = np.flatnonzero(np.arange(total) >= total - clients)  # the first n_new left, the last n_new are new
    b = _snapshot(people, mix, at_b, branch[at_b], aum_b[at_b], "2026-10-31")
    c = _snapshot(people, mix, at_c, branch_c[at_c], aum_c[at_c], "2026-11-30")
    roles = ["branch_president", "wealth_manager", "wealth_manager", "financial_advisor", "financial_advisor",
             "financial_advisor", "financial_advisor", "branch_director", "lobby_manager", "lobby_manager",
             "teller", "teller", "teller", "teller"]
    staff = pd.DataFrame({
        "staff_id": pd.Series(staff_ids.ravel(), dtype="str"),
        "name": pd.Series(np.char.add("员工", staff_ids.ravel()), dtype="str"),
        "branch_id": pd.Series(_strings("B", np.repeat(np.arange(branches), per_branch), 3), dtype="str"),
        "role": pd.Series(np.tile(roles, branches), dtype="str"),
        "max_visits_per_month": pd.array([None] * staff_ids.size, dtype="Int64"),
    })
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "clients_202610.parquet", out / "clients_202611.parquet"]
    b.to_parquet(paths[0], index=False)
    c.to_parquet(paths[1], index=False)
    staff.to_parquet(out / "staff.parquet", index=False)
    return paths, out / "staff.parquet"


def measure(folder: Path) -> dict[str, float]:
    """The timed part: load both snapshots as a user's run does (`toolkit.inputs.tables.load_clients`: every column
    read and every cell checked, the typed book built), the staff table likewise, then profile every branch."""
    from toolkit.branch.analytics import analyse_network
    from toolkit.inputs.tables import load_clients, load_staff

    start = time.perf_counter()
    clients = load_clients(sorted(folder.glob("clients_*.parquet")))
    staff = load_staff(folder / "staff.parquet")
    read = time.perf_counter()
    table = analyse_network(clients, staff)
    done = time.perf_counter()
    return {"read_s": read - start, "analyse_s": done - read, "total_s": done - start,
            "rows": len(clients), "branches": len(table),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.build:
        build(args.build, args.clients)
        return
    with tempfile.TemporaryDirectory(prefix="bench_profile_") as tmp:
        t0 = time.perf_counter()
        # Built by a child process, so this one stays small: each measuring process is forked from it,
        # and Linux carries the RSS at the fork into the child's ru_maxrss.
        subprocess.run([sys.executable, __file__, "--build", tmp, "--clients", str(args.clients)], check=True)
        built = time.perf_counter() - t0
        os.sync()  # flush the freshly written files, so write-back does not land in the first run
        runs = []
        for _ in range(args.runs):
            proc = subprocess.run([sys.executable, __file__, "--measure", tmp], check=True,
                                  capture_output=True, text=True)
            runs.append(json.loads(proc.stdout))
    med = {k: statistics.median(r[k] for r in runs) for k in ("read_s", "analyse_s", "total_s")}
    peak = max(r["peak_mib"] for r in runs)
    ok = med["total_s"] <= TARGET_SECONDS and peak <= TARGET_MIB
    each = ", ".join(f"{r['total_s']:.2f}" for r in runs)
    rows = [
        "## bench_profile — network profile (load_clients on 2 snapshots + analyse_network)",
        "",
        f"`.venv/bin/python bench/bench_profile.py --clients {args.clients} --runs {args.runs}` — "
        f"{runs[0]['rows']:,} client rows, {runs[0]['branches']} branches; "
        f"{platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}; "
        f"data built in {built:.1f} s (not timed).",
        "",
        "| measure | median of runs | target |",
        "|---|---|---|",
        f"| load + validate both snapshots and staff (toolkit.inputs.tables) | {med['read_s']:.2f} s | |",
        f"| analyse_network, all branches | {med['analyse_s']:.2f} s | |",
        f"| total wall | {med['total_s']:.2f} s | ≤ {TARGET_SECONDS:.0f} s |",
        f"| peak RSS (largest run) | {peak:.0f} MiB | ≤ {TARGET_MIB} MiB |",
        "",
        f"Runs (total s): {each}. Targets met: {'yes' if ok else 'NO'}.",
    ]
    text = "\n".join(rows)
    print(text)
    write_section("bench_profile", text)


if __name__ == "__main__":
    main()
