"""Fingerprint what Clientcare renders for the sample bank, to prove a refactoring changed nothing.

    python scripts/golden.py dump FILE.json [--work DIR]   # render the sample, write the fingerprint
    python scripts/golden.py diff A.json B.json            # exit 1 and list what differs

The fingerprint holds, for every sample branch (one `clientcare monthly` run, so the network
comparison is included) and every sample client proposal: summary.json, the cell values of every
xlsx the render wrote, visits.ics without its time stamps, and the text and HTML of every output
of the executed notebooks (images and the generation time left out). Everything runs with a fixed
`--period` and `--as-of`, so two runs on the same code give the same fingerprint.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PERIOD, AS_OF = "2026-10", "2026-11-05"
_STAMP = re.compile(r"^(DTSTAMP|CREATED|LAST-MODIFIED|SEQUENCE):.*$", re.M)
_VOLATILE = re.compile(r"(生成时间：|Generated at )\d{4}-\d{2}-\d{2} \d{2}:\d{2}|/tmp/[^\s\"'<]+")


def _clientcare(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _xlsx(path: Path) -> dict[str, list[list[Any]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [[None if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in book.worksheets}


def _notebook(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            for mime in ("text/html", "text/markdown", "text/plain"):
                if mime in data:
                    out.append(_VOLATILE.sub("<v>", "".join(data[mime])))
                    break
            if "text" in o:
                out.append(_VOLATILE.sub("<v>", "".join(o["text"])))
    return out


def fingerprint(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or "/_failed/" in f"/{rel}":
            continue
        if path.name == "summary.json":
            found[rel] = json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            found[rel] = _xlsx(path)
        elif path.suffix == ".ics":
            found[rel] = _STAMP.sub("", path.read_text(encoding="utf-8"))
        elif path.suffix == ".ipynb":
            found[rel] = _notebook(path)
        elif path.suffix in (".html", ".pdf"):
            found[rel] = "present"
    return found


def dump(target: Path, work: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        base = Path(work or tmp)
        data, params, out = base / "data", base / "params", base / "outputs"
        _clientcare("sample", "--out", str(data), "--params-dir", str(params), "--branches", "2",
                    "--clients-per-branch", "600", "--months", "4", "--end-period", PERIOD)
        _clientcare("monthly", "--period", PERIOD, "--params-dir", str(params / "branches"), "--out", str(out),
                    "--formats", "html")
        for client in sorted((params / "clients").glob("*.yaml")):
            _clientcare("proposal", str(client), "--as-of", AS_OF, "--out", str(out), "--formats", "html")
        target.write_text(json.dumps(fingerprint(out), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
    print(f"fingerprint written to {target}")


def diff(a: Path, b: Path) -> int:
    left, right = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    bad = sorted(k for k in set(left) | set(right) if left.get(k) != right.get(k))
    for key in bad:
        print(f"differs: {key}")
    print(f"{len(left)} files compared, {len(bad)} differ")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("target", type=Path)
    d.add_argument("--work", type=Path)
    c = sub.add_parser("diff")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.cmd == "dump":
        dump(args.target, args.work)
        return 0
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
