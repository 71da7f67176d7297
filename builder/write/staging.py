"""Write the output: stage every new or changed file beside the output, then move them in.

Nothing in the output is touched until every changed file has been written in full to a
staging folder next to it (same file system), so a build that fails, or a disk that fills up,
leaves the previous output as it was; moving the staged files in is one rename each, and a
reader of the live site never sees a half-written file. Files whose bytes did not change are
not touched at all: they keep their modification time, so deploys with rsync stay small, and an
edit to one article costs a handful of writes, not a copy of the whole site.

Files are staged as the build makes them, each page by the worker that rendered it
(`Staging.write`, then `Staging.record` in the main process). When there is no output yet, the
staging folder is laid out as the output and renamed into place whole: one rename instead of
one per file.

Only files that a build recorded writing are ever deleted (ownership.py): the output folder
may hold files of the site owner's, and those stay.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from collections.abc import Collection, Mapping
from pathlib import Path

from builder.system.digests import output_digest
from builder.system.files import Stat
from builder.write.ownership import (
    OWNERSHIP_FILE,
    has_additions,
    inside,
    read_record,
    record_additions,
    write_record,
)

Staged = tuple[Path, Stat, str]  # where a file was staged, its stat there and its digest


class Staging:
    """The next output, written beside `out` file by file; `commit()` moves it in,
    `abort()` forgets it. `existing` is what `out` holds now; with `clean`, every file is
    written again, changed or not."""

    parallel_writes = True  # creating a file is real work: the workers share it

    def __init__(
        self,
        out: Path,
        existing: Mapping[str, Stat],
        clean: bool = False,
        owned: set[str] | None = None,
    ) -> None:
        self.out = out.resolve()
        self.existing = existing
        self.clean = clean
        # What earlier builds wrote here: the only files a commit may delete (`owned`, if the
        # caller read the record already: ownership.claim).
        self.owned = owned if owned is not None else read_record(self.out) or set()
        self.names: set[str] = set()  # every file of the new output that went through add()
        self.staged: dict[str, Path] = {}  # the ones written to the staging folder
        self.stats: dict[str, Stat] = {}  # their stats, which moving them in keeps
        # Their content digests (digests.output_digest), taken from the bytes by the process
        # that wrote them: reading 600 MB back at 10,000 predictions took a second, serially.
        self.digests: dict[str, str] = {}
        # Nothing to keep: stage the tree itself (not through a symlink, which must stay one).
        self.whole = not self.out.is_symlink() and not _has_entries(self.out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        # mkdir, not mkdtemp: the folder may become the output, so it gets the usual mode.
        self.folder = self.out.parent / f".{self.out.name}.new-{secrets.token_hex(6)}"
        self.folder.mkdir()
        self._folders: set[Path] = {self.folder}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:  # nothing reaches the output; the staged files go
            self.abort()

    def add(self, name: str, data: bytes) -> None:
        self.record(name, self.write(name, data))

    def write(self, name: str, data: bytes) -> Staged | None:
        """Stage one file, unless the output already holds these bytes; return where it was
        staged, its stat and its digest. Keeps no account of it (record() does), so a forked
        worker may call it."""
        if name in self.existing and not self.clean and _same(self.out / name, data):
            return None
        if self.whole:
            path = self.folder / name
            if path.parent not in self._folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(path.parent)
        else:  # flat, one name per file: folders are made when moving in
            path = self.folder / hashlib.blake2b(name.encode(), digest_size=12).hexdigest()
        return path, _write_file(path, data), output_digest(data)

    def record(self, name: str, staged: Staged | None) -> None:
        """Account for a file that write() handled, here or in a worker."""
        self.names.add(name)
        if staged is not None:
            self.staged[name], self.stats[name], self.digests[name] = staged

    def commit(self, keep: Collection[str] = ()) -> set[str]:
        """Make the output hold exactly the added files plus `keep` (files it already holds
        with the right bytes); return the names written."""
        ours = self.names | set(keep)
        if self.whole:
            write_record(self.folder, ours)
            if self._swap():
                return set(self.staged)
            (self.folder / OWNERSHIP_FILE).unlink()
        # The new files recorded beside the record first, so that a build killed while
        # moving in leaves no file of its own unrecorded; then the record, exactly this
        # build's, once they are in (ownership.py). Only when it says something new: most
        # builds write and delete no file but the ones they change.
        added = ours - self.owned
        if added:
            record_additions(self.out, added)
        # Joined as strings: a resolution or a new prediction at 10,000 moves in over a
        # thousand list pages (1,300 files: 50-64 ms with Path objects, 34-39 ms so).
        out = f"{self.out}{os.sep}"
        try:
            for folder in sorted({os.path.dirname(name) for name in self.staged}):
                os.makedirs(out + folder, exist_ok=True)
            for name, temporary in self.staged.items():
                os.replace(temporary, out + name)
        finally:
            self.abort()
        _remove_stale(self.out, self.owned - ours)
        if ours != self.owned or has_additions(self.out):  # or a killed build's are there
            write_record(self.out, ours)
        return set(self.staged)

    def _swap(self) -> bool:
        """Rename the staged tree to the output; False if the output cannot be replaced so
        (a mount point, say), and the files are then moved in one by one."""
        try:
            with contextlib.suppress(FileNotFoundError):
                self.out.rmdir()  # empty, or _has_entries() would have said so
            os.replace(self.folder, self.out)
        except OSError:
            return False
        return True

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _write_file(path: Path, data: bytes) -> Stat:
    path.write_bytes(data)
    # Taken here, in the worker, and kept by the rename: the main process need not stat the
    # output again. After closing: a network file system may set the mtime only then.
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in entries)
    except FileNotFoundError:
        return False


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
    for name in filter(inside, names):
        path = out / name
        path.unlink(missing_ok=True)
        folders.update(p for p in path.parents if p != out and out in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty: it still holds files of the site
            folder.rmdir()
