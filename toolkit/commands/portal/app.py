"""The portal (issue 18): FastAPI, server-rendered Jinja2 pages with autoescaping, no build step.

Security in one place: a session is an HttpOnly, SameSite=Lax cookie holding a random token; every
POST carries a CSRF token (the session's, or before login a double-submit cookie's) or is 403;
failed logins are throttled per account and per address; uploads are capped and must be xlsx
files; every login, proposal and download goes to the audit log. Phones are always masked.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from toolkit.commands.portal import routes
from toolkit.commands.portal.data import Forbidden, NotFound, Portal
from toolkit.commands.portal.store import Store
from toolkit.commands.portal.web import PAGE_CSP, Denied, page


def create_app(outputs: str | Path, db: str | Path, params_dir: str | Path,
               secure_cookies: bool = False) -> FastAPI:
    """The portal over `outputs`, with its store at `db`, reading clients as `params_dir`'s branch
    params files name them. `secure_cookies` when TLS terminates in front (the reverse proxy)."""
    app = FastAPI(title="Clientcare portal", docs_url=None, redoc_url=None, openapi_url=None,
                  redirect_slashes=False)  # never redirect to a URL built from a hostile one
    app.state.portal = Portal(outputs, params_dir)
    app.state.store = Store(db)
    app.state.secure = secure_cookies
    app.state.render_lock = threading.Lock()  # one proposal render at a time: one kernel template

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(Denied)
    async def denied(request: Request, exc: Denied) -> Response:
        if exc.status == 401:
            return RedirectResponse("/login", status_code=303)
        return page(request, "error.html", {"status": exc.status, "message": exc.message}, status=exc.status)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return page(request, "error.html", {"status": 404, "message": ""}, status=404)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return page(request, "error.html", {"status": 403, "message": ""}, status=403)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return page(request, "error.html", {"status": exc.status_code, "message": ""}, status=exc.status_code)

    routes.install(app)
    return app


