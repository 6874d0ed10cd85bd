"""The manifest of a batch (`manifest.json`): which jobs there are and what became of each.

Kept apart from the scheduling loop because it is plain data and file I/O: `resume` reads it,
the batch rewrites it atomically after every job, and nothing here needs worker processes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from toolkit.engine.publish import atomic_write_text

Status = Literal["ok", "failed", "pending"]


@dataclass(frozen=True)
class Job:
    """One unit of work. `target` is "package.module:function"; kwargs must be picklable."""

    id: str
    target: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # expected outputs; absolute, or relative to the manifest's folder


@dataclass
class Entry:
    """What the manifest says about one job."""

    status: Status = "pending"
    seconds: float | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)
    finished_at: str | None = None
    detail: str | None = None  # traceback tail of an unexpected exception, for the developer


@dataclass
class Manifest:
    """The state of a batch, as written to manifest.json."""

    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""
    updated_at: str = ""
    complete: bool = False

    @property
    def ok(self) -> list[str]:
        return [k for k, e in self.entries.items() if e.status == "ok"]

    @property
    def failed(self) -> list[str]:
        return [k for k, e in self.entries.items() if e.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every job is ok, 1 otherwise (CONTRACT §6)."""
        return 0 if self.entries and len(self.ok) == len(self.entries) else 1

    def to_dict(self) -> dict[str, Any]:
        counts = {s: sum(e.status == s for e in self.entries.values()) for s in ("ok", "failed", "pending")}
        return {"meta": self.meta, "started_at": self.started_at, "updated_at": self.updated_at,
                "complete": self.complete, "counts": {"total": len(self.entries), **counts},
                "jobs": {k: {key: v for key, v in asdict(e).items() if key != "detail" or v}
                         for k, e in self.entries.items()}}

    def save(self) -> None:
        self.updated_at = timestamp()
        atomic_write_text(self.path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read a manifest; a missing or unreadable one is an empty manifest (everything reruns)."""
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = {str(k): Entry(**{f: v.get(f) for f in Entry.__dataclass_fields__ if f in v})
                       for k, v in raw.get("jobs", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return cls(path=path)
        return cls(path=path, entries=entries, meta=raw.get("meta") or {},
                   started_at=raw.get("started_at", ""), updated_at=raw.get("updated_at", ""),
                   complete=bool(raw.get("complete")))

    def resolve(self, name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() else self.path.parent / p

    def relative(self, name: str | Path) -> str:
        p = Path(name)
        try:
            return p.resolve().relative_to(self.path.parent.resolve()).as_posix()
        except ValueError:
            return str(p)

    def record(self, job: Job, outcome: dict[str, Any]) -> Entry:
        """Enter what a worker reported for `job` (`run_job`'s outcome) and save; an "ok" job that did
        not leave every file it promised is failed. Whichever runner ran it (local pool or Dask)."""
        files = (outcome.get("files") or [str(self.resolve(f)) for f in job.files]
                 if outcome["status"] == "ok" else [])
        entry = Entry(status=outcome["status"], seconds=outcome.get("seconds"), error=outcome.get("error"),
                      files=[self.relative(f) for f in files], finished_at=timestamp(),
                      detail=outcome.get("detail"))
        if entry.status == "ok" and job.files:
            missing = [f for f in job.files if not self.resolve(f).exists()]
            if missing:
                entry.status, entry.error = "failed", "finished but did not produce " + ", ".join(missing)
        self.entries[job.id] = entry
        self.save()
        return entry

    def is_done(self, job: Job) -> bool:
        """ok in the manifest, and every file it promised (or produced) still exists."""
        entry = self.entries.get(job.id)
        if entry is None or entry.status != "ok":
            return False
        return all(self.resolve(f).exists() for f in (*job.files, *entry.files))


def timestamp() -> str:
    """Now, local time with its offset: what a person reading manifest.json expects."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
