"""The portal in a real browser (issue 18, "Must hold"): Playwright driving the system Chromium
against `clientcare serve` on a free local port. Log in, open a plan, download its xlsx, see a bad
workbook's problems, make a proposal from an uploaded fact-find, log out; screenshots at 1280 px
and 390 px are written under the test's tmp folder (`screens/`), or to $CLIENTCARE_SCREENSHOTS when it
is set, to be looked at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.commands.portal_bank import AS_OF, PASSWORDS, PERIOD, Bank, build_bank

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WIDTHS = {"wide": (1280, 900), "narrow": (390, 844)}


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return build_bank(tmp_path_factory.mktemp("portal_browser"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(bank: Bank) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--outputs", str(bank.outputs), "--params-dir", str(bank.params_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as res:
                    if res.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the portal did not start:\n{proc.stdout.read()}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the portal's browser tests need the system Chromium. Run `make dev` "
                    "(it installs the system packages, chromium among them, and the dev tools).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _login(page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")


def test_the_advisors_day_in_the_browser(bank: Bank, server: str, browser, tmp_path: Path):
    shots = Path(os.environ.get("CLIENTCARE_SCREENSHOTS") or tmp_path / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    cid = bank.advisor_client
    for label, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)

        def shot(name: str, page=page, label=label) -> None:
            page.screenshot(path=str(shots / f"{label}-{name}.png"), full_page=True)

        page.goto(f"{server}/")
        assert page.url == f"{server}/login"  # no page without a session
        shot("login")
        _login(page, server, "adv")
        assert page.locator("text=瓯海支行").count() >= 1 and page.locator(f"a[href='/plans/{PERIOD}/B002/']").count() == 0
        shot("index")

        page.click(f"a[href='/plans/{PERIOD}/B001/']")
        page.wait_for_url(f"{server}/plans/{PERIOD}/B001/")
        frame = page.frame_locator("iframe.report")
        frame.locator("body").wait_for()
        assert frame.locator("h1, h2").count() > 0
        with page.expect_download() as info:
            page.click("a:has-text('visits.xlsx')")
        saved = tmp_path / f"{label}-visits.xlsx"
        info.value.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK" and info.value.suggested_filename == "visits.xlsx"
        shot("plan")

        published = bank.outputs / "clients" / cid / AS_OF / "summary.json"
        before = published.stat().st_mtime_ns if published.exists() else None
        page.goto(f"{server}/proposals/new")
        page.fill("input[name=client_id]", cid)
        page.set_input_files("input[name=fact_find]", str(bank.bad_fact_find(cid, tmp_path)))
        page.fill("input[name=as_of]", AS_OF)
        # the form posts and the server checks the workbook: wait on the answer, not on the click
        page.click("button:has-text('Make the proposal')", no_wait_after=True)
        page.wait_for_selector(".error", timeout=90_000)
        error = page.inner_text(".error")
        assert "nothing was written" in error and "年度收支" in error and "bad_fact_find.xlsx" in error
        assert (published.stat().st_mtime_ns if published.exists() else None) == before  # nothing written
        shot("proposal-error")

        if label == "wide":  # the render itself once; the narrow pass looks at the published proposal
            page.fill("input[name=client_id]", cid)
            page.set_input_files("input[name=fact_find]", str(bank.fact_find(cid)))
            page.fill("input[name=as_of]", AS_OF)
            # first with the navigation cancelled, to see the page while it works
            page.evaluate("document.querySelector('form[data-busy]').addEventListener('submit', "
                          "e => e.preventDefault(), {once: true})")
            page.click("button:has-text('Make the proposal')")
            page.wait_for_selector(".busy:not([hidden])", timeout=5000)  # it shows that it is working
            assert page.locator("form[data-busy] button").is_disabled()  # and cannot be sent twice
            shot("proposal-working")
            page.goto(f"{server}/proposals/new")  # then for real
            page.fill("input[name=client_id]", cid)
            page.set_input_files("input[name=fact_find]", str(bank.fact_find(cid)))
            page.fill("input[name=as_of]", AS_OF)
            started = time.monotonic()
            page.click("button:has-text('Make the proposal')", no_wait_after=True)
            page.wait_for_url(f"{server}/proposals/{cid}/{AS_OF}/", timeout=90_000)
            print(f"proposal through the portal: {time.monotonic() - started:.1f} s")
        else:
            page.goto(f"{server}/proposals/{cid}/{AS_OF}/")
        page.frame_locator("iframe.report").locator("body").wait_for()
        with page.expect_download() as info:
            page.click("a.button:has-text('PDF')")
        assert info.value.suggested_filename == "proposal.pdf"
        pdf = tmp_path / f"{label}-proposal.pdf"
        info.value.save_as(pdf)
        assert pdf.read_bytes()[:4] == b"%PDF"
        shot("proposal")

        page.click("button:has-text('Log out')")
        page.wait_for_url(f"{server}/login")
        page.goto(f"{server}/proposals/new")
        assert page.url == f"{server}/login"
        context.close()
    assert len(list(shots.glob("*.png"))) == 11
    print(f"screenshots: {shots}")


def test_reports_on_a_phone_scroll_inside_their_boxes_never_the_page(bank: Bank, browser):
    """At 390 px a report page is as wide as the screen: wide tables and charts scroll sideways in their
    own boxes, and a chart keeps a legible width (shrunk to 390 px its labels were about 5 px high)."""
    pages = [*bank.outputs.glob(f"{PERIOD}/B00*/branch_plan.html"), bank.outputs / PERIOD / "network.html"]
    assert len(pages) == 3 and all(p.is_file() for p in pages)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        for path in pages:
            page.goto(path.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path.name
            widths = page.evaluate("[...document.querySelectorAll('.cc-figure img')].map(i => i.clientWidth)")
            assert widths and min(widths) >= 560, (path.name, widths)
    finally:
        context.close()
