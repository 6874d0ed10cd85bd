"""toolkit.engine.pdf: the PDF made in a forked child is the PDF made in this process, and the
child's failures reach the caller as this process's exceptions, leaving no process behind."""

from __future__ import annotations

import errno
import os
import re
import signal
import threading
from pathlib import Path

import psutil
import pytest
from pypdf import PdfReader

from toolkit.engine import pdf

PAGE = ("<html><head><style>@page { size: A4; @bottom-center { content: counter(page) } }</style></head>"
        "<body><h2>客户分层</h2><p>金融资产 1,234,567.89 元</p>"
        "<table class=\"cc-table\"><thead><tr><th class=\"txt\">层级</th><th class=\"num\">客户数</th></tr></thead>"
        "<tbody><tr><td class=\"txt\">理财客户</td><td class=\"num\">1,024</td></tr></tbody></table>"
        "<p style=\"page-break-before: always\">第二页</p></body></html>")


def _text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _children() -> set[int]:
    """This process's descendants (other tests' kernel templates may be among them)."""
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.fixture
def no_new_process():
    """The test leaves no process of its own behind."""
    before = _children()
    yield
    assert _children() <= before


@pytest.fixture(autouse=True)
def _forking(monkeypatch):
    """Tests elsewhere in the run may leave daemon threads alive: decide by the test's own threads."""
    monkeypatch.setattr(pdf.threading, "active_count", lambda: 1 + _others[0])


_others = [0]
_REAL_COUNT = threading.active_count


def test_fork_only_when_alone_on_linux(monkeypatch):
    assert pdf._fork_safe()
    _others[0] = 1
    try:
        assert not pdf._fork_safe()
    finally:
        _others[0] = 0
    monkeypatch.setenv("CLIENTCARE_PDF_FORK", "0")
    assert not pdf._fork_safe()


def test_forked_pdf_equals_the_in_process_one(tmp_path, monkeypatch, no_new_process):
    forked = pdf.html_to_pdf(PAGE, tmp_path / "forked.pdf")
    monkeypatch.setenv("CLIENTCARE_PDF_FORK", "0")
    assert not pdf._fork_safe()
    here = pdf.html_to_pdf(PAGE, tmp_path / "here.pdf")
    assert len(PdfReader(forked).pages) == 2
    assert _text(forked) == _text(here)
    assert "1,234,567.89" in _text(forked)[0] and "理财客户" in _text(forked)[0]


def test_no_fork_while_another_thread_runs(tmp_path, monkeypatch):
    forks = []
    monkeypatch.setattr(pdf, "_write_in_child", lambda page, path: forks.append(path))
    monkeypatch.setattr(pdf.threading, "active_count", _REAL_COUNT)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pdf.html_to_pdf(PAGE, tmp_path / "threaded.pdf")
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(pdf.threading, "active_count", lambda: 1)
    assert forks == [] and (tmp_path / "threaded.pdf").is_file()
    pdf.html_to_pdf(PAGE, tmp_path / "alone.pdf")
    assert forks == [tmp_path / "alone.pdf"]


def test_an_os_error_in_the_child_keeps_its_errno(tmp_path, no_new_process):
    """A full or read-only disk must still read as the machine's problem (EnvironmentProblem.of)."""
    with pytest.raises(FileNotFoundError) as caught:
        pdf.html_to_pdf(PAGE, tmp_path / "missing" / "x.pdf")
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == str(tmp_path / "missing" / "x.pdf")


def test_the_childs_exception_is_raised_here(tmp_path, monkeypatch, no_new_process):
    def broken(page: str, path: Path) -> None:
        raise ValueError("bad page")

    monkeypatch.setattr(pdf, "_write_pdf", broken)
    with pytest.raises(ValueError, match="bad page"):
        pdf.html_to_pdf(PAGE, tmp_path / "x.pdf")

    class OddError(Exception):
        pass

    def odd(page: str, path: Path) -> None:
        raise OddError("not a built-in")

    monkeypatch.setattr(pdf, "_write_pdf", odd)
    with pytest.raises(RuntimeError, match="OddError: not a built-in"):
        pdf.html_to_pdf(PAGE, tmp_path / "x.pdf")


def test_a_child_killed_mid_print_is_a_failure_not_a_hang(tmp_path, monkeypatch, no_new_process):
    def killed(page: str, path: Path) -> None:
        path.write_bytes(b"%PDF-half")
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(pdf, "_write_pdf", killed)
    with pytest.raises(RuntimeError, match=r"ended abnormally \(signal 9\)"):
        pdf.html_to_pdf(PAGE, tmp_path / "x.pdf")


def test_weasyprint_is_imported_without_starting_a_process():
    """cffi's library search ran ldconfig, gcc and ld about fifty times at every import (0.15 s)."""
    import subprocess
    import sys

    probe = ("import subprocess, sys\n"
             "started = []\n"
             "real = subprocess.Popen.__init__\n"
             "def spy(self, args, *a, **k):\n"
             "    started.append(args)\n"
             "    real(self, args, *a, **k)\n"
             "subprocess.Popen.__init__ = spy\n"
             "from toolkit.engine.pdf import weasyprint, _font_config\n"
             "weasyprint(); _font_config()\n"
             "import ctypes.util\n"
             "assert ctypes.util.find_library.__module__ == 'ctypes.util'  # the search is back\n"
             "from weasyprint.text import ffi\n"
             "assert ffi.harfbuzz_subset is not None  # CJK subsets stay fast\n"
             "print(len(started), weasyprint().__version__)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(pdf.__file__).parents[2])
    count, version = out.stdout.split()
    assert count == "0" and version


def _cc_table(head: list[tuple[str, str]], rows: list[list[str]]) -> str:
    ths = "".join(f'<th class="{cls}">{text}</th>' for text, cls in head)
    trs = "".join("<tr>" + "".join(f'<td class="{cls}">{v}</td>' for (_, cls), v in zip(head, row, strict=True))
                  + "</tr>" for row in rows)
    return f'<table class="cc-table"><thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>'


def test_fixed_tables_size_columns_from_their_text():
    page = _cc_table([("客户数", "num"), ("层级", "txt nw")], [["1,234", "私行客户"], ["5", "财富客户"]])
    fixed = pdf.fixed_tables(page)
    # 客户数: 3 bold CJK = 3.18 em > "1,234" = 4 × 0.6 + 0.3 = 2.7 em; 私行客户 = 4 em; + 2.3 em padding each
    assert '<table class="cc-table" style="table-layout:fixed;width:11.78em">' in fixed
    assert '<colgroup><col style="width:5.48em"><col style="width:6.30em"></colgroup><thead>' in fixed
    assert pdf.fixed_tables(fixed) == fixed  # already fixed tables are left alone


def test_fixed_tables_squeeze_only_wrapping_text_to_the_page():
    note = "到期未排入本月的原因说明" * 10  # 120 CJK characters: must wrap
    fixed = pdf.fixed_tables(_cc_table([("金额", "num"), ("说明", "txt")], [["1,200.00万", note]]))
    widths = [float(w) for w in re.findall(r'<col style="width:([\d.]+)em">', fixed)]
    assert widths[0] == pytest.approx(7.5)  # the amount keeps its width: 6 digits, ',', '.', 万 = 5.2 em, + 2.3
    assert sum(widths) == pytest.approx(pdf.PRINT_TABLE_EM)  # the text takes the rest of the line


def test_fixed_tables_leave_colspans_and_other_tables_to_weasyprint():
    empty = ('<table class="cc-table"><thead><tr><th class="txt nw">客户号</th></tr></thead><tbody>'
             '<tr><td class="empty" colspan="1">无数据</td></tr></tbody></table>')
    other = '<table class="dataframe"><tr><td>1</td></tr></table>'
    assert pdf.fixed_tables(empty + other) == empty + other


def test_screen_only_elements_are_not_handed_to_weasyprint():
    """A work list's excerpt (and its contents line) leaves the printed page whole, nested divs and
    all; markup after it, and an element whose end is missing, stay as they are."""
    excerpt = ('<h3 class="cc-screen-only" id="sec-2">拜访日程</h3><div class="cc-screen-only">'
               '<div class="cc-table-wrap"><table><tr><td>0010000001</td></tr></table></div></div>')
    page = (f'<ol><li><a href="#sec-1">一</a></li><li class="cc-screen-only"><a href="#sec-2">拜访日程</a></li></ol>'
            f'<h2 id="sec-1">一</h2>{excerpt}<p class="cc-print-only">共 647 条</p><div>after</div>')
    printed = pdf.without_screen_only(page)
    assert printed == ('<ol><li><a href="#sec-1">一</a></li></ol><h2 id="sec-1">一</h2>'
                       '<p class="cc-print-only">共 647 条</p><div>after</div>')
    unclosed = '<div class="cc-screen-only"><div>a</div>'
    assert pdf.without_screen_only(unclosed) == unclosed
