"""Charts: what every chart shares (matplotlib set-up, the CJK font, colours, words, PNG output).

The branch plan's charts are in `charts_branch`, the proposal's in `charts_client`.

Figures are built with `matplotlib.figure.Figure` directly, never pyplot: no global figure
registry to leak memory across a batch, no GUI backend, rendering through Agg. Inside a Jupyter
kernel a returned Figure is shown as a PNG at `DPI` (crisp on screen and in the PDF, and far
cheaper for WeasyPrint than SVG text outlines). A CJK font is required: without one every
Chinese label would be a row of boxes, so `setup()` fails loudly instead.
"""

from __future__ import annotations

import io
import math
import sys

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from toolkit.base.errors import ClientcareError
from toolkit.base.schema import ASSET_COLUMNS
from toolkit.report.fmt import money_short
from toolkit.report.text import say

DPI = 150
WIDTH = 7.2  # inches: the A4 text width at our margins
FONT_CANDIDATES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                   "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei")

INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
ACCENT, BASE = "#1d4ed8", "#b8c2d1"
GOOD, WARN, BAD = "#15803d", "#d97706", "#b91c1c"
TIER_COLORS = {"private_wealth": "#0b2e59", "wealth": "#1d4ed8", "potential_a": "#0f9d9a",
               "potential_b": "#65a30d", "basic": "#9ca3af", "out_of_scope": "#d1d5db"}
CATEGORY_COLORS = dict(zip(ASSET_COLUMNS, ("#60a5fa", "#1d4ed8", "#0f9d9a", "#7c3aed", "#65a30d",
                                           "#d97706", "#ca8a04", "#9ca3af"), strict=True))


class FontMissingError(ClientcareError):
    """No font with Chinese glyphs is installed, so charts cannot be drawn legibly."""


_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_font: str | None = None


def _t(key: str, language: str) -> str:
    """A chart's word in the report language (toolkit.report.text, keys `chart.*`)."""
    return say(f"chart.{key}", language)


def find_cjk_font() -> str:
    """The first installed font family of FONT_CANDIDATES; FontMissingError if there is none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in FONT_CANDIDATES:
        if name in installed:
            return name
    raise FontMissingError(
        "No Chinese font found for charts (looked for " + ", ".join(FONT_CANDIDATES) + "). "
        "Install one with `sudo apt-get install fonts-noto-cjk`, then delete matplotlib's font "
        f"cache in {matplotlib.get_cachedir()} and run again.")


def setup() -> str:
    """Configure matplotlib once (font, minus sign, style, notebook display); returns the font used."""
    global _font
    if _font is not None:
        return _font
    font = find_cjk_font()
    matplotlib.rcParams.update({
        "font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"],
        "axes.unicode_minus": False, "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold",
        "axes.labelsize": 9, "axes.edgecolor": MUTED, "axes.labelcolor": INK, "text.color": INK,
        "xtick.color": MUTED, "ytick.color": INK, "axes.spines.top": False, "axes.spines.right": False,
        "legend.frameon": False, "legend.fontsize": 8.5, "savefig.dpi": DPI, "figure.dpi": 100,
        # Names from the inputs are text: "$…$" in a staff or goal name is not maths to typeset.
        "text.parse_math": False,
    })
    _font = font
    return font


def _register_notebook_display() -> None:
    """Inside a kernel, show a returned Figure as a PNG at DPI. Done for every new figure, because
    importing pyplot anywhere installs matplotlib-inline's own (100 dpi) formatter over ours."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    shell.display_formatter.formatters["image/png"].for_type(Figure, to_png)


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at DPI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def _figure(height: float, width: float = WIDTH) -> Figure:
    setup()
    _register_notebook_display()
    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


def _empty(fig: Figure, language: str) -> Figure:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, _t("no_data", language), ha="center", va="center", color=MUTED, fontsize=11)
    return fig


def _money_axis(ax, axis: str, language: str) -> None:
    """Amount ticks: few of them, short labels, so they never collide on a narrow panel."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: money_short(v, language) if v else "0"))

def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out
