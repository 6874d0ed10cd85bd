"""The portal over HTTP (issue 18, "Must hold"): sessions, roles, traversal, CSRF, throttling,
uploads, the audit log, masking, and a proposal equal to the CLI's."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.commands.portal_bank import AS_OF, PASSWORDS, PERIOD, Bank, build_bank, clientcare
from toolkit.commands.cli import app as cli_app
from toolkit.commands.portal.app import create_app
from toolkit.commands.portal.store import MAX_FAILURES_ACCOUNT, Store
from toolkit.inputs.tables import load_staff


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return build_bank(tmp_path_factory.mktemp("portal_http"))


@pytest.fixture(scope="module")
def app(bank: Bank):
    return create_app(bank.outputs, bank.db, bank.params_dir)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(app, name: str, password: str | None = None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    token = _csrf(client.get("/login").text)
    res = client.post("/login", data={"csrf": token, "name": name, "password": password or PASSWORDS[name]})
    assert res.status_code == 303, res.text
    return client


def csrf_of(client: TestClient) -> str:
    return _csrf(client.get("/proposals/new").text)


def raw_get(app, path: str, cookie: str) -> int:
    """GET `path` exactly as given (no client normalises its `..`), straight into the ASGI app."""
    status: list[int] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())], "client": ("127.0.0.1", 5),
             "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    return status[0]


PAGES = ["/", f"/plans/{PERIOD}/B001/", f"/plans/{PERIOD}/B001/visits.xlsx", f"/network/{PERIOD}/",
         f"/network/{PERIOD}/manifest.json", "/proposals/new", f"/proposals/x/{AS_OF}/"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_a_session(app, path):
    res = TestClient(app, follow_redirects=False).get(path)
    assert res.status_code == 303 and res.headers["location"] == "/login"
    forged = TestClient(app, follow_redirects=False, cookies={"cc_session": "forged"}).get(path)
    assert forged.status_code == 303


def test_login_cookie_is_httponly_and_samesite_and_audited(app, bank: Bank):
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    res = client.post("/login", data={"csrf": _csrf(page.text), "name": "prov", "password": PASSWORDS["prov"]})
    cookie = res.headers["set-cookie"]
    assert res.status_code == 303 and "cc_session=" in cookie
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert any(r[1] == "prov" and r[2] == "login" for r in Store(bank.db).audit_log())
    assert client.get("/").status_code == 200


def test_no_default_account_and_the_users_command(bank: Bank, tmp_path: Path):
    db = tmp_path / "p.db"
    assert Store(db).users() == []
    runner = CliRunner()
    res = runner.invoke(cli_app, ["users", "add", "ann", "--role", "branch", "--branch", "B001", "--password-stdin",
                                  "--db", str(db)], input="a-long-password\n")
    assert res.exit_code == 0, res.output
    bad = runner.invoke(cli_app, ["users", "add", "bob", "--role", "advisor", "--password-stdin", "--db", str(db)],
                        input="short\n")
    assert bad.exit_code == 2 and "--staff-id" in bad.output and "--branch" in bad.output
    listed = runner.invoke(cli_app, ["users", "list", "--db", str(db)])
    assert "ann" in listed.output and "active" in listed.output and "bob" not in listed.output
    assert "a-long-password" not in db.read_bytes().decode("latin-1")  # stored as an Argon2 hash
    assert Store(db).login("ann", "a-long-password", "x") is not None
    assert runner.invoke(cli_app, ["users", "disable", "ann", "--db", str(db)]).exit_code == 0
    assert Store(db).login("ann", "a-long-password", "x") is None


def test_a_branch_user_sees_only_their_branch(app):
    client = login(app, "b2")
    index = client.get("/").text
    assert f"/plans/{PERIOD}/B002/" in index and f"/plans/{PERIOD}/B001/" not in index and "/network/" not in index
    assert client.get(f"/plans/{PERIOD}/B002/").status_code == 200
    xlsx = client.get(f"/plans/{PERIOD}/B002/visits.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK" and "attachment" in xlsx.headers["content-disposition"]
    for path in (f"/plans/{PERIOD}/B001/", f"/plans/{PERIOD}/B001/visits.xlsx", f"/plans/{PERIOD}/B001/summary.json",
                 f"/network/{PERIOD}/", f"/network/{PERIOD}/manifest.json"):
        assert client.get(path).status_code in (403, 404), path


def test_province_sees_the_network_and_manifest(app):
    client = login(app, "prov")
    page = client.get(f"/network/{PERIOD}/")
    assert page.status_code == 200 and "B001" in page.text and "B002" in page.text and "manifest.json" in page.text
    manifest = client.get(f"/network/{PERIOD}/manifest.json")
    assert manifest.status_code == 200 and manifest.json()["counts"]["ok"] == 2
    assert client.get(f"/plans/{PERIOD}/B001/").status_code == 200


def test_the_networks_links_to_each_plan_lead_to_the_plans_route(app):
    """network.html links `B001/branch_plan.html` beside it; in the portal's frame that address is
    /network/<period>/B001/…, which hands over to the plan's route (and its access check)."""
    prov, branch = login(app, "prov"), login(app, "b2")
    res = prov.get(f"/network/{PERIOD}/B001/branch_plan.html")
    assert res.status_code == 303 and res.headers["location"] == f"/plans/{PERIOD}/B001/branch_plan.html"
    assert prov.get(res.headers["location"]).status_code == 200
    assert prov.get(f"/network/{PERIOD}/B001/nothing.html").status_code == 404
    assert prov.get(f"/network/{PERIOD}/%2e%2e/branch_plan.html").status_code == 404
    assert branch.get(f"/network/{PERIOD}/B001/branch_plan.html").status_code == 403


TRAVERSALS = [
    f"/plans/{PERIOD}/B002/%2e%2e/B001/summary.json", f"/plans/{PERIOD}/B002/..%2fB001%2fsummary.json",
    f"/plans/{PERIOD}/B002/%2E%2E%2F%2E%2E%2F.portal%2Fportal.db", f"/plans/{PERIOD}/%2e%2e/B002/",
    "/plans/%2e%2e/B002/", f"/plans/{PERIOD}/B002/%2Fetc%2Fpasswd", f"/plans/{PERIOD}/B002/.hidden",
    f"/plans/{PERIOD}/B002/summary.json%00.pdf", f"/plans/{PERIOD}/B002/summary.json%2F", "/network/%2e%2e/",
    f"/network/{PERIOD}/..%2fB002%2fsummary.json", f"/proposals/%2e%2e/{AS_OF}/", "/proposals/x/%2e%2e/",
    f"/proposals/x/{AS_OF}/..%2f..%2f..%2f2026-11%2fB002%2fsummary.json", "/static/..%2fstore.py",
    f"/plans/{PERIOD}/B002/evil.json",  # a symbolic link in the folder that points outside
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_in_any_path_is_404(app, bank: Bank, path):
    link = bank.outputs / PERIOD / "B002" / "evil.json"
    if not link.is_symlink():
        link.symlink_to("/etc/passwd")
    for user in ("b2", "prov"):
        assert login(app, user).get(path).status_code == 404, (user, path)


@pytest.mark.parametrize("path", [f"/plans/{PERIOD}/B002/../B001/summary.json", f"/plans/{PERIOD}/../../etc/passwd",
                                  f"/plans/{PERIOD}/B002/../../.portal/portal.db", f"/network/{PERIOD}/../manifest.json"])
def test_raw_dot_dot_is_404(app, path):
    client = login(app, "prov")
    assert raw_get(app, path, f"cc_session={client.cookies['cc_session']}") == 404


def test_post_without_a_csrf_token_is_403(app, bank: Bank):
    client = login(app, "adv")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    files = {"fact_find": ("f.xlsx", bank.fact_find(bank.advisor_client).read_bytes())}
    res = client.post("/proposals", data={"client_id": bank.advisor_client, "as_of": AS_OF}, files=files)
    assert res.status_code == 403 and not (bank.outputs / "clients" / bank.advisor_client).exists()
    assert client.get("/").status_code == 200  # still logged in
    fresh = TestClient(app, follow_redirects=False)
    fresh.get("/login")
    assert fresh.post("/login", data={"name": "prov", "password": PASSWORDS["prov"]}).status_code == 403
    other = TestClient(app, follow_redirects=False)  # a token from another visitor's login form
    token = _csrf(other.get("/login").text)
    assert fresh.post("/login", data={"csrf": token, "name": "prov", "password": PASSWORDS["prov"]}).status_code == 403


def test_logout_ends_the_session(app):
    client = login(app, "prov")
    cookie = client.cookies["cc_session"]
    assert client.post("/logout", data={"csrf": csrf_of(client)}).status_code == 303
    stale = TestClient(app, follow_redirects=False, cookies={"cc_session": cookie})
    assert stale.get("/").status_code == 303


def test_wrong_passwords_throttle_the_account(app, bank: Bank):
    client = TestClient(app, follow_redirects=False)
    for _ in range(MAX_FAILURES_ACCOUNT):
        res = client.post("/login", data={"csrf": _csrf(client.get("/login").text), "name": "thr", "password": "nope"})
        assert res.status_code == 401
    res = client.post("/login", data={"csrf": _csrf(client.get("/login").text), "name": "thr",
                                      "password": PASSWORDS["thr"]})
    assert res.status_code == 429 and "cc_session" not in res.headers.get("set-cookie", "")
    assert any(r[1] == "thr" and r[2] == "login.throttled" for r in Store(bank.db).audit_log())


def test_an_advisor_cannot_propose_for_a_client_they_do_not_maintain(app, bank: Bank):
    for user, client_id in (("adv", bank.other_client), ("adv", bank.b2_client), ("b2", bank.advisor_client)):
        client = login(app, user)
        files = {"fact_find": ("f.xlsx", bank.fact_find(bank.advisor_client).read_bytes())}
        res = client.post("/proposals", data={"csrf": csrf_of(client), "client_id": client_id, "as_of": AS_OF},
                          files=files)
        assert res.status_code == 403, (user, client_id)
        assert not (bank.outputs / "clients" / client_id).exists()
    options = login(app, "adv").get("/proposals/new").text
    assert bank.advisor_client in options and bank.other_client not in options and bank.b2_client not in options


def test_no_full_phone_number_on_any_page(app):
    client = login(app, "prov")
    for path in ("/", "/proposals/new", f"/network/{PERIOD}/", f"/plans/{PERIOD}/B001/"):
        assert not re.search(r"(?<!\d)1\d{10}(?!\d)", client.get(path).text), path
    assert re.search(r"1\d\d\*{4}\d{4}", client.get("/proposals/new").text)


@pytest.mark.parametrize(("name", "content", "status"), [
    ("f.csv", b"a,b\n", 400), ("f.xlsx", b"not a zip file at all", 400), ("f.xlsx", b"PK\x03\x04" + b"0" * (6 << 20), 413)])
def test_uploads_are_capped_and_type_checked(app, bank: Bank, name, content, status):
    client = login(app, "adv")
    res = client.post("/proposals", data={"csrf": csrf_of(client), "client_id": bank.advisor_client, "as_of": AS_OF},
                      files={"fact_find": (name, content)})
    assert res.status_code == status and not (bank.outputs / "clients" / bank.advisor_client).exists()


def test_a_bad_workbook_shows_the_problems_and_writes_nothing(app, bank: Bank, tmp_path: Path):
    client = login(app, "adv")
    bad = bank.bad_fact_find(bank.advisor_client, tmp_path)
    res = client.post("/proposals", data={"csrf": csrf_of(client), "client_id": bank.advisor_client, "as_of": AS_OF},
                      files={"fact_find": ("bad_fact_find.xlsx", bad.read_bytes())})
    assert res.status_code == 400
    assert "年度收支" in res.text and "bad_fact_find.xlsx" in res.text and "<b>lots</b>" not in res.text
    assert ".staging" not in res.text and str(bank.outputs) not in res.text
    cli = clientcare("proposal", "--fact-find", str(bad), "--client-id", bank.advisor_client, "--products",
                     str(bank.data / "products.xlsx"), "--as-of", AS_OF, "--out", str(tmp_path / "cli"))
    assert cli.returncode == 2
    assert not (bank.outputs / "clients" / bank.advisor_client).exists()
    assert not [p for p in (bank.outputs / ".staging").glob("*") if p.is_dir()]


def test_a_proposal_through_the_portal_equals_the_cli(app, bank: Bank, tmp_path: Path):
    client = login(app, "adv")
    cid = bank.advisor_client
    source = bank.portal().book().sources["B001"]
    res = client.post("/proposals", data={"csrf": csrf_of(client), "client_id": cid, "as_of": AS_OF},
                      files={"fact_find": ("mine.xlsx", bank.fact_find(cid).read_bytes())})
    assert res.status_code == 303 and res.headers["location"] == f"/proposals/{cid}/{AS_OF}/"
    page = client.get(res.headers["location"])
    assert page.status_code == 200 and "proposal.pdf" in page.text and 'src="proposal.html"' in page.text
    # The advisor's notes: a link of their own on the proposal page, never in the client's document.
    assert re.search(r'<a class="button secondary" href="advisor_notes.html" target="_blank"', page.text)
    notes = client.get(f"/proposals/{cid}/{AS_OF}/advisor_notes.html")
    assert notes.status_code == 200 and "sandbox" in notes.headers["content-security-policy"]
    pdf = client.get(f"/proposals/{cid}/{AS_OF}/proposal.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF" and pdf.headers["content-type"] == "application/pdf"
    html = client.get(f"/proposals/{cid}/{AS_OF}/proposal.html")
    assert html.status_code == 200 and "sandbox" in html.headers["content-security-policy"]
    assert "advisor_notes" not in html.text and "advisor_notes.html" not in page.text.split("<iframe")[1]
    # The cover names the advisor (the user, on the branch's staff) with their phone, as the CLI does with
    # data.staff; the branch name too.
    staff = load_staff(source.staff).set_index("staff_id")
    me = staff.loc[bank.advisor_staff]
    assert f"<td class=\"txt\">{me['name']}</td>" in html.text and str(me["phone"]) in html.text
    assert source.branch_name in html.text
    assert login(app, "b2").get(f"/proposals/{cid}/{AS_OF}/").status_code == 403
    assert login(app, "prov").get(f"/proposals/{cid}/{AS_OF}/proposal.pdf").status_code == 200

    params = tmp_path / "client.yaml"
    params.write_text(yaml.safe_dump({
        "client_id": cid, "fact_find": str(bank.fact_find(cid)), "advisor": bank.advisor_staff,
        "branch_name": source.branch_name, "data": {"clients": source.clients, "products": source.products,
                                                    "activities": source.activities, "staff": source.staff}},
        allow_unicode=True), encoding="utf-8")
    cli = clientcare("proposal", str(params), "--as-of", AS_OF, "--out", str(tmp_path / "cli"))
    assert cli.returncode == 0, cli.stderr
    ours = json.loads((bank.outputs / "clients" / cid / AS_OF / "summary.json").read_text(encoding="utf-8"))
    theirs = json.loads((tmp_path / "cli" / "clients" / cid / AS_OF / "summary.json").read_text(encoding="utf-8"))
    assert ours == theirs

    audit = Store(bank.db).audit_log()
    assert any(r[1] == "adv" and r[2] == "proposal" and r[3] == f"{cid}/{AS_OF}" for r in audit)
    assert any(r[1] == "adv" and r[2] == "download" and r[3].endswith("proposal.pdf") for r in audit)


def test_healthz(app):
    res = TestClient(app).get("/healthz")
    assert res.status_code == 200 and res.text == "ok\n"
