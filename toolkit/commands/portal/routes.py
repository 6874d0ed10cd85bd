"""The portal's pages (issue 18; these paths are the contract)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from toolkit.base.errors import InputError
from toolkit.base.ids import is_id
from toolkit.commands.portal import web
from toolkit.commands.portal.data import BranchSource, Forbidden, NotFound, parse_as_of
from toolkit.commands.portal.store import User

_STATIC = {"portal.css": "text/css; charset=utf-8", "portal.js": "text/javascript; charset=utf-8"}


def install(app: FastAPI) -> None:  # noqa: C901 - one flat list of routes reads best
    app.get("/healthz")(web.healthz)

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in _STATIC:
            raise NotFound(name)
        body = resources.files("toolkit.commands.portal").joinpath("templates", name).read_bytes()
        return Response(body, media_type=_STATIC[name], headers={"Cache-Control": "max-age=3600"})

    # --- logging in and out --------------------------------------------------------------------------

    @app.get("/login")
    def login_form(request: Request) -> Response:
        if web.store(request).session(request.cookies.get(web.SESSION_COOKIE)):
            return RedirectResponse("/", status_code=303)
        return web.login_page(request)

    @app.post("/login")
    async def login(request: Request) -> Response:
        data = await web.form(request, request.cookies.get(web.LOGIN_CSRF_COOKIE), max_size=16 * 1024)
        name, password = str(data.get("name") or "")[:64], str(data.get("password") or "")[:1024]
        store, addr = web.store(request), web.address(request)
        if store.throttled(name, addr):
            store.audit(name, "login.throttled", None, addr)
            return web.login_page(request, web.message("portal.login.throttled"), status=429, name=name)
        result = store.login(name, password, addr)
        if result is None:
            return web.login_page(request, web.message("portal.login.wrong"), status=401, name=name)
        token, _ = result
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(web.SESSION_COOKIE, token, httponly=True, samesite="lax",
                            secure=request.app.state.secure, path="/")
        response.delete_cookie(web.LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        sess = web.session(request)
        await web.form(request, sess.csrf, max_size=16 * 1024)
        web.store(request).logout(request.cookies.get(web.SESSION_COOKIE))
        web.store(request).audit(sess.user.name, "logout", None, web.address(request))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(web.SESSION_COOKIE, path="/")
        return response

    # --- the month's plans ---------------------------------------------------------------------------

    @app.get("/")
    def index(request: Request) -> Response:
        user = web.session(request).user
        p = web.portal(request)
        months = [(period, p.branches(user, period)) for period in p.periods()[:12]]
        months = [(period, rows) for period, rows in months if rows or user.role == "province"]
        return web.page(request, "index.html", {"months": months, "proposals": p.proposals(user)[:20]})

    @app.get("/plans/{period}/{branch_id}/")
    def plan(request: Request, period: str, branch_id: str) -> Response:
        user = web.session(request).user
        p = web.portal(request)
        folder = p.plan_dir(user, period, branch_id)
        web.store(request).audit(user.name, "plan.view", f"{period}/{branch_id}", web.address(request))
        return web.page(request, "plan.html", {"period": period, "branch_id": branch_id,
                                               "name": p.branch_name(branch_id), "files": p.files(folder),
                                               "has_html": (folder / "branch_plan.html").is_file()})

    @app.get("/plans/{period}/{branch_id}/{name}")
    def plan_file(request: Request, period: str, branch_id: str, name: str) -> Response:
        user = web.session(request).user
        folder = web.portal(request).plan_dir(user, period, branch_id)
        return _download(request, user, folder, name, f"{period}/{branch_id}/{name}")

    @app.get("/network/{period}/")
    def network(request: Request, period: str) -> Response:
        user = web.session(request).user
        p = web.portal(request)
        folder = p.network_dir(user, period)
        web.store(request).audit(user.name, "network.view", period, web.address(request))
        manifest = p.manifest(folder)
        jobs = sorted((manifest.get("jobs") or {}).items())
        return web.page(request, "network.html", {"period": period, "files": p.files(folder), "jobs": jobs,
                                                  "counts": manifest.get("counts") or {},
                                                  "has_html": (folder / "network.html").is_file()})

    @app.get("/network/{period}/{name}")
    def network_file(request: Request, period: str, name: str) -> Response:
        user = web.session(request).user
        return _download(request, user, web.portal(request).network_dir(user, period), name, f"{period}/{name}")

    @app.get("/network/{period}/{branch_id}/{name}")
    def network_link(request: Request, period: str, branch_id: str, name: str) -> Response:
        """network.html links each branch's plan relatively (`B001/branch_plan.html`, right beside it
        in outputs/); in the portal that file is served by the plan's route, which checks access."""
        user = web.session(request).user
        p = web.portal(request)
        path = p.file(p.plan_dir(user, period, branch_id), name)  # 404 for anything that is not there
        return RedirectResponse(f"/plans/{period}/{branch_id}/{path.name}", status_code=303)

    # --- proposals -------------------------------------------------------------------------------------

    @app.get("/proposals/new")
    def proposal_form(request: Request) -> Response:
        web.session(request)
        return _form_page(request)

    @app.post("/proposals")
    async def make_proposal(request: Request) -> Response:
        sess = web.session(request)
        data = await web.form(request, sess.csrf)
        client_id, as_of_text = str(data.get("client_id") or "").strip(), str(data.get("as_of") or "").strip()
        values = {"client_id": client_id[:64], "as_of": as_of_text[:10]}
        p = web.portal(request)
        client = p.book().clients.get(client_id) if is_id(client_id) else None
        if client is None:
            return _form_page(request, [web.message("portal.new.no_client")], values, 400)
        if not p.may_propose(sess.user, client):
            web.store(request).audit(sess.user.name, "proposal.denied", client_id, web.address(request))
            raise Forbidden(client_id)
        as_of = parse_as_of(as_of_text)
        if as_of is None:
            return _form_page(request, [web.message("portal.new.bad_date")], values, 400)
        content, problem = await web.read_upload(data.get("fact_find"))
        if problem:
            return _form_page(request, [problem], values, 400)
        upload = data.get("fact_find")
        try:
            folder = await run_in_threadpool(_render, request, client_id, as_of, content, upload.filename)
        except InputError as exc:
            web.store(request).audit(sess.user.name, "proposal.rejected", f"{client_id}/{as_of}",
                                     web.address(request))
            return _form_page(request, exc.portal_lines, values, 400)  # type: ignore[attr-defined]
        web.store(request).audit(sess.user.name, "proposal", f"{client_id}/{as_of}", web.address(request))
        return RedirectResponse(f"/proposals/{client_id}/{folder.name}/", status_code=303)

    @app.get("/proposals/{client_id}/{as_of}/")
    def proposal(request: Request, client_id: str, as_of: str) -> Response:
        user = web.session(request).user
        p = web.portal(request)
        folder = p.proposal_dir(user, client_id, as_of)
        web.store(request).audit(user.name, "proposal.view", f"{client_id}/{as_of}", web.address(request))
        return web.page(request, "proposal.html", {"client": p.book().clients[client_id], "as_of": as_of,
                                                   "files": p.files(folder),
                                                   "has_html": (folder / "proposal.html").is_file()})

    @app.get("/proposals/{client_id}/{as_of}/{name}")
    def proposal_file(request: Request, client_id: str, as_of: str, name: str) -> Response:
        user = web.session(request).user
        folder = web.portal(request).proposal_dir(user, client_id, as_of)
        return _download(request, user, folder, name, f"clients/{client_id}/{as_of}/{name}")


def _download(request: Request, user: User, folder: Path, name: str, what: str) -> Response:
    """One file of a report folder the user may see: audited; HTML shown inline, the rest downloaded."""
    path = web.portal(request).file(folder, name)
    web.store(request).audit(user.name, "download", what, web.address(request))
    return web.file_response(path, inline=name.endswith(".html"))


def _form_page(request: Request, errors: list[str] | None = None, values: dict[str, str] | None = None,
               status: int = 200) -> Response:
    user = request.state.session.user
    p = web.portal(request)
    clients = sorted(p.clients_for(user), key=lambda c: c.client_id)
    values = values or {"client_id": "", "as_of": dt.date.today().isoformat()}
    return web.page(request, "proposal_new.html", {"clients": clients, "errors": errors or [], "values": values,
                                                   "book_problems": p.book().problems if user.role == "province"
                                                   else []}, status=status)


def _client_params(source: BranchSource, client_id: str, advisor: str | None, workbook: Path) -> dict[str, Any]:
    """The client params file (CONTRACT §5) `clientcare proposal` would read for this proposal: the branch's
    tables, its staff table (the advisor's name and phone on the cover) and branch name."""
    data: dict[str, Any] = {"clients": list(source.clients)}
    data.update({k: v for k, v in (("products", source.products), ("activities", source.activities),
                                   ("staff", source.staff)) if v})
    raw: dict[str, Any] = {"client_id": client_id, "fact_find": str(workbook.resolve()), "data": data,
                           "branch_name": source.branch_name}
    if advisor:
        raw["advisor"] = advisor
    return raw


def _render(request: Request, client_id: str, as_of: dt.date, content: bytes, filename: str) -> Path:
    """Render with the same code as `clientcare proposal PARAMS` (toolkit.commands.run.render_proposal), the
    upload and its params file kept under the output root's private staging folder and removed after.

    The advisor is the user who makes it when they are on the staff, else the client's maintainer."""
    from toolkit.commands.run import render_proposal
    from toolkit.engine.lifecycle import work_dir

    p = web.portal(request)
    client = p.book().clients[client_id]
    source = p.book().sources[client.branch_id]
    advisor = request.state.session.user.staff_id or client.maintainer_id
    with request.app.state.render_lock, work_dir(p.outputs, "upload") as tmp:
        workbook = tmp / "fact_find.xlsx"
        workbook.write_bytes(content)
        params = tmp / "client.yaml"
        params.write_text(yaml.safe_dump(_client_params(source, client_id, advisor, workbook), allow_unicode=True),
                          encoding="utf-8")
        try:
            return render_proposal(params, as_of=as_of.isoformat(), out_root=p.outputs)
        except InputError as exc:
            shown = Path(filename).name
            exc.portal_lines = web.problem_list(exc, {str(workbook): shown, str(workbook.resolve()): shown,  # type: ignore[attr-defined]
                                                      str(tmp.resolve()): "…", str(tmp): "…"})
            raise
