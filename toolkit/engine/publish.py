"""Atomic publishing: a render's files appear in their folder all together, or not at all.

A reader (or a script copying outputs/ to a share) must never see a half-written plan: a new
HTML next to last month's PDF, or a truncated manifest. Everything is first written into a
staging folder on the same filesystem, then swapped in with renames, which are atomic there.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from toolkit.base.atomic import _UMASK, _fsync_dir, atomic_write_bytes, atomic_write_text
from toolkit.base.ids import ensure_under

__all__ = ["atomic_write_bytes", "atomic_write_text", "make_staging", "publish_dir", "publish_files", "recover",
           "sweep_folder", "sweep_staging"]

#: Files and folders we create get the usual permissions (mkstemp/mkdtemp would give 0600/0700).
_OLD = re.compile(r"^(?P<name>.+)\.old-(?P<pid>\d+)$")
_STAGING = re.compile(r"^\.(?P<name>.+)\.staging-(?P<pid>\d+)-.+$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _leftovers(dest: Path) -> list[Path]:
    """`<dest>.old-<pid>` folders left by an interrupted publish, newest first."""
    if not dest.parent.is_dir():
        return []
    found = [p for p in dest.parent.iterdir()
             if (m := _OLD.match(p.name)) and m.group("name") == dest.name and p.is_dir()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def recover(dest: Path) -> None:
    """Undo an interrupted publish: restore the previous outputs if dest went missing.

    An interruption between the two renames leaves `dest` absent and `dest.old-<pid>` present;
    that old folder is the last good publish and goes back into place. Old folders whose
    publish finished (dest present) are removed, unless another live process is mid-publish.
    """
    dest = Path(dest)
    olds = [p for p in _leftovers(dest)
            if (pid := int(_OLD.match(p.name).group("pid"))) == os.getpid() or not _pid_alive(pid)]
    if not olds:
        return
    if not dest.exists():
        os.rename(olds[0], dest)
        olds = olds[1:]
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


def make_staging(dest: Path, root: Path | None = None) -> Path:
    """A fresh, empty staging folder next to `dest` (same filesystem, so the final move is a rename).
    With `root`, dest must lie strictly under it (toolkit.base.ids.ensure_under), or nothing is created."""
    dest = Path(dest) if root is None else ensure_under(root, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    sweep_staging(dest)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.staging-{os.getpid()}-", dir=dest.parent))
    staging.chmod(0o777 & ~_UMASK)
    return staging


def sweep_staging(dest: Path) -> None:
    """Remove staging folders of `dest` left by renders whose process died (crash, kill -9)."""
    if not dest.parent.is_dir():
        return
    for p in dest.parent.iterdir():
        m = _STAGING.match(p.name)
        if m and m.group("name") == dest.name and int(m.group("pid")) != os.getpid() \
                and not _pid_alive(int(m.group("pid"))):
            shutil.rmtree(p, ignore_errors=True)


def sweep_folder(folder: Path) -> None:
    """`sweep_staging` for every dest in `folder`: the staging folders of renders that died there."""
    if not Path(folder).is_dir():
        return
    for p in Path(folder).iterdir():
        m = _STAGING.match(p.name)
        if m and int(m.group("pid")) != os.getpid() and not _pid_alive(int(m.group("pid"))):
            shutil.rmtree(p, ignore_errors=True)


def publish_files(files: list[Path], folder: Path) -> list[Path]:
    """Move finished files into `folder` together: every one replaced, or (if a rename fails) none.

    For files that must sit directly in a shared folder (outputs/<period>/network.*), where a whole
    folder cannot be swapped in. The files must be on folder's filesystem; each file they replace is
    first linked aside, so that a failure half-way puts the previous ones back."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not files:
        return []
    aside = Path(tempfile.mkdtemp(prefix=".publish-", dir=Path(files[0]).parent))
    moved: list[tuple[Path, Path | None]] = []
    try:
        for f in map(Path, files):
            target, backup = folder / f.name, None
            if target.exists():
                backup = aside / f.name
                try:
                    os.link(target, backup)
                except OSError:  # no hard links here: a copy does as well
                    shutil.copy2(target, backup)
            os.replace(f, target)
            moved.append((target, backup))
    except BaseException:
        for target, backup in reversed(moved):
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    _fsync_dir(folder)
    return [target for target, _ in moved]


def publish_dir(staging: Path, dest: Path, root: Path | None = None) -> None:
    """Move the finished `staging` folder into place as `dest`, replacing what was there.

    Two renames: dest -> dest.old-<pid>, staging -> dest; then the old folder is deleted. If
    the second rename fails, the first is undone, so dest is exactly as it was. If the process
    dies in between, the next `publish_dir` or `recover` on the same dest restores it.
    With `root`, dest must lie strictly under it: an id such as `..` can never replace the root.
    """
    staging, dest = Path(staging), Path(dest) if root is None else ensure_under(root, dest)
    if not staging.is_dir():
        raise FileNotFoundError(f"staging folder {staging} does not exist")
    recover(dest)
    old = dest.with_name(f"{dest.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    moved_old = False
    if dest.exists():
        os.rename(dest, old)
        moved_old = True
    try:
        os.rename(staging, dest)
    except BaseException:
        if moved_old and not dest.exists():
            os.rename(old, dest)
        raise
    _fsync_dir(dest.parent)
    if moved_old:
        shutil.rmtree(old, ignore_errors=True)


