"""Printing a report page to PDF with WeasyPrint: CJK fonts as subsets, page numbers from the CSS,
report tables with a fixed layout estimated from their text, and the printing done in a forked
child where that is safe (see `html_to_pdf`).

Where the time goes (branch plan of 5,000 clients, see bench/README.md): the PDF's layout is the
largest part, so report tables are printed with a fixed layout whose column widths are estimated
here from their text (WeasyPrint's automatic layout measures every cell twice).
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import gc
import html
import json
import logging
import os
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Any

from toolkit.base.perf import gc_paused

log = logging.getLogger(__name__)


@functools.cache
def weasyprint() -> Any:
    """The weasyprint module, imported without the library search it would start.

    WeasyPrint opens each of its seven C libraries by trying the names of several platforms in
    turn; on Linux the first three of each miss, and cffi asks `ctypes.util.find_library` about
    every miss, which runs ldconfig, gcc and ld: about fifty processes and 0.15 s at every import
    (a worker, a command, a proposal's cold start). The names that work here are the sonames
    dlopen resolves by itself, so the search is switched off while it imports. Where that leaves a
    library unfound (a platform that needs the search, or HarfBuzz's subsetter found only by it), it
    is imported again with the search."""
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint as module
        from weasyprint.text import ffi

        complete = ffi.harfbuzz_subset is not None  # optional to WeasyPrint, essential to our CJK PDFs
    except OSError:
        complete = False
    finally:
        ctypes.util.find_library = search
    if not complete:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        import weasyprint as module
    return module


@functools.cache
def _check_pdf_subsetter() -> None:
    weasyprint()
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is None:
        log.warning("HarfBuzz subsetter not found: PDFs with Chinese text will take several seconds each. "
                    "Install it with `sudo apt-get install libharfbuzz-subset0`.")


@functools.cache
def _font_config() -> Any:
    """One WeasyPrint font configuration per process. A new one (WeasyPrint's default, per
    document) builds a new Pango font map, which loads and measures the CJK fonts again: about
    0.4 s of every branch plan's PDF. Our pages declare no web fonts (@font-face), so nothing in
    it depends on the document."""
    weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(page: str, path: Path) -> Path:
    """Print a report page to an A4 PDF (fonts embedded as subsets, page numbers from the CSS).

    Without a base address, a relative link (the network's links to each branch plan) stays
    relative in the PDF, so a PDF reader resolves it beside the PDF wherever the folder is: in
    outputs/, copied to a share, or served by the portal. Our pages embed every image and style,
    so nothing else is fetched.

    Where it can (`_fork_safe`), the PDF is made in a child forked for it, which ends without
    tearing down: WeasyPrint's layout of a branch plan leaves about a million objects, many in
    reference cycles, and freeing them and the collector's pass over them took ~0.3 CPU s of every
    branch's ~3 s PDF. The child gets a warm process (fonts loaded, imports done) for free, and
    its memory goes back to the system at once."""
    _check_pdf_subsetter()
    printable = fixed_tables(without_screen_only(page))
    if _fork_safe():
        _write_in_child(printable, path)
    else:
        with gc_paused():
            _write_pdf(printable, path)
    return path


def _write_pdf(page: str, path: Path) -> None:
    weasyprint().HTML(string=page).write_pdf(str(path), font_config=_font_config())


def _fork_safe() -> bool:
    """Fork only a single-threaded process on Linux: a lock another thread held at the fork would
    stay held in the child (a Dask worker's threads, a command's background reads); there, and
    with CLIENTCARE_PDF_FORK=0, the PDF is made in this process."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1 \
        and os.environ.get("CLIENTCARE_PDF_FORK", "1") != "0"


def _write_in_child(page: str, path: Path) -> None:
    """`_write_pdf` in a forked child that leaves with os._exit; its error, if any, raised here
    (an OSError with its errno, so a full disk still reads as the machine's problem)."""
    from toolkit.engine.lifecycle import die_with_parent

    parent = os.getpid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: nothing here returns
        code = 0
        try:
            os.close(read_end)
            die_with_parent(parent)  # a killed worker leaves no PDF process behind
            gc.disable()  # it ends in a moment; its garbage goes with it
            _write_pdf(page, path)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, never raised here
            code = 1
            with contextlib.suppress(BaseException):
                os.write(write_end, json.dumps(_failure(exc)).encode("utf-8"))
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status == 0:
        return
    if report:
        raise _exception(json.loads(report))
    raise RuntimeError(f"the PDF process ended abnormally ({_ended(status)})")


def _failure(exc: BaseException) -> dict[str, Any]:
    return {"type": type(exc).__name__, "message": str(exc), "errno": getattr(exc, "errno", None),
            "strerror": getattr(exc, "strerror", None), "filename": getattr(exc, "filename", None)}


def _exception(report: dict[str, Any]) -> BaseException:
    """The child's error as this process's exception: its built-in type when it has one."""
    kind = getattr(builtins, str(report.get("type")), None)
    if isinstance(kind, type) and issubclass(kind, OSError) and report.get("errno") is not None:
        return kind(report["errno"], report.get("strerror") or report["message"], report.get("filename"))
    if isinstance(kind, type) and issubclass(kind, Exception):
        with contextlib.suppress(Exception):
            return kind(report["message"])
    return RuntimeError(f"{report.get('type')}: {report.get('message')}")


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


# --- fixed table layout for print -------------------------------------------------------------
#: Text width of an A4 page at our margins (180 mm), in ems of the 8.5 pt print table font.
PRINT_TABLE_EM = 60.0
_CELL_PAD_EM = 2.3  # 10 px padding on each side, plus a little slack so no estimate runs short
_NARROW = frozenset(",.:;'|!iljtf()[] ")
_BROAD = frozenset("MWmw%@")
_TABLE = re.compile(r'<table class="cc-table">(.*?)</table>', re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r'<t([hd]) class="([^"]*)">([^<]*)</t[hd]>')


def _text_em(text: str, bold: bool = False) -> tuple[float, float]:
    """(width of the text on one line, width of its longest unbreakable piece), in ems."""
    total = longest = word = 0.0
    for ch in html.unescape(text):
        if unicodedata.east_asian_width(ch) in "WFA":
            width, breakable = 1.0, True
        else:
            width, breakable = (0.3 if ch in _NARROW else 0.95 if ch in _BROAD else 0.6), ch == " "
        total += width
        word = 0.0 if breakable else word + width
        longest = max(longest, width if breakable else word)
    scale = 1.06 if bold else 1.0
    return total * scale, longest * scale


def _column_widths(body: str) -> list[float] | None:
    """Column widths in ems for one fmt.table body, or None to leave the table to WeasyPrint."""
    rows = [_CELL.findall(r) for r in _ROW.findall(body)]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        return None  # colspans ("no data") or foreign markup: automatic layout
    rigid, want, least = [], [], []
    for j in range(len(rows[0])):
        cells = [r[j] for r in rows]
        head = max((_text_em(t, bold=True)[0] for kind, _, t in cells if kind == "h"), default=0.0)
        sizes = [_text_em(t) for kind, _, t in cells if kind == "d"]
        wraps = not any(c in cells[-1][1].split() for c in ("num", "nw"))
        full = max([head, *(w for w, _ in sizes)]) + _CELL_PAD_EM
        rigid.append(not wraps)
        want.append(full)
        least.append(full if not wraps else max([head, *(p for _, p in sizes)]) + _CELL_PAD_EM)
    if sum(want) <= PRINT_TABLE_EM:
        return want
    room = PRINT_TABLE_EM - sum(least)
    slack = sum(w - m for w, m, r in zip(want, least, rigid, strict=True) if not r)
    if room < 0 or slack <= 0:
        return None
    return [w if r else m + (w - m) * room / slack for w, m, r in zip(want, least, rigid, strict=True)]


_SCREEN_ONLY = re.compile(r'<(div|h3|li)\b[^>]*\bclass="cc-screen-only"[^>]*>')


def without_screen_only(page: str) -> str:
    """The page without the elements it shows on screen only (`fmt.work_list`'s excerpts and their
    contents lines), which print hides anyway (`display: none`).

    WeasyPrint parses and styles a hidden element like any other before it lays nothing out: the
    seven excerpts' 490 table cells were a quarter of a branch plan's cells and ~0.2 CPU s of its
    PDF. Each element ends at its matching end tag (the toolkit's own markup; every input value in
    it is escaped text); one whose end is not found is left for the stylesheet to hide."""
    out, done = [], 0
    for match in _SCREEN_ONLY.finditer(page):
        if match.start() < done:
            continue  # inside an element already removed
        tag = match.group(1)
        tokens = re.compile(rf"<(/?){tag}\b[^>]*>")
        depth, end = 0, None
        for token in tokens.finditer(page, match.start()):
            depth += -1 if token.group(1) else 1
            if depth == 0:
                end = token.end()
                break
        if end is None:
            continue
        out.append(page[done:match.start()])
        done = end
    return "".join(out) + page[done:]


def fixed_tables(page: str) -> str:
    """Report tables with `table-layout: fixed` and column widths estimated from their text.

    Printing-only: WeasyPrint's automatic table layout lays every cell out twice (minimum and
    maximum width) before the real layout: about 15 % of a branch plan's PDF time. Widths here
    follow the same rules (numbers and short text never wrap, long text wraps), from character
    widths of the CJK font, so the printed table looks the same.
    """
    def fix(match: re.Match[str]) -> str:
        body = match.group(1)
        widths = _column_widths(body)
        if widths is None:
            return match.group(0)
        cols = "".join(f'<col style="width:{w:.2f}em">' for w in widths)
        body = body.replace("<thead>", f"<colgroup>{cols}</colgroup><thead>", 1)
        return f'<table class="cc-table" style="table-layout:fixed;width:{sum(widths):.2f}em">{body}</table>'

    return _TABLE.sub(fix, page)
