"""What the portal's pages share: sessions, CSRF, uploads, rendering a template, serving a file."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import UploadFile

from toolkit.base.errors import InputError
from toolkit.commands.portal.data import Portal
from toolkit.commands.portal.store import Session, Store
from toolkit.report.text import label, say

SESSION_COOKIE = "cc_session"
LOGIN_CSRF_COOKIE = "cc_login_csrf"
#: Largest fact-find accepted (the empty template is about 20 KB; a filled one well under 1 MB).
MAX_UPLOAD = 5 * 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
             "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
#: A report shown in the page's frame: no script, no form, nothing fetched but its own data: URIs.
_REPORT_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
               "frame-ancestors 'self'")

_env = Environment(loader=PackageLoader("toolkit.commands.portal", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                   lstrip_blocks=True)
_env.filters["pct"] = lambda v: "–" if v is None else f"{float(v) * 100:.1f}%"
_env.filters["wan"] = lambda v: "–" if v is None else f"{float(v) / 10000:,.0f}"


def both(key: str, sep: str = " ", /, **values: Any) -> str:
    """The text of `key` in Chinese and then English, as the portal shows every text."""
    return f"{say(key, 'zh', **values)}{sep}{say(key, 'en', **values)}"


def message(key: str, /, **values: Any) -> str:
    """A message line of the portal (an error, a refusal): Chinese / English."""
    return both(key, " / ", **values)


#: The words of the templates, all from the text layer (toolkit.report.text): `t(key, "en")` one
#: language, `both(key)` "zh en" (a role: both("portal.role." ~ role)), `label(code, language)` a code's label.
_env.globals.update(t=say, both=both, label=label)


class Denied(Exception):
    def __init__(self, status: int, message: str = "") -> None:
        self.status, self.message = status, message


# --- helpers the routes share -----------------------------------------------------------------------


def store(request: Request) -> Store:
    return request.app.state.store


def portal(request: Request) -> Portal:
    return request.app.state.portal


def address(request: Request) -> str:
    return request.client.host if request.client else "-"


def session(request: Request) -> Session:
    """The request's session, or Denied(401) (a redirect to the login page)."""
    found = store(request).session(request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise Denied(401)
    request.state.session = found
    return found


async def form(request: Request, csrf: str | None, *, max_size: int = MAX_UPLOAD) -> Any:
    """The POST's form once its CSRF token matches `csrf`; Denied(403) otherwise."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_size + 64 * 1024:
        raise Denied(413, message("portal.error.too_large"))
    data = await request.form(max_files=1, max_fields=20)
    token = data.get("csrf")
    if not (csrf and isinstance(token, str) and hmac.compare_digest(token, csrf)):
        raise Denied(403, message("portal.error.csrf"))
    return data


async def read_upload(item: Any) -> tuple[bytes | None, str | None]:
    """(content, None) for an .xlsx upload within MAX_UPLOAD, else (None, what is wrong)."""
    if not isinstance(item, UploadFile) or not item.filename:
        return None, message("portal.upload.missing")
    if not item.filename.lower().endswith(".xlsx"):
        return None, message("portal.upload.not_xlsx")
    content = await item.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return None, message("portal.upload.too_big")
    if not content.startswith(_XLSX_MAGIC):
        return None, message("portal.upload.not_workbook")
    return content, None


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    sess = getattr(request.state, "session", None)
    html = _env.get_template(template).render(user=sess.user if sess else None,
                                              csrf=sess.csrf if sess else None, **context)
    return HTMLResponse(html, status_code=status)


def login_page(request: Request, error: str | None = None, status: int = 200, name: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", {"login_csrf": token, "error": error, "name": name}, status=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.secure, path="/login")
    return response


def file_response(path: Path, inline: bool) -> FileResponse:
    media = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "ics": "text/calendar", "ipynb": "application/x-ipynb+json"}.get(path.suffix[1:], "application/octet-stream")
    response = FileResponse(path, media_type=media, filename=path.name,
                            content_disposition_type="inline" if inline else "attachment")
    response.headers["Content-Security-Policy"] = _REPORT_CSP
    return response


def healthz(request: Request) -> PlainTextResponse:
    ok = portal(request).outputs.is_dir()
    return PlainTextResponse("ok\n" if ok else "output folder missing\n", status_code=200 if ok else 503)


def problem_list(exc: InputError, hide: dict[str, str]) -> list[str]:
    """The CLI's problem lines, with the server's own paths replaced by what the user knows."""
    from toolkit.base.errors import problem_lines

    lines = []
    for line in problem_lines(exc.problems):
        for path, shown in hide.items():
            line = line.replace(path, shown)
        lines.append(line.strip())
    return lines

