"""Ids are never paths (CONTRACT §1): one rule for every id, and output paths proven to stay inside.

A branch_id, client_id, period or as_of date becomes a folder name under outputs/. An id such as
`..`, `/abs/path` or `../../victim` once made a render replace the whole output root or folders
outside it. So every id is checked once, where it enters (params file, command line, fact-find),
against one rule; and every output path built from ids is resolved and proven to lie strictly
under its root before anything is written or removed (symlinks included).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from toolkit.base.errors import InputError, Problem

#: Longest id accepted: far above any bank's ids, far below a file system's name limit (255 bytes).
MAX_ID_LENGTH = 64
#: What an id may hold, as users read it in messages.
ID_RULE = f"letters, digits, '-' and '_' only, 1 to {MAX_ID_LENGTH} characters"
_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ID_LENGTH}}}", re.ASCII)


class OutsideRootError(InputError):
    """An output path would land on or outside its output root (a hostile id or a symlink)."""


def is_id(value: object) -> bool:
    """True when `value` is a str that satisfies the id rule (and so is safe as one folder name)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def shown(value: object, limit: int = 40) -> str:
    """`repr(value)` for a message, shortened when long (a 500-character id is not shown whole)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def id_message(value: object) -> str:
    """What is wrong with `value` as an id, for a Problem's message."""
    return f"expected an id: {ID_RULE}, never a path (got {shown(value)})"


def id_problem(value: object, file: str, key: str, *, sheet: str | None = None, row: int | None = None,
               column: str | None = None) -> Problem | None:
    """None when `value` is a valid id, else a Problem naming file, key and value."""
    if is_id(value):
        return None
    return Problem(file, f"{key}: {id_message(value)}", sheet=sheet, row=row, column=column)


def check_id(value: object, file: str, key: str) -> str:
    """`value` when it is a valid id; otherwise InputError (exit 2) naming file, key and value."""
    problem = id_problem(value, file, key)
    if problem is not None:
        raise InputError(problem)
    return str(value)


def ensure_under(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """`path` resolved, once proven to lie strictly under the resolved `root` (never the root
    itself); OutsideRootError otherwise. Symlinks are followed, so a link pointing out is refused."""
    base = Path(root).resolve()
    target = Path(path).resolve()
    if target == base or base not in target.parents:
        raise OutsideRootError(Problem(str(path), f"resolves to {target}, which is not inside the output "
                                                  f"root {base}; refusing to write or remove anything there"))
    return target


def path_under(root: str | os.PathLike[str], *parts: str) -> Path:
    """`root/part/part…` resolved and proven to lie strictly under `root`.

    Each part must itself satisfy the id rule (a second line behind the checks at the edge), so no
    part can be empty, absolute, `.` or `..`; then the resolved path is checked against the
    resolved root, which also catches a symlink inside the root that points elsewhere."""
    if not parts:
        raise OutsideRootError(Problem(str(root), "an output path needs at least one folder under the root"))
    bad = [p for part in parts if (p := id_problem(part, str(root), "output folder name")) is not None]
    if bad:
        raise OutsideRootError(bad)
    return ensure_under(root, Path(root).joinpath(*parts))
