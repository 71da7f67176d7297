"""Files as the build sees them: stat-only views of the inputs and the output, cheap enough
to run before every build (the output's checked on two cores: `StatsProbe`, whose child is a
`ForkedJob`, as `digests.BackgroundDigests`'s is); and the one way files are written whole
(`write_atomically`). Their content digests are digests.py's."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import signal
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

Stat = tuple[int, int]  # (mtime_ns, size)

SITE_STATIC = "static"  # the site's own files, copied as they are (render/assets.py)
INPUT_DIRS = ("content", "themes", SITE_STATIC)
INPUT_FILES = ("site.yaml",)


def scan(root: Path) -> dict[str, Stat | None]:
    """Every input file (site.yaml, content/, themes/, static/) by path relative to `root`,
    with its stat: taken once per build, for the up-to-date check and for the content loader."""
    found: dict[str, Stat | None] = {name: stat_of(root / name) for name in INPUT_FILES}
    for folder in INPUT_DIRS:
        found.update({f"{folder}/{path}": stat for path, stat in walk(root / folder).items()})
    return found


def inputs_digest(
    inputs: Mapping[str, Stat | None], stamp: str, now: dt.date | None, drafts: bool, out: str
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


class ForkedJob:
    """The bytes `job()` returns, made by a forked child while the caller goes on: `answer()`
    waits for them, `stop()` ends the child (also when the job is dropped). `start` gives None
    where forking is not safe: without fork, or beside other threads (forking copies only the
    calling thread, whose peers' locks the child would inherit held)."""

    def __init__(self, pid: int, read: int) -> None:
        self._read = read
        self.stop = weakref.finalize(self, _reap, pid, read)

    @classmethod
    def start(cls, job: Callable[[], bytes]) -> ForkedJob | None:
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its answer, then leave without any clean-up
            # Its read end closed, a write to a parent that died fails instead of waiting
            # forever for a reader; whatever happens, it never returns into the parent's code.
            try:
                os.close(read)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(job())
            finally:
                os._exit(0)
        os.close(write)
        return cls(pid, read)

    def answer(self) -> bytes:
        """All the child wrote (nothing if it failed)."""
        chunks = []
        while chunk := os.read(self._read, 1 << 20):
            chunks.append(chunk)
        self.stop()
        return b"".join(chunks)


class StatsProbe:
    """Whether the files `recorded` names under `top` still have those stats, found on two
    cores: a forked child stats most of them while the caller scans the inputs, and the
    caller stats the rest when it asks (`same`). The no-op check's 53,600 output stats and
    10,000 input stats at 10,000 predictions are most of what a no-op build costs."""

    # The child's share: the caller's input scan is about a third of the work, so both
    # finish at about the same time.
    CHILD_SHARE = 0.6

    def __init__(self, top: Path, recorded: Mapping[str, Stat]) -> None:
        self._answer: bool | None = None
        self._top, self._recorded = top, recorded
        names = list(recorded)
        cut = int(len(names) * self.CHILD_SHARE)
        self._own = names[cut:]
        self._child = ForkedJob.start(
            lambda: b"1" if _stats_match(top, names[:cut], recorded) else b"0"
        )
        if self._child is None:  # the stats are taken here and now
            self._answer = _stats_match(top, names, recorded)

    def same(self) -> bool:
        if self._answer is None:
            assert self._child is not None
            mine = _stats_match(self._top, self._own, self._recorded)
            self._answer = mine and self._child.answer() == b"1"
            self._child.stop()
        return self._answer

    def discard(self) -> None:
        """The answer is not needed: stop the child now."""
        if self._child is not None:
            self._child.stop()


def _stats_match(top: Path, names: Sequence[str], recorded: Mapping[str, Stat]) -> bool:
    """Whether each of `names` is under `top` with its `recorded` stat."""
    found = stat_files(top, names)
    return len(found) == len(names) and all(found[name] == recorded[name] for name in names)


def _reap(pid: int, read: int) -> None:
    os.close(read)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


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


def write_atomically(
    path: Path, data: bytes, *, mode: int | None = 0o644, durable: bool = False
) -> None:
    """Write `path` whole or not at all: the bytes go to a temporary file beside it, renamed
    over it once complete, so a reader (a build, an editor, a web server) or a crash never
    sees half a file. `mode` None keeps mkstemp's 0600 (caches); `durable` also waits for the
    disk (a file that records something, like closed vote tallies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

