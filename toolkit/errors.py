"""Typed exceptions, so the CLI can tell a user's mistake (exit 2) from a bug.

Modelled on papermill's exceptions module: one base class, one subclass per kind of failure.
"""

from __future__ import annotations

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
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class ParamsError(InputError):
    """A params file is missing, unparseable, or has unknown or invalid keys."""


class RenderError(ClientcareError):
    """A notebook failed to execute or convert; the previous outputs were left in place."""

    def __init__(self, message: str, kept_notebook: str | None = None):
        self.kept_notebook = kept_notebook
        super().__init__(message + (f" (failed notebook kept at {kept_notebook})" if kept_notebook else ""))
