"""Which output folder a build may write to, and which of the files in it are the build's.

A build deletes only files that an earlier build of this site recorded writing. The record is
kept in the output folder itself (`OWNERSHIP_FILE`), not in the build cache: a cache that is reset,
corrupt or from another version of foretell must never turn a site owner's own files (a
`CNAME`, a `.nojekyll`, a search engine's verification file) into "left over from an old
build". A folder that holds sources is never an output, and a non-empty folder foretell has no
record of is refused unless the author says `--force` (and even then only the files the build
makes are replaced).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from builder.system.files import write_atomically

OWNERSHIP_FILE = ".foretell-output.json"
_FORMAT = "foretell output record 1"  # the record's own format: independent of foretell's version

# Folders of the site that a build reads (or, for the cache, writes): no output may lie in them.
SOURCE_FOLDERS = ("content", "themes", "static", ".foretell", ".git")


class OutputRefused(Exception):
    """The output folder may not be written: the message says why and what to do."""


def check_folder(root: Path, out: Path) -> None:
    """Refuse an output folder that is the site folder, holds it, or lies among its sources."""
    root, out = root.resolve(), out.resolve()
    if out == root or out in root.parents:
        what = "is the site folder" if out == root else "holds the site folder"
        raise OutputRefused(
            f"the output folder {out} {what}: a build there would mix its files with your "
            "sources. Choose another folder (the default is output/)."
        )
    for name in SOURCE_FOLDERS:
        source = root / name
        if out == source or source in out.parents:
            raise OutputRefused(
                f"the output folder {out} lies inside {name}/, which the build reads: "
                "choose a folder outside it (the default is output/)."
            )


def read_record(out: Path) -> set[str] | None:
    """The files the last build recorded writing into `out`, or None without a record. Names
    as the record holds them: a build deletes only those that `inside` allows."""
    files = _recorded_names(out)
    return None if files is None else set(files)


def _recorded_names(out: Path) -> list[str] | None:
    """The names in `out`'s record, unchecked, or None without a well-formed record."""
    try:
        data = json.loads((out / OWNERSHIP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return None
    return files


def write_record(out: Path, names: Iterable[str]) -> None:
    """Record `names` as the build's files in `out`, atomically: a build killed halfway leaves
    the previous record or this one, never half of one."""
    # What json.dumps(..., indent=0) writes, by the C encoder: with an indent, json encodes in
    # pure Python (a fifth of a second for the 53,600 names of a 10,000-prediction site).
    files = json.dumps(sorted(names), ensure_ascii=True, separators=(",\n", ": "))
    files = files if files == "[]" else f"[\n{files[1:-1]}\n]"
    text = f'{{\n"format": {json.dumps(_FORMAT)},\n"files": {files}\n}}\n'
    # 0644: mkstemp's 0600 would hide it from a web server's user.
    write_atomically(out / OWNERSHIP_FILE, text.encode("utf-8"))


def claim(out: Path, *, force: bool, adopted: Callable[[], Iterable[str]]) -> set[str] | None:
    """Make sure `out` may be built into: it is missing or empty, or holds a record, or
    `force` is given; return what the record holds then (Staging's `owned`: read once).
    `adopted()` lists files an older foretell (which kept its record only in the build cache)
    wrote there: an upgrade must not make a build refuse."""
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"the output folder {out} is a file, not a folder.")
    recorded = _recorded_names(out)
    if recorded is not None:
        return set(recorded)
    if not _has_entries(out):
        return None
    found = set(adopted())
    if found:
        write_record(out, found)
        return found
    if not force:
        raise OutputRefused(
            f"the output folder {out} holds files that no foretell build recorded writing; "
            "build into an empty or new folder, or add --force to build here anyway "
            "(only the files the build makes are replaced; the others are left as they are)."
        )
    return None


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in entries)
    except (FileNotFoundError, NotADirectoryError):
        return False


def inside(name: str) -> bool:
    """A recorded name is a relative path below the output: a tampered record must not make a
    build delete anything outside it. Checked before deleting, not on reading the record (the
    65,000 names of a 10,000-prediction site with search, at every build: 23 ms)."""
    # No empty part (a leading, trailing or doubled slash) and no "..": string tests, as a
    # record holds one name per output file (53,600 at 10,000 predictions).
    return (
        bool(name)
        and "//" not in name
        and not name.startswith("/")
        and (not name.endswith("/") and "/../" not in f"/{name}/")
    )
