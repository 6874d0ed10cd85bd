"""A realistic synthetic branch network for demos, tests and load checks (`clientcare sample`).

Real client books may not leave the bank, yet every notebook needs one that shows something: a
long tail of wealth, clients crossing tiers both ways, churn, new clients, large outflows, staff
of every role, a product shelf from R1 to R5, a year of visits and a past forum. Everything is
drawn from one seeded numpy Generator, vectorised over clients (Faker only fills small pools of
names and phone prefixes once), so the same seed gives the same tables and a million clients times
thirteen snapshots take seconds.

The client book is drawn in `book`, the fact-find clients in `stories` and the tables in
`tables`; this module runs them in their fixed order (`generate_network`) and writes the files
and params (`write_network`, `write_sample`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

from toolkit.base import periods
from toolkit.base.schema import (
    ACTIVITIES,
    ASSET_COLUMNS,
    CLIENTS,
    CORPORATE_CLIENTS,
    CORPORATE_ROLES,
    HOLDINGS,
    PRODUCTS,
    ROLES,
    STAFF,
    ZH_LABELS,
    Table,
)
from toolkit.base.schema import CARD_LEVELS as CARD_WORDS
from toolkit.base.settings import ForumSettings, GreetingSettings, Thresholds, VisitSettings
from toolkit.inputs.factfind_workbook import display_width, write_fact_find
from toolkit.sample.book import CARD_LEVELS, RISK_CODES, Book, make_pools, staff_layout, tier_codes
from toolkit.sample.events import add_happy_events
from toolkit.sample.practices import add_practices
from toolkit.sample.stories import align_stories
from toolkit.sample.tables import (
    activities_table,
    activity_branches,
    client_rows,
    products_table,
    staff_table,
    write_parquet_by_branch,
)

#: The names callers and tests import from here; the book's own ones live in `book`.
__all__ = ["CARD_LEVELS", "CSV_MAX_CLIENTS", "FORMATS", "RISK_CODES", "SampleNetwork", "generate_network",
           "tier_codes", "write_network", "write_sample"]


@dataclass
class SampleNetwork:
    """The generated tables in memory; `write_sample` turns them into files and params."""

    clients: pd.DataFrame  # every snapshot, sorted by snapshot_date then client_id
    staff: pd.DataFrame
    products: pd.DataFrame
    activities: pd.DataFrame
    fact_finds: list[dict[str, Any]]  # keyword arguments for template.write_fact_find
    branch_names: dict[str, str]
    end_period: str
    corporate_clients: pd.DataFrame | None = None  # toolkit.sample.practices
    holdings: pd.DataFrame | None = None


def generate_network(branches: int = 3, clients_per_branch: int = 3000, months: int = 13, seed: int = 42,
                     end_period: str | None = None) -> SampleNetwork:
    """The whole synthetic network in memory; same arguments, same frames.

    `months` month-end snapshots end with `end_period` (default: the last closed month);
    `clients_per_branch` is the size of each branch's first snapshot (later ones drift by churn
    and new clients).
    """
    if not 1 <= branches <= 999:
        raise ValueError("branches must be between 1 and 999 (branch ids are B001…B999)")
    if not 10 <= clients_per_branch <= 5_000_000:
        raise ValueError("clients_per_branch must be between 10 and 5,000,000")
    if months < 2:
        raise ValueError("months must be at least 2 (month-to-month movement needs two snapshots)")
    end_period = periods.report_period(end_period)
    periods.parse_period(end_period)
    snapshot_dates = [periods.month_end(periods.shift(end_period, t - months + 1)) for t in range(months)]
    rng = np.random.default_rng(seed)
    pools = make_pools(seed, branches, rng)
    layout = staff_layout(clients_per_branch)
    book = Book(rng, branches, clients_per_branch, months)
    book.add_outflows(rng, clients_per_branch)
    book.draw_attributes(rng, snapshot_dates[-1], np.array([len(d) for d in pools.districts]))
    book.assign_maintainers(rng, layout)
    fact_finds = align_stories(book, pools, rng, end_period)
    return add_happy_events(add_practices(SampleNetwork(
        clients=client_rows(book, pools, snapshot_dates),
        staff=staff_table(pools, layout, branches, rng),
        products=products_table(periods.parse_period(periods.shift(end_period, 1))[0]),
        activities=activities_table(book, rng, end_period),
        fact_finds=fact_finds,
        branch_names={f"B{b + 1:03d}": name for b, name in enumerate(pools.branch_names)},
        end_period=end_period,
    ), seed), seed)


# --- files and params (CONTRACT §1, §5) --------------------------------------------------------
CSV_MAX_CLIENTS = 200_000  # per snapshot; above this `fmt="auto"` writes parquet
FORMATS = ("auto", "csv", "xlsx", "parquet")
_SNAPSHOT_FILE = re.compile(r"^clients_\d{6}\.(csv|xlsx|parquet)$")
_FACT_FIND_FILE = re.compile(r"^\d{10}\.xlsx$")
#: Bank systems export Chinese words; the loader accepts them as well as the canonical codes.
EXPORT_WORDS: dict[str, dict[str, str]] = {
    "gender": {"M": "男", "F": "女"},
    "card_level": {code: word for word, code in CARD_WORDS.items() if word != code},
    "risk_level": {c: ZH_LABELS[c] for c in RISK_CODES},
    "role": {r: ZH_LABELS[r] for r in (*ROLES, *CORPORATE_ROLES)},
    "category": {c: ZH_LABELS[c] for c in ASSET_COLUMNS},
    "kind": {"visit": "拜访", "call": "电话", "sms": "短信", "gift": "礼品", "event": "活动"},
}
AMOUNT_FORMAT = "#,##0.00"
PARQUET_DICTIONARY = ["snapshot_date", "branch_id", "gender", "maintainer_id", "card_level", "risk_level",
                      "district"]  # low-cardinality columns; dictionary-encoding ids and phones only costs time


class _FlowLists(yaml.SafeDumper):
    """Block mappings with inline lists, the layout of the params example in CONTRACT §5."""


_FlowLists.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
# Ids made of digits are quoted, so nobody reading or editing the file takes them for numbers.
_FlowLists.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v,
                                                                 style="'" if v.isdigit() else None))


def _export(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The frame as a bank export: Chinese headers and Chinese words in coded columns."""
    out = df.copy()
    for col in set(EXPORT_WORDS) & set(out.columns):
        out[col] = out[col].map(EXPORT_WORDS[col])
    return out.rename(columns={c.name: c.alias for c in table.columns})


def _write_xlsx(df: pd.DataFrame, path: Path, sheet: str, formats: dict[str, str] | None = None) -> None:
    """An Excel sheet people can read: dates as dates, amounts with separators, frozen header."""
    with pd.ExcelWriter(path, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD") as writer:
        df.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns, start=1):
            width = max(display_width(v) for v in [col, *df[col].head(200).dropna()])
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width + 2, 8), 40)
            fmt = (formats or {}).get(str(col))
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a BOM (so Excel shows the Chinese) and ISO dates; Arrow's writer, ~10× pandas'."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for k, column in enumerate(table.columns):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(k, table.field(k).name, column.cast(pa.date32()))
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        pacsv.write_csv(table, fh)


def _write_clients(clients: pd.DataFrame, folder: Path, ext: str) -> list[Path]:
    """One file per snapshot, named by month: what a bank's monthly export looks like."""
    folder.mkdir(parents=True, exist_ok=True)
    dates = clients["snapshot_date"].to_numpy()
    months = np.unique(dates)
    starts, ends = np.searchsorted(dates, months, "left"), np.searchsorted(dates, months, "right")
    arrow = pa.Table.from_pandas(clients, preserve_index=False) if ext == "parquet" else None
    amounts = {c.alias: AMOUNT_FORMAT for c in CLIENTS.columns if c.kind == "amount"}
    written = [folder / f"clients_{pd.Timestamp(month):%Y%m}.{ext}" for month in months]

    def write(k: int) -> None:
        a, b, path = int(starts[k]), int(ends[k]), written[k]
        if arrow is not None:
            part = arrow.slice(a, b - a)  # a row group per branch: see write_parquet_by_branch
            write_parquet_by_branch(part, path, part.column("branch_id"), PARQUET_DICTIONARY)
        elif ext == "csv":
            _write_csv(_export(clients.iloc[a:b], CLIENTS), path)
        else:
            _write_xlsx(_export(clients.iloc[a:b], CLIENTS), path, "客户", amounts)

    if arrow is not None:  # Arrow releases the GIL: two snapshots encode at once
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, range(len(written))))
    else:
        for k in range(len(written)):
            write(k)
    return written


def _remove_stale(folder: Path, pattern: re.Pattern[str], keep: list[Path]) -> None:
    """Drop files of an earlier sample in the same place, so a glob never mixes two runs."""
    if folder.is_dir():
        for path in folder.iterdir():
            if pattern.match(path.name) and path not in keep:
                path.unlink()


def _rel(target: Path, params_file: Path) -> str:
    """Paths in a params file are relative to its folder (CONTRACT §5), so the tree can move."""
    return Path(os.path.relpath(target.absolute(), params_file.parent.absolute())).as_posix()


def _write_yaml(path: Path, content: dict[str, Any], title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(content, Dumper=_FlowLists, allow_unicode=True, sort_keys=False, default_flow_style=False)
    path.write_text(f"# {title}\n{text}", encoding="utf-8")


def _branch_params(branch_id: str, name: str, path: Path, files: dict[str, Path], end_period: str) -> dict:
    th, visits = Thresholds(), VisitSettings()
    # The plan of month P acts in P+1; the forum falls mid-P+2 so that its invitations (T-30) and
    # phone confirmations go out during the plan month, as branches prepare it in practice.
    start = periods.month_start(periods.shift(end_period, 2)) + dt.timedelta(days=9)
    forum = ForumSettings(window=(start, start + dt.timedelta(days=18)))
    return {
        "branch_id": branch_id,
        "branch_name": name,
        "data": {key: _rel(p, path) for key, p in files.items()},
        "compare_to": "previous_month",
        "thresholds": {k: int(getattr(th, k)) for k in ("private_wealth", "wealth", "potential_a", "potential_b",
                                                        "potential_b_max_age")},
        "visits": {"cadence_months": dict(visits.cadence_months), "max_per_day": visits.max_per_day},
        "forum": {"window": list(forum.window), "capacity": forum.capacity,
                  "expected_attendance_rate": forum.expected_attendance_rate,
                  "budget_per_guest": int(forum.budget_per_guest), "fixed_cost": int(forum.fixed_cost),
                  "preferred_weekdays": list(forum.preferred_weekdays)},
        "salons": [],
        "greetings": {"gift_tiers": list(GreetingSettings().gift_tiers)},
        "extra_holidays": [],
        "extra_workdays": [],
        "language": "zh",
        "mask_pii": True,
    }


def _remove_stale_params(folder: Path, keep: list[Path], clients_glob: str) -> None:
    """Params of an earlier, larger sample over the same data would name branches that are gone."""
    if not folder.is_dir():
        return
    for path in folder.glob("*.yaml"):
        if path in keep:
            continue
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(content, dict) and (content.get("data") or {}).get("clients") == clients_glob:
            path.unlink()


def write_practice_tables(net: SampleNetwork, out: Path, ext: str) -> dict[str, Path]:
    """The practices' tables (corporate clients, holdings) as bank exports, and the fact-finds' glob;
    by the params key that names each."""
    files: dict[str, Path] = {}
    if net.corporate_clients is not None:
        files["corporate_clients"] = out / "corporate_clients.xlsx"
        _write_xlsx(_export(net.corporate_clients, CORPORATE_CLIENTS), files["corporate_clients"], "对公客户",
                    {"存款余额": "#,##0", "目标授信金额": "#,##0"})
    if net.holdings is not None:
        files["holdings"] = out / f"holdings.{'parquet' if ext == 'parquet' else 'csv'}"
        if ext == "parquet":
            net.holdings.to_parquet(files["holdings"], index=False)
        else:
            _write_csv(_export(net.holdings, HOLDINGS), files["holdings"])
    if net.fact_finds:
        files["fact_finds"] = out / "fact_finds" / "*.xlsx"
    return files


def write_network(net: SampleNetwork, out: str | Path, params_dir: str | Path | None = None,
                  fmt: str = "auto") -> dict[str, Any]:
    """Write the tables, fact-finds and params files of a generated network; returns what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = Path(out)
    params_dir = Path(params_dir) if params_dir is not None else out / "params"
    out.mkdir(parents=True, exist_ok=True)
    per_snapshot = int(net.clients["snapshot_date"].value_counts().max())
    ext = fmt if fmt != "auto" else ("csv" if per_snapshot <= CSV_MAX_CLIENTS else "parquet")
    snapshots = _write_clients(net.clients, out / "clients", ext)
    _remove_stale(out / "clients", _SNAPSHOT_FILE, snapshots)
    staff, products = out / "staff.xlsx", out / "products.xlsx"
    activities = out / ("activities.parquet" if ext == "parquet" else "activities.csv")
    (out / ("activities.csv" if ext == "parquet" else "activities.parquet")).unlink(missing_ok=True)
    _write_xlsx(_export(net.staff, STAFF), staff, "员工")
    _write_xlsx(_export(net.products, PRODUCTS), products, "产品",
                {"起购金额": "#,##0", "业绩比较基准": "0.00%"})
    if ext == "parquet":  # by the client's branch, as the snapshots: a one-branch run reads its row group
        write_parquet_by_branch(pa.Table.from_pandas(net.activities, preserve_index=False), activities,
                                activity_branches(net.clients, net.activities), ["date", "staff_id", "kind", "note"])
    else:
        _write_csv(_export(net.activities, ACTIVITIES), activities)
    practice_files = write_practice_tables(net, out, ext)

    as_of = periods.month_start(periods.shift(net.end_period, 1))
    last = net.clients[net.clients["snapshot_date"] == net.clients["snapshot_date"].max()]
    fact_finds, client_params, branch_params = [], [], []
    clients_glob = out / "clients" / f"clients_*.{ext}"
    for ff in net.fact_finds:
        client_id = ff["profile"]["client_id"]
        ff_path = write_fact_find(out / "fact_finds" / f"{client_id}.xlsx", **ff)
        fact_finds.append(ff_path)
        path = params_dir / "clients" / f"{client_id}.yaml"
        advisor = last.loc[last["client_id"] == client_id, "maintainer_id"].iloc[0]
        branch_id = str(last.loc[last["client_id"] == client_id, "branch_id"].iloc[0])
        _write_yaml(path, {
            "client_id": client_id,
            "data": {"clients": _rel(clients_glob, path), "products": _rel(products, path),
                     "activities": _rel(activities, path), "staff": _rel(staff, path)},
            "fact_find": _rel(ff_path, path),
            "as_of": as_of,
            "advisor": str(advisor),
            "bank_name": "样例商业银行",
            "branch_name": net.branch_names.get(branch_id, branch_id),
            "language": "zh",
        }, "样例客户建议书参数（clientcare sample 生成）/ Sample client proposal params")
        client_params.append(path)
    _remove_stale(out / "fact_finds", _FACT_FIND_FILE, fact_finds)
    for branch_id, name in net.branch_names.items():
        path = params_dir / "branches" / f"{branch_id}.yaml"
        files = {"clients": clients_glob, "staff": staff, "products": products, "activities": activities,
                 **practice_files}
        _write_yaml(path, _branch_params(branch_id, name, path, files, net.end_period),
                    f"{name}样例参数（clientcare sample 生成）/ Sample branch params")
        branch_params.append(path)
    for folder, keep in ((params_dir / "branches", branch_params), (params_dir / "clients", client_params)):
        _remove_stale_params(folder, keep, _rel(clients_glob, folder / "x.yaml"))
    return {
        "period": net.end_period,
        "branches": len(net.branch_names),
        "client_rows": len(net.clients),
        "clients": [str(p) for p in snapshots],
        "staff": str(staff),
        "products": str(products),
        "activities": str(activities),
        **{k: str(p) for k, p in practice_files.items() if k != "fact_finds"},
        "fact_finds": [str(p) for p in fact_finds],
        "branch_params": [str(p) for p in branch_params],
        "client_params": [str(p) for p in client_params],
    }


def write_sample(out: str | Path, params_dir: str | Path | None = None, fmt: str = "auto",
                 **generate: Any) -> dict[str, Any]:
    """`clientcare sample`: generate a network (keyword arguments of generate_network) and write it."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return write_network(generate_network(**generate), out, params_dir=params_dir, fmt=fmt)
