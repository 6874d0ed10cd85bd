"""The web portal (issue 18): the month's plans and on-demand proposals behind a login.

`clientcare serve` and `clientcare users …` (toolkit.commands.cli) are thin shells over `serve`,
`add_user`, `list_users` and `disable_user` here.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.commands.portal.store import ROLES, Store, User, default_db

__all__ = ["ROLES", "Store", "User", "add_user", "default_db", "disable_user", "list_users", "serve"]


def _store(db: Path | None, outputs: Path) -> Store:
    return Store(db if db is not None else default_db(outputs))


def add_user(name: str, role: str, password: str, *, branch_id: str | None = None, staff_id: str | None = None,
             db: Path | None = None, outputs: Path = Path("outputs")) -> User:
    return _store(db, outputs).add_user(name, role, password, branch_id=branch_id, staff_id=staff_id)


def list_users(db: Path | None = None, outputs: Path = Path("outputs")) -> list[User]:
    return _store(db, outputs).users()


def disable_user(name: str, db: Path | None = None, outputs: Path = Path("outputs")) -> None:
    _store(db, outputs).disable_user(name)


def serve(host: str = "127.0.0.1", port: int = 8000, outputs: Path = Path("outputs"), db: Path | None = None,
          params_dir: Path = Path("params/branches"), secure_cookies: bool = False) -> None:
    """Run the portal on uvicorn until stopped (Ctrl-C). Behind the bank's reverse proxy, which
    terminates TLS, pass `secure_cookies` so the session cookie is only ever sent over HTTPS."""
    import uvicorn

    from toolkit.commands.portal.app import create_app

    app = create_app(outputs, db if db is not None else default_db(outputs), params_dir, secure_cookies)
    uvicorn.run(app, host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                server_header=False, log_level="info")
