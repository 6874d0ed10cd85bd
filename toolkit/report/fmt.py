"""Number formatting and report tables for the notebooks.

Bank readers expect amounts in 万元 with thousands separators and percentages with one decimal;
pandas' default HTML (index, dtype noise, `NaN`, 1234567.891) is unreadable in a printed plan.
Every helper returns plain text or a small object with `_repr_html_`, so a notebook cell that
ends with `table(...)` shows a clean table in Jupyter, in the HTML report and in the PDF.

Names, districts, goals and notes come from input files: the HTML is built by small templates of
an autoescaping Jinja2 environment, so every value is text unless it is an `Html` fragment that
this module built itself. Report modules put text in `paragraph`, `callout`, `table`…, never in
an f-string of markup.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from numbers import Number
from typing import Any

import pandas as pd
from markupsafe import Markup

from toolkit.report.text import label, say

DASH = "—"
#: Text columns whose longest value has at most this many characters are kept on one line.
SHORT_TEXT = 14



def text(key: str, language: str = "zh") -> str:
    """A fixed phrase of the table helpers in the report language (toolkit.report.text)."""
    return say(f"fmt.{key}", language)


def _missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, Number) and math.isnan(x))  # type: ignore[arg-type]
    except TypeError:
        return False


def wan(x: Any, decimals: int = 2) -> str:
    """Yuan as 万元 with separators: 12_345_600 -> '1,234.56万'; missing -> '—'."""
    if _missing(x):
        return DASH
    return f"{float(x) / 10_000:,.{decimals}f}万"


def yuan(x: Any, decimals: int = 2, language: str = "zh") -> str:
    """Exact yuan: 12345.67 -> '12,345.67元' (zh) or '¥12,345.67' (en)."""
    if _missing(x):
        return DASH
    value = float(x)
    if language == "en":
        return f"-¥{-value:,.{decimals}f}" if value < 0 else f"¥{value:,.{decimals}f}"
    return f"{value:,.{decimals}f}元"


def money(x: Any, language: str = "zh") -> str:
    """A report amount: 万元 for Chinese readers, whole yuan with separators for English ones."""
    if language == "en":
        return yuan(x, decimals=0, language="en")
    return wan(x)


def money_short(x: Any, language: str = "zh") -> str:
    """A compact amount for chart labels: '1.23亿', '456.7万', '30万', '8,000' or '¥1.23m', '¥456.7k'."""
    if _missing(x):
        return DASH
    value = float(x)
    sign, value = ("-" if value < 0 else ""), abs(value)
    if language == "en":
        steps: tuple[tuple[float, str, int], ...] = ((1e9, "bn", 2), (1e6, "m", 2), (1e3, "k", 1))
    else:
        steps = ((1e8, "亿", 2), (1e4, "万", 1))
    prefix = "¥" if language == "en" else ""
    for size, suffix, dec in steps:
        if value >= size:
            scaled = round(value / size, dec)
            body = f"{scaled:,.{dec}f}".rstrip("0").rstrip(".") if scaled < 1000 else f"{scaled:,.0f}"
            return f"{sign}{prefix}{body}{suffix}"
    return f"{sign}{prefix}{value:,.0f}"


def pct(x: Any, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.1234 -> '12.3%'; missing -> '—'; signed adds '+'."""
    if _missing(x):
        return DASH
    return f"{float(x) * 100:{'+' if signed else ''}.{decimals}f}%"


def integer(x: Any, signed: bool = False) -> str:
    """A count with separators: 1234 -> '1,234'; missing -> '—'."""
    if _missing(x):
        return DASH
    return f"{round(float(x)):{'+' if signed else ''},d}"


def number(x: Any, decimals: int = 2) -> str:
    """A plain number with separators (ratios in months, scores); missing -> '—'."""
    if _missing(x):
        return DASH
    return f"{float(x):,.{decimals}f}"


class Html(Markup):
    """An HTML fragment that Jupyter (and so nbconvert) displays as HTML, not as a string.

    A `Markup`: the templates insert it as is, and anything joined to it with `+` or `format` is
    escaped. Wrap only markup the toolkit built itself, never text from an input."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # text/plain in the executed notebook: the markup, as before
        return str.__repr__(self)


#: The fragments, one template each; whitespace is literal, so they are written on one line.
_TEMPLATES = {
    "table": (
        '<table class="cc-table">{% if caption %}<caption>{{ caption }}</caption>{% endif %}'
        '<thead><tr>{% for css, head in heads %}<th class="{{ css }}">{{ head }}</th>{% endfor %}</tr></thead>'
        "<tbody>{% for row in rows %}<tr>{% for css, value in row %}"
        '<td class="{{ css }}">{{ value }}</td>{% endfor %}</tr>'
        '{% else %}<tr><td class="empty" colspan="{{ span }}">{{ empty }}</td></tr>{% endfor %}</tbody>'
        '</table>{% if note %}<p class="cc-note">{{ note }}</p>{% endif %}'
    ),
    "heading": "<h{{ level }}>{{ title }}</h{{ level }}>",
    "work_list": (
        '<h3 class="cc-screen-only">{{ title }}</h3><div class="cc-screen-only">{{ table }}</div>'
        '<p class="cc-print-only cc-note">{{ note }}</p>'
    ),
    "paragraph": (
        '{% if box %}<div class="{{ box }}">{% endif %}<p>{% if strong %}<strong>{{ strong }}</strong>'
        "{% endif %}{{ text }}</p>{% if box %}</div>{% endif %}"
    ),
    "callout": (
        '<div class="cc-callout cc-{{ kind }}">{% if title %}<strong>{{ title }}</strong> {% endif %}'
        "{{ message }}</div>"
    ),
    "list": '<ul class="cc-list">{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>',
    "key_figures": (
        '<div class="cc-kfs">{% for name, value, note in cards %}<div class="cc-kf">'
        '<div class="cc-kf-label">{{ name }}</div><div class="cc-kf-value">{{ value }}</div>'
        '{% if note %}<div class="cc-kf-note">{{ note }}</div>{% endif %}</div>{% endfor %}</div>'
    ),
}


@functools.cache
def _environment() -> Any:
    """The report's one Jinja environment: autoescaping (every value escaped unless Markup), strict."""
    from jinja2 import DictLoader, Environment, StrictUndefined

    return Environment(loader=DictLoader(_TEMPLATES), autoescape=True, undefined=StrictUndefined)


@functools.cache
def _compiled() -> dict[str, Any]:
    """This module's fragments, compiled."""
    env = _environment()
    return {name: env.get_template(name) for name in _TEMPLATES}


def compile_templates(templates: Mapping[str, str]) -> dict[str, Any]:
    """Another report module's templates compiled in the same autoescaping environment, so no module
    builds markup under other escaping rules (toolkit.report.proposal_doc)."""
    env = _environment()
    return {name: env.from_string(source) for name, source in templates.items()}


def render(name: str, **context: Any) -> Html:
    """One of this module's fragments with its values escaped (`Html` values go in as they are)."""
    return Html(_compiled()[name].render(**context))


# Compiled on import (~30 ms): the warm kernel template (toolkit.engine.kernels) imports this module, so
# every kernel forked from it starts with the templates ready.
_compiled()


def _cell_text(value: Any, language: str) -> str:
    if _missing(value):
        return DASH
    if isinstance(value, bool):
        return text("yes" if value else "no", language)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return number(value)
    if isinstance(value, int):
        return integer(value)
    return str(value)


def table(df: pd.DataFrame, money: Iterable[str] = (), pct: Iterable[str] = (), yuan: Iterable[str] = (),
          int_cols: Iterable[str] = (), codes: Iterable[str] = (), labels: Mapping[str, str] | None = None,
          language: str = "zh", caption: str | None = None, max_rows: int | None = None,
          columns: Sequence[str] | None = None, full_list: str | None = None) -> Html:
    """A clean `<table class="cc-table">`: formatted numbers right-aligned, no index, no dtype noise.

    money: yuan amounts shown as 万元 (zh) or whole yuan (en); yuan: exact yuan; pct: fractions;
    int_cols: counts; codes: canonical codes (tiers, roles, categories) shown as labels.
    Headers come from `labels`, else from the schema's label for the column name. Rows past
    `max_rows` are left out with a note saying how many there were (and, with `full_list`, where
    they all are).
    """
    kinds: dict[str, str] = {}
    for kind, cols in (("money", money), ("pct", pct), ("yuan", yuan), ("int", int_cols), ("code", codes)):
        for col in cols:
            kinds[col] = kind
    columns = list(columns) if columns is not None else list(df.columns)
    total = len(df)
    shown = df.iloc[:max_rows] if max_rows is not None else df
    formatted: dict[str, list[str]] = {}
    css: dict[str, str] = {}
    for col in columns:
        formatted[col], is_num = _format_column(shown[col], kinds.get(col), language)
        # Short text (names, tiers, districts) never wraps; Chinese would otherwise break
        # between any two characters once a long column squeezes the table.
        short = max((len(v) for v in formatted[col]), default=0) <= SHORT_TEXT
        css[col] = "num" if is_num else ("txt nw" if short else "txt")
    labels = labels or {}
    heads = [(css[c], labels.get(c, label(str(c), language))) for c in columns]
    classes = [css[c] for c in columns]
    rows = [list(zip(classes, values, strict=True))
            for values in zip(*(formatted[c] for c in columns), strict=True)] if columns else []
    note = (text("truncated", language).format(shown=max_rows, total=total)
            if max_rows is not None and total > max_rows else "")
    if note and full_list:
        note += text("full_list", language).format(where=full_list)
    return render("table", caption=caption, heads=heads, rows=rows, span=max(len(columns), 1),
                  empty=text("no_data", language), note=note)


def _format_column(values: pd.Series, kind: str | None, language: str) -> tuple[list[str], bool]:
    """Display strings for one column and whether it is numeric (right-aligned)."""
    items = values.tolist()
    if kind == "money":
        return [money(v, language) for v in items], True
    if kind == "yuan":
        return [yuan(v, language=language) for v in items], True
    if kind == "pct":
        return [pct(v) for v in items], True
    if kind == "int":
        return [integer(v) for v in items], True
    if kind == "code":
        return [DASH if _missing(v) else label(str(v), language) for v in items], False
    if pd.api.types.is_bool_dtype(values.dtype):
        return [_cell_text(v, language) for v in items], False
    if pd.api.types.is_integer_dtype(values.dtype):
        return [integer(v) for v in items], True
    if pd.api.types.is_float_dtype(values.dtype):
        return [number(v) for v in items], True
    return [_cell_text(v, language) for v in items], False


def heading(title: str, level: int = 2) -> Html:
    """A section heading produced from code (it joins the report's table of contents)."""
    return render("heading", title=title, level=min(max(int(level), 1), 6))


def work_list(title: str, rows: Html, print_note: str) -> Html:
    """A staff work list's first rows under their heading, on screen only; in print (the PDF, a
    browser's print) `print_note` stands in their place: how many rows, and which file has them.

    A printed plan is read by the branch president: its tables are the month's figures, the watch
    lists and what needs a decision (clients not scheduled, contact minimums missed); the first ten
    rows of a 600-visit schedule are nobody's list on paper. Each person's lists are in visits.xlsx
    and their calendar, and the report on screen keeps the excerpts (about a fifth of the PDF's
    time: 0.5 of 2.7 CPU s for a 5,000-client branch)."""
    return render("work_list", title=title, table=rows, note=print_note)


def paragraph(text_: str, strong: str | None = None, box: str | None = None) -> Html:
    """A paragraph of text, optionally led by a bold `strong` and wrapped in `<div class="box">`."""
    return render("paragraph", text=text_, strong=strong, box=box)


class MarkdownText(str):
    """Markdown that Jupyter (and so nbconvert) renders as Markdown."""

    def _repr_markdown_(self) -> str:
        return str(self)


def markdown(text_md: str) -> MarkdownText:
    """The toolkit's own Markdown wording shown as formatted text.

    nbconvert passes HTML inside Markdown through, so `<` and `&` are escaped (Markdown syntax
    still works, an HTML tag shows as text) unless `text_md` is an `Html`/`Markup` the toolkit
    built. Input text belongs in `paragraph` or `table`, not here. Unlike IPython's `Markdown`,
    a text that happens to be a URL or an existing path is shown, never fetched or read.
    """
    if isinstance(text_md, Markup):
        return MarkdownText(text_md)
    return MarkdownText(str(text_md).replace("&", "&amp;").replace("<", "&lt;"))


def callout(message: str, kind: str = "info", title: str | None = None) -> Html:
    """A highlighted box for what a reader must not miss: kind is info, warn or ok."""
    kind = kind if kind in {"info", "warn", "ok"} else "info"
    return render("callout", kind=kind, title=title, message=message)


def bullet_list(items: Iterable[str]) -> Html:
    """A plain list of short statements (warnings, reasons)."""
    return render("list", items=list(items))


def key_figures(items: Iterable[tuple[str, str] | tuple[str, str, str]]) -> Html:
    """A strip of headline numbers: (label, value) or (label, value, note) already formatted."""
    cards = [(name, value, rest[0] if rest else "") for name, value, *rest in items]
    return render("key_figures", cards=cards)


def show(items: Iterable[Any]) -> None:
    """Display a report section's items (headings, tables, figures) in order, from a notebook cell."""
    from IPython.display import display

    for item in items:
        display(item)
