"""End to end: a fixture notebook executed by papermill, published as HTML and PDF, all or nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from toolkit.base.errors import RenderError
from toolkit.engine import render
from toolkit.report.text import page_labels

NOTEBOOK = Path(__file__).parents[1] / "fixtures" / "notebooks" / "report.ipynb"
TITLE, SUBTITLE = "瓯海支行客户维护计划", "机构号 B001 · 数据期 2026-11"


def _render(dest: Path, language: str = "zh", **params) -> list[Path]:
    return render.render_notebook(NOTEBOOK, {"rows": 5, **params}, dest, "branch_plan", title=TITLE,
                                  subtitle=SUBTITLE, language=language, timeout=60, labels=page_labels(language))


@pytest.fixture(scope="module")
def zh(tmp_path_factory) -> tuple[Path, list[Path]]:
    dest = tmp_path_factory.mktemp("out") / "2026-11" / "B001"
    return dest, _render(dest)


@pytest.fixture(scope="module")
def en(tmp_path_factory) -> tuple[Path, list[Path]]:
    dest = tmp_path_factory.mktemp("out") / "2026-11" / "B001"
    return dest, _render(dest, language="en")


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_publishes_every_format_and_the_notebooks_own_files(zh):
    dest, files = zh
    assert [p.name for p in files] == [
        "branch_plan.html", "branch_plan.ipynb", "branch_plan.pdf", "summary.json"]
    assert all(p.parent == dest for p in files)
    assert json.loads((dest / "summary.json").read_text()) == {"rows": 5, "language": "zh"}
    assert sorted(p.name for p in dest.parent.iterdir()) == ["B001"]  # no staging or old folders left


def test_executed_notebook_is_kept_for_audit(zh):
    dest, _ = zh
    nb = nbformat.read(dest / "branch_plan.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "rows = 5" in injected[0].source and "output_dir = " in injected[0].source
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def test_html_has_no_code_no_prompts_and_a_title_block(zh):
    page = (zh[0] / "branch_plan.html").read_text(encoding="utf-8")
    for code in ("import json", "time.sleep", "fmt.table(", "charts.tier_pyramid", "In&nbsp;[", "Out["):
        assert code not in page
    assert f'<div class="cc-title">{TITLE}</div>' in page
    assert SUBTITLE in page
    assert re.search(r"生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)
    assert '<html lang="zh-CN">' in page and f"<title>{TITLE}</title>" in page
    assert "<script" not in page and "<style scoped>" not in page


def test_html_toc_lists_every_section_heading_with_working_links(zh):
    page = (zh[0] / "branch_plan.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="cc-toc">.*?</nav>', page, re.S).group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    # markdown h2, markdown h3 (nested under it), and an h2 produced by code (fmt.heading)
    assert [text for _, text in links] == ["客户分层概览", "层级金字塔", "重点提示"]
    assert "<ol><li><a" in toc.split("客户分层概览", 1)[1]  # the h3 is nested
    for anchor, _ in links:
        assert page.count(f'id="{anchor}"') == 1
    assert "anchor-link" not in page


def test_html_shows_formatted_table_chart_and_callout(zh):
    page = (zh[0] / "branch_plan.html").read_text(encoding="utf-8")
    assert '<td class="num">1,200.00万</td>' in page
    assert '<td class="txt nw">私行/财富客户</td>' in page
    assert page.count('src="data:image/png;base64,') == 1
    assert 'class="cc-callout cc-warn"' in page
    assert "@bottom-center" in page and "第 " in page


def test_pdf_text_layer_has_chinese_and_page_numbers(zh):
    text = _pdf_text(zh[0] / "branch_plan.pdf")
    flat = re.sub(r"\s+", "", text)
    for words in (TITLE, "客户分层概览", "层级金字塔", "重点提示", "私行/财富客户", "1,200.00万"):
        assert words in flat
    assert re.search(r"第1页/共\d+页", flat)


def test_pdf_embeds_its_fonts_as_subsets(zh):
    reader = PdfReader(zh[0] / "branch_plan.pdf")
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts and all(fonts.values())
    assert any("NotoSansCJK" in name.replace("-", "") for name in fonts)
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts)  # subset tag
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4


def test_english_render_uses_english_labels(en):
    dest, _ = en
    page = (dest / "branch_plan.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Generated at " in page
    assert '<div class="cc-toc-title">Contents</div>' in page
    assert "Private &amp; wealth" in page or "Private & wealth" in page
    assert json.loads((dest / "summary.json").read_text())["language"] == "en"
    assert re.search(r"Page1of\d+", re.sub(r"\s+", "", _pdf_text(dest / "branch_plan.pdf")))


def test_failed_notebook_leaves_previous_outputs_and_keeps_the_failed_notebook(tmp_path):
    dest = tmp_path / "2026-11" / "B001"
    dest.mkdir(parents=True)
    (dest / "branch_plan.html").write_text("last month's good plan")
    (dest / "summary.json").write_text("{}")
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    with pytest.raises(RenderError) as caught:
        _render(dest, rows=-1)
    message = str(caught.value)
    assert "ValueError: rows must be positive, got -1" in message
    kept = tmp_path / "2026-11" / "_failed" / "B001" / "branch_plan.ipynb"
    assert caught.value.kept_notebook == str(kept) and str(kept) in message
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    nb = nbformat.read(kept, as_version=4)
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)  # the error banner
    assert sorted(p.name for p in dest.parent.iterdir()) == ["B001", "_failed"]


def test_cell_timeout_keeps_the_parameterised_notebook(tmp_path):
    dest = tmp_path / "B001"
    with pytest.raises(RenderError) as caught:
        render.render_notebook(NOTEBOOK, {"pause": 30}, dest, "branch_plan", formats=("html",), timeout=1)
    message = str(caught.value)
    assert "CellTimeoutError: A cell timed out while it was being executed, after 1 second" in message
    assert "preview" not in message
    kept = nbformat.read(caught.value.kept_notebook, as_version=4)
    assert "pause = 30" in kept.cells[1].source  # papermill's injected parameters, ready to rerun
    assert not dest.exists()


def test_a_kernel_that_dies_before_its_first_reply_is_started_again(tmp_path, monkeypatch):
    """Another process's kernel may take a port between jupyter_client choosing it and our kernel
    binding it: the kernel dies before any cell ran, and one more start must render the report."""
    import papermill

    real, calls = papermill.execute_notebook, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    files = render.render_notebook(NOTEBOOK, {"rows": 2}, tmp_path / "B001", "branch_plan", formats=("html",),
                                   timeout=60)
    assert len(calls) == 2 and (tmp_path / "B001" / "branch_plan.html") in files


def test_a_failing_cell_is_not_run_twice(tmp_path, monkeypatch):
    import papermill

    real, calls = papermill.execute_notebook, []

    def counted(*args, **kwargs):
        if not kwargs.get("prepare_only"):  # keeping the failed notebook prepares it again: not a run
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", counted)
    with pytest.raises(RenderError):
        render.render_notebook(NOTEBOOK, {"rows": -1}, tmp_path / "B001", "branch_plan", formats=("html",),
                               timeout=60)
    assert len(calls) == 1


def test_conversion_failure_is_all_or_nothing_too(tmp_path, monkeypatch, zh):
    import papermill

    executed = zh[0] / "branch_plan.ipynb"

    def fake_execute(input_path, output_path, **kwargs):
        shutil.copy(executed, output_path)

    def broken_pdf(page, path):
        path.write_bytes(b"%PDF-half")
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    monkeypatch.setattr(render, "html_to_pdf", broken_pdf)
    dest = tmp_path / "B001"
    dest.mkdir()
    (dest / "branch_plan.pdf").write_bytes(b"%PDF-good")
    with pytest.raises(RenderError, match="conversion failed: RuntimeError: printer on fire"):
        render.render_notebook(NOTEBOOK, {}, dest, "branch_plan", title=TITLE)
    assert [p.name for p in dest.iterdir()] == ["branch_plan.pdf"]
    assert (dest / "branch_plan.pdf").read_bytes() == b"%PDF-good"
    assert (tmp_path / "_failed" / "B001" / "branch_plan.ipynb").is_file()
    # the next successful render clears the kept failure
    monkeypatch.setattr(render, "html_to_pdf",
                        lambda page, path: path.write_bytes(b"%PDF-new"))
    files = render.render_notebook(NOTEBOOK, {}, dest, "branch_plan", title=TITLE)
    assert [p.name for p in files] == ["branch_plan.html", "branch_plan.ipynb", "branch_plan.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["B001"]  # the kept failure and its folders are gone


def test_unknown_format_is_rejected_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="unknown formats"):
        render.render_notebook(NOTEBOOK, {}, tmp_path / "B001", "plan", formats=("html", "docx"))
    assert not (tmp_path / "B001").exists()


def test_the_engine_names_no_words_of_its_own():
    """Page words come from the text layer through the commands; without them: numbers only."""
    nb = new_notebook(cells=[new_markdown_cell("## A")])
    page = render.notebook_html(nb, title="T", language="en")
    assert '<div class="cc-toc-title"></div>' in page and "Contents" not in page and "Generated at" not in page
    assert '"" counter(page) " / " counter(pages) ""' in page


def test_notebook_html_strips_pandas_noise_and_nests_the_toc():
    df_html = ('<style scoped>.dataframe tbody tr th {vertical-align: top;}</style>'
               '<table border="1" class="dataframe"><tr><td>1</td></tr></table>')
    cell = new_code_cell("df", execution_count=1,
                         outputs=[new_output("display_data", data={"text/html": df_html, "text/plain": "df"}),
                                  new_output("stream", name="stderr", text="FutureWarning: noise")])
    nb = new_notebook(cells=[new_markdown_cell("## 一、概览\n### 1.1 明细\n### 1.2 图表\n## 二、计划"), cell])
    page = render.notebook_html(nb, title="标题", language="zh", labels=page_labels("zh"))
    assert "<style scoped>" not in page and 'border="1"' not in page and '<table class="dataframe">' in page
    assert "FutureWarning" not in page
    toc = re.search(r'<nav class="cc-toc">.*?</nav>', page, re.S).group(0)
    assert toc == ('<nav class="cc-toc"><div class="cc-toc-title">目录</div><ol>'
                   '<li><a href="#sec-1">一、概览</a><ol><li><a href="#sec-2">1.1 明细</a></li>'
                   '<li><a href="#sec-3">1.2 图表</a></li></ol></li>'
                   '<li><a href="#sec-4">二、计划</a></li></ol></nav>')


# --- kernels forked from the template (toolkit.engine.kernels) ----------------------------------------
STATE_CELL = (
    "import os, sys\n"
    "state = {'names': sorted(k for k in globals() if not k.startswith('_')),\n"
    "         'count': get_ipython().execution_count, 'in_output_dir': os.getcwd() == output_dir,\n"
    "         'argv0': os.path.basename(sys.argv[0]), 'path0': sys.path[0],\n"
    "         'backend': os.environ.get('MPLBACKEND'), 'history': len(get_ipython().history_manager.input_hist_raw),\n"
    "         'leftover': 'leak' in globals()}\n"
    "print(state)"
)


def _state_notebook(path: Path) -> Path:
    params = new_code_cell("output_dir = '.'")
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(STATE_CELL), new_code_cell("leak = 1"),
                             new_code_cell("print('toolkit.report.sources' in sys.modules)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _outputs(dest: Path) -> list[list[dict]]:
    nb = nbformat.read(dest / "state.ipynb", as_version=4)
    return [c.outputs for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get(
        "tags", [])][1:]


def test_forked_kernels_start_fresh_and_match_a_cold_kernel(tmp_path, monkeypatch):
    from toolkit.commands.run import PRELOAD
    from toolkit.engine import kernels

    if kernels._template is not None:
        kernels._template.close()  # a template started with another preload list by an earlier test
    kernels.warm_up(PRELOAD)  # what the commands hand the engine: the notebooks' imports
    notebook = _state_notebook(tmp_path / "state_nb.ipynb")
    runs = {}
    for name in ("fork", "fork again", "cold"):
        if name == "cold":
            monkeypatch.setenv("CLIENTCARE_KERNEL_FORK", "0")
        dest = tmp_path / name.replace(" ", "_")
        render.render_notebook(notebook, {}, dest, "state", formats=(), timeout=60)
        runs[name] = _outputs(dest)
    assert kernels.template() is None  # fork is off now
    state, _, preloaded = runs["fork"]
    assert state == runs["fork again"][0] == runs["cold"][0]  # same fresh state, nothing left by the last notebook
    text = state[0]["text"]
    assert "'leftover': False" in text and "'in_output_dir': True" in text
    assert "'argv0': 'ipykernel_launcher.py'" in text
    assert [p[0]["text"].strip() for p in (preloaded, runs["fork again"][2], runs["cold"][2])] == [
        "True", "True", "False"]  # the first two really ran in forked kernels


def test_a_dead_template_is_replaced(tmp_path):
    from toolkit.engine import kernels

    kernels.warm_up()
    first = kernels.template()
    first.process.kill()
    first.process.wait()
    files = render.render_notebook(_state_notebook(tmp_path / "state_nb.ipynb"), {}, tmp_path / "out", "state",
                                   formats=(), timeout=60)
    assert [p.name for p in files] == ["state.ipynb"]
    assert kernels.template() is not first and kernels.template().alive()


# --- fixed table layout for print --------------------------------------------------------------
def test_pdf_relative_links_stay_relative(tmp_path):
    """The network PDF links each branch's plan by a relative address, kept relative: it resolves
    beside the PDF wherever the folder is (never into `.staging/`, nor to one machine's path)."""
    nb = new_notebook(cells=[new_code_cell("rows = 1", metadata={"tags": ["parameters"]}),
                             new_markdown_cell("[B001](B001/branch_plan.html)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = tmp_path / "links.ipynb"
    nbformat.write(nb, notebook)
    dest = tmp_path / "out" / "2026-11"
    render.render_notebook(notebook, {"rows": 1}, dest, "network", title="t", formats=("pdf",), timeout=60,
                           labels=page_labels("zh"))
    uris = [annot.get_object()["/A"]["/URI"] for page in PdfReader(dest / "network.pdf").pages
            for annot in page.get("/Annots", []) if "/A" in annot.get_object()]
    assert uris == ["B001/branch_plan.html"]


def test_work_list_excerpts_are_on_screen_and_their_note_in_print(tmp_path):
    """fmt.work_list: the HTML shows the excerpt under its heading (and in the contents); the PDF
    (print) shows the note in their place, and its contents have no line for the hidden heading."""
    from toolkit.report.fmt import heading, table, work_list

    rows = pd.DataFrame({"client_id": ["0010000001", "0010000002"], "name": ["张*三", "李*"]})
    excerpt = work_list("拜访日程（前 2 条）", table(rows, language="zh", max_rows=2),
                        "拜访日程共 647 条，打印版不列出：完整名单见 visits.xlsx。")
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                             new_code_cell("", outputs=[new_output("display_data", data={"text/html": str(heading("六、上门拜访计划"))}),
                                                        new_output("display_data", data={"text/html": str(excerpt)})])])
    page = render.notebook_html(nb, title="t", labels=page_labels("zh"))
    assert "0010000001" in page and "拜访日程（前 2 条）" in page and "共 647 条" in page
    assert re.search(r'<li class="cc-screen-only"><a href="#sec-2">拜访日程（前 2 条）</a></li>', page)
    render.html_to_pdf(page, tmp_path / "plan.pdf")
    printed = "".join(p.extract_text() for p in PdfReader(tmp_path / "plan.pdf").pages)
    assert "共 647 条" in printed and "上门拜访计划" in printed
    assert "0010000001" not in printed and "前 2 条" not in printed
