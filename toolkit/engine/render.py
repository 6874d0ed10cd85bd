"""Execute a report notebook and publish it as HTML and PDF, all formats or none.

Papermill runs the notebook in a staging folder next to the destination (so the notebook's own
files, summary.json, visits.xlsx …, land there too), in a fresh kernel forked from a warm
template (toolkit.engine.kernels); nbconvert turns it into HTML with our template (no code, no prompts,
title block, table of contents); WeasyPrint prints that HTML to an A4 PDF with embedded CJK font
subsets and page numbers. Only when every format succeeded is the staging folder swapped into
place. WeasyPrint needs no LaTeX or browser; with HarfBuzz's subsetter (Debian:
libharfbuzz-subset0) a CJK PDF takes a fraction of a second instead of ~8 s.

The printing is toolkit.engine.pdf's (fixed table layouts, a forked child); the converters are
imported in a background thread while the kernel runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import json
import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from toolkit.base.errors import EnvironmentProblem, RenderError
from toolkit.base.ids import ensure_under
from toolkit.engine.pdf import _check_pdf_subsetter, _font_config, html_to_pdf, weasyprint
from toolkit.engine.publish import atomic_write_bytes, make_staging, publish_dir

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "clientcare"
FORMATS = ("html", "pdf")

#: The words of the page around a report (title block, contents, page numbers). The engine names no
#: words itself: the commands hand it these from the text layer (toolkit.report.text.page_labels);
#: without them a page reads "3 / 14" and has no captions.
PAGE_LABEL_KEYS = ("generated", "toc", "before", "middle", "after", "lang_code")
_NO_LABELS = {"generated": "", "toc": "", "before": "", "middle": " / ", "after": "", "lang_code": ""}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HEADING = re.compile(r"<h([23])(\s[^>]*)?>(.*?)</h\1>", re.S | re.I)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_PANDAS_STYLE = re.compile(r"<style scoped>.*?</style>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ID_ATTR = re.compile(r'\sid="[^"]*"')


def _plain(value: Any) -> Any:
    """Parameters as papermill can write them into a cell: paths and dates become strings."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


@functools.cache
def _exporter() -> Any:
    """One HTMLExporter per process: building its Jinja environment costs more than using it."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from traitlets.config import Config

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step, which parses the whole page again with
        BeautifulSoup to give JupyterLab's cell markup tab stops and every image without an alt
        text a placeholder one. Our template writes neither (each image has its alt attribute), so
        that pass only re-serialised the page: ~0.1 CPU s of a branch plan's 0.14 s HTML."""

        def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                               **kw: Any) -> tuple[str, dict[str, Any]]:
            from nbconvert.exporters.html import Highlight2HTML, WidgetsDataTypeFilter

            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = Config()
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.template_name = TEMPLATE_NAME
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    return ReportExporter(config=config)


def _toc_and_ids(body: str, toc_title: str) -> tuple[str, str]:
    """Give every h2/h3 a stable id and build the nested table of contents from them."""
    entries: list[tuple[int, str, str, str]] = []

    def number(match: re.Match[str]) -> str:
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        anchor = f"sec-{len(entries) + 1}"
        # The heading's text, re-escaped: stripping tags from markup cannot be trusted to leave text.
        words = html.unescape(" ".join(_TAG.sub("", inner).split()))
        # A heading shown on screen only (a work list's excerpt) has its contents line on screen only.
        only = ' class="cc-screen-only"' if "cc-screen-only" in attrs else ""
        entries.append((level, anchor, html.escape(words, quote=False), only))
        return f'<h{level}{_ID_ATTR.sub("", attrs)} id="{anchor}">{inner}</h{level}>'

    body = _HEADING.sub(number, body)
    if not entries:
        return body, ""
    parts = [f'<nav class="cc-toc"><div class="cc-toc-title">{html.escape(toc_title)}</div><ol>']
    open_sub = False
    for i, (level, anchor, text, only) in enumerate(entries):
        if level == 3 and not open_sub and i > 0:
            parts[-1] = parts[-1].removesuffix("</li>")
            parts.append("<ol>")
            open_sub = True
        elif level == 2 and open_sub:
            parts.append("</ol></li>")
            open_sub = False
        parts.append(f'<li{only}><a href="#{anchor}">{text}</a></li>')
    if open_sub:
        parts.append("</ol></li>")
    parts.append("</ol></nav>")
    return body, "".join(parts)


def notebook_html(notebook: Any, title: str, subtitle: str = "", language: str = "zh",
                  generated_at: dt.datetime | None = None, labels: Mapping[str, str] | None = None) -> str:
    """An executed notebook (path or NotebookNode) as a standalone report page; `labels`: the page's
    words (PAGE_LABEL_KEYS) in the report language."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, str | Path) else notebook
    lang = {**_NO_LABELS, "lang_code": language, **(labels or {})}
    stamp = (generated_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    resources = {"clientcare": {
        "title": title, "subtitle": subtitle, "lang_code": lang["lang_code"], "generated_label": lang["generated"],
        "generated_at": stamp, "page_label_before": lang["before"], "page_label_middle": lang["middle"],
        "page_label_after": lang["after"],
    }}
    page, _ = _exporter().from_notebook_node(nb, resources=resources)
    page = _PANDAS_STYLE.sub("", _ANCHOR_LINK.sub("", page))
    page = page.replace('<table border="1" class="dataframe', '<table class="dataframe')
    head, marker, rest = page.partition("<!--CC-TOC-->")
    if not marker:
        raise RenderError(f"template {TEMPLATE_NAME!r} lost its table-of-contents marker")
    rest, toc = _toc_and_ids(rest, lang["toc"])
    return head + toc + rest


def warm_converters(formats: Iterable[str] = FORMATS) -> None:
    """Build the HTML exporter and load WeasyPrint and its fonts now (about a second, once per
    process), instead of during the first conversion."""
    key = _to_warm(formats)
    if key:
        _warm_converters(key)


def _warm_converters(formats: tuple[str, ...]) -> None:
    try:
        _exporter()
        if "pdf" in formats:
            _check_pdf_subsetter()
            weasyprint().HTML(string='<p style="font-family:\'Noto Sans CJK SC\'">预热 warm-up 1,234</p>').write_pdf(
                font_config=_font_config())
    except Exception:  # the real conversion will report whatever is wrong
        log.debug("converter warm-up failed", exc_info=True)


_warmed: set[str] = set()


def _to_warm(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats not warmed yet in this process, marked as warmed from now on."""
    key = tuple(sorted(set(formats) & set(FORMATS) - _warmed))
    _warmed.update(key)
    return key


def warm_converters_in_background(formats: Iterable[str]) -> threading.Thread | None:
    """Start `_warm_converters` in a thread, the first time only: it runs while the kernel executes."""
    key = _to_warm(formats)
    if not key:
        return None
    thread = threading.Thread(target=_warm_converters, args=(key,), name="clientcare-warm-converters", daemon=True)
    thread.start()
    return thread


def _error_text(exc: BaseException, notebook: Path) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename is not None:
        cell = getattr(exc, "exec_count", None)
        where = f"cell [{cell}]" if cell is not None else f"cell #{getattr(exc, 'cell_index', '?')}"
        return f"{notebook.name}: {where} raised {ename}: {_ANSI.sub('', str(evalue)).strip()}"
    # nbclient's timeout message goes on with a preview of the cell's source: keep the first line.
    first = _ANSI.sub("", str(exc)).strip().splitlines()[:1]
    return f"{notebook.name}: {type(exc).__name__}: {first[0] if first else ''}".rstrip(": ")


def _prepare_only(papermill: Any, notebook: Path, params: dict[str, Any]) -> bytes | None:
    """The parameterised input notebook, for when papermill wrote none or a broken one (a cell
    timed out, the kernel died, the disk filled): enough to reproduce the failure in Jupyter."""
    import nbformat

    try:
        nb = papermill.execute_notebook(str(notebook), None, parameters=params, prepare_only=True,
                                        progress_bar=False)
        return nbformat.writes(nb).encode("utf-8")
    except Exception:  # the notebook itself is unreadable: nothing to keep
        log.debug("could not prepare the parameterised notebook", exc_info=True)
        return None


#: Kernel starts tried per render. jupyter_client picks free ports before the kernel binds them, so
#: a kernel of another process can take one in between ("Address already in use"): the kernel dies
#: before it answers, no cell has run, and a second kernel with new ports is safe to start.
KERNEL_START_ATTEMPTS = 2
_NEVER_STARTED = ("Kernel died before replying to kernel_info", "Kernel didn't respond")


def _kernel_never_started(exc: BaseException) -> bool:
    """Whether `exc` says the kernel died or hung before its first reply (so nothing was executed)."""
    return any(text in str(exc) for text in _NEVER_STARTED)


def _whole_notebook(executed: Path) -> bytes | None:
    """The notebook papermill wrote, if it is whole: on a full disk it is empty or cut short."""
    try:
        data = executed.read_bytes()
        json.loads(data)
    except (OSError, ValueError):
        return None
    return data


def _keep_failed(executed: Path, failed_path: Path, prepared: Callable[[], bytes | None]) -> tuple[str | None, str]:
    """Keep the failed notebook (the executed one if whole, else `prepared()`) at failed_path.

    Written atomically, so a kept notebook is never empty or cut short. Returns (its path, "") or
    (None, a note saying why there is none: a notebook was never there, or the disk refused it)."""
    data = _whole_notebook(executed) or prepared()
    if data is None:
        return None, ""
    try:
        atomic_write_bytes(failed_path, data)
    except OSError as exc:
        # An older failure's notebook would pass for this one's; its folder goes too, if now empty.
        for remove in (failed_path.unlink, failed_path.parent.rmdir):
            with contextlib.suppress(OSError):
                remove()
        return None, f"the failed notebook could not be kept: {EnvironmentProblem.reason(exc)}"
    return str(failed_path), ""


def _raise_if_environment(exc: BaseException, path: Path, kept: str | None = None, note: str = "") -> None:
    """A failure the machine caused (read-only or full disk, permissions) is an EnvironmentProblem:
    exit 1 with a plain message, never reported as a failed notebook or a bug."""
    problem = EnvironmentProblem.of(exc, path, note or (f"failed notebook kept at {kept}" if kept else ""))
    if problem is not None:
        raise problem from exc


def render_notebook(notebook: Path, parameters: Mapping[str, Any], dest: Path, basename: str,
                    formats: Iterable[str] = FORMATS, title: str = "", subtitle: str = "",
                    language: str = "zh", timeout: int = 600, failed_dir: Path | None = None,
                    kernel_name: str = "python3", before_publish: Callable[[], None] | None = None,
                    root: Path | None = None, labels: Mapping[str, str] | None = None) -> list[Path]:
    """Execute `notebook` with `parameters` and publish `<basename>.ipynb/.html/.pdf` into `dest`.
    `labels` are the page's words in the report language (see `notebook_html`).

    The notebook also receives `output_dir` (where it should write its other files) and
    `language`. `timeout` limits each cell, in seconds. On any failure dest is left untouched,
    the executed notebook (with papermill's error banner) is kept in `failed_dir` (default
    `<dest.parent>/_failed/<dest.name>/`) and RenderError says why and where. Returns the
    published files. `before_publish` runs once everything is rendered, just before it is
    published: if it raises, nothing is published and its exception propagates. With `root` (the
    output root), dest and the failed-notebook folder are proven to lie under it before anything is
    written or removed (toolkit.base.ids.ensure_under).
    """
    import papermill

    from toolkit.engine.kernels import kernel_manager_class

    # Absolute: the kernel runs in the staging folder, where a relative output_dir would nest.
    notebook, dest = Path(notebook).resolve(), Path(dest).resolve()
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {FORMATS}")
    failed_path = Path(failed_dir or dest.parent / "_failed" / dest.name) / f"{basename}.ipynb"
    if root is not None:
        ensure_under(root, failed_path)
    try:
        staging = make_staging(dest, root)
    except OSError as exc:
        _raise_if_environment(exc, dest.parent)
        raise
    executed = staging / f"{basename}.ipynb"
    params = _plain({"language": language, **parameters, "output_dir": str(staging)})
    warming = warm_converters_in_background(formats)
    try:
        try:
            for attempt in range(KERNEL_START_ATTEMPTS):
                try:
                    result = papermill.execute_notebook(
                        str(notebook), str(executed), parameters=params,
                        kernel_name=kernel_name, progress_bar=False, log_output=False, cwd=str(staging),
                        execution_timeout=timeout, request_save_on_cell_execute=False,
                        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                        kernel_manager_class=kernel_manager_class())
                    break
                except Exception as exc:
                    if attempt + 1 == KERNEL_START_ATTEMPTS or not _kernel_never_started(exc):
                        raise
                    log.warning("the kernel did not start (%s); starting another", exc)
        except Exception as exc:
            # a timeout or a dead kernel writes no notebook: keep what was run, parameters included
            kept, note = _keep_failed(executed, failed_path, lambda: _prepare_only(papermill, notebook, params))
            _raise_if_environment(exc, dest, kept, note)
            raise RenderError(_error_text(exc, notebook) + (f" ({note})" if note else ""),
                              kept_notebook=kept) from exc
        if formats:
            if warming is not None:
                warming.join()
            try:
                nb = result if isinstance(result, dict) else executed  # papermill returns what it wrote
                page = notebook_html(nb, title=title, subtitle=subtitle, language=language, labels=labels)
                if "html" in formats:
                    (staging / f"{basename}.html").write_text(page, encoding="utf-8")
                if "pdf" in formats:
                    html_to_pdf(page, staging / f"{basename}.pdf")  # relative links stay relative
            except Exception as exc:
                kept, note = _keep_failed(executed, failed_path, lambda: _prepare_only(papermill, notebook, params))
                _raise_if_environment(exc, dest, kept, note)
                raise RenderError(f"{notebook.name}: conversion failed: {type(exc).__name__}: {exc}"
                                  + (f" ({note})" if note else ""), kept_notebook=kept) from exc
        if before_publish is not None:
            before_publish()
        try:
            publish_dir(staging, dest, root)
        except OSError as exc:
            _raise_if_environment(exc, dest)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if failed_path.is_file():  # an older failure of this render is now resolved
        failed_path.unlink()
        for folder in (failed_path.parent, failed_path.parent.parent)[: 1 if failed_dir else 2]:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
    return sorted(p for p in dest.rglob("*") if p.is_file())
