"""Typed exceptions, so the CLI can tell a user's mistake (exit 2) from a bug.

Modelled on papermill's exceptions module: one base class, one subclass per kind of failure.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None  # 1-based row as the user sees it in Excel (header = row 1)
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


#: Problems listed one by one in a report (and kept per file by the loaders); the rest are counted
#: per file, column and kind (CONTRACT §1), so a million bad rows give a short report, quickly.
MAX_LISTED = 200


@dataclass(frozen=True)
class Omitted(Problem):
    """`count` more problems of one kind (`message`, without the cell's value) in one column of a file,
    counted instead of listed: what a loader keeps beyond `MAX_LISTED` problems."""

    count: int = 0

    def __str__(self) -> str:
        where = [self.file] + ([f"sheet {self.sheet!r}"] if self.sheet else []) \
            + ([f"column {self.column!r}"] if self.column else [])
        return f"{', '.join(where)}: {self.count:,} × {self.message}"


#: The cell's value in a problem's message ("(found 'abc')", "(the cell is empty)", "('0001')"): what
#: differs between problems of one kind.
_VALUE = re.compile(r" \((?:found .*|the cell is empty)\)$| \('[^']*'\)", re.S)


def problem_kind(problem: Problem) -> str:
    """A problem's message without the cell's value: what problems of one kind share."""
    return problem.message if isinstance(problem, Omitted) else _VALUE.sub("", problem.message)


def problem_count(problems: list[Problem]) -> int:
    """How many problems these stand for (an `Omitted` counts as its `count`)."""
    return sum(p.count if isinstance(p, Omitted) else 1 for p in problems)


def problem_lines(problems: list[Problem], cap: int | None = None) -> list[str]:
    """The problems as report lines: the first `cap` (default `MAX_LISTED`) one by one, then
    "… and N more of the same kinds:" with a count per file, column and kind."""
    cap = MAX_LISTED if cap is None else cap
    listed = [p for p in problems if not isinstance(p, Omitted)]
    counts: dict[tuple[str, str | None, str | None, str], int] = {}
    for p in [*listed[cap:], *(p for p in problems if isinstance(p, Omitted))]:
        key = (p.file, p.sheet, p.column, problem_kind(p))
        counts[key] = counts.get(key, 0) + (p.count if isinstance(p, Omitted) else 1)
    lines = [f"  - {p}" for p in listed[:cap]]
    if counts:
        lines.append(f"  … and {sum(counts.values()):,} more of the same kinds:")
        lines += [f"    - {Omitted(file, kind, sheet, None, column, n)}"
                  for (file, sheet, column, kind), n in counts.items()]
    return lines


class ClientcareError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1


class InputError(ClientcareError):
    """Input files or params break the contract. Carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="<input>", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """Every problem, up to `MAX_LISTED`; beyond, counts per file, column and kind."""
        n = problem_count(self.problems)
        head = f"{n:,} problem{'s' if n != 1 else ''} found in the input:"
        return "\n".join([head, *problem_lines(self.problems)])


class ParamsError(InputError):
    """A params file is missing, unparseable, or has unknown or invalid keys."""


class RenderError(ClientcareError):
    """A notebook failed to execute or convert; the previous outputs were left in place."""

    def __init__(self, message: str, kept_notebook: str | None = None):
        self.kept_notebook = kept_notebook
        super().__init__(message + (f" (failed notebook kept at {kept_notebook})" if kept_notebook else ""))


class BatchRunningError(ClientcareError):
    """Another batch holds the output root's lock: two batches would publish over each other.

    A usage problem (exit 2): wait for that batch, or give this one another output root."""

    exit_code = 2

    def __init__(self, root: object, pid: int | None):
        self.root, self.pid = root, pid
        super().__init__(f"another batch is running on {root} (pid {pid if pid is not None else 'unknown'})")


class EnvironmentProblem(ClientcareError):
    """The machine stopped the run, not the input and not a bug: a read-only or full disk, a
    missing permission, an output folder whose parent is a file. Exit 1 with a plain message
    naming the path, so the user frees space or picks another --out instead of filing a bug."""

    #: errno values that describe the machine (disks, permissions, limits), never the code.
    ERRNOS = frozenset(getattr(errno, name) for name in (
        "EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "ENOENT", "ENOTDIR", "EISDIR", "EEXIST", "ENAMETOOLONG",
        "ELOOP", "EMFILE", "ENFILE", "EIO", "EFBIG", "EXDEV", "EBUSY", "ETXTBSY", "ESTALE") if hasattr(errno, name))
    #: How a notebook's kernel reports an OSError: `[Errno 28] No space left on device: '/x/y'`.
    _KERNEL_TEXT = re.compile(r"\[Errno (\d+)\] ([^:]+?)(?:: '(.*?)')?(?:\s*->.*)?\s*$", re.S)
    _KERNEL_NAMES = frozenset({"OSError", "IOError", "PermissionError"})
    #: From a kernel only what is surely the machine: a missing file there is more likely the notebook's.
    _KERNEL_ERRNOS = frozenset(getattr(errno, name) for name in (
        "EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "EFBIG", "EIO", "EMFILE", "ENFILE") if hasattr(errno, name))

    def __init__(self, error: OSError, path: object = None, note: str = ""):
        self.error = error
        self.path = error.filename if error.filename is not None else path
        super().__init__(self.describe(error, self.path) + (f" ({note})" if note else ""))

    @staticmethod
    def reason(error: OSError) -> str:
        """`no space left on device`: the system's words for the error, in lower case."""
        text = error.strerror or (os.strerror(error.errno) if error.errno else str(error))
        return text[:1].lower() + text[1:]

    @classmethod
    def describe(cls, error: OSError, path: object = None) -> str:
        code, why = error.errno, cls.reason(error)
        where = path if path is not None else "the output folder"
        if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return f"{why} while writing {where}"
        if code in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"cannot write to {where}: {why}"
        if code in (errno.ENOTDIR, errno.EEXIST):
            return f"cannot use {where}: part of that path is a file, not a folder"
        return f"cannot use {where}: {why}"

    @classmethod
    def of(cls, error: BaseException, path: object = None, note: str = "") -> EnvironmentProblem | None:
        """The environment problem behind `error`, if any: the error itself, an OSError it was raised
        from (RenderError wraps them), or an OSError a notebook's kernel reported by name."""
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            if isinstance(current, EnvironmentProblem):
                return current
            if isinstance(current, OSError) and current.errno in cls.ERRNOS:
                return cls(current, path, note)
            if getattr(current, "ename", None) in cls._KERNEL_NAMES:
                m = cls._KERNEL_TEXT.match(str(getattr(current, "evalue", "")))
                if m and int(m.group(1)) in cls._KERNEL_ERRNOS:
                    return cls(OSError(int(m.group(1)), m.group(2), m.group(3)), path, note)
            current = current.__cause__  # an explicit `raise … from`, never a bug raised while handling one
        return None
