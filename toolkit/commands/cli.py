"""The `clientcare` command (CONTRACT §6): a thin shell over the toolkit's Python API.

Exit codes: 0 success, 1 a batch finished with failures (or an internal error, or the machine
stopped the run: a read-only or full disk, missing permissions, said plainly and never called a
bug), 2 bad input or usage. A user's mistake is reported as a list of problems, never as a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from toolkit.base.errors import ClientcareError, EnvironmentProblem, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Clientcare: branch plans, client proposals and the monthly batch.")
template_app = typer.Typer(no_args_is_help=True, help="Write empty input workbooks.")
app.add_typer(template_app, name="template")
users_app = typer.Typer(no_args_is_help=True, help="Portal accounts (clientcare serve).")
app.add_typer(users_app, name="users")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn toolkit errors into a readable message and the contract's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:  # messages quote values such as [2027-01-10, …]: never rich markup
            err.print(f"[bold red]Input problem[/] — nothing was written.\n{escape(exc.report())}", highlight=False)
            raise typer.Exit(2) from None
        except EnvironmentProblem as exc:
            _environment_problem(exc)
        except ClientcareError as exc:
            err.print(f"[bold red]Failed:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("CLIENTCARE_DEBUG"):
                raise
            problem = EnvironmentProblem.of(exc)  # a read-only or full disk is no bug
            if problem is not None:
                _environment_problem(problem)
            err.print(f"[bold red]Internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                      "This is a bug in clientcare, not in your data. Rerun with CLIENTCARE_DEBUG=1 "
                      "for the traceback and report it.", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def _environment_problem(exc: EnvironmentProblem) -> None:
    """Exit 1 with a plain message about the machine: nothing is wrong with the data or the code."""
    err.print(f"[bold red]Environment problem:[/] {escape(str(exc))}\nThe disk or its permissions stopped "
              "the run, not your data: free some space, fix the permissions or choose another --out, then "
              "run again. Outputs published before are left as they were.", highlight=False)
    raise typer.Exit(1) from None


@app.command()
@_guarded
def sample(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the sample tables")] = Path("data/sample"),
    branches: Annotated[int, typer.Option(min=1, help="Number of branches")] = 3,
    clients_per_branch: Annotated[int, typer.Option(min=10, help="Clients per branch")] = 3000,
    months: Annotated[int, typer.Option(min=2, help="Month-end snapshots")] = 13,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data)")] = 42,
    params_dir: Annotated[Path | None, typer.Option(help="Where to write params files "
                                                          "(default: OUT/params)")] = None,
    end_period: Annotated[str | None, typer.Option(help="Last snapshot month, e.g. 2026-10 "
                                                        "(default: the last closed month)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto, csv, xlsx or parquet")] = "auto",
) -> None:
    """Write a realistic synthetic network: clients, staff, products, activities, fact-finds, params."""
    from toolkit.sample.generate import write_sample

    if fmt not in ("auto", "csv", "xlsx", "parquet"):
        raise InputError(f"--format must be auto, csv, xlsx or parquet, not {fmt!r}")
    _supported_option("--end-period", end_period)
    written = write_sample(out_dir, params_dir=params_dir, fmt=fmt, branches=branches,
                           clients_per_branch=clients_per_branch, months=months, seed=seed,
                           end_period=end_period)
    out.print(f"[green]Sample network written[/] to {out_dir}")
    for key, value in written.items():
        shown = value if not isinstance(value, list) else f"{len(value)} files"
        out.print(f"  {key}: {shown}", highlight=False)


@app.command()
@_guarded
def validate(files: Annotated[list[Path], typer.Argument(help="Input files or params files")]) -> None:
    """Check input files against the contract and list every problem."""
    from toolkit.base.errors import problem_count, problem_lines
    from toolkit.inputs.validate import validate_paths

    results = validate_paths(files)
    total = 0
    for file, (kind, problems) in results.items():
        total += len(problems)
        mark = "[green]ok[/]" if not problems else f"[red]{problem_count(problems):,} problem(s)[/]"
        out.print(f"{file} ({kind}): {mark}", highlight=False)
        for line in problem_lines(problems):  # beyond the cap, counts per column and kind
            out.print(line, highlight=False, markup=False)
    if total:
        raise typer.Exit(2)


@app.command()
@_guarded
def profile(
    params: Annotated[Path, typer.Argument(help="Branch params file")],
    period: Annotated[str | None, typer.Option(help="Month to report, e.g. 2026-11")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the summary as JSON here "
                                                                  "('-' for stdout)")] = None,
    network: Annotated[bool, typer.Option("--network", help="Every branch of the params' client files, ranked "
                                                            "(reads and checks only the columns it needs)")] = False,
) -> None:
    """Branch analytics only (no notebook): the branch summary of CONTRACT §7, or with --network the
    whole network's ranking on 保争挖抢培."""
    from toolkit.inputs.params import load_branch_params

    period = _id_option("--period", period, "a month like 2026-11")
    _supported_option("--period", period)
    bp = load_branch_params(params, {"period": period} if period else None)
    if network:
        from toolkit.commands.network_profile import network_json, network_profile

        ranked = network_profile(bp)
        if json_file is not None:
            return _write_json(network_json(ranked), json_file, "Network profile")
        return _print_network(ranked, bp.language)
    from toolkit.branch.plan import build_branch_plan
    from toolkit.inputs.books import load_branch_inputs
    from toolkit.report.summary import branch_summary

    summary = branch_summary(build_branch_plan(bp, load_branch_inputs(bp, branch_only=True)))
    if json_file is not None:
        return _write_json(summary, json_file, "Summary")
    _print_summary(summary)


def _write_json(data: dict[str, Any], json_file: Path, what: str) -> None:
    """`data` as JSON into `json_file` (atomically; '-': stdout)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if str(json_file) == "-":
        sys.stdout.write(text + "\n")
        return
    from toolkit.base.atomic import atomic_write_text

    if json_file.exists() and not json_file.is_file():  # /dev/null, a fifo: written, never replaced
        json_file.write_text(text + "\n", encoding="utf-8")
    else:
        atomic_write_text(json_file, text + "\n")
    out.print(f"{what} written to {json_file}")


def _print_network(ranked: Any, language: str) -> None:
    """The ranking as a table: overall rank, branch, the five KPIs as ranked, clients and AUM in 万元."""
    import pandas as pd

    from toolkit.branch.ranking import FIVE
    from toolkit.report.text import words

    head = words("rank", language)
    out.print(f"[bold]Network[/] period {ranked.attrs['period']} (base {ranked.attrs['base_period'] or '—'}), "
              f"{len(ranked)} branches", highlight=False)
    rows = []
    for row in ranked.to_dict("records"):
        name = row["branch_id"] if row["branch_name"] == row["branch_id"] else \
            f"{row['branch_name']} {row['branch_id']}"
        kpis = ["—" if pd.isna(row[key]) else f"{row[key]:.1%}" for key, _, _ in FIVE]
        rows.append([str(row["overall_rank"]), escape(str(name)), *kpis, f"{row['current_clients']:,}",
                     f"{row['current_aum'] / 1e4:,.0f}"])
    table = Table(title="KPIs 保争挖抢培", caption="  ".join(head[key] for key, _, _ in FIVE), box=box.SIMPLE_HEAD)
    headers = [head["overall_rank"], head["branch_name"], *(char for _, char, _ in FIVE), head["current_clients"],
               f"{head['current_aum']} (万元)"]
    for k, header in enumerate(headers):  # numbers never wrap (headers do)
        table.add_column(header, justify="left" if k == 1 else "right",
                         min_width=None if k == 1 else max((len(r[k]) for r in rows), default=1))
    for cells in rows:
        table.add_row(*cells)
    out.print(table)


def _print_summary(summary: dict[str, Any]) -> None:
    from toolkit.report.text import label

    out.print(f"[bold]{summary['branch_id']}[/] period {summary['period']} "
              f"(base {summary['base_period'] or '—'})")
    tiers = Table("tier", "clients", "AUM (万元)", title="Tiers 客户分层")
    for tier, row in summary["tiers"].items():
        tiers.add_row(f"{label(tier)} {tier}", f"{row['clients']:,}", f"{row['aum'] / 1e4:,.2f}")
    out.print(tiers)
    kpis = Table("KPI", "value", title="KPIs 保争挖抢培")
    for key, value in summary["kpi"].items():
        shown = "null" if value is None else (f"{value:.2%}" if "rate" in key or "share" in key or key ==
                                              "aum_growth" else f"{value:,.2f}".rstrip("0").rstrip("."))
        kpis.add_row(key, shown)
    out.print(kpis)
    watch = summary["watch"]
    out.print(f"Watch: {len(watch['outflow'])} outflow, {len(watch['upgrade_candidates'])} upgrade candidates")
    if summary.get("visits"):
        out.print(f"Visits: {summary['visits']['planned']} planned, "
                  f"{summary['visits']['due_unscheduled']} due but unscheduled")
    if summary.get("forum"):
        out.print(f"Forum: {summary['forum']['date']}, {summary['forum']['invitees']} invitees")
    for w in summary["warnings"]:
        out.print(f"[yellow]warning:[/] {w}", highlight=False)


@app.command()
@_guarded
def branch(
    params: Annotated[Path, typer.Argument(help="Branch params file")],
    period: Annotated[str | None, typer.Option(help="Month to report, e.g. 2026-11")] = None,
    formats: Annotated[str, typer.Option(help="Comma-separated: html,pdf")] = "html,pdf",
    out_root: Annotated[Path, typer.Option("--out", help="Output root")] = Path("outputs"),
    as_of: Annotated[str | None, typer.Option(
        help="Hand-out date, e.g. 2026-12-02: nothing is dated before it (default: today in the plan month, "
             "else its first day)")] = None,
) -> None:
    """Render the branch plan (HTML, PDF, executed notebook, summary.json and work lists)."""
    from toolkit.commands.run import render_branch

    period = _id_option("--period", period, "a month like 2026-11")
    _supported_option("--period", period)
    as_of = _id_option("--as-of", as_of, "a date like 2026-12-02")
    _supported_option("--as-of", as_of)
    _print_folder("Branch plan written", render_branch(params, period=period, formats=_formats(formats),
                                                       out_root=out_root, as_of=as_of))


@app.command()
@_guarded
def proposal(
    params: Annotated[Path | None, typer.Argument(help="Client params file")] = None,
    fact_find: Annotated[Path | None, typer.Option(help="Fact-find workbook (without a params file)")] = None,
    client_id: Annotated[str | None, typer.Option(help="Client id (without a params file)")] = None,
    clients: Annotated[list[Path] | None, typer.Option(help="Client book file(s)")] = None,
    products: Annotated[Path | None, typer.Option(help="Product shelf file")] = None,
    activities: Annotated[Path | None, typer.Option(help="Activities file (optional)")] = None,
    as_of: Annotated[str | None, typer.Option(help="Proposal date, e.g. 2026-12-01 (default today)")] = None,
    formats: Annotated[str, typer.Option(help="Comma-separated: html,pdf")] = "html,pdf",
    out_root: Annotated[Path, typer.Option("--out", help="Output root")] = Path("outputs"),
) -> None:
    """Render a client proposal (理财规划建议书) from a params file or from the options."""
    from toolkit.commands.run import render_proposal

    client_id = _id_option("--client-id", client_id, "a client id")
    as_of = _id_option("--as-of", as_of, "a date like 2026-12-01")
    _supported_option("--as-of", as_of)
    if params is None:
        missing = [n for n, v in (("--fact-find", fact_find), ("--client-id", client_id),
                                  ("--products", products)) if v is None]
        if missing:
            raise InputError("give a client params file, or " + ", ".join(missing))
    folder = render_proposal(params, fact_find=fact_find, client_id=client_id, clients=clients or [],
                             products=products, activities=activities, as_of=as_of,
                             formats=_formats(formats), out_root=out_root)
    _print_folder("Proposal written", folder)


@app.command()
@_guarded
def monthly(
    period: Annotated[str | None, typer.Option(help="Month to report (default: the last closed month)")] = None,
    params_dir: Annotated[Path, typer.Option(help="Folder of branch params files")] = Path("params/branches"),
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: cores)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Render only what is missing or failed")] = False,
    formats: Annotated[str, typer.Option(help="Comma-separated: html,pdf")] = "html,pdf",
    out_root: Annotated[Path, typer.Option("--out", help="Output root")] = Path("outputs"),
    timeout: Annotated[int, typer.Option(help="Seconds allowed per notebook")] = 600,
    scheduler: Annotated[str | None, typer.Option(
        help="Run the branches on this Dask scheduler's workers (tcp://HOST:PORT) instead of local processes; "
             "every worker must see the params, inputs and --out at the same paths")] = None,
    as_of: Annotated[str | None, typer.Option(
        help="Hand-out date of every branch plan, e.g. 2026-12-02 (default: each branch's params, else today "
             "in the plan month, else its first day)")] = None,
    compare_to: Annotated[str | None, typer.Option(
        "--compare-to", help="Base of the network comparison: previous_month, quarter_start or year_start "
                             "(default: the branches' params)")] = None,
) -> None:
    """Render every branch's plan, then the network comparison; exit 1 if any branch failed."""
    from toolkit.commands.monthly import run_monthly

    period = _id_option("--period", period, "a month like 2026-11")
    _supported_option("--period", period)
    as_of = _id_option("--as-of", as_of, "a date like 2026-12-02")
    _supported_option("--as-of", as_of)
    if compare_to not in (None, "previous_month", "quarter_start", "year_start"):
        raise InputError(f"--compare-to takes previous_month, quarter_start or year_start, not {compare_to!r}")
    manifest = run_monthly(period=period, params_dir=params_dir, workers=workers, resume=resume,
                           formats=_formats(formats), out_root=out_root, timeout=timeout, scheduler=scheduler,
                           as_of=as_of, compare_to=compare_to)  # type: ignore[arg-type]
    pending = [k for k, e in manifest.entries.items() if e.status == "pending"]
    out.print(f"{len(manifest.ok)} ok, {len(manifest.failed)} failed"
              + (f", {len(pending)} pending" if pending else "") + f"; manifest: {manifest.path}")
    for branch_id in manifest.failed:
        out.print(f"  [red]{branch_id}[/]: {manifest.entries[branch_id].error}", highlight=False)
    if manifest.meta.get("scheduler_error"):
        out.print(f"  [red]{escape(manifest.meta['scheduler_error'])}[/]; `--resume` finishes the batch "
                  f"(pending: {', '.join(pending) or 'none'})", highlight=False)
    network_error = manifest.meta.get("network_error")
    if network_error:
        out.print(f"  [red]network comparison failed[/]: {network_error}", highlight=False)
    if manifest.exit_code or network_error:
        raise typer.Exit(1)


@template_app.command("fact-find")
@_guarded
def template_fact_find(file: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")]) -> None:
    """Write the empty fact-find workbook (表1–表3 and goals) with drop-downs and an example row."""
    if file.suffix.lower() != ".xlsx":
        raise InputError(f"{file}: the fact-find template must be an .xlsx file")
    from toolkit.inputs.factfind_workbook import write_template

    write_template(file)
    out.print(f"Fact-find template written to {file}")


def _table_template(kind: str, file: Path) -> None:
    if file.suffix.lower() != ".xlsx":
        raise InputError(f"{file}: the {kind} template must be an .xlsx file")
    from toolkit.inputs.table_templates import write_table_template

    write_table_template(kind, file)
    out.print(f"{kind} template written to {file}")


@template_app.command("corporate-clients")
@_guarded
def template_corporate_clients(file: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")]) -> None:
    """Write the empty corporate clients table (对公客户: 客户号, 存款余额, 目标授信金额, 客户经理 …)."""
    _table_template("corporate-clients", file)


@template_app.command("holdings")
@_guarded
def template_holdings(file: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")]) -> None:
    """Write the empty holdings table (持有产品: 客户号, 产品代码 or 类别, 金额, 起始日, 到期日)."""
    _table_template("holdings", file)


_DB_HELP = "Portal database (default: <outputs>/.portal/portal.db)"


@app.command()
@_guarded
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (keep 127.0.0.1 behind a reverse proxy)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
    outputs: Annotated[Path, typer.Option(help="Output root the portal shows and writes proposals to")] = Path("outputs"),
    db: Annotated[Path | None, typer.Option(help=_DB_HELP)] = None,
    params_dir: Annotated[Path, typer.Option(help="Branch params files (where the client book is)")] = Path("params/branches"),
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="Session cookie over HTTPS only "
                                                 "(TLS terminated by the reverse proxy)")] = False,
) -> None:
    """Start the web portal: the month's plans and on-demand proposals behind a login."""
    from toolkit.commands.portal import serve as run_portal

    run_portal(host=host, port=port, outputs=outputs, db=db, params_dir=params_dir, secure_cookies=secure_cookies)


@users_app.command("add")
@_guarded
def users_add(
    name: Annotated[str, typer.Argument(help="User name")],
    role: Annotated[str, typer.Option(help="advisor, branch or province")],
    branch_id: Annotated[str | None, typer.Option("--branch", help="Branch id (advisor, branch)")] = None,
    staff_id: Annotated[str | None, typer.Option(help="Staff id, the 维护人 of the advisor's clients")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
    db: Annotated[Path | None, typer.Option(help=_DB_HELP)] = None,
    outputs: Annotated[Path, typer.Option(help="Output root (locates the default database)")] = Path("outputs"),
) -> None:
    """Add a portal account (the password is hashed with Argon2)."""
    from toolkit.commands.portal import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = add_user(name, role, password, branch_id=branch_id, staff_id=staff_id, db=db, outputs=outputs)
    out.print(f"User {user.name} added ({user.role})", highlight=False)


@users_app.command("list")
@_guarded
def users_list(
    db: Annotated[Path | None, typer.Option(help=_DB_HELP)] = None,
    outputs: Annotated[Path, typer.Option(help="Output root (locates the default database)")] = Path("outputs"),
) -> None:
    """List portal accounts."""
    from toolkit.commands.portal import list_users

    table = Table("name", "role", "branch", "staff id", "status")
    for u in list_users(db=db, outputs=outputs):
        table.add_row(escape(u.name), u.role, escape(u.branch_id or ""), escape(u.staff_id or ""),
                      "disabled" if u.disabled else "active")
    out.print(table)


@users_app.command("disable")
@_guarded
def users_disable(
    name: Annotated[str, typer.Argument(help="User name")],
    db: Annotated[Path | None, typer.Option(help=_DB_HELP)] = None,
    outputs: Annotated[Path, typer.Option(help="Output root (locates the default database)")] = Path("outputs"),
) -> None:
    """Disable a portal account and end its sessions."""
    from toolkit.commands.portal import disable_user

    disable_user(name, db=db, outputs=outputs)
    out.print(f"User {name} disabled", highlight=False)


def _print_folder(what: str, folder: Path) -> None:
    out.print(f"[green]{what}[/] to {folder}")
    for f in sorted(folder.iterdir()):
        out.print(f"  {f}", highlight=False)


def _id_option(option: str, value: str | None, expected: str) -> str | None:
    """An id given on the command line (it names an output folder) obeys the id rule of
    toolkit.base.ids, checked before anything starts; its finer shape is checked where it is used."""
    from toolkit.base.errors import Problem
    from toolkit.base.ids import ID_RULE, is_id, shown

    if value is None or is_id(value):
        return value
    raise InputError(Problem(option, f"expected {expected} ({ID_RULE}), never a path (got {shown(value)})"))


def _supported_option(option: str, value: str | None) -> None:
    """A month or date option outside the supported years (toolkit.base.periods.FIRST_YEAR..LAST_YEAR) is
    bad input, named with its option before anything starts: --as-of 9999-12-31 once failed inside
    the notebook. A date that is no date at all is left to the params check, which says so."""
    import datetime as dt

    from toolkit.base.errors import Problem
    from toolkit.base.periods import supported_date, supported_period

    if value is None:
        return
    try:
        if option == "--as-of":
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return
            supported_date(day, "as_of")
        else:
            supported_period(value)
    except ValueError as exc:
        raise InputError(Problem(option, str(exc))) from None


def _formats(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in items if f not in ("html", "pdf")]
    if bad or not items:
        raise InputError(f"--formats takes html and/or pdf, not {text!r}")
    return items


def main() -> None:
    app()
