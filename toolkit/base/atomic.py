"""Writing one file atomically: readers see the old content or the new, never a mix.

A reader (or a script copying outputs/ to a share) must never see a truncated manifest or
workbook; the file is written beside its destination and renamed into place, which is atomic on
one filesystem. Whole folders are published by toolkit.engine.publish.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Files we create get the usual permissions (mkstemp would give 0600).
_UMASK = os.umask(0)
os.umask(_UMASK)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable across a power cut (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a single file so that readers see either the old content or the new, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), 0o666 & ~_UMASK)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """`atomic_write_bytes` for text (UTF-8 by default)."""
    atomic_write_bytes(path, text.encode(encoding))
