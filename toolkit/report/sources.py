"""What a report notebook calls to get its one model: the branch plan or the proposal, built from
the renderer's pre-validated tables when it handed them over, else from the params' files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.base.errors import InputError, Problem
from toolkit.inputs.books import (
    check_fact_find_client,
    load_client_tables,
    read_checked_fact_find,
    read_inputs,
    read_tables,
)
from toolkit.inputs.params import load_branch_params, load_client_params

if TYPE_CHECKING:
    from toolkit.branch.plan import BranchPlan


def load_plan(params_path: str | Path, period: str | None = None, inputs_dir: str | Path | None = None) -> BranchPlan:
    """The plan a branch notebook shows: from pre-validated parquet when the renderer gave it."""
    from toolkit.branch.plan import build_branch_plan

    params = load_branch_params(params_path)
    inputs = read_inputs(inputs_dir) if inputs_dir else None
    return build_branch_plan(params, inputs, period)


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
        book, products, activities, staff = read_tables(Path(inputs_dir), "clients", "products", "activities",
                                                        "staff")
    else:
        book, products, activities, staff = load_client_tables(params)
    ff = read_checked_fact_find(Path(inputs_dir), params.fact_find) if inputs_dir else None
    if ff is None:
        ff = load_fact_find(params.fact_find)
    check_fact_find_client(ff.client_id, params)
    rows = None if book is None else book.loc[book["client_id"].astype(str) == params.client_id]
    return build_proposal(ff, products, params.as_of or dt.date.today(), settings=params.proposal,
                          thresholds=params.thresholds, visits=params.visits, client_rows=rows,
                          activities=activities, advisor=params.advisor, language=params.language, staff=staff,
                          bank_name=params.bank_name, branch_name=params.branch_name)
