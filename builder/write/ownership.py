"""Which output folder a build may write to, and which of the files in it are the build's.

A build deletes only files that an earlier build of this site recorded writing. The record is
kept in the output folder itself (`OWNERSHIP_FILE`), not in the build cache: a cache that is reset,
corrupt or from another version of foretell must never turn a site owner's own files (a
`CNAME`, a `.nojekyll`, a search engine's verification file) into "left over from an old
build". A folder that holds sources is never an output, and a non-empty folder foretell has no
record of is refused unless the author says `--force` (and even then only the files the build
makes are replaced).

A build records the files it adds before it moves them in, in a small file beside the record
(`ADDITIONS_FILE`), and rewrites the record once they are in and the files gone are deleted:
so a build killed halfway leaves no file of its own unrecorded, and the record of 65,000
names (10,000 predictions with search: about 50 ms a write) is written once, not twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from builder.system.files import write_atomically

OWNERSHIP_FILE = ".foretell-output.json"
ADDITIONS_FILE = ".foretell-output-adding.json"  # only while a build moves its files in
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
    """The names in `out`'s record and the additions beside it (those of a build killed while
    moving its files in), unchecked, or None without a well-formed record."""
    recorded = _names_in(out / OWNERSHIP_FILE)
    if recorded is None:
        return None
    return recorded + (_names_in(out / ADDITIONS_FILE) or [])


def _names_in(path: Path) -> list[str] | None:
    """The names a record's file holds, or None if it is missing or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
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
    the previous record or this one, never half of one. The additions beside it, which it
    lists, go."""
    _write_names(out / OWNERSHIP_FILE, names)
    (out / ADDITIONS_FILE).unlink(missing_ok=True)


def record_additions(out: Path, names: Iterable[str]) -> None:
    """Record `names` as the build's files in `out` too, before they are moved in, beside
    the record (with any additions a killed build left there), until write_record lists
    them."""
    _write_names(out / ADDITIONS_FILE, {*names, *(_names_in(out / ADDITIONS_FILE) or [])})


def has_additions(out: Path) -> bool:
    """Whether additions lie beside the record (a build was killed while moving in)."""
    return (out / ADDITIONS_FILE).exists()


def _write_names(path: Path, names: Iterable[str]) -> None:
    # What json.dumps(..., indent=0) writes, by the C encoder: with an indent, json encodes in
    # pure Python (a fifth of a second for the 53,600 names of a 10,000-prediction site).
    files = json.dumps(sorted(names), ensure_ascii=True, separators=(",\n", ": "))
    files = files if files == "[]" else f"[\n{files[1:-1]}\n]"
    text = f'{{\n"format": {json.dumps(_FORMAT)},\n"files": {files}\n}}\n'
    # 0644: mkstemp's 0600 would hide it from a web server's user.
    write_atomically(path, text.encode("utf-8"))


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
