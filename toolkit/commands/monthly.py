"""`clientcare monthly`: every branch's plan in worker processes, then the network comparison.

The workers start (and import everything) while this process reads each distinct set of data
files once and writes every branch its slice; one failed branch never stops the others.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.base.errors import InputError, Problem
from toolkit.base.ids import path_under
from toolkit.base.periods import CompareTo, parse_period, report_period
from toolkit.commands.run import BRANCH_FILES, _render_branch, notebook_path, render_branch, warm_up
from toolkit.engine.lifecycle import batch_lock, make_work_dir, sweep
from toolkit.inputs.params import BranchParams, load_branch_params
from toolkit.report.text import page_labels, say

if TYPE_CHECKING:
    from toolkit.branch.network_kpi import NetworkFigures
    from toolkit.inputs.books import BranchInputs


def branch_job(params_path: str, period: str, formats: list[str], out_root: str, timeout: int,
               inputs_dir: str | None = None, as_of: str | None = None) -> list[str]:
    """One batch job (runs in a worker process): render a branch, return the files published;
    `as_of`: the hand-out date of `--as-of` (else each branch's params / default)."""
    if not inputs_dir:  # the batch could not pre-load this branch's data: validate it here, fully
        return [str(p) for p in sorted(render_branch(params_path, period, formats, out_root, timeout,
                                                     as_of).iterdir())]
    params = load_branch_params(params_path, {"as_of": as_of} if as_of else None)
    dest = _render_branch(Path(params_path), params, period, Path(inputs_dir), formats, Path(out_root), timeout,
                          as_of)
    return [str(p) for p in sorted(dest.iterdir()) if p.is_file()]


def run_monthly(period: str | None = None, params_dir: str | Path = "params/branches", workers: int | None = None,
                resume: bool = False, formats: Sequence[str] = ("html", "pdf"), out_root: str | Path = "outputs",
                timeout: int = 600, progress: bool = True, scheduler: str | None = None,
                compare_to: CompareTo | None = None, as_of: str | None = None) -> Any:
    """Every branch's plan in parallel (one failure never stops the others), then the network
    comparison. Returns the batch Manifest (manifest.json in outputs/<period>/).

    compare_to: the base of the network view (previous_month / quarter_start / year_start;
    default: the branches' params). The branch plans keep their own params' base.

    scheduler: a Dask scheduler ("tcp://HOST:PORT") whose workers render the branches instead of
    local processes (`workers` is then not used); the slices they read are under out_root/.staging,
    so every worker must see out_root (and the params and input files) at the same path.

    The workers start (and import everything) while this process reads each distinct set of
    data files once and writes every branch its slice. One batch at a time per output root."""
    if scheduler is not None:
        from toolkit.engine.dask_runner import check_address

        scheduler = check_address(scheduler)  # exit 2 before anything is read or written
    period = report_period(period)
    try:
        parse_period(period)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    files = sorted(Path(params_dir).glob("*.yaml")) + sorted(Path(params_dir).glob("*.yml"))
    if not files:
        raise InputError(Problem(str(params_dir), "no branch params files (*.yaml) in this folder"))
    out_root = Path(out_root).resolve()  # workers and the manifest must agree on every path
    with batch_lock(out_root):  # a second batch on this root exits 2 (BatchRunningError)
        return _run_monthly_locked(period, files, workers, resume, formats, out_root, timeout, progress, scheduler,
                                   compare_to, as_of)


def _run_monthly_locked(period: str, files: list[Path], workers: int | None, resume: bool, formats: Sequence[str],
                        out_root: Path, timeout: int, progress: bool, scheduler: str | None = None,
                        compare_to: CompareTo | None = None, as_of: str | None = None) -> Any:
    """`run_monthly` holding the root's lock; first it sweeps what a killed run left (`resume` redoes its work)."""
    from toolkit.engine.batch import run_batch
    from toolkit.engine.publish import sweep_folder

    warm_up()  # for the network notebook at the end
    period_dir = path_under(out_root, period)  # proven inside out_root, like every folder below it
    period_dir.mkdir(parents=True, exist_ok=True)
    sweep(out_root)
    sweep_folder(period_dir)
    staged = make_work_dir(out_root, "batch")  # every branch's slice of the client book
    shared: dict[str, Any] = {"as_of": as_of}  # the hand-out date of --as-of, for every branch job

    def prepare() -> Iterator[Any]:
        from toolkit.branch.network_kpi import network_figures
        from toolkit.engine.render import warm_converters_in_background
        from toolkit.report.charts_network import kpi_trend_png

        yield from _batch_jobs(files, period, formats, out_root, timeout, staged, shared)
        # Every job is out; while the workers render: the converters and the network's figures.
        warm_converters_in_background(formats)
        if shared["books"]:
            try:
                figures = shared["figures"] = network_figures(shared["books"], period, shared["names"], compare_to)
                # the trend chart too: drawing it is a third of the network notebook's time
                shared["trend_png"] = kpi_trend_png(figures.trend, shared.get("language", "zh"))
            except Exception:  # noqa: BLE001 - computed again after the batch, which reports the failure
                shared.pop("figures", None)
                shared.pop("trend_png", None)

    try:
        manifest = run_batch(prepare, workers=workers, resume=resume, manifest_path=period_dir / "manifest.json",
                             timeout=timeout * 4, progress=progress, meta={"period": period},
                             warm_up="toolkit.commands.run:warm_worker", scheduler=scheduler)
        if shared.get("books"):
            status = {k: e.status for k, e in manifest.entries.items()}
            try:
                write_network(shared["books"], period, shared["names"], period_dir, status=status, formats=formats,
                              timeout=timeout, language=shared.get("language", "zh"), figures=shared.get("figures"),
                              compare_to=compare_to, mask_pii=shared.get("mask_pii"), trend_png=shared.get("trend_png"))
                manifest.meta.pop("network_error", None)
            except Exception as exc:  # the branch plans stand; the comparison failure is reported
                manifest.meta["network_error"] = f"{type(exc).__name__}: {exc}"
            manifest.save()
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return manifest


def _data_key(params: BranchParams) -> tuple:
    return (tuple(params.data.clients), params.data.staff, params.data.products, params.data.activities,
            params.data.corporate_clients, params.data.holdings, tuple(params.data.fact_finds))


def _batch_jobs(files: list[Path], period: str, formats: Sequence[str], out_root: Path, timeout: int,
                staged: Path, shared: dict[str, Any]) -> Iterator[Any]:
    """One job per params file, each yielded as soon as its slice is written (so it renders while
    the next is cut). Each distinct set of data files is read and checked once and cut into every
    branch's slice; a branch whose params or data are broken still gets a job (yielded last),
    which reloads them and fails with the full report. Fills shared["books"] (each data set with
    the params that read it) and shared["names"] (branch id -> name) for the network comparison."""
    from toolkit.engine.batch import Job
    from toolkit.inputs.books import branch_slices, load_branch_inputs, write_inputs

    params_of: dict[Path, BranchParams | None] = {}
    groups: dict[tuple, list[tuple[Path, BranchParams]]] = {}
    names: dict[str, str] = shared.setdefault("names", {})
    books: list[tuple[BranchParams, BranchInputs]] = shared.setdefault("books", [])
    for path in files:
        try:
            params_of[path] = load_branch_params(path)
        except InputError:
            params_of[path] = None
            continue
        names[params_of[path].branch_id] = params_of[path].branch_name
        # The network view masks staff names unless every branch's params say mask_pii: false, and
        # speaks the branches' language when they share one.
        shared["mask_pii"] = shared.get("mask_pii", False) or params_of[path].mask_pii
        shared.setdefault("languages", set()).add(params_of[path].language)
        shared["language"] = next(iter(shared["languages"])) if len(shared["languages"]) == 1 else "zh"
        groups.setdefault(_data_key(params_of[path]), []).append((path, params_of[path]))
    seen: set[str] = set()

    def job(path: Path, inputs_dir: Path | None = None) -> Any:
        params = params_of[path]
        job_id = params.branch_id if params is not None else path.stem
        kwargs: dict[str, Any] = {"params_path": str(path.resolve()), "period": period, "formats": list(formats),
                                  "out_root": str(out_root.resolve()), "timeout": timeout}
        if inputs_dir is not None:
            kwargs["inputs_dir"] = str(inputs_dir)
        if shared.get("as_of"):
            kwargs["as_of"] = shared["as_of"]
        if job_id in seen:
            job_id = f"{job_id}:{path.name}"
        seen.add(job_id)
        # Only looked up (resume): a job id may be "B001:b.yaml" or a broken file's stem; the job
        # itself writes through branch_dest, which proves its folder lies under out_root.
        files_expected = tuple(str(out_root / period / job_id / f) for f in BRANCH_FILES
                               if f.rsplit(".", 1)[-1] in (*formats, "ipynb", "json", "xlsx", "ics"))
        return Job(id=job_id, target="toolkit.commands.monthly:branch_job", kwargs=kwargs, files=files_expected)

    unread: list[Path] = [path for path in files if params_of[path] is None]
    for members in groups.values():
        try:
            loaded = load_branch_inputs(members[0][1])
        except InputError:
            unread += [path for path, _ in members]
            continue
        books.append((members[0][1], loaded))
        slices = branch_slices(loaded, [params.branch_id for _, params in members])
        for (path, params), (_, part) in zip(members, slices, strict=True):
            yield job(path, write_inputs(part, path_under(staged, f"{len(seen):04d}-{params.branch_id}")))
    for path in sorted(unread, key=files.index):
        yield job(path)


def write_network(books: Sequence[tuple[BranchParams, BranchInputs]], period: str, branches: dict[str, str],
                  period_dir: Path, status: dict[str, str] | None = None, formats: Sequence[str] = ("html",),
                  timeout: int = 600, language: str = "zh", figures: NetworkFigures | None = None,
                  compare_to: CompareTo | None = None, mask_pii: bool | None = None,
                  trend_png: bytes | None = None) -> list[Path]:
    """network.xlsx, network.json and network.html (plus .pdf when asked) in outputs/<period>/,
    published together only once all were produced; the executed network notebook is kept beside
    them for audit. The action load is read from the branches' summary.json in period_dir, the rank
    change from the last earlier period's network.json beside it. Everything is made in this run's
    own work folder under the output root (toolkit.engine.lifecycle), so two runs never share a
    staging folder. figures: `network_figures` of the same books, when already computed; trend_png:
    its trend chart (`kpi_trend_png`, in `language`), drawn while the branches rendered.

    network.xlsx and network.json are written while the notebook's kernel runs (a thread: the
    notebook's client mostly waits on the kernel), so the user waits for the longer of the two."""
    from toolkit.branch import network_kpi
    from toolkit.engine.lifecycle import work_dir
    from toolkit.engine.publish import publish_files
    from toolkit.engine.render import render_notebook
    from toolkit.report import network_files

    prev_period, previous = network_files.previous_ranks(period_dir.parent, period)
    view = network_kpi.network_view(books, period, branches, status=status,
                                    summaries=network_files.summaries_of(period_dir, branches),
                                    previous=previous, previous_period=prev_period, figures=figures,
                                    compare_to=compare_to, mask_pii=mask_pii)
    failed = period_dir / "_failed"
    with work_dir(period_dir.parent, "network") as work:
        data = network_files.save_view(view, work / "view")
        lang = language
        stage = work / "network"
        values: dict[str, Any] = {"table_path": str(data), "period": period}
        if trend_png is not None:
            values["trend_png"] = str(data.with_name("trend.png"))
            data.with_name("trend.png").write_bytes(trend_png)
        beside = work / "tables"  # render_notebook owns `stage`
        beside.mkdir()
        tables: dict[str, Any] = {}

        def write_tables() -> None:
            try:
                tables["files"] = [network_files.write_network_xlsx(view, beside / "network.xlsx", language),
                                   network_files.write_network_json(view, beside / "network.json")]
            except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread below
                tables["error"] = exc

        # A thread of its own, not a pool's: it ends with its work, usually long before the PDF, which
        # is then printed in a forked child (toolkit.engine.pdf: only in a single-threaded process).
        writer = threading.Thread(target=write_tables, name="clientcare-network-files", daemon=True)
        writer.start()
        try:
            files = render_notebook(notebook_path("network"), values, stage, "network", formats=formats,
                                    language=language, timeout=timeout, failed_dir=failed / "_network",
                                    title=say("title.network", lang), labels=page_labels(lang),
                                    subtitle=say("title.network_sub", lang, period=period))
        finally:
            writer.join()
        if "error" in tables:
            raise tables["error"]
        files += tables["files"]
        written = publish_files(files, period_dir)
    with contextlib.suppress(OSError):
        failed.rmdir()  # only if empty: an earlier failure of the comparison was resolved
    return written
