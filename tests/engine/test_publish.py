"""Atomic publishing: all files appear together or none, and interruptions are recovered."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from toolkit.engine import publish

DEAD_PID = 4_000_000  # above Linux's pid_max: no such process


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _staging_with(dest: Path, files: dict[str, str]) -> Path:
    staging = publish.make_staging(dest)
    for name, text in files.items():
        (staging / name).write_text(text)
    return staging


def test_first_publish_creates_dest(tmp_path):
    dest = tmp_path / "2026-11" / "B001"
    staging = _staging_with(dest, {"plan.html": "new", "summary.json": "{}"})
    assert staging.parent == dest.parent and staging.name.startswith(".B001.staging-")
    publish.publish_dir(staging, dest)
    assert _tree(dest) == {"plan.html": "new", "summary.json": "{}"}
    assert not staging.exists()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["B001"]


def test_publish_replaces_every_file_and_drops_stale_ones(tmp_path):
    dest = tmp_path / "B001"
    publish.publish_dir(_staging_with(dest, {"plan.html": "old", "forum.xlsx": "old"}), dest)
    publish.publish_dir(_staging_with(dest, {"plan.html": "new"}), dest)
    assert _tree(dest) == {"plan.html": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["B001"]


def test_published_folder_is_readable_by_others(tmp_path):
    dest = tmp_path / "B001"
    publish.publish_dir(_staging_with(dest, {"a": "1"}), dest)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o777 & ~umask


def test_failure_between_the_renames_leaves_dest_as_it_was(tmp_path, monkeypatch):
    dest = tmp_path / "B001"
    publish.publish_dir(_staging_with(dest, {"plan.html": "old", "plan.pdf": "old"}), dest)
    staging = _staging_with(dest, {"plan.html": "new", "plan.pdf": "new"})
    real_rename = os.rename

    def rename(src, dst):
        if Path(src) == staging:
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", rename)
    with pytest.raises(OSError, match="disk full"):
        publish.publish_dir(staging, dest)
    assert _tree(dest) == {"plan.html": "old", "plan.pdf": "old"}
    assert not list(tmp_path.glob("B001.old-*"))


def test_interrupted_publish_is_restored_on_the_next_call(tmp_path):
    dest = tmp_path / "B001"
    old = tmp_path / f"B001.old-{DEAD_PID}"  # a process died right after moving dest aside
    old.mkdir()
    (old / "plan.html").write_text("last good")
    publish.recover(dest)
    assert _tree(dest) == {"plan.html": "last good"}
    assert not old.exists()


def test_leftover_old_folder_is_removed_when_dest_exists(tmp_path):
    dest = tmp_path / "B001"
    dest.mkdir()
    (dest / "plan.html").write_text("current")
    (tmp_path / f"B001.old-{DEAD_PID}").mkdir()
    (tmp_path / "B002.old-1").mkdir()  # another destination's: not ours to touch
    publish.publish_dir(_staging_with(dest, {"plan.html": "newer"}), dest)
    assert _tree(dest) == {"plan.html": "newer"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["B001", "B002.old-1"]


def test_staging_of_dead_processes_is_swept(tmp_path):
    dest = tmp_path / "B001"
    dead = tmp_path / f".B001.staging-{DEAD_PID}-abc"
    dead.mkdir()
    mine = publish.make_staging(dest)
    assert not dead.exists() and mine.exists()
    publish.make_staging(dest)
    assert mine.exists()  # this process's own staging is never swept


def test_publish_requires_a_staging_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        publish.publish_dir(tmp_path / "missing", tmp_path / "dest")


def test_atomic_write_text_replaces_content(tmp_path):
    path = tmp_path / "sub" / "manifest.json"
    publish.atomic_write_text(path, json.dumps({"a": "维护"}, ensure_ascii=False))
    publish.atomic_write_text(path, json.dumps({"b": 1}))
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": 1}
    assert [p.name for p in path.parent.iterdir()] == ["manifest.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_atomic_write_failure_keeps_old_content_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "manifest.json"
    publish.atomic_write_bytes(path, b"old")

    def replace(src, dst):
        raise OSError("interrupted")

    monkeypatch.setattr(publish.os, "replace", replace)
    with pytest.raises(OSError, match="interrupted"):
        publish.atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_every_dead_render_staging_in_a_folder_is_swept(tmp_path):
    dead = [tmp_path / f".B001.staging-{DEAD_PID}-abc", tmp_path / f".B002.staging-{DEAD_PID}-xyz"]
    for folder in dead:
        folder.mkdir()
    mine = publish.make_staging(tmp_path / "B003")
    (tmp_path / "B001").mkdir()
    publish.sweep_folder(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["B001", mine.name])
    publish.sweep_folder(tmp_path / "missing")  # nothing to sweep: no error


def _staged_files(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return [folder / name for name in files]


def test_publish_files_moves_them_all_into_a_shared_folder(tmp_path):
    period = tmp_path / "2026-11"
    period.mkdir()
    (period / "network.html").write_text("old")
    (period / "manifest.json").write_text("{}")
    written = publish.publish_files(_staged_files(tmp_path / "work", {"network.html": "new", "network.xlsx": "new"}),
                                    period)
    assert written == [period / "network.html", period / "network.xlsx"]
    assert _tree(period) == {"manifest.json": "{}", "network.html": "new", "network.xlsx": "new"}
    assert list((tmp_path / "work").iterdir()) == []  # moved, and the copies of the old ones are gone


def test_publish_files_puts_every_old_file_back_when_a_rename_fails(tmp_path, monkeypatch):
    period = tmp_path / "2026-11"
    period.mkdir()
    (period / "network.html").write_text("old")
    files = _staged_files(tmp_path / "work", {"network.html": "new", "network.ipynb": "new", "network.xlsx": "new"})
    real_replace = os.replace

    def replace(src, dst):
        if Path(src).name == "network.xlsx" and Path(dst).parent == period:
            raise OSError("disk gone")
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace)
    with pytest.raises(OSError, match="disk gone"):
        publish.publish_files(files, period)
    assert _tree(period) == {"network.html": "old"}
