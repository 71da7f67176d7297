"""Reading prediction files' history from git: the commits that touched each file along
HEAD's first-parent line, and the front matter of every version they left.

The whole site costs three git processes whatever its size: `rev-parse` (where is the
work tree, is it usable), one `log` listing every commit that touched the prediction
files with the blob each left behind, and one `cat-file --batch` reading all those
blobs. Anything that keeps us from reading history truthfully (no git, not a
repository, no commits, a shallow clone) yields no history at all: no claim is better
than a wrong one.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, NamedTuple, TypeVar

from builder.trackrecord.versions import front_matter

SHORT_HASH = 10

FilePath = TypeVar("FilePath", str, Path)  # as the caller names its files: results use the same


@dataclass(frozen=True)
class Commit:
    """A commit on HEAD's first-parent line, and its author date in UTC."""

    sha: str
    day: date

    @property
    def short(self) -> str:
        return self.sha[:SHORT_HASH]


@dataclass(frozen=True)
class Change:
    """A commit that touched a file, and the blob it left (None: deleted or not a file)."""

    commit: Commit
    blob: str | None


class RawChange(NamedTuple):  # a tuple, not a dataclass: one per file of every commit
    """A file a commit changed, as `git log --raw` lists it."""

    status: str  # A added, M modified, D deleted, T type changed, R renamed, C copied
    blob: str | None  # the blob it left; None: deleted, or not a regular file
    paths: tuple[str, ...]  # (path,), or (old, new) when renamed or copied


@dataclass(frozen=True)
class LoggedCommit:
    """A commit of `log()`, its author date in UTC and the files it changed."""

    sha: str
    day: date | None  # None: a date Python cannot hold (git takes years past 9999)
    changes: tuple[RawChange, ...]


# `core.quotepath=false` keeps non-ASCII names as they are should any output quote
# them; `log.showSignature=false` keeps gpg chatter out of the log we parse.
_GIT = ("git", "-c", "core.quotepath=false", "-c", "log.showSignature=false")
_HEADER = re.compile(rb"\x01([0-9a-f]{40,64}) (-?\d+)")
_RAW = re.compile(rb":(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([A-Z])\d*")


def _env() -> dict[str, str]:
    # Reading history must not take locks or rewrite the index, nor fetch missing
    # objects of a partial clone from the network in the middle of a build.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1"}


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """stdout of a git command, or None when git is missing or the command fails."""
    try:
        done = subprocess.run(
            [*_GIT, "-C", str(cwd), *args],
            input=stdin,
            capture_output=True,
            check=False,
            env=_env(),
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def work_tree(repo_root: Path) -> Path | None:
    """The work tree's top folder, when it has commits and complete history."""
    out = git(
        repo_root, "rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify", "HEAD"
    )
    if out is None:
        return None
    top, shallow, _head = os.fsdecode(out).rstrip("\n").rsplit("\n", 2)
    # In a shallow clone the oldest commit we see may not be a file's first one.
    if shallow != "false":
        return None
    return Path(top).resolve()


def repository_paths(
    top: Path, repo_root: Path, files: Iterable[FilePath]
) -> dict[str, list[FilePath]]:
    """Each file's path inside the repository (POSIX, as git writes it) -> caller's paths.

    Files are taken relative to `repo_root` unless absolute; files outside the work
    tree are left out. String operations, not pathlib: this runs for every file.
    """
    resolved: dict[str, str] = {}  # resolving is slow: once per folder, not per file
    wanted: dict[str, list[FilePath]] = {}
    inside = os.path.join(top, "")
    for file in files:
        folder, name = os.path.split(os.path.join(repo_root, file))
        if folder not in resolved:
            resolved[folder] = os.path.join(os.path.realpath(folder), "")
        real = resolved[folder]
        if not real.startswith(inside):
            continue
        relative = real[len(inside) :] + name
        wanted.setdefault(relative.replace(os.sep, "/"), []).append(file)
    return wanted


def log(
    top: Path, folders: Iterable[str], *, renames: bool = False
) -> Iterator[LoggedCommit] | None:
    """The commits along HEAD's first-parent line that changed anything in `folders`, newest
    first (None: git could not say). With `renames`, a renamed file shows as renamed (`-M`)
    rather than as one file deleted and another added."""
    out = git(
        top,
        "--literal-pathspecs",  # a folder named "[draft]" is not a glob
        "log",
        "-z",
        "--raw",
        "--no-abbrev",
        "-M" if renames else "--no-renames",
        "--no-color",
        "--first-parent",
        "-m",  # with --first-parent: merges show what they changed on the main line
        "--format=%x01%H %at",
        "HEAD",
        "--",
        *folders,
    )
    return None if out is None else parse_log(out)


def parse_log(out: bytes) -> Iterator[LoggedCommit]:
    """Parse `log -z --raw --format=%x01%H %at`: a header, then `:meta\\0path\\0` (or
    `:meta\\0old\\0new\\0` when renamed or copied) for each file.

    Every path comes NUL-terminated and unquoted, so spaces, newlines and non-ASCII
    in names are safe.
    """
    sha: str | None = None
    day: date | None = None
    found: list[RawChange] = []
    tokens = out.split(b"\0")
    index = 0
    while index < len(tokens):
        # git puts a newline between a commit's header and its first raw line.
        token = tokens[index].removeprefix(b"\n")
        index += 1
        if header := _HEADER.fullmatch(token):
            if sha is not None:
                yield LoggedCommit(sha, day, tuple(found))
            sha, found = header[1].decode("ascii"), []
            try:
                day = datetime.fromtimestamp(int(header[2]), tz=UTC).date()
            except (OverflowError, OSError, ValueError):
                day = None
        elif (raw := _RAW.fullmatch(token)) and sha is not None:
            status = raw[5].decode("ascii")
            count = 2 if status in "RC" else 1
            if index + count > len(tokens):
                break  # cut short: no path follows
            paths = tuple(os.fsdecode(t) for t in tokens[index : index + count])
            index += count
            # Mode 100xxx is a regular file; 000000 is a deletion, 120000 a symlink.
            blob = raw[4].decode("ascii") if raw[2].startswith(b"100") else None
            found.append(RawChange(status, blob, paths))
    if sha is not None:
        yield LoggedCommit(sha, day, tuple(found))


def changes(top: Path, wanted: Mapping[str, object]) -> dict[str, list[Change]] | None:
    """Each wanted path's changes along HEAD's first-parent line, oldest first."""
    # The folders holding the files, not the files themselves: a short command line
    # whatever the number of files (unwanted files in them are filtered out below).
    folders = sorted({str(Path(relative).parent.as_posix()) for relative in wanted})
    logged = log(top, folders)
    if logged is None:
        return None
    found: dict[str, list[Change]] = {}
    for entry in logged:
        if entry.day is None:
            return None  # a date Python cannot hold: no history rather than a wrong one
        commit = Commit(entry.sha, entry.day)
        for change in entry.changes:
            if change.paths[-1] in wanted:
                found.setdefault(change.paths[-1], []).append(Change(commit, change.blob))
    for file_changes in found.values():
        file_changes.reverse()  # git lists newest first
    return found


def read_front_matter(top: Path, oids: Iterable[str]) -> dict[str, str | None] | None:
    """The front matter of every blob (None: it has none), from one `git cat-file --batch`.

    Blobs are streamed and only their front matter kept, so memory stays small however
    many versions the site has.
    """
    wanted = sorted(oids)
    if not wanted:
        return {}
    try:
        process = subprocess.Popen(
            [*_GIT, "-C", str(top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
    except OSError:
        return None
    assert process.stdin is not None and process.stdout is not None
    # Write from a thread while reading here: with both pipes full, git and we would
    # each wait for the other.
    feeder = threading.Thread(target=_feed, args=(process.stdin, wanted), daemon=True)
    feeder.start()
    texts: dict[str, str | None] = {}
    shared: dict[str, str] = {}  # one string per distinct front matter
    try:
        for oid, content in _batch_blobs(process.stdout):
            text = front_matter(content)
            texts[oid] = None if text is None else shared.setdefault(text, text)
    finally:
        process.stdout.close()
        feeder.join()
        returncode = process.wait()
    # A blob git could not give (e.g. not fetched in a partial clone) leaves a hole in
    # some file's history: better no claim at all than one built on a gap.
    return texts if returncode == 0 and len(texts) == len(wanted) else None


def _feed(stdin: IO[bytes], oids: Sequence[str]) -> None:
    # If git stopped early, writing fails; its exit status tells the reader.
    with contextlib.suppress(OSError):
        stdin.write("".join(f"{oid}\n" for oid in oids).encode("ascii"))
    with contextlib.suppress(OSError):
        stdin.close()


def _batch_blobs(stream: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """Parse `cat-file --batch`: `<oid> <type> <size>\\n<content>\\n` or `<oid> missing\\n`."""
    while header := stream.readline():
        fields = header.rstrip(b"\n").split(b" ")
        if len(fields) != 3:
            continue  # "<oid> missing"
        oid, kind, size = fields
        content = stream.read(int(size) + 1)[:-1]  # the content, then a newline
        if kind == b"blob":
            yield oid.decode("ascii"), content
