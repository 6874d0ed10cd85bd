"""The tables a report reads, loaded once and handed on: a branch's book (every table its params
name, problems of all files together), one branch's slice of a shared book, the parquet hand-over
from the renderer to the kernel, and a proposal's tables (its client's rows, or the whole book).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from toolkit.base.errors import InputError, Problem
from toolkit.inputs.params import BranchParams, ClientParams
from toolkit.inputs.practices import load_corporate_clients, load_fact_find_assets, load_holdings
from toolkit.inputs.tables import load_activities, load_clients, load_products, load_staff

if TYPE_CHECKING:
    from toolkit.inputs.factfind import FactFind


@dataclass
class BranchInputs:
    """The tables a branch plan reads; a batch loads them once and hands each branch the same."""

    clients: pd.DataFrame
    staff: pd.DataFrame
    products: pd.DataFrame | None
    activities: pd.DataFrame
    #: Optional tables of the seed's practices (toolkit.inputs.practices); None when not given.
    corporate_clients: pd.DataFrame | None = None
    holdings: pd.DataFrame | None = None
    fact_find_assets: pd.DataFrame | None = None


#: The optional tables handed over with the four above (write_inputs, read_inputs, branch_slices).
PRACTICE_TABLES: tuple[str, ...] = ("corporate_clients", "holdings", "fact_find_assets")


def load_branch_inputs(params: BranchParams, branch_only: bool = False) -> BranchInputs:
    """Load every table the params name; problems of all files are reported together.

    branch_only: of the client book and the activities, only the rows a run of the params' branch
    uses (`toolkit.inputs.branch_rows`; `branch_slice` of the result is the result), as `clientcare
    profile` and `clientcare branch` need; the batch and the network read the whole book."""
    from toolkit.inputs.branch_rows import load_branch_clients, load_client_activities

    problems = []
    loaded: dict[str, Any] = {}
    steps = {
        "clients": lambda: (load_branch_clients(params.data.clients, params.branch_id) if branch_only
                            else load_clients(params.data.clients)),
        "staff": lambda: load_staff(params.data.staff),
        "products": lambda: load_products(params.data.products) if params.data.products else None,
        "activities": lambda: (load_client_activities(params.data.activities, _client_ids(loaded.get("clients")))
                               if branch_only else load_activities(params.data.activities)),
        "corporate_clients": lambda: load_corporate_clients(params.data.corporate_clients),
        "holdings": lambda: load_holdings(params.data.holdings),
        "fact_find_assets": lambda: load_fact_find_assets(params.data.fact_finds),
    }
    for name, step in steps.items():
        try:
            loaded[name] = step()
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return BranchInputs(**loaded)


def _client_ids(book: pd.DataFrame | None) -> set[str]:
    """The client ids of a loaded book (none when it failed to load: then only the headers are checked)."""
    return set() if book is None else set(book["client_id"].dropna().astype(str))


def write_inputs(inputs: BranchInputs | SimpleNamespace, folder: Path) -> Path:
    """Validated tables as parquet, for `read_inputs` in the kernel: clients, staff, products and
    activities attributes, each a frame or None."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("clients", "staff", "products", "activities", *PRACTICE_TABLES):
        frame = getattr(inputs, name, None)
        if frame is not None:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def read_inputs(folder: str | Path) -> BranchInputs:
    from toolkit.inputs.books import BranchInputs

    clients, staff, products, activities = read_tables(Path(folder), "clients", "staff", "products", "activities")
    extra = dict(zip(PRACTICE_TABLES, read_tables(Path(folder), *PRACTICE_TABLES), strict=True))
    return BranchInputs(clients=clients, staff=staff, products=products, activities=activities, **extra)


def read_tables(folder: Path, *names: str) -> list[pd.DataFrame | None]:
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
    branch costs a few array lookups instead of string comparisons over the whole book (the
    holdings and fact-find rows too: matching them by a set of ids took 1 s of a 20-branch batch)."""
    import numpy as np
    import pandas as pd

    from toolkit.inputs.books import BranchInputs

    book, acts = inputs.clients, inputs.activities
    client_code, client_ids = pd.factorize(book["client_id"])
    branch_code, branches = pd.factorize(book["branch_id"].astype("string"))
    acts_code = client_ids.get_indexer(acts["client_id"]) if len(acts) else np.empty(0, dtype=np.intp)
    # Practice tables hold ids as their own files typed them: matched as text, as a client's own rows are.
    as_text = pd.Index(np.asarray(client_ids.astype(str), dtype=object))
    by_client = {name: (table, as_text.get_indexer(table["client_id"].astype(str)))
                 for name in ("holdings", "fact_find_assets") if (table := getattr(inputs, name, None)) is not None}
    corporate = getattr(inputs, "corporate_clients", None)
    corporate_branch = None if corporate is None else corporate["branch_id"].astype(str).to_numpy()
    known = {str(b): k for k, b in enumerate(branches)}
    for branch_id in branch_ids:
        member = np.zeros(len(client_ids) + 1, dtype=bool)  # the extra last slot answers code -1 (missing)
        k = known.get(str(branch_id))
        if k is not None:
            member[client_code[branch_code == k]] = True
        practice = {name: table.loc[member[codes]].reset_index(drop=True) for name, (table, codes) in by_client.items()}
        yield branch_id, BranchInputs(
            clients=book.loc[member[client_code]].reset_index(drop=True), staff=inputs.staff,
            products=inputs.products, activities=acts.loc[member[acts_code]].reset_index(drop=True),
            corporate_clients=None if corporate is None else
            corporate.loc[corporate_branch == str(branch_id)].reset_index(drop=True),
            **practice)


#: The fact-find as `render_proposal` read and checked it, handed to the kernel with the tables.
CHECKED_FACT_FIND = "fact_find.pickle"


def write_checked_fact_find(ff: FactFind, folder: Path) -> None:
    """Pickled, not re-read: the kernel is this process's own child reading this process's private
    temporary folder, and reading the workbook again (openpyxl, pandera) costs it a tenth of a second."""

    (folder / CHECKED_FACT_FIND).write_bytes(pickle.dumps(ff, protocol=pickle.HIGHEST_PROTOCOL))


def read_checked_fact_find(folder: Path, source: str) -> FactFind | None:
    """The fact-find `render_proposal` checked, if it left one for this workbook."""

    path = folder / CHECKED_FACT_FIND
    if not path.is_file():
        return None
    ff = pickle.loads(path.read_bytes())
    return ff if Path(ff.source) == Path(source) else None


class RowCheck(Protocol):
    """A check of every row running elsewhere (toolkit.engine.background.BackgroundCall of `book_problems`)."""

    def result(self, timeout: float | None = None) -> dict[str, list[Problem]]: ...


def load_client_tables(params: ClientParams, full_check: RowCheck | None = None,
                        ) -> tuple[pd.DataFrame | None, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """(the book or None, the shelf, the activities, the staff or None), every problem at once.

    With `full_check` (`book_problems` running in a child process, from `render_proposal`), only
    the client's own rows of the book and activities are read here, which is all a proposal shows;
    the child reads and checks every row meanwhile, as CONTRACT §1 asks, and its problems are the
    ones reported for those two tables. Without it, the whole tables are read and checked here."""
    from toolkit.inputs.tables import load_activities, load_clients, load_products, load_staff

    client_id = params.client_id if full_check is not None else None
    out, problems = each_table({
        "clients": lambda: load_clients(params.data.clients, client_id) if params.data.clients else None,
        "products": lambda: load_products(params.data.products),
        "activities": lambda: load_activities(params.data.activities, client_id),
        "staff": lambda: load_staff(params.data.staff) if params.data.staff else None})
    if problems and full_check is not None:
        problems.update(full_check.result())
    found = [p for name in out for p in problems.get(name, [])]
    if found:
        raise InputError(found)
    return tuple(out.values())


def each_table(loads: dict[str, Callable[[], Any]]) -> tuple[dict[str, Any], dict[str, list[Problem]]]:
    """Every table loaded (None where it failed) and each failed table's problems, by name."""
    out: dict[str, Any] = {}
    problems: dict[str, list[Problem]] = {}
    for name, load in loads.items():
        try:
            out[name] = load()
        except InputError as exc:
            problems[name], out[name] = exc.problems, None
    return out, problems


def book_problems(params: ClientParams) -> dict[str, list[Problem]]:
    """Every problem in every row of the client book and the activities (run in a child process)."""
    from toolkit.inputs.tables import load_activities, load_clients

    _, problems = each_table({
        "clients": lambda: load_clients(params.data.clients) if params.data.clients else None,
        "activities": lambda: load_activities(params.data.activities)})
    return {name: problems.get(name, []) for name in ("clients", "activities")}


def check_fact_find_client(ff_client: str, params: ClientParams) -> None:
    if ff_client != params.client_id:
        raise InputError(Problem(params.fact_find, f"the fact-find is for client {ff_client}, but the params "
                                                   f"ask for client {params.client_id}", sheet="客户信息",
                                 column="client_id"))
