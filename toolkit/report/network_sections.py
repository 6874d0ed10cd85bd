"""The network comparison's sections: the ranking on 保争挖抢培 and each branch's tier mix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.base.schema import IN_SCOPE_TIERS
from toolkit.branch.ranking import FIVE, network_table, ranking_columns
from toolkit.report.fmt import heading, paragraph, table
from toolkit.report.text import label, say, words


def headers(language: str = "zh") -> dict[str, str]:
    """Column headers of the ranking table (toolkit.branch.ranking), tier columns included."""
    out = words("rank", language)
    for tier in IN_SCOPE_TIERS:
        out[f"clients_{tier}"] = say("rank_tier.clients", language, tier=label(tier, language))
        out[f"aum_{tier}"] = say("rank_tier.aum", language, tier=label(tier, language))
        out[f"rank_{tier}"] = ""
    return out


def load_table(table_path: str | None, params_dir: str = "params/branches", period: str | None = None) -> pd.DataFrame:
    """The ranked table the batch wrote, or, run by hand, one computed from a params folder."""
    if table_path:
        return pd.read_parquet(table_path)
    from toolkit.base.periods import report_period
    from toolkit.inputs.books import load_branch_inputs
    from toolkit.inputs.params import load_branch_params

    params = [load_branch_params(p) for p in sorted(Path(params_dir).glob("*.yaml"))]
    books: dict[tuple, Any] = {}
    for p in params:
        key = (tuple(p.data.clients), p.data.staff)
        if key not in books:
            books[key] = (p, load_branch_inputs(p))
    return network_table(books.values(), report_period(period, params[0].period),
                         {p.branch_id: p.branch_name for p in params})


def ranking(table_: pd.DataFrame, language: str = "zh") -> list[Any]:
    cols = ranking_columns() + [f"rank_{k}" for k, _, _ in FIVE] + (["status"] if "status" in table_ else [])
    return [heading(say("network.ranking", language)), paragraph(say("network.note", language)),
            table(table_, columns=cols, pct=[k for k, _, _ in FIVE], money=("current_aum",),
                  int_cols=("overall_rank", "current_clients", *(f"rank_{k}" for k, _, _ in FIVE)),
                  labels=headers(language), language=language)]


def tiers(table_: pd.DataFrame, language: str = "zh") -> list[Any]:
    counts = [f"clients_{t}" for t in IN_SCOPE_TIERS[::-1]]
    money = [f"aum_{t}" for t in IN_SCOPE_TIERS[::-1]]
    return [heading(say("network.tiers", language)),
            table(table_, columns=["branch_id", "branch_name", *counts], int_cols=counts, labels=headers(language),
                  language=language),
            table(table_, columns=["branch_id", "branch_name", *money], money=money, labels=headers(language),
                  language=language)]

