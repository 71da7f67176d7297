"""Stat-only views of the inputs and the output: cheap enough to run before every build."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

Stat = tuple[int, int]  # (mtime_ns, size)

INPUT_DIRS = ("content", "themes")
INPUT_FILES = ("site.yaml",)


def inputs_digest(root: Path, stamp: str, now: dt.date | None, drafts: bool, out: Path) -> str:
    """Changes whenever any input file, the options or foretell itself (`stamp`) change."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{stamp}|{now}|{drafts}|{out}".encode())
    for name in INPUT_FILES:
        h.update(f"{name}:{stat_of(root / name)};".encode())
    for folder in INPUT_DIRS:
        for path, stat in sorted(walk(root / folder).items()):
            h.update(f"{folder}/{path}:{stat};".encode())
    return h.hexdigest()


def output_stats(out: Path) -> dict[str, Stat]:
    return walk(out)


def walk(top: Path) -> dict[str, Stat]:
    """Relative path -> (mtime_ns, size) of every file under `top`."""
    found: dict[str, Stat] = {}
    skip = len(str(top)) + 1  # string slicing: os.path.relpath costs more than the stat
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file():
                st = entry.stat()
                found[entry.path[skip:].replace(os.sep, "/")] = (st.st_mtime_ns, st.st_size)
    return found


def stat_of(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)
