"""Rendering the three reports: a branch plan, a client proposal, and the monthly batch.

Every input is validated here, in the calling process, before a kernel starts: a user's mistake
is an InputError (exit 2) and outputs/ is not touched. The validated tables are handed to the
notebook as parquet, so the kernel neither re-reads the bank's exports nor re-checks them, and a
batch reads each monthly export once for all branches.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import yaml

from toolkit.base.errors import InputError, Problem, RenderError
from toolkit.base.ids import path_under
from toolkit.base.periods import last_closed_month, parse_period
from toolkit.engine.background import BackgroundCall
from toolkit.engine.lifecycle import batch_lock, ensure_parent_alive, make_work_dir, sweep, work_dir
from toolkit.inputs.params import BranchParams, ClientParams, load_branch_params, load_client_params

if TYPE_CHECKING:  # a batch worker only renders: it should not import the analytics stack
    import pandas as pd

    from toolkit.branch.plan import BranchInputs, BranchPlan
    from toolkit.inputs.factfind import FactFind

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
BRANCH_FILES = ("branch_plan.html", "branch_plan.pdf", "branch_plan.ipynb", "summary.json", "visits.xlsx",
                "visits.ics", "forum_invitees.xlsx")
_TITLES = {
    "zh": {"branch": "{name}客户维护计划", "branch_sub": "机构号 {bid} · 数据期 {period} · 计划月 {month}",
           "proposal": "理财规划建议书", "proposal_sub": "客户号 {cid} · {as_of}",
           "network": "网点客户维护对比", "network_sub": "数据期 {period}"},
    "en": {"branch": "{name} client care plan", "branch_sub": "Branch {bid} · data {period} · plan month {month}",
           "proposal": "Financial planning proposal", "proposal_sub": "Client {cid} · {as_of}",
           "network": "Network comparison", "network_sub": "Period {period}"},
}


def notebook_path(name: str) -> Path:
    path = NOTEBOOKS / f"{name}.ipynb"
    if not path.is_file():
        raise InputError(Problem(str(path), "report notebook not found (is this a full checkout?)"))
    return path


# --- handing validated tables to the kernel -----------------------------------------------------
def write_inputs(inputs: BranchInputs | SimpleNamespace, folder: Path) -> Path:
    """Validated tables as parquet, for `read_inputs` in the kernel: clients, staff, products and
    activities attributes, each a frame or None."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("clients", "staff", "products", "activities"):
        frame = getattr(inputs, name)
        if frame is not None:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def read_inputs(folder: str | Path) -> BranchInputs:
    from toolkit.branch.plan import BranchInputs

    clients, staff, products, activities = _read_tables(Path(folder), "clients", "staff", "products", "activities")
    return BranchInputs(clients=clients, staff=staff, products=products, activities=activities)


def _read_tables(folder: Path, *names: str) -> list[pd.DataFrame | None]:
    """The tables `write_inputs` wrote into folder, by name (None for one it did not write)."""
    import pandas as pd

    return [pd.read_parquet(folder / f"{name}.parquet") if (folder / f"{name}.parquet").is_file() else None
            for name in names]


def branch_slice(inputs: BranchInputs, branch_id: str) -> BranchInputs:
    """Only what one branch's plan reads: every row of every client ever booked at the branch
    (so clients who moved in or out are followed), its activities, and the full staff list (to
    tell a maintainer who left from one at another branch)."""
    return next(branch_slices(inputs, [branch_id]))[1]


def branch_slices(inputs: BranchInputs, branch_ids: Sequence[str]) -> Iterator[tuple[str, BranchInputs]]:
    """`branch_slice` for many branches: client ids and branches are coded once, so each further
    branch costs a few array lookups instead of string comparisons over the whole book."""
    import numpy as np
    import pandas as pd

    from toolkit.branch.plan import BranchInputs

    book, acts = inputs.clients, inputs.activities
    client_code, client_ids = pd.factorize(book["client_id"])
    branch_code, branches = pd.factorize(book["branch_id"].astype("string"))
    acts_code = client_ids.get_indexer(acts["client_id"]) if len(acts) else np.empty(0, dtype=np.intp)
    known = {str(b): k for k, b in enumerate(branches)}
    for branch_id in branch_ids:
        member = np.zeros(len(client_ids) + 1, dtype=bool)  # the extra last slot answers code -1 (missing)
        k = known.get(str(branch_id))
        if k is not None:
            member[client_code[branch_code == k]] = True
        yield branch_id, BranchInputs(
            clients=book.loc[member[client_code]].reset_index(drop=True), staff=inputs.staff,
            products=inputs.products, activities=acts.loc[member[acts_code]].reset_index(drop=True))


# --- the branch plan -----------------------------------------------------------------------------
def load_plan(params_path: str | Path, period: str | None = None, inputs_dir: str | Path | None = None) -> BranchPlan:
    """The plan a branch notebook shows: from pre-validated parquet when the renderer gave it."""
    from toolkit.branch.plan import build_branch_plan

    params = load_branch_params(params_path)
    inputs = read_inputs(inputs_dir) if inputs_dir else None
    return build_branch_plan(params, inputs, period)


def branch_dest(out_root: Path, period: str, branch_id: str) -> Path:
    """outputs/<period>/<branch_id>, resolved and proven to lie under out_root (toolkit.base.ids)."""
    return path_under(out_root, period, branch_id)


def _render_branch(params_path: Path, params: BranchParams, period: str, inputs_dir: Path,
                   formats: Sequence[str], out_root: Path, timeout: int) -> Path:
    """Render from a folder holding the branch's validated slice (`write_inputs(branch_slice(...))`)."""
    from toolkit.base.workdays import plan_month
    from toolkit.engine.render import render_notebook

    t = _TITLES[params.language]
    dest = branch_dest(out_root, period, params.branch_id)
    render_notebook(
        notebook_path("branch_plan"),
        {"params_path": str(Path(params_path).resolve()), "period": period, "inputs_dir": str(inputs_dir)},
        dest, "branch_plan", formats=formats, language=params.language, timeout=timeout, root=out_root,
        title=t["branch"].format(name=params.branch_name),
        subtitle=t["branch_sub"].format(bid=params.branch_id, period=period, month=plan_month(period)),
        before_publish=ensure_parent_alive,  # in a batch worker: nothing published for a batch that died
    )
    return dest


def render_branch(params_path: str | Path, period: str | None = None, formats: Sequence[str] = ("html", "pdf"),
                  out_root: str | Path = "outputs", timeout: int = 600) -> Path:
    """Validate, then render one branch plan into outputs/<period>/<branch_id>/ (all files or none)."""
    warm_up()  # first thing: the kernel's imports run on another core while this process reads the data
    from toolkit.branch.plan import build_branch_plan, load_branch_inputs

    params = load_branch_params(params_path)
    inputs = load_branch_inputs(params)
    plan = build_branch_plan(params, inputs, period)  # any input problem surfaces here, before a kernel
    with work_dir(out_root, "inputs") as tmp:  # under the output root, never the system temp folder
        write_inputs(branch_slice(inputs, params.branch_id), tmp)
        return _render_branch(Path(params_path), params, plan.analytics.period, tmp, formats,
                              Path(out_root), timeout)


def warm_up() -> None:
    """Start this process's kernel template (toolkit.engine.kernels) before the slow part of a command.

    Also freezes the heap at exit: the garbage collector's last passes over a heap holding
    pandas, WeasyPrint and Jupyter take about half a second, a tenth of a proposal's time.
    Everything this process writes is closed before then."""
    from toolkit.engine.kernels import warm_up as start_template

    start_template()
    if not _exit_hook:
        _exit_hook.append(atexit.register(gc.freeze))


_exit_hook: list[object] = []


def warm_worker() -> None:
    """A batch worker's warm-up: the kernel template, then the converters (imports, fonts); then
    everything loaded so far leaves the garbage collector's view (`gc.freeze`), so that its passes
    during each report walk only that report's objects."""
    from toolkit.engine.render import warm_converters

    warm_up()
    warm_converters(("html", "pdf"))
    gc.collect()
    gc.freeze()


# --- the client proposal -------------------------------------------------------------------------
#: What a proposal notebook imports, for its kernel template: toolkit.engine.kernels.PRELOAD less the branch
#: plan's and the network's modules, which a proposal never imports (~0.15 s less before its kernel).
_NOT_IN_PROPOSALS = ("toolkit.branch.plan", "toolkit.report.branch_sections", "toolkit.report.network_sections")


def _client_params_from_options(fact_find: Path, client_id: str, clients: Sequence[Path], products: Path,
                                activities: Path | None, as_of: str | None, folder: Path) -> Path:
    raw: dict[str, Any] = {
        "client_id": client_id, "fact_find": str(Path(fact_find).resolve()),
        "data": {"clients": [str(Path(c).resolve()) for c in clients], "products": str(Path(products).resolve())},
    }
    if activities:
        raw["data"]["activities"] = str(Path(activities).resolve())
    if as_of:
        raw["as_of"] = as_of
    path = folder / "client.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def load_proposal(params_path: str | Path, inputs_dir: str | Path | None = None, as_of: str | None = None):
    """The proposal a client notebook shows (toolkit.client.proposal.Proposal)."""
    from toolkit.client.proposal import build_proposal
    from toolkit.inputs.factfind import load_fact_find

    if Path(params_path).is_dir():
        found = sorted(Path(params_path).glob("*.yaml"))
        if not found:
            raise InputError(Problem(str(params_path), "no client params files (*.yaml) in this folder"))
        params_path = found[0]
    params = load_client_params(params_path, {"as_of": as_of} if as_of else None)
    if inputs_dir:
        # not read_inputs: its BranchInputs would import the analytics stack into a proposal kernel
        book, products, activities = _read_tables(Path(inputs_dir), "clients", "products", "activities")
    else:
        book, products, activities = _load_client_tables(params)
    ff = _read_checked_fact_find(Path(inputs_dir), params.fact_find) if inputs_dir else None
    if ff is None:
        ff = load_fact_find(params.fact_find)
    _check_fact_find_client(ff.client_id, params)
    rows = None if book is None else book.loc[book["client_id"].astype(str) == params.client_id]
    return build_proposal(ff, products, params.as_of or dt.date.today(), settings=params.proposal,
                          thresholds=params.thresholds, visits=params.visits, client_rows=rows,
                          activities=activities, advisor=params.advisor, language=params.language)


#: The fact-find as `render_proposal` read and checked it, handed to the kernel with the tables.
CHECKED_FACT_FIND = "fact_find.pickle"


def _write_checked_fact_find(ff: FactFind, folder: Path) -> None:
    """Pickled, not re-read: the kernel is this process's own child reading this process's private
    temporary folder, and reading the workbook again (openpyxl, pandera) costs it a tenth of a second."""
    import pickle

    (folder / CHECKED_FACT_FIND).write_bytes(pickle.dumps(ff, protocol=pickle.HIGHEST_PROTOCOL))


def _read_checked_fact_find(folder: Path, source: str) -> FactFind | None:
    """The fact-find `render_proposal` checked, if it left one for this workbook."""
    import pickle

    path = folder / CHECKED_FACT_FIND
    if not path.is_file():
        return None
    ff = pickle.loads(path.read_bytes())
    return ff if Path(ff.source) == Path(source) else None


def _load_client_tables(params: ClientParams, full_check: BackgroundCall | None = None,
                        ) -> tuple[pd.DataFrame | None, pd.DataFrame, pd.DataFrame]:
    """(the book or None, the shelf, the activities), every problem at once.

    With `full_check` (`_book_problems` running in a child process, from `render_proposal`), only
    the client's own rows of the book and activities are read here, which is all a proposal shows;
    the child reads and checks every row meanwhile, as CONTRACT §1 asks, and its problems are the
    ones reported for those two tables. Without it, the whole tables are read and checked here."""
    from toolkit.inputs.tables import load_activities, load_clients, load_products

    client_id = params.client_id if full_check is not None else None
    out, problems = _each_table({
        "clients": lambda: load_clients(params.data.clients, client_id) if params.data.clients else None,
        "products": lambda: load_products(params.data.products),
        "activities": lambda: load_activities(params.data.activities, client_id)})
    if problems and full_check is not None:
        problems.update(full_check.result())
    found = [p for name in out for p in problems.get(name, [])]
    if found:
        raise InputError(found)
    return tuple(out.values())


def _each_table(loads: dict[str, Callable[[], Any]]) -> tuple[dict[str, Any], dict[str, list[Problem]]]:
    """Every table loaded (None where it failed) and each failed table's problems, by name."""
    out: dict[str, Any] = {}
    problems: dict[str, list[Problem]] = {}
    for name, load in loads.items():
        try:
            out[name] = load()
        except InputError as exc:
            problems[name], out[name] = exc.problems, None
    return out, problems


def _book_problems(params: ClientParams) -> dict[str, list[Problem]]:
    """Every problem in every row of the client book and the activities (run in a child process)."""
    from toolkit.inputs.tables import load_activities, load_clients

    _, problems = _each_table({
        "clients": lambda: load_clients(params.data.clients) if params.data.clients else None,
        "activities": lambda: load_activities(params.data.activities)})
    return {name: problems.get(name, []) for name in ("clients", "activities")}


def _raise_book_problems(full_check: BackgroundCall, timeout: float) -> None:
    found = [p for problems in full_check.result(timeout).values() for p in problems]
    if found:
        raise InputError(found)


def _check_fact_find_client(ff_client: str, params: ClientParams) -> None:
    if ff_client != params.client_id:
        raise InputError(Problem(params.fact_find, f"the fact-find is for client {ff_client}, but the params "
                                                   f"ask for client {params.client_id}", sheet="客户信息",
                                 column="client_id"))


def render_proposal(params_path: str | Path | None, *, fact_find: Path | None = None, client_id: str | None = None,
                    clients: Sequence[Path] = (), products: Path | None = None, activities: Path | None = None,
                    as_of: str | None = None, formats: Sequence[str] = ("html", "pdf"),
                    out_root: str | Path = "outputs", timeout: int = 600) -> Path:
    """Validate, then render one proposal into outputs/clients/<client_id>/<as_of>/."""
    from toolkit.engine.kernels import PRELOAD
    from toolkit.engine.kernels import warm_up as start_template

    # First thing: the kernel's imports run on another core meanwhile.
    start_template(tuple(m for m in PRELOAD if m not in _NOT_IN_PROPOSALS))
    warm_up()
    with work_dir(out_root, "proposal") as tmp_path:  # client data stays under the output root
        if params_path is None:
            params_path = _client_params_from_options(fact_find, str(client_id), clients, products, activities,
                                                      as_of, tmp_path)
        params = load_client_params(params_path, {"as_of": as_of} if as_of else None)
        import toolkit.inputs.tables  # noqa: F401 - before the fork, so that the child starts with pandas imported

        full_check = BackgroundCall(_book_problems, params)  # every row, on the other core
        try:
            return _render_checked_proposal(params, Path(params_path), full_check, tmp_path, formats,
                                            Path(out_root), timeout)
        finally:
            full_check.cancel()


def _render_checked_proposal(params: ClientParams, params_path: Path, full_check: BackgroundCall, tmp_path: Path,
                             formats: Sequence[str], out_root: Path, timeout: int) -> Path:
    """Render from the client's rows; publish only once `full_check` found no problem in any row.

    A render that fails on data the check rejects reports the data problems (exit 2), not the render."""
    from toolkit.engine.render import render_notebook
    from toolkit.inputs.factfind import load_fact_find

    book, shelf, acts = _load_client_tables(params, full_check)
    ff = load_fact_find(params.fact_find)
    _check_fact_find_client(ff.client_id, params)
    day = params.as_of or dt.date.today()
    if book is not None:
        book = book.loc[book["client_id"].astype(str) == params.client_id].reset_index(drop=True)
    acts = acts.loc[acts["client_id"].astype(str) == params.client_id].reset_index(drop=True)
    inputs_dir = write_inputs(SimpleNamespace(clients=book, staff=None, products=shelf, activities=acts),
                              tmp_path / "inputs")  # not BranchInputs: the analytics stack is not needed here
    _write_checked_fact_find(ff, inputs_dir)
    t = _TITLES[params.language]
    dest = path_under(out_root, "clients", params.client_id, day.isoformat())  # proven inside out_root
    try:
        render_notebook(
            notebook_path("client_proposal"),
            {"params_path": str(params_path.resolve()), "inputs_dir": str(inputs_dir), "as_of": day},
            dest, "proposal", formats=formats, language=params.language, timeout=timeout, root=out_root,
            title=t["proposal"], subtitle=t["proposal_sub"].format(cid=params.client_id, as_of=day.isoformat()),
            before_publish=lambda: _raise_book_problems(full_check, timeout),
        )
    except RenderError:
        _raise_book_problems(full_check, timeout)
        raise
    return dest


# --- the monthly batch ---------------------------------------------------------------------------
def branch_job(params_path: str, period: str, formats: list[str], out_root: str, timeout: int,
               inputs_dir: str | None = None) -> list[str]:
    """One batch job (runs in a worker process): render a branch, return the files published."""
    if not inputs_dir:  # the batch could not pre-load this branch's data: validate it here, fully
        return [str(p) for p in sorted(render_branch(params_path, period, formats, out_root, timeout).iterdir())]
    params = load_branch_params(params_path)
    dest = _render_branch(Path(params_path), params, period, Path(inputs_dir), formats, Path(out_root), timeout)
    return [str(p) for p in sorted(dest.iterdir()) if p.is_file()]


def run_monthly(period: str | None = None, params_dir: str | Path = "params/branches", workers: int | None = None,
                resume: bool = False, formats: Sequence[str] = ("html", "pdf"), out_root: str | Path = "outputs",
                timeout: int = 600, progress: bool = True) -> Any:
    """Every branch's plan in parallel (one failure never stops the others), then the network
    comparison. Returns the batch Manifest (manifest.json in outputs/<period>/).

    The workers start (and import everything) while this process reads each distinct set of
    data files once and writes every branch its slice. One batch at a time per output root."""
    period = period or last_closed_month()
    try:
        parse_period(period)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    files = sorted(Path(params_dir).glob("*.yaml")) + sorted(Path(params_dir).glob("*.yml"))
    if not files:
        raise InputError(Problem(str(params_dir), "no branch params files (*.yaml) in this folder"))
    out_root = Path(out_root).resolve()  # workers and the manifest must agree on every path
    with batch_lock(out_root):  # a second batch on this root exits 2 (BatchRunningError)
        return _run_monthly_locked(period, files, workers, resume, formats, out_root, timeout, progress)


def _run_monthly_locked(period: str, files: list[Path], workers: int | None, resume: bool, formats: Sequence[str],
                        out_root: Path, timeout: int, progress: bool) -> Any:
    """`run_monthly` holding the root's lock; first it sweeps what a killed run left (`resume` redoes its work)."""
    from toolkit.branch.ranking import write_network
    from toolkit.engine.batch import run_batch
    from toolkit.engine.publish import sweep_folder

    warm_up()  # for the network notebook at the end
    period_dir = path_under(out_root, period)  # proven inside out_root, like every folder below it
    period_dir.mkdir(parents=True, exist_ok=True)
    sweep(out_root)
    sweep_folder(period_dir)
    staged = make_work_dir(out_root, "batch")  # every branch's slice of the client book
    shared: dict[str, Any] = {}

    def prepare() -> Iterator[Any]:
        from toolkit.branch.ranking import network_kpis
        from toolkit.engine.render import warm_converters_in_background

        yield from _batch_jobs(files, period, formats, out_root, timeout, staged, shared)
        # Every job is out; while the workers render: the converters and the network's KPIs.
        warm_converters_in_background(formats)
        if shared["books"]:
            try:
                shared["kpis"] = network_kpis(shared["books"], period, shared["names"])
            except Exception:  # noqa: BLE001 - computed again after the batch, which reports the failure
                shared.pop("kpis", None)

    try:
        manifest = run_batch(prepare, workers=workers, resume=resume, manifest_path=period_dir / "manifest.json",
                             timeout=timeout * 4, progress=progress, meta={"period": period},
                             warm_up="toolkit.commands.run:warm_worker")
        if shared.get("books"):
            status = {k: e.status for k, e in manifest.entries.items()}
            try:
                write_network(shared["books"], period, shared["names"], period_dir, status=status, formats=formats,
                              timeout=timeout, kpis=shared.get("kpis"))
                manifest.meta.pop("network_error", None)
            except Exception as exc:  # the branch plans stand; the comparison failure is reported
                manifest.meta["network_error"] = f"{type(exc).__name__}: {exc}"
            manifest.save()
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return manifest


def _data_key(params: BranchParams) -> tuple:
    return tuple(params.data.clients), params.data.staff, params.data.products, params.data.activities


def _batch_jobs(files: list[Path], period: str, formats: Sequence[str], out_root: Path, timeout: int,
                staged: Path, shared: dict[str, Any]) -> Iterator[Any]:
    """One job per params file, each yielded as soon as its slice is written (so it renders while
    the next is cut). Each distinct set of data files is read and checked once and cut into every
    branch's slice; a branch whose params or data are broken still gets a job (yielded last),
    which reloads them and fails with the full report. Fills shared["books"] (each data set with
    the params that read it) and shared["names"] (branch id -> name) for the network comparison."""
    from toolkit.branch.plan import load_branch_inputs
    from toolkit.engine.batch import Job

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
        groups.setdefault(_data_key(params_of[path]), []).append((path, params_of[path]))
    seen: set[str] = set()

    def job(path: Path, inputs_dir: Path | None = None) -> Any:
        params = params_of[path]
        job_id = params.branch_id if params is not None else path.stem
        kwargs: dict[str, Any] = {"params_path": str(path.resolve()), "period": period, "formats": list(formats),
                                  "out_root": str(out_root.resolve()), "timeout": timeout}
        if inputs_dir is not None:
            kwargs["inputs_dir"] = str(inputs_dir)
        if job_id in seen:
            job_id = f"{job_id}:{path.name}"
        seen.add(job_id)
        # Only looked up (resume): a job id may be "B001:b.yaml" or a broken file's stem; the job
        # itself writes through branch_dest, which proves its folder lies under out_root.
        files_expected = tuple(str(out_root / period / job_id / f) for f in BRANCH_FILES
                               if f.rsplit(".", 1)[-1] in (*formats, "ipynb", "json", "xlsx", "ics"))
        return Job(id=job_id, target="toolkit.commands.run:branch_job", kwargs=kwargs, files=files_expected)

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
