"""What the portal reads: the output folder (CONTRACT §7) and the client book named by the branch
params files, and who may see what.

Every id, period and file name that comes from a URL goes through `toolkit.base.ids` here
(`is_id`, `path_under`, `ensure_under`), and a file name must also be one of the files the folder
holds; anything else is "not found", so no URL can reach outside the output root.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.base.errors import InputError
from toolkit.base.ids import OutsideRootError, ensure_under, is_id, path_under
from toolkit.commands.portal.store import User
from toolkit.report.privacy import mask_name, mask_phone

_PERIOD = re.compile(r"\d{4}-\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILE = re.compile(r"[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9]{1,8}")
TIERS = ("private_wealth", "wealth", "potential_a", "potential_b", "basic")


class NotFound(Exception):
    """A URL that names nothing this user may see (shown as 404)."""


class Forbidden(Exception):
    """A real object this user may not see (shown as 403)."""


@dataclass(frozen=True)
class Client:
    client_id: str
    branch_id: str
    maintainer_id: str | None
    name: str  # masked
    phone: str  # masked


@dataclass
class BranchSource:
    """The files a branch's params file names: what a proposal for one of its clients reads."""

    branch_id: str
    branch_name: str
    clients: list[str]
    products: str | None
    activities: str | None
    staff: str | None = None  # the branch's staff table: the advisor's name and phone on the cover


@dataclass
class Book:
    clients: dict[str, Client] = field(default_factory=dict)
    sources: dict[str, BranchSource] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class Portal:
    """The output root and the params folder, as one user at a time may see them."""

    def __init__(self, outputs: str | Path, params_dir: str | Path) -> None:
        self.outputs = Path(outputs).resolve()
        self.params_dir = Path(params_dir)
        self._book: Book | None = None
        self._book_key: tuple[Any, ...] | None = None
        self._lock = threading.Lock()

    # --- rights -----------------------------------------------------------------------------------

    @staticmethod
    def may_see_branch(user: User, branch_id: str) -> bool:
        return user.role == "province" or user.branch_id == branch_id

    def may_propose(self, user: User, client: Client) -> bool:
        if user.role == "province":
            return True
        if user.role == "branch":
            return client.branch_id == user.branch_id
        return client.branch_id == user.branch_id and client.maintainer_id == user.staff_id

    def clients_for(self, user: User) -> list[Client]:
        return [c for c in self.book().clients.values() if self.may_propose(user, c)]

    # --- the month's plans --------------------------------------------------------------------------

    def periods(self) -> list[str]:
        if not self.outputs.is_dir():
            return []
        return sorted((p.name for p in self.outputs.iterdir() if p.is_dir() and _PERIOD.fullmatch(p.name)),
                      reverse=True)

    def branches(self, user: User, period: str) -> list[dict[str, Any]]:
        """Each published branch plan of `period` this user may see, with its key figures."""
        folder = self._period(period)
        rows = []
        for sub in sorted(folder.iterdir()):
            if not (sub.is_dir() and is_id(sub.name) and (sub / "summary.json").is_file()):
                continue
            if not self.may_see_branch(user, sub.name):
                continue
            rows.append(key_figures(_read_json(sub / "summary.json"), self.branch_name(sub.name)))
        return rows

    def plan_dir(self, user: User, period: str, branch_id: str) -> Path:
        self._period(period)
        if not is_id(branch_id):
            raise NotFound(branch_id)
        if not self.may_see_branch(user, branch_id):
            raise Forbidden(branch_id)
        folder = self._under(period, branch_id)
        if not (folder / "summary.json").is_file():
            raise NotFound(branch_id)
        return folder

    def network_dir(self, user: User, period: str) -> Path:
        folder = self._period(period)  # a hostile period is "not found" for every role
        if user.role != "province":
            raise Forbidden(period)
        if not (folder / "manifest.json").is_file() and not (folder / "network.html").is_file():
            raise NotFound(period)
        return folder

    def manifest(self, folder: Path) -> dict[str, Any]:
        path = folder / "manifest.json"
        return _read_json(path) if path.is_file() else {}

    # --- proposals ------------------------------------------------------------------------------------

    def proposal_dir(self, user: User, client_id: str, as_of: str) -> Path:
        if not (is_id(client_id) and is_id(as_of) and _DATE.fullmatch(as_of)):
            raise NotFound(client_id)
        client = self.book().clients.get(client_id)
        if client is None or not self.may_propose(user, client):
            raise Forbidden(client_id) if client is not None else NotFound(client_id)
        folder = self._under("clients", client_id, as_of)
        if not (folder / "summary.json").is_file():
            raise NotFound(client_id)
        return folder

    def proposals(self, user: User) -> list[dict[str, str]]:
        """Proposals already made for clients this user may see, newest first."""
        root = self.outputs / "clients"
        if not root.is_dir():
            return []
        book = self.book().clients
        rows = []
        for cdir in root.iterdir():
            client = book.get(cdir.name)
            if client is None or not self.may_propose(user, client):
                continue
            for adir in cdir.iterdir():
                if _DATE.fullmatch(adir.name) and (adir / "summary.json").is_file():
                    rows.append({"client_id": client.client_id, "name": client.name, "as_of": adir.name,
                                 "branch_id": client.branch_id})
        return sorted(rows, key=lambda r: (r["as_of"], r["client_id"]), reverse=True)

    # --- files ------------------------------------------------------------------------------------------

    @staticmethod
    def files(folder: Path) -> list[str]:
        return sorted(f.name for f in folder.iterdir() if f.is_file() and _FILE.fullmatch(f.name))

    def file(self, folder: Path, name: str) -> Path:
        """`folder/name` when `name` is one of the files the folder holds, proven inside the root."""
        if not _FILE.fullmatch(name) or name not in self.files(folder):
            raise NotFound(name)
        try:
            return ensure_under(folder, folder / name)
        except OutsideRootError:
            raise NotFound(name) from None

    # --- the client book ------------------------------------------------------------------------------

    def branch_name(self, branch_id: str) -> str:
        source = self.book().sources.get(branch_id)
        return source.branch_name if source else branch_id

    def book(self) -> Book:
        """Every client of the branches in params_dir at their latest snapshot (names and phones
        masked), re-read when a params or data file changes."""
        with self._lock:
            files = sorted(self.params_dir.glob("*.yaml")) if self.params_dir.is_dir() else []
            key = tuple((str(f), f.stat().st_mtime_ns) for f in files)
            if self._book is None or key != self._book_key:
                self._book, self._book_key = _load_book(files), key
            return self._book

    # --- helpers -------------------------------------------------------------------------------------

    def _period(self, period: str) -> Path:
        if not (is_id(period) and _PERIOD.fullmatch(period)):
            raise NotFound(period)
        folder = self._under(period)
        if not folder.is_dir():
            raise NotFound(period)
        return folder

    def _under(self, *parts: str) -> Path:
        try:
            return path_under(self.outputs, *parts)
        except OutsideRootError:
            raise NotFound("/".join(parts)) from None


def _load_book(files: list[Path]) -> Book:
    from toolkit.inputs.params import load_branch_params
    from toolkit.inputs.tables import load_clients

    book = Book()
    loaded: dict[tuple[str, ...], Any] = {}
    for path in files:
        try:
            params = load_branch_params(path)
            key = tuple(params.data.clients)
            if key not in loaded:
                loaded[key] = load_clients(params.data.clients)
        except InputError as exc:
            book.problems.append(exc.report())
            continue
        bid = params.branch_id
        book.sources[bid] = BranchSource(bid, params.branch_name, list(params.data.clients),
                                         params.data.products, params.data.activities, params.data.staff)
        df = loaded[key]
        df = df.loc[df["branch_id"].astype(str) == bid]
        if df.empty:
            continue
        latest = df.loc[df["snapshot_date"] == df["snapshot_date"].max()]
        for row in latest.itertuples(index=False):
            maint = row.maintainer_id if isinstance(row.maintainer_id, str) and row.maintainer_id else None
            phone = row.phone if isinstance(row.phone, str) else ""
            book.clients[str(row.client_id)] = Client(str(row.client_id), bid, maint,
                                                      str(mask_name(row.name)), str(mask_phone(phone)))
    return book


def key_figures(summary: dict[str, Any], name: str) -> dict[str, Any]:
    tiers = summary.get("tiers") or {}
    kpi = summary.get("kpi") or {}
    in_scope = [t for t in TIERS if t != "basic"]
    return {
        "branch_id": summary.get("branch_id"), "name": name, "period": summary.get("period"),
        "base_period": summary.get("base_period"),
        "clients": sum(int((tiers.get(t) or {}).get("clients") or 0) for t in in_scope),
        "aum": sum(float((tiers.get(t) or {}).get("aum") or 0) for t in in_scope),
        "churn_rate": kpi.get("churn_rate"), "upgrade_rate": kpi.get("upgrade_rate"),
        "product_coverage_rate": kpi.get("product_coverage_rate"), "new_clients": kpi.get("new_clients"),
        "aum_growth": kpi.get("aum_growth"),
        "outflow": len((summary.get("watch") or {}).get("outflow") or []),
        "visits": (summary.get("visits") or {}).get("planned"),
        "forum": (summary.get("forum") or {}).get("date"),
    }


def parse_as_of(value: str) -> dt.date | None:
    """The as-of date of a form, or None when it is not a supported date."""
    from toolkit.base.periods import supported_date

    if not (is_id(value) and _DATE.fullmatch(value)):
        return None
    try:
        return supported_date(dt.date.fromisoformat(value), "as_of")
    except ValueError:
        return None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
