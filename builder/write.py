"""Write the output: stage every new or changed file beside the output, then move them in.

Nothing in the output is touched until every changed file has been written in full to a
staging folder next to it (same file system), so a build that fails, or a disk that fills up,
leaves the previous output as it was; moving the staged files in is one rename each, and a
reader of the live site never sees a half-written file. Files whose bytes did not change are
not touched at all: they keep their modification time, so deploys with rsync stay small, and an
edit to one article costs a handful of writes, not a copy of the whole site.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

from builder.inputs import Stat, output_stats


def write_output(
    out: Path,
    files: Mapping[str, bytes],
    *,
    keep: Collection[str] = (),
    existing: Mapping[str, Stat] | None = None,
    clean: bool = False,
) -> set[str]:
    """Make `out` hold exactly `files` plus `keep` (files it already holds with the right
    bytes); return the names written. `existing` is what `out` holds now, if already known.
    With `clean`, every file is written again, changed or not."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    existing = output_stats(out) if existing is None else existing
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staged = _stage(staging, out, files, existing, clean)
        for folder in sorted({(out / name).parent for name in staged}):  # once per folder
            folder.mkdir(parents=True, exist_ok=True)
        for name, temporary in staged.items():
            os.replace(temporary, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_stale(out, set(existing) - set(files) - set(keep))
    return set(staged)


def _stage(
    staging: Path, out: Path, files: Mapping[str, bytes], existing: Mapping[str, Stat], clean: bool
) -> dict[str, Path]:
    staged: dict[str, Path] = {}
    for index, name in enumerate(sorted(files)):
        data = files[name]
        if not clean and name in existing and _same(out / name, data):
            continue
        temporary = staging / str(index)  # flat: folders are made when moving in
        temporary.write_bytes(data)
        staged[name] = temporary
    return staged


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _remove_stale(out: Path, names: Collection[str]) -> None:
    """Delete files the site no longer has, then the folders they leave empty."""
    folders: set[Path] = set()
    for name in names:
        path = out / name
        path.unlink(missing_ok=True)
        folders.update(p for p in path.parents if p != out and out in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty: it still holds files of the site
            folder.rmdir()
