"""The portal's embedded store (SQLite): users, sessions, failed logins and the audit log.

Passwords are hashed with Argon2 (argon2-cffi); there is no default account. Session tokens are
random, and only their SHA-256 is stored, so a copy of the database opens no session. Every
connection is short-lived (one per call), so the store is safe to use from the server's threads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from toolkit.base.errors import InputError, Problem
from toolkit.base.ids import is_id

ROLES = ("advisor", "branch", "province")
#: How long a session lasts without use, in seconds (a working day).
SESSION_SECONDS = 10 * 3600
#: Failed logins allowed in THROTTLE_WINDOW seconds, per account and per address, before refusing.
MAX_FAILURES_ACCOUNT = 5
MAX_FAILURES_ADDRESS = 20
THROTTLE_WINDOW = 15 * 60
MIN_PASSWORD = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, branch_id TEXT, staff_id TEXT,
    password TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL,
    created REAL NOT NULL, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (account TEXT NOT NULL, address TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    at TEXT NOT NULL, user TEXT, action TEXT NOT NULL, object TEXT, address TEXT);
"""

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    name: str
    role: str
    branch_id: str | None
    staff_id: str | None
    disabled: bool = False


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def default_db(outputs: str | Path) -> Path:
    """<output root>/.portal/portal.db: beside the outputs it guards, in a private hidden folder."""
    return Path(outputs) / ".portal" / "portal.db"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._db() as db:
            db.executescript(_SCHEMA)
        os.chmod(self.path, 0o600)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    # --- users ----------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, branch_id: str | None = None,
                 staff_id: str | None = None) -> User:
        problems = []
        if not is_id(name):
            problems.append("the user name: letters, digits, '-' and '_' only, 1 to 64 characters")
        if role not in ROLES:
            problems.append(f"--role: one of {', '.join(ROLES)}, not {role!r}")
        if role in ("advisor", "branch") and not is_id(branch_id):
            problems.append(f"--branch: a branch id is needed for the {role} role")
        if role == "advisor" and not is_id(staff_id):
            problems.append("--staff-id: an advisor needs their staff id (the 维护人 of their clients)")
        for option, value in (("--branch", branch_id), ("--staff-id", staff_id)):
            if value is not None and not is_id(value):
                problems.append(f"{option}: letters, digits, '-' and '_' only")
        if len(password) < MIN_PASSWORD:
            problems.append(f"the password: at least {MIN_PASSWORD} characters")
        if problems:
            raise InputError([Problem("users add", p) for p in dict.fromkeys(problems)])
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InputError(Problem("users add", f"user {name!r} exists already"))
            db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, 0, ?)",
                       (name, role, branch_id, staff_id, _hasher.hash(password), _now()))
        self.audit(None, "user.add", f"{name} ({role})")
        return User(name, role, branch_id, staff_id)

    def users(self) -> list[User]:
        with self._db() as db:
            rows = db.execute("SELECT name, role, branch_id, staff_id, disabled FROM users ORDER BY name")
            return [User(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def user(self, name: str) -> User | None:
        return next((u for u in self.users() if u.name == name), None)

    def disable_user(self, name: str) -> None:
        with self._db() as db:
            if db.execute("UPDATE users SET disabled = 1 WHERE name = ?", (name,)).rowcount == 0:
                raise InputError(Problem("users disable", f"no user {name!r}"))
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
        self.audit(None, "user.disable", name)

    # --- logging in -------------------------------------------------------------------------------

    def throttled(self, account: str, address: str) -> bool:
        """True when this account or this address failed too often in the last THROTTLE_WINDOW."""
        since = time.time() - THROTTLE_WINDOW
        with self._db() as db:
            by_account = db.execute("SELECT COUNT(*) FROM failures WHERE account = ? AND at > ?",
                                    (account, since)).fetchone()[0]
            by_address = db.execute("SELECT COUNT(*) FROM failures WHERE address = ? AND at > ?",
                                    (address, since)).fetchone()[0]
        return by_account >= MAX_FAILURES_ACCOUNT or by_address >= MAX_FAILURES_ADDRESS

    def login(self, name: str, password: str, address: str) -> tuple[str, Session] | None:
        """(token, session) for the right password of an enabled user; None (and a failure noted)
        otherwise. The caller checks `throttled` first."""
        with self._db() as db:
            row = db.execute("SELECT password, disabled FROM users WHERE name = ?", (name,)).fetchone()
        ok = False
        if row is not None:
            try:
                ok = _hasher.verify(row[0], password) and not row[1]
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher.hash(password)  # the same time for an unknown name as for a wrong password
        if not ok:
            with self._db() as db:
                db.execute("INSERT INTO failures VALUES (?, ?, ?)", (name[:64], address, time.time()))
            self.audit(name[:64], "login.failed", None, address)
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE account = ?", (name,))
            db.execute("DELETE FROM sessions WHERE seen < ?", (now - SESSION_SECONDS,))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (_digest(token), name, csrf, now, now))
        self.audit(name, "login", None, address)
        return token, Session(self.user(name), csrf)  # type: ignore[arg-type]

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = time.time()
        with self._db() as db:
            row = db.execute("SELECT s.user, s.csrf, s.seen, u.disabled FROM sessions s JOIN users u "
                             "ON u.name = s.user WHERE s.token_hash = ?", (_digest(token),)).fetchone()
            if row is None or row[3] or row[2] < now - SESSION_SECONDS:
                return None
            db.execute("UPDATE sessions SET seen = ? WHERE token_hash = ?", (now, _digest(token)))
        user = self.user(row[0])
        return None if user is None else Session(user, row[1])

    def logout(self, token: str | None) -> None:
        if token:
            with self._db() as db:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    # --- audit --------------------------------------------------------------------------------------

    def audit(self, user: str | None, action: str, obj: str | None = None, address: str | None = None) -> None:
        with self._db() as db:
            db.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?)", (_now(), user, action, obj, address))

    def audit_log(self, limit: int = 1000) -> list[tuple[str, str | None, str, str | None, str | None]]:
        with self._db() as db:
            return list(db.execute("SELECT at, user, action, object, address FROM audit "
                                   "ORDER BY rowid DESC LIMIT ?", (limit,)))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
