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
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from toolkit.base.errors import InputError, Problem, RenderError
from toolkit.base.ids import path_under
from toolkit.engine.background import BackgroundCall
from toolkit.engine.lifecycle import ensure_parent_alive, work_dir
from toolkit.inputs.params import BranchParams, ClientParams, load_branch_params, load_client_params
from toolkit.report.text import page_labels, say

# A batch worker only renders: the tables and the analytics stack (pandas, pandera) are imported
# inside the functions that read data, never at the top of this module.

#: What the three report notebooks import: each renderer's kernel template imports it once, for all
#: its kernels (toolkit.engine.kernels is handed this list; it names no module above itself).
PRELOAD = ("pandas", "pyarrow.parquet", "matplotlib.figure", "matplotlib_inline.backend_inline",
           "toolkit.inputs.tables", "toolkit.inputs.factfind", "toolkit.branch.plan", "toolkit.client.proposal",
           "toolkit.report.branch_sections", "toolkit.report.proposal_sections", "toolkit.report.network_sections",
           "toolkit.report.files", "toolkit.report.sources",
           "toolkit.report.calendar_ics:warm")  # the calendars' time zone, built once for all kernels
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
BRANCH_FILES = ("branch_plan.html", "branch_plan.pdf", "branch_plan.ipynb", "summary.json", "visits.xlsx",
                "visits.ics", "forum_invitees.xlsx")


def notebook_path(name: str) -> Path:
    path = NOTEBOOKS / f"{name}.ipynb"
    if not path.is_file():
        raise InputError(Problem(str(path), "report notebook not found (is this a full checkout?)"))
    return path


# --- handing validated tables to the kernel -----------------------------------------------------


# --- the branch plan -----------------------------------------------------------------------------


def branch_dest(out_root: Path, period: str, branch_id: str) -> Path:
    """outputs/<period>/<branch_id>, resolved and proven to lie under out_root (toolkit.base.ids)."""
    return path_under(out_root, period, branch_id)


def _with_as_of(params: BranchParams, as_of: str, folder: Path) -> Path:
    """The validated params with the hand-out date of `--as-of`, as a params file in the work folder
    (data paths already absolute), so the kernel plans from the same day as this process."""
    path = folder / "branch_params_as_of.yaml"
    raw = params.model_copy(update={"as_of": dt.date.fromisoformat(as_of)}).model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _render_branch(params_path: Path, params: BranchParams, period: str, inputs_dir: Path,
                   formats: Sequence[str], out_root: Path, timeout: int, as_of: str | None = None) -> Path:
    """Render from a folder holding the branch's validated slice (`write_inputs(branch_slice(...))`);
    `as_of` (the hand-out date given on the command line) overrides the params'."""
    from toolkit.base.workdays import plan_month
    from toolkit.engine.render import render_notebook

    if as_of:
        params_path = _with_as_of(params, as_of, Path(inputs_dir))
    lang = params.language
    dest = branch_dest(out_root, period, params.branch_id)
    render_notebook(
        notebook_path("branch_plan"),
        {"params_path": str(Path(params_path).resolve()), "period": period, "inputs_dir": str(inputs_dir)},
        dest, "branch_plan", formats=formats, language=params.language, timeout=timeout, root=out_root,
        title=say("title.branch", lang, name=params.branch_name), labels=page_labels(lang),
        subtitle=say("title.branch_sub", lang, bid=params.branch_id, period=period, month=plan_month(period)),
        before_publish=ensure_parent_alive,  # in a batch worker: nothing published for a batch that died
    )
    return dest


def render_branch(params_path: str | Path, period: str | None = None, formats: Sequence[str] = ("html", "pdf"),
                  out_root: str | Path = "outputs", timeout: int = 600, as_of: str | None = None) -> Path:
    """Validate, then render one branch plan into outputs/<period>/<branch_id>/ (all files or none);
    `as_of`: the hand-out date (default: the params', else today in the plan month or its first day)."""
    warm_up()  # first thing: the kernel's imports run on another core while this process reads the data
    from toolkit.branch.plan import build_branch_plan
    from toolkit.inputs.books import branch_slice, load_branch_inputs, write_inputs

    params = load_branch_params(params_path, {"as_of": as_of} if as_of else None)
    inputs = load_branch_inputs(params, branch_only=True)  # its rows only (CONTRACT §1: the rows a run uses)
    plan = build_branch_plan(params, inputs, period)  # any input problem surfaces here, before a kernel
    with work_dir(out_root, "inputs") as tmp:  # under the output root, never the system temp folder
        write_inputs(branch_slice(inputs, params.branch_id), tmp)
        return _render_branch(Path(params_path), params, plan.analytics.period, tmp, formats,
                              Path(out_root), timeout, as_of)


def warm_up() -> None:
    """Start this process's kernel template (toolkit.engine.kernels) before the slow part of a command.

    Also freezes the heap at exit: the garbage collector's last passes over a heap holding
    pandas, WeasyPrint and Jupyter take about half a second, a tenth of a proposal's time.
    Everything this process writes is closed before then."""
    from toolkit.engine.kernels import warm_up as start_template

    start_template(PRELOAD)
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
#: What a proposal notebook imports, for its kernel template: PRELOAD less the branch
#: plan's and the network's modules, which a proposal never imports (~0.15 s less before its kernel).
_NOT_IN_PROPOSALS = ("toolkit.branch.plan", "toolkit.report.branch_sections", "toolkit.report.network_sections",
                     "toolkit.report.calendar_ics:warm")


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


def _raise_book_problems(full_check: BackgroundCall, timeout: float) -> None:
    found = [p for problems in full_check.result(timeout).values() for p in problems]
    if found:
        raise InputError(found)


def render_proposal(params_path: str | Path | None, *, fact_find: Path | None = None, client_id: str | None = None,
                    clients: Sequence[Path] = (), products: Path | None = None, activities: Path | None = None,
                    as_of: str | None = None, formats: Sequence[str] = ("html", "pdf"),
                    out_root: str | Path = "outputs", timeout: int = 600) -> Path:
    """Validate, then render one proposal into outputs/clients/<client_id>/<as_of>/."""
    from toolkit.engine.kernels import warm_up as start_template

    # First thing: the kernel's imports run on another core meanwhile.
    start_template(tuple(m for m in PRELOAD if m not in _NOT_IN_PROPOSALS))
    warm_up()
    with work_dir(out_root, "proposal") as tmp_path:  # client data stays under the output root
        if params_path is None:
            params_path = _client_params_from_options(fact_find, str(client_id), clients, products, activities,
                                                      as_of, tmp_path)
        params = load_client_params(params_path, {"as_of": as_of} if as_of else None)
        # before the fork, so that the child starts with pandas and the loaders imported
        from toolkit.inputs.books import book_problems

        full_check = BackgroundCall(book_problems, params)  # every row, on the other core
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
    from toolkit.inputs.books import (
        check_fact_find_client,
        load_client_tables,
        write_checked_fact_find,
        write_inputs,
    )
    from toolkit.inputs.factfind import load_fact_find

    book, shelf, acts, staff = load_client_tables(params, full_check)
    if staff is not None:  # only the advisor's own row goes to the kernel (their name and phone)
        staff = staff.loc[staff["staff_id"].astype(str) == str(params.advisor)].reset_index(drop=True)
    ff = load_fact_find(params.fact_find)
    check_fact_find_client(ff.client_id, params)
    day = params.as_of or dt.date.today()
    if book is not None:
        book = book.loc[book["client_id"].astype(str) == params.client_id].reset_index(drop=True)
    acts = acts.loc[acts["client_id"].astype(str) == params.client_id].reset_index(drop=True)
    inputs_dir = write_inputs(SimpleNamespace(clients=book, staff=staff, products=shelf, activities=acts),
                              tmp_path / "inputs")  # not BranchInputs: the analytics stack is not needed here
    write_checked_fact_find(ff, inputs_dir)
    lang = params.language
    dest = path_under(out_root, "clients", params.client_id, day.isoformat())  # proven inside out_root
    try:
        render_notebook(
            notebook_path("client_proposal"),
            {"params_path": str(params_path.resolve()), "inputs_dir": str(inputs_dir), "as_of": day},
            dest, "proposal", formats=formats, language=params.language, timeout=timeout, root=out_root,
            title=say("title.proposal", lang), labels=page_labels(lang), subtitle=say("title.proposal_sub", lang, cid=params.client_id, as_of=day.isoformat()),
            before_publish=lambda: _raise_book_problems(full_check, timeout),
        )
    except RenderError:
        _raise_book_problems(full_check, timeout)
        raise
    return dest


# --- the monthly batch ---------------------------------------------------------------------------


