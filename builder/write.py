"""Write the output atomically: stage a complete new tree beside the old one, then swap.

Files whose bytes did not change are hard-linked from the previous output, so they keep
their mtime (deploys and rsync stay small) and cost no write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path


def write_output(
    out: Path, files: Mapping[str, bytes], *, keep: Collection[str] = (), clean: bool = False
) -> int:
    """Replace `out` with exactly `files` plus the files of `keep`, which the previous output
    already holds with the right bytes; return how many files were new or changed."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out if out.is_dir() and not clean else None
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        changed = _stage(staging, files, old)
        if old is not None:
            _keep(staging, old, keep)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


def _stage(staging: Path, files: Mapping[str, bytes], old: Path | None) -> int:
    changed = 0
    folders = _Folders(staging)
    for name in sorted(files):
        target = folders.file(name)
        data = files[name]
        if old is not None and _same(old / name, data):
            os.link(old / name, target)
        else:
            target.write_bytes(data)
            changed += 1
    return changed


def _keep(staging: Path, old: Path, keep: Collection[str]) -> None:
    folders = _Folders(staging)
    for name in keep:
        os.link(old / name, folders.file(name))


class _Folders:
    """Creates each parent folder once, however many files go into it."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.made: set[Path] = set()

    def file(self, name: str) -> Path:
        target = self.top / name
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        return target


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _swap(staging: Path, out: Path) -> None:
    """Two renames: the old tree is moved aside only once the new one is complete."""
    if not out.exists():
        staging.rename(out)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    out.rename(trash / out.name)
    staging.rename(out)
    shutil.rmtree(trash, ignore_errors=True)
