"""Stat-only views of the inputs and the output: cheap enough to run before every build."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

Stat = tuple[int, int]  # (mtime_ns, size)

INPUT_DIRS = ("content", "themes")
INPUT_FILES = ("site.yaml",)


def scan(root: Path) -> dict[str, Stat | None]:
    """Every input file (site.yaml, content/, themes/) by path relative to `root`, with its
    stat: taken once per build, for the up-to-date check and for the content loader."""
    found: dict[str, Stat | None] = {name: stat_of(root / name) for name in INPUT_FILES}
    for folder in INPUT_DIRS:
        found.update({f"{folder}/{path}": stat for path, stat in walk(root / folder).items()})
    return found


def inputs_digest(
    inputs: Mapping[str, Stat | None], stamp: str, now: dt.date | None, drafts: bool, out: Path
) -> str:
    """Changes whenever any input file, the options or foretell itself (`stamp`) change."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{stamp}|{now}|{drafts}|{out}".encode())
    h.update(repr(sorted(inputs.items())).encode())  # one repr: a loop cost 10x more at 10k
    return h.hexdigest()


def output_stats(out: Path) -> dict[str, Stat]:
    return walk(out)


def stat_files(top: Path, names: Iterable[str]) -> dict[str, Stat]:
    """(mtime_ns, size) of those of `names` (relative to `top`) that exist."""
    found: dict[str, Stat] = {}
    try:
        folder = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return found
    try:
        for name in names:
            try:
                st = os.stat(name, dir_fd=folder)  # relative to an open folder: a shorter lookup
            except OSError:
                continue
            found[name] = (st.st_mtime_ns, st.st_size)
    finally:
        os.close(folder)
    return found


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
