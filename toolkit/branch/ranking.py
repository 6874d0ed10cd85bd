"""The province branch's comparison (网点对比): every branch ranked on the five KPIs 保争挖抢培.

Branches differ in size, so growth is compared as rates: 抢 uses net growth over the base count.
Each KPI gives a rank (1 = best); the overall rank orders branches by their mean rank.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from toolkit.base.schema import IN_SCOPE_TIERS, label
from toolkit.branch.analytics import analyse_network
from toolkit.inputs.books import BranchInputs
from toolkit.inputs.params import BranchParams

#: The five KPIs as ranked: (key, 保争挖抢培 character, higher is better).
FIVE: tuple[tuple[str, str, bool], ...] = (
    ("churn_rate", "保", False),
    ("upgrade_rate", "争", True),
    ("product_coverage_rate", "挖", True),
    ("client_growth_rate", "抢", True),
    ("aum_growth", "培", True),
)
_HEAD = {
    "zh": {"branch_id": "机构号", "branch_name": "网点", "overall_rank": "综合排名", "mean_rank": "平均名次",
           "churn_rate": "保·流失率", "upgrade_rate": "争·升级率", "product_coverage_rate": "挖·产品覆盖率",
           "client_growth_rate": "抢·客户增长率", "aum_growth": "培·资产增长率", "current_clients": "维护对象数",
           "current_aum": "维护对象资产", "status": "报告状态"},
    "en": {"branch_id": "Branch id", "branch_name": "Branch", "overall_rank": "Overall rank", "mean_rank": "Mean rank",
           "churn_rate": "Keep: churn", "upgrade_rate": "Lift: upgrades", "product_coverage_rate": "Deepen: coverage",
           "client_growth_rate": "Win: client growth", "aum_growth": "Grow: AUM growth",
           "current_clients": "Maintained clients", "current_aum": "Maintained AUM", "status": "Report"},
}


def headers(language: str = "zh") -> dict[str, str]:
    """Column headers of the ranking, tier columns included."""
    out = dict(_HEAD[language])
    for tier in IN_SCOPE_TIERS:
        out[f"clients_{tier}"] = label(tier, language) + ("客户数" if language == "zh" else " clients")
        out[f"aum_{tier}"] = label(tier, language) + ("资产" if language == "zh" else " AUM")
        out[f"rank_{tier}"] = ""
    for key, char, _ in FIVE:
        out[f"rank_{key}"] = f"{char}名次" if language == "zh" else f"{_HEAD['en'][key].split(':')[0]} rank"
    return out


def rank_branches(table: pd.DataFrame) -> pd.DataFrame:
    """Add client_growth_rate, one rank per KPI (1 = best, missing values last) and the overall rank."""
    out = table.copy()
    base = out["base_clients"].astype("float64")
    out["client_growth_rate"] = (out["net_growth"].astype("float64") / base).where(base > 0)
    ranks = []
    for key, _, higher in FIVE:
        col = f"rank_{key}"
        out[col] = out[key].astype("float64").rank(ascending=not higher, method="min", na_option="bottom")
        ranks.append(col)
    out["mean_rank"] = out[ranks].mean(axis=1)
    out["overall_rank"] = out["mean_rank"].rank(method="min").astype("int64")
    for col in ranks:
        out[col] = out[col].astype("int64")
    return out.sort_values(["overall_rank", "current_aum"], ascending=[True, False], kind="stable")


def network_kpis(books: Iterable[tuple[BranchParams, BranchInputs]], period: str,
                 branches: dict[str, str]) -> pd.DataFrame:
    """Every batch branch's KPIs, tier counts and AUM at `period` (indexed by branch id): the costly
    part of the comparison, which does not depend on how the branch renders went."""
    frames = []
    for params, inputs in books:
        net = analyse_network(inputs.clients, inputs.staff, period, params.compare_to, params.thresholds)
        net.index = net.index.astype(str)
        frames.append(net.loc[net.index.isin(list(branches))])
    table = pd.concat(frames)
    return table[~table.index.duplicated()]


def network_table(books: Iterable[tuple[BranchParams, BranchInputs]], period: str,
                  branches: dict[str, str], status: dict[str, str] | None = None,
                  kpis: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every batch branch's KPIs, tier counts and AUM at `period`, ranked; `branches` maps id -> name.
    kpis: `network_kpis` of the same books, when already computed."""
    table = (network_kpis(books, period, branches) if kpis is None else kpis).copy()
    table.insert(0, "branch_name", [branches.get(b, b) for b in table.index])
    if status is not None:
        table["status"] = [status.get(b, "") for b in table.index]
    table.index.name = "branch_id"
    table.attrs = {}  # analyse_network's dates would not survive parquet, and the period is known here
    return rank_branches(table).reset_index()


def ranking_columns() -> list[str]:
    return ["overall_rank", "branch_id", "branch_name", *(k for k, _, _ in FIVE), "current_clients",
            "current_aum", "mean_rank"]


