"""The network comparison's sections (the province view): the network's totals and trend, the
ranking on 保争挖抢培 with each branch's change since the last batch and a link to its plan, the
action load per branch, staff scorecards by class (分类考核) and each branch's tier mix.

The page is printed on A4 landscape (the ranking is wide). Its own tables are built here (a cell
may hold a link, or a rank or an amount under its value); the staff scorecards are summarised per role.
Staff names are masked unless the batch says mask_pii: false (CONTRACT §7).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from toolkit.base.schema import IN_SCOPE_TIERS
from toolkit.base.settings import Thresholds
from toolkit.branch.kpi import FIVE as KPI_FIVE
from toolkit.branch.kpi import KPI_KEYS
from toolkit.branch.network_kpi import ACTION_KEYS, TOTAL_ROWS, NetworkView, role_summary
from toolkit.branch.ranking import FIVE
from toolkit.report.charts_network import kpi_trend
from toolkit.report.fmt import DASH, Html, heading, integer, key_figures, money, number, paragraph, pct
from toolkit.report.privacy import mask_names
from toolkit.report.text import label, say, words

#: The page of network.pdf and the small styles of the ranking's cells (screen and print).
PAGE_STYLE = (
    "<style>@page { size: A4 landscape; }"
    ".cc-net td .cc-rk { display: block; font-size: 0.82em; color: #6b7280; white-space: nowrap; }"
    ".cc-net .cc-up { color: #15803d; } .cc-net .cc-down { color: #b91c1c; }"
    ".cc-net td.txt a { white-space: nowrap; }"
    # Headers may wrap (English ones are long): no table of this page runs past the page edge.
    ".cc-table thead th, .cc-table thead th.num { white-space: normal; }"
    # On a screen the page is as wide as the ranking needs; on a phone the tables and the chart
    # scroll sideways (the chart kept legible) instead of shrinking.
    "@media screen { .cc-titleblock, .cc-toc, .cc-report { max-width: 1240px; } }"
    "@media screen and (max-width: 760px) { .cc-figure img { max-width: none; width: 760px; } }"
    # Print: this page's own tables laid out fixed (equal columns, the branch a little wider): they
    # span the landscape width, and WeasyPrint lays a fixed table out once, not twice.
    "@media print { table.cc-wide { table-layout: fixed; width: 100%; } table.cc-wide th.cc-b { width: 11%; }"
    " .cc-table { font-size: 7.5pt; } .cc-table th, .cc-table td { padding: 3px 6px; }"
    # The headline cards repeat the totals table's figures: on paper the table alone, on one page.
    " .cc-kfs { display: none; } }</style>"
)
_TABLE = (
    '<table class="cc-table cc-net{% if wide %} cc-wide{% endif %}"><thead><tr>{% for css, head in heads %}<th class="{{ css }}">{{ head }}</th>'
    "{% endfor %}</tr></thead><tbody>{% for row in rows %}<tr>{% for cell in row %}"
    '<td class="{{ cell.css }}">{% if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>'
    "{% else %}{{ cell.text }}{% endif %}{% if cell.sub %}<span class=\"cc-rk {{ cell.sub_css }}\">{{ cell.sub }}"
    "</span>{% endif %}</td>{% endfor %}</tr>{% else %}<tr><td class=\"empty\" colspan=\"{{ span }}\">{{ empty }}"
    "</td></tr>{% endfor %}</tbody></table>"
)


@functools.cache
def _template() -> Any:
    from jinja2 import Environment, StrictUndefined

    return Environment(autoescape=True, undefined=StrictUndefined).from_string(_TABLE)


def _cell(text: str, css: str = "num", href: str | None = None, sub: str = "", sub_css: str = "") -> dict[str, Any]:
    return {"text": text, "css": css, "href": href, "sub": sub, "sub_css": sub_css}


def headers(language: str = "zh") -> dict[str, str]:
    """Column headers of the ranking table (toolkit.branch.ranking), tier columns included."""
    out = words("rank", language)
    for tier in IN_SCOPE_TIERS:
        out[f"clients_{tier}"] = say("rank_tier.clients", language, tier=label(tier, language))
        out[f"aum_{tier}"] = say("rank_tier.aum", language, tier=label(tier, language))
        out[f"rank_{tier}"] = ""
    return out


def status_word(status: object, language: str = "zh") -> str:
    """The batch status of a branch's plan (ok / failed / pending) in words."""
    if status is None or pd.isna(status) or not str(status):
        return DASH
    return say(f"network.status.{status}", language) if str(status) in ("ok", "failed", "pending") else str(status)


def plan_href(branch_id: object) -> str:
    """The branch plan's address relative to outputs/<period>/network.html."""
    return f"{quote(str(branch_id), safe='')}/branch_plan.html"


def change_text(change: object, language: str = "zh") -> tuple[str, str]:
    """A change of rank (positive: moved up) as text and its css class; '' when unknown."""
    if change is None or pd.isna(change):
        return "", ""
    n = int(change)
    if n > 0:
        return f"▲{n}", "cc-up"
    if n < 0:
        return f"▼{-n}", "cc-down"
    return say("network.same", language), ""


def style() -> list[Any]:
    """The page set-up (A4 landscape) and the ranking's cell styles; shown once, first."""
    return [Html(PAGE_STYLE)]


def _value(key: str, value: object, language: str, signed: bool = False) -> str:
    if key == "aum":
        return money(value, language) if not signed else (("+" if _pos(value) else "") + money(value, language))
    if key in ("clients", "new_clients", "net_growth"):
        return integer(value, signed=signed)
    if key == "products_per_client":
        return number(value) if not signed else ("+" if _pos(value) else "") + number(value)
    return pct(value, signed=signed) if not signed else _pp(value)


def _pos(value: object) -> bool:
    return value is not None and not pd.isna(value) and float(value) > 0  # type: ignore[arg-type]


def _pp(value: object) -> str:
    """A change of a rate in percentage points."""
    if value is None or pd.isna(value):
        return DASH
    return f"{float(value) * 100:+.1f}pp"  # type: ignore[arg-type]


def totals_labels(language: str = "zh", thresholds: Thresholds | None = None) -> dict[str, str]:
    """The row names of the totals: clients and AUM in scope, then the nine KPIs (`kpi.*`, the
    thresholds they quote filled in, as the branch plan names them)."""
    t = thresholds or Thresholds()
    quoted = {"n": t.coverage_min_lines, "p": f"{round(t.top_share * 100, 6):g}%"}
    return {"clients": say("network.total.clients", language), "aum": say("network.total.aum", language),
            **{k: say(f"kpi.{k}", language, **quoted) for k in KPI_KEYS}}


def overview(view: NetworkView, language: str = "zh") -> list[Any]:
    """The network's headline figures and its totals now, at the base period and the change."""
    t = view.totals
    names = totals_labels(language, view.thresholds)
    cards = []
    for key in ("clients", "aum", *(k.key for k in KPI_FIVE)):
        cur, chg = t.at[key, "current"], t.at[key, "change"]
        note = say("network.vs_base", language, change=_value(key, chg, language, signed=True), bp=view.base_period)
        cards.append((names[key], _value(key, cur, language), note))
    heads = [("txt", say("network.col.measure", language)),
             ("num", say("network.col.current", language, period=view.period)),
             ("num", say("network.col.base", language, bp=view.base_period)),
             ("num", say("network.col.change", language))]
    rows = [[_cell(names[k], "txt nw"), _cell(_value(k, t.at[k, "current"], language)),
             _cell(_value(k, t.at[k, "base"], language)), _cell(_value(k, t.at[k, "change"], language, signed=True))]
            for k in TOTAL_ROWS]
    return [heading(say("network.overview", language)),
            paragraph(say("network.overview_note", language, n=len(view.table), period=view.period,
                          bp=view.base_period, cmp=say(f"network.compare.{view.compare_to}", language))),
            key_figures(cards), _render(heads, rows, language, wide=False)]


def trend(view: NetworkView, language: str = "zh", drawn: str | None = None) -> list[Any]:
    """The network's five KPIs over the last twelve months, as a chart. drawn: that chart's PNG
    (`charts_network.kpi_trend_png` of the same view and language), when already drawn."""
    from IPython.display import Image

    chart = Image(data=Path(drawn).read_bytes(), format="png") if drawn else kpi_trend(view.trend, language)
    # The chart right under its heading (which never ends a page), the note under it as a caption.
    return [heading(say("network.trend", language)), chart, paragraph(say("network.trend_note", language))]


def _branch_cell(row: Any) -> dict[str, Any]:
    ok = getattr(row, "status", "ok") == "ok"
    return _cell(str(row.branch_name), "txt", plan_href(row.branch_id) if ok else None, sub=str(row.branch_id))


def ranking(view: NetworkView | pd.DataFrame, language: str = "zh") -> list[Any]:
    """The ranking: overall rank and its change, each KPI's value with its rank and change, the
    clients and AUM maintained and the report's status; the branch name links to its plan."""
    t = view.table if isinstance(view, NetworkView) else view
    head = headers(language)
    heads = [("num", head["overall_rank"]), ("txt cc-b", head["branch_name"])]
    heads += [("num", head[k]) for k, _, _ in FIVE]
    heads += [("num", head["mean_rank"]), ("num", head["current_clients"]), ("num", head["current_aum"])]
    if "status" in t:
        heads.append(("txt", head["status"]))
    rows = []
    for row in t.itertuples(index=False):
        sub, css = change_text(getattr(row, "change_overall_rank", None), language)
        cells = [_cell(integer(row.overall_rank), sub=sub, sub_css=css), _branch_cell(row)]
        for k, _, _ in FIVE:
            moved, css = change_text(getattr(row, f"change_rank_{k}", None), language)
            rank = say("network.rank_no", language, n=int(getattr(row, f"rank_{k}")))
            cells.append(_cell(pct(getattr(row, k)), sub=f"{rank} {moved}".strip(), sub_css=css))
        cells += [_cell(number(row.mean_rank)), _cell(integer(row.current_clients)),
                  _cell(money(row.current_aum, language))]
        if "status" in t:
            cells.append(_cell(status_word(row.status, language), "txt nw"))
        rows.append(cells)
    note = say("network.note", language)
    if isinstance(view, NetworkView):
        note += say("network.change_note", language, prev=view.previous_period) if view.previous_period \
            else say("network.no_previous", language)
    return [heading(say("network.ranking", language)), paragraph(note), _render(heads, rows, language)]


def _render(heads: list[tuple[str, str]], rows: list[list[dict[str, Any]]], language: str, wide: bool = True) -> Html:
    """One of this page's tables; a wide one spans the printed page (fixed layout)."""
    return Html(_template().render(heads=heads, rows=rows, span=len(heads), empty=say("fmt.no_data", language),
                                   wide=wide))


def action_load(view: NetworkView, language: str = "zh") -> list[Any]:
    """Per branch the work to push, the heaviest first; '—' where a branch's summary lacks a figure."""
    t = view.table
    cols = [c for c, _ in ACTION_KEYS]
    load = t[cols].astype("Float64")
    weight = load.drop(columns=["outflow_scheduled", "risk_expiring"]).fillna(0).sum(axis=1)
    order = t.assign(_w=weight.to_numpy()).sort_values(["_w", "overall_rank"], ascending=[False, True], kind="stable")
    heads = [("txt cc-b", say("rank.branch_name", language)), *(("num", say(f"network.load.{c}", language)) for c in cols)]
    rows = [[_branch_cell(row), *(_cell(load_text(c, getattr(row, c), language)) for c in cols)]
            for row in order.itertuples(index=False)]
    total = [_cell(say("network.total_row", language), "txt")]
    for c in cols:
        known = load[c].dropna()
        total.append(_cell(integer(known.sum()) if len(known) else DASH))
    rows.append(total)
    return [heading(say("network.load", language)), paragraph(say("network.load_note", language)),
            _render(heads, rows, language)]


def load_text(column: str, value: object, language: str = "zh") -> str:
    """One action-load figure: a count, or for forum_due (a flag) yes / no; '—' when unknown."""
    if value is None or pd.isna(value):
        return DASH
    if column == "forum_due":
        return say("fmt.yes" if int(value) else "fmt.no", language)  # type: ignore[call-overload]
    return integer(value)


def staff_columns(with_id: bool = True) -> list[str]:
    """The scorecard's columns as network.xlsx shows them (the HTML leaves out the staff id)."""
    return ["overall_rank", "name", *(["staff_id"] if with_id else []), "branch_name", *(k for k, _, _ in FIVE),
            "mean_rank", "current_clients", "current_aum"]


def staff_table(view: NetworkView) -> pd.DataFrame:
    """The scorecards with names masked when the batch masks personal data (CONTRACT §7)."""
    staff = view.staff
    if staff.empty or not view.mask_pii:
        return staff
    return staff.assign(name=mask_names(staff["name"]).astype("object"))


def staff_headers(language: str = "zh") -> dict[str, str]:
    return {**headers(language), **words("network.staff_col", language)}


def staff(view: NetworkView, language: str = "zh") -> list[Any]:
    """Staff scorecards by class, summarised: per role its head count, clients and AUM, the role's
    five KPIs pooled over its people, and who ranks first and last in it (everyone is in
    network.xlsx, one sheet per role)."""
    out: list[Any] = [heading(say("network.staff", language))]
    scores = staff_table(view)
    if scores.empty:
        return [*out, paragraph(say("network.staff_none", language))]
    roles = role_summary(scores)
    who = scores.set_index("staff_id")
    head = staff_headers(language)
    heads = [("txt", head["role"]), ("num", head["staff"]), ("num", head["current_clients"]),
             ("num", head["current_aum"]), *(("num", head[k]) for k, _, _ in FIVE),
             ("txt cc-b", head["first"]), ("txt cc-b", head["last"])]

    def person(staff_id: str) -> dict[str, Any]:
        return _cell(str(who.at[staff_id, "name"]), "txt", sub=str(who.at[staff_id, "branch_name"]))

    rows = [[_cell(label(str(role), language), "txt nw"), _cell(integer(r.staff)), _cell(integer(r.current_clients)),
             _cell(money(r.current_aum, language)), *(_cell(pct(getattr(r, k))) for k, _, _ in FIVE),
             person(r.first), person(r.last)] for role, r in zip(roles.index, roles.itertuples(), strict=True)]
    return [*out, paragraph(say("network.staff_note", language)), _render(heads, rows, language)]


def tiers(view: NetworkView | pd.DataFrame, language: str = "zh") -> list[Any]:
    """Each branch's in-scope clients per tier with their assets under them, the highest tier first."""
    t = view.table if isinstance(view, NetworkView) else view
    heads = [("txt cc-b", say("rank.branch_name", language)),
             *(("num", label(tier, language)) for tier in tier_order())]
    rows = [[_cell(str(row.branch_name), "txt", sub=str(row.branch_id)),
             *(_cell(integer(getattr(row, f"clients_{tier}")), sub=money(getattr(row, f"aum_{tier}"), language))
               for tier in tier_order())] for row in t.itertuples(index=False)]
    return [heading(say("network.tiers", language)), paragraph(say("network.tiers_note", language)),
            _render(heads, rows, language)]


def tier_order() -> tuple[str, ...]:
    """The tiers as the report and network.xlsx list them: the highest first."""
    return IN_SCOPE_TIERS[::-1]


def sections(view: NetworkView, language: str = "zh") -> list[Any]:
    """Every section in the report's order (the notebook shows them cell by cell)."""
    return [*style(), *overview(view, language), *trend(view, language), *ranking(view, language),
            *action_load(view, language), *staff(view, language), *tiers(view, language)]
