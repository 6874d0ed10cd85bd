"""`make demo`: render one branch plan and one client proposal from the sample bank, print the paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTCARE = [sys.executable, "-m", "toolkit"]


def main() -> int:
    branch = sorted((ROOT / "params" / "branches").glob("*.yaml"))
    client = sorted((ROOT / "params" / "clients").glob("*.yaml"))
    if not branch or not client:
        print("No sample params under params/: run `make sample` first.", file=sys.stderr)
        return 2
    for cmd in (["branch", str(branch[0])], ["proposal", str(client[0])]):
        print("$ clientcare " + " ".join(cmd), flush=True)
        code = subprocess.call([*CLIENTCARE, *cmd], cwd=ROOT)
        if code:
            return code
    print("\nOpen the HTML files above in a browser; the PDFs are beside them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
