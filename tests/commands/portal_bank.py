"""A small rendered sample bank and portal accounts, for the portal's HTTP and browser tests.

Built once per test module: `clientcare sample` (2 branches × 60 clients, 2 months), then
`clientcare monthly` into an output root, then one account per role.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from toolkit.commands.portal.data import Portal
from toolkit.commands.portal.store import Store

PERIOD = "2026-11"
AS_OF = "2026-12-01"
PASSWORDS = {"prov": "province-secret-1", "b2": "branch-two-secret", "adv": "advisor-secret-1",
             "thr": "throttle-secret-1"}


@dataclass
class Bank:
    root: Path
    outputs: Path
    params_dir: Path
    db: Path
    data: Path
    advisor_client: str  # a B001 client with a fact-find, maintained by `adv`
    other_client: str  # a B001 client `adv` does not maintain
    b2_client: str  # a B002 client with a fact-find
    advisor_staff: str = ""  # `adv`'s staff id: the maintainer of advisor_client

    def fact_find(self, client_id: str) -> Path:
        return self.data / "fact_finds" / f"{client_id}.xlsx"

    def bad_fact_find(self, client_id: str, folder: Path) -> Path:
        """The client's fact-find with an amount that is text and a goal year long past."""
        wb = openpyxl.load_workbook(self.fact_find(client_id))
        wb["年度收支"]["C2"] = "很多 <b>lots</b>"
        wb["理财目标"]["C2"] = 1800
        path = folder / "bad_fact_find.xlsx"
        wb.save(path)
        return path

    def portal(self) -> Portal:
        return Portal(self.outputs, self.params_dir)


def clientcare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, check=False)


def build_bank(root: Path) -> Bank:
    data, params = root / "data", root / "params"
    res = clientcare("sample", "--out", str(data), "--params-dir", str(params), "--branches", "2",
                     "--clients-per-branch", "60", "--months", "2")
    assert res.returncode == 0, res.stderr
    outputs = root / "outputs"
    res = clientcare("monthly", "--params-dir", str(params / "branches"), "--out", str(outputs), "--workers", "2",
                     "--formats", "html", "--period", PERIOD)
    assert res.returncode == 0, res.stdout + res.stderr
    db = outputs / ".portal" / "portal.db"
    bank = Bank(root, outputs, params / "branches", db, data, "", "", "")
    book = bank.portal().book().clients
    with_ff = sorted(p.stem for p in (data / "fact_finds").glob("*.xlsx"))
    mine = next(c for c in with_ff if book[c].branch_id == "B001" and book[c].maintainer_id)
    staff = book[mine].maintainer_id
    bank.advisor_client, bank.advisor_staff = mine, staff
    bank.other_client = next(c.client_id for c in book.values() if c.branch_id == "B001" and c.maintainer_id != staff)
    bank.b2_client = next(c for c in with_ff if book[c].branch_id == "B002")
    store = Store(db)
    store.add_user("prov", "province", PASSWORDS["prov"])
    store.add_user("b2", "branch", PASSWORDS["b2"], branch_id="B002")
    store.add_user("adv", "advisor", PASSWORDS["adv"], branch_id="B001", staff_id=staff)
    store.add_user("thr", "branch", PASSWORDS["thr"], branch_id="B001")
    return bank


def remove_proposals(bank: Bank) -> None:
    shutil.rmtree(bank.outputs / "clients", ignore_errors=True)
