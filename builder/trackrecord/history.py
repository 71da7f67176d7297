"""Integrity from git: when each prediction was first committed, whether its claim
(statement, target date, confidence) changed after that, and when each of its updates
(`prediction.updates`) first appeared and whether it changed after that.

The whole site costs three git processes whatever its size: `rev-parse` (where is the
work tree, is it usable), one `log` listing every commit that touched the prediction
files with the blob each left behind, and one `cat-file --batch` reading all those
blobs. Anything that keeps us from reading history truthfully (no git, not a
repository, no commits, a shallow clone) yields no history at all: no claim is better
than a wrong one.

What counts:
- History follows the first-parent line of HEAD, i.e. what the published branch
  went through; a change made on a side branch counts when it is merged, at the
  merge commit's date.
- A version is "published" when its front matter parses, has a `prediction` mapping
  and is not `draft: true`. Versions that are not (broken YAML, drafts, deletions) are
  skipped: the first published version is the baseline, and each later one is
  compared with the published version before it.
- Renames are not followed (`--no-renames`): a renamed file's history starts at the
  rename, which can only make its "first published" date later, never earlier.
- Dates are author dates, converted to UTC. Commits are shown by their first 10 hex
  digits.
- Values are compared after light normalisation so that reformatting the YAML is not
  an "edit": runs of whitespace in the statement count as one space, dates as
  YYYY-MM-DD, confidences as numbers (0.70 == 0.7). A missing value reads as "".
- Updates are followed from version to version as a list (difflib's matching of the
  normalised updates): one that stays as it was keeps the commit it first appeared in; one
  added gets the commit that added it; one whose date or confidence changed is reported as
  an edit and counts as appearing anew in that commit (a note edited is reported, but the
  forecast stood all along); one that disappeared is reported as removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, TypeVar

import yaml

from builder.content.frontmatter import split_front_matter
from builder.content.model import Update

Field = Literal["statement", "target_date", "confidence"]
FIELDS: tuple[Field, ...] = ("statement", "target_date", "confidence")
SHORT_HASH = 10

Fields = dict[Field, str]  # one version's tracked values, normalised to text
FilePath = TypeVar("FilePath", str, Path)  # as the caller names its files: results use the same


@dataclass(frozen=True)
class TrackedFields:
    """What a prediction file says now, as parsed by the build."""

    statement: str
    target_date: date
    confidence: float | None
    updates: tuple[Update, ...] = ()


class UpdateText(NamedTuple):
    """One update of one version, normalised like the fields (hashable: versions are
    matched with difflib)."""

    date: str
    confidence: str
    note: str

    def as_dict(self) -> dict[str, str]:
        return self._asdict()


@dataclass(frozen=True)
class CommittedUpdate:
    """An update as HEAD holds it, and the commit where its date and confidence first
    appeared as they are now."""

    date: str  # normalised, as in UpdateText
    confidence: str
    commit: str  # short hash
    committed: date  # that commit's date

    def matches(self, update: Update) -> bool:
        """Is `update` (as the build read it) this one?"""
        return (_date_text(update.date), _confidence(update.confidence)) == (
            self.date,
            self.confidence,
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "date": self.date,
            "confidence": self.confidence,
            "commit": self.commit,
            "committed": self.committed.isoformat(),
        }


@dataclass(frozen=True)
class UpdateEdit:
    """An update changed (its date, confidence or note) or removed after it was committed."""

    date: date  # of the commit that changed it
    commit: str  # short hash
    before: UpdateText
    after: UpdateText | None  # None: removed

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "commit": self.commit,
            "before": self.before.as_dict(),
            "after": None if self.after is None else self.after.as_dict(),
        }


@dataclass(frozen=True)
class Edit:
    """A tracked field whose value changed in a commit after the first publication."""

    field: Field
    date: date
    commit: str  # short hash
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "date": self.date.isoformat(),
            "commit": self.commit,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class FileHistory:
    first_commit: str  # short hash of the first published version
    first_date: date
    edits: tuple[Edit, ...] = ()  # oldest first
    # The file now differs from its last committed version in a tracked field (or
    # that could not be checked): what readers see is not in history yet.
    uncommitted: bool = False
    updates: tuple[CommittedUpdate, ...] = ()  # HEAD's, in its order
    update_edits: tuple[UpdateEdit, ...] = ()  # oldest first

    @property
    def unchanged(self) -> bool:
        """True only when history proves the claim unchanged: no edit of a field or of an
        update, nothing pending. (Updates added are not edits: they are the record.)"""
        return not self.edits and not self.update_edits and not self.uncommitted

    def edits_of(self, name: Field) -> tuple[Edit, ...]:
        """Edits of one field; the first one's `before` is the text first published."""
        return tuple(e for e in self.edits if e.field == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_commit": self.first_commit,
            "first_date": self.first_date.isoformat(),
            "unchanged": self.unchanged,
            "uncommitted": self.uncommitted,
            "edits": [e.as_dict() for e in self.edits],
            "updates": [u.as_dict() for u in self.updates],
            "update_edits": [e.as_dict() for e in self.update_edits],
        }


def read_history(
    repo_root: Path, files: Sequence[FilePath], current: Mapping[FilePath, TrackedFields]
) -> dict[FilePath, FileHistory]:
    """The git history of each of `files` that is committed, keyed by the given paths.

    `files` are the site's published (non-draft) prediction files, absolute or relative
    to `repo_root`, as Paths or strings (the build passes strings: 10,000 Paths cost a
    second). `current` holds what each file says now; a file missing from it is
    read from disk. Files never committed (or never as a published prediction) are
    absent from the result, and so is everything when history cannot be read.
    """
    top = _work_tree(repo_root)
    if top is None:
        return {}
    wanted = _repository_paths(top, repo_root, files)
    if not wanted:
        return {}
    changes = _changes(top, wanted)
    if changes is None:
        return {}
    texts = _read_front_matter(top, {c.blob for cs in changes.values() for c in cs if c.blob})
    if texts is None:
        return {}

    reader = _Reader()
    result: dict[FilePath, FileHistory] = {}
    for relative, file_changes in changes.items():
        disk_text = _front_matter_on_disk(top / relative)
        for file in wanted[relative]:
            now = _normalised(current[file]) if file in current else reader(disk_text)
            history = _history(file_changes, texts, reader, disk_text, now)
            if history is not None:
                result[file] = history
    return result


# --- Building a file's history from its versions ---------------------------------


@dataclass(frozen=True)
class _Commit:
    sha: str
    day: date

    @property
    def short(self) -> str:
        return self.sha[:SHORT_HASH]


@dataclass(frozen=True)
class _Change:
    """A commit that touched a file, and the blob it left (None: deleted or not a file)."""

    commit: _Commit
    blob: str | None


@dataclass(frozen=True)
class _Version:
    """What one version of a file says, as far as history tracks it."""

    fields: Fields
    updates: tuple[UpdateText, ...]


class _Reader:
    """Tracked values of front-matter texts, parsing each distinct text once.

    YAML parsing is most of the cost, and most versions of a file differ only in
    their body, so many versions share one front matter.
    """

    def __init__(self) -> None:
        self._cache: dict[str, _Version | None] = {}

    def __call__(self, yaml_text: str | None) -> _Version | None:
        if yaml_text is None:
            return None
        if yaml_text not in self._cache:
            self._cache[yaml_text] = _published_version(yaml_text)
        return self._cache[yaml_text]


def _history(
    changes: Sequence[_Change],
    texts: Mapping[str, str | None],
    reader: _Reader,
    disk_text: str | None,
    now: _Version | None,
) -> FileHistory | None:
    """`changes` oldest first; None when there is no published committed version."""
    if not changes or changes[-1].blob is None:
        return None  # deleted in HEAD: whatever is on disk now is not committed
    committed = [(c.commit, texts.get(c.blob)) for c in changes if c.blob is not None]
    head_text = committed[-1][1]
    unchanged_text = head_text is not None and all(t == head_text for _, t in committed)
    if now is not None and unchanged_text and disk_text == head_text:
        # The front matter never changed and is what the build read: no edit, nothing
        # uncommitted, and nothing to parse unless it may hold updates (all as old as
        # the file).
        first = committed[0][0]
        head = reader(head_text) if head_text and "updates" in head_text else None
        updates = _UpdateTrail(first, head.updates if head else ()).committed()
        return FileHistory(first_commit=first.short, first_date=first.day, updates=updates)

    versions = [(commit, version) for commit, text in committed if (version := reader(text))]
    if not versions:
        return None
    (first, previous), later = versions[0], versions[1:]
    edits: list[Edit] = []
    trail = _UpdateTrail(first, previous.updates)
    for commit, version in later:
        edits.extend(
            Edit(name, commit.day, commit.short, previous.fields[name], version.fields[name])
            for name in FIELDS
            if version.fields[name] != previous.fields[name]
        )
        trail.advance(commit, version.updates)
        previous = version
    head = reader(head_text)
    # Identical front matter needs no comparison. Otherwise, if HEAD's version is not
    # a published prediction (e.g. broken) or today's content is unknown, we cannot
    # vouch for what readers see, so it counts as uncommitted.
    same_text = disk_text is not None and disk_text == head_text
    uncommitted = head is None or not (same_text or (now is not None and now == head))
    return FileHistory(
        first_commit=first.short,
        first_date=first.day,
        edits=tuple(edits),
        uncommitted=uncommitted,
        updates=trail.committed(),
        update_edits=tuple(trail.edits),
    )


class _UpdateTrail:
    """A file's updates followed through its published versions: for each update of the
    latest version, the commit its date and confidence first appeared in; and every update
    edited or removed on the way."""

    def __init__(self, first: _Commit, updates: Sequence[UpdateText]) -> None:
        self.current: list[tuple[UpdateText, _Commit]] = [(u, first) for u in updates]
        self.edits: list[UpdateEdit] = []

    def advance(self, commit: _Commit, updates: Sequence[UpdateText]) -> None:
        old = [u for u, _ in self.current]
        if old == list(updates):
            return
        # Matching, not position: an update slipped in before others is an addition
        # (dated by this commit), not an edit of each one after it.
        matcher = SequenceMatcher(a=old, b=list(updates), autojunk=False)
        trail: list[tuple[UpdateText, _Commit]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            before, after = self.current[i1:i2], list(updates[j1:j2])
            if tag == "equal":
                trail.extend(before)
                continue
            # Paired in order: the first ones replaced were edited, the rest removed or
            # added.
            for (was, since), now in zip(before, after, strict=False):
                self.edits.append(UpdateEdit(commit.day, commit.short, was, now))
                same_forecast = (was.date, was.confidence) == (now.date, now.confidence)
                trail.append((now, since if same_forecast else commit))
            for was, _ in before[len(after) :]:
                self.edits.append(UpdateEdit(commit.day, commit.short, was, None))
            trail.extend((now, commit) for now in after[len(before) :])
        self.current = trail

    def committed(self) -> tuple[CommittedUpdate, ...]:
        return tuple(
            CommittedUpdate(u.date, u.confidence, commit.short, commit.day)
            for u, commit in self.current
        )


def _front_matter(content: bytes) -> str | None:
    """The YAML text between the `---` fences, as `split_front_matter` finds it."""
    try:
        text = content.decode("utf-8-sig")  # a file the build would refuse is skipped
    except UnicodeDecodeError:
        return None
    # split_front_matter cuts the whole file into lines, body included; across every
    # version of a large site that is most of the time spent here. Giving it only the
    # text up to the first "---" line that follows a newline yields the same result:
    # its closing fence is that line or an earlier one.
    start = 0
    while (newline := text.find("\n---", start)) >= 0:
        end = text.find("\n", newline + 1)
        end = len(text) if end < 0 else end + 1
        if text[newline + 1 : end].rstrip() == "---":
            text = text[:end]
            break
        start = newline + 1
    split = split_front_matter(text)
    return None if split is None else split.yaml_text


def _front_matter_on_disk(path: Path) -> str | None:
    try:
        return _front_matter(path.read_bytes())
    except OSError:
        return None


def _normalised(fields: TrackedFields) -> _Version:
    return _Version(
        {
            "statement": _statement(fields.statement),
            "target_date": _date_text(fields.target_date),
            "confidence": _confidence(fields.confidence),
        },
        tuple(
            UpdateText(_date_text(u.date), _confidence(u.confidence), _statement(u.note))
            for u in fields.updates
        ),
    )


def _published_version(yaml_text: str) -> _Version | None:
    """A version's tracked values, or None when it is not a published prediction."""
    try:
        data = yaml.load(yaml_text, Loader=yaml.CSafeLoader)
        if not isinstance(data, dict) or data.get("draft") is True:
            return None
        prediction = data.get("prediction")
        if not isinstance(prediction, dict):
            return None
        fields = {name: _NORMALISE[name](prediction.get(name)) for name in FIELDS}
        return _Version(fields, _updates(prediction.get("updates")))
    except Exception:
        # Whatever an old version holds (YAML errors, 2026-02-30, odd types), it must
        # not break today's build: that version is just skipped.
        return None


def _updates(value: object) -> tuple[UpdateText, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError("updates is not a list of mappings")
    return tuple(
        UpdateText(
            _date_text(item.get("date")),
            _confidence(item.get("confidence")),
            _statement(item.get("note")),
        )
        for item in value
    )


def _statement(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float | date):
        raise TypeError("statement is not text")
    return " ".join(str(value).split())


def _date_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise TypeError("not a date")


def _confidence(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("confidence is not a number")
    if isinstance(value, int | float):
        return _number(float(value))
    if isinstance(value, str):
        try:
            return _number(float(value))
        except ValueError:
            return value.strip()
    raise TypeError("confidence is not a number")


def _number(value: float) -> str:
    return format(value, ".10g")  # 0.7 and 0.70 and 7e-1 all read "0.7"


_NORMALISE: dict[Field, Callable[[object], str]] = {
    "statement": _statement,
    "target_date": _date_text,
    "confidence": _confidence,
}


# --- Talking to git ----------------------------------------------------------------

# `core.quotepath=false` keeps non-ASCII names as they are should any output quote
# them; `log.showSignature=false` keeps gpg chatter out of the log we parse.
_GIT = ("git", "-c", "core.quotepath=false", "-c", "log.showSignature=false")
_HEADER = re.compile(rb"\x01([0-9a-f]{40,64}) (-?\d+)")
_RAW = re.compile(rb":(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) [A-Z]\d*")


def _env() -> dict[str, str]:
    # Reading history must not take locks or rewrite the index, nor fetch missing
    # objects of a partial clone from the network in the middle of a build.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1"}


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
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


def _work_tree(repo_root: Path) -> Path | None:
    """The work tree's top folder, when it has commits and complete history."""
    out = _git(
        repo_root, "rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify", "HEAD"
    )
    if out is None:
        return None
    top, shallow, _head = os.fsdecode(out).rstrip("\n").rsplit("\n", 2)
    # In a shallow clone the oldest commit we see may not be a file's first one.
    if shallow != "false":
        return None
    return Path(top).resolve()


def _repository_paths(
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


def _changes(top: Path, wanted: Mapping[str, object]) -> dict[str, list[_Change]] | None:
    """Each wanted path's changes along HEAD's first-parent line, oldest first."""
    # The folders holding the files, not the files themselves: a short command line
    # whatever the number of files (unwanted files in them are filtered out below).
    folders = sorted({str(Path(relative).parent.as_posix()) for relative in wanted})
    out = _git(
        top,
        "--literal-pathspecs",  # a folder named "[draft]" is not a glob
        "log",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--no-color",
        "--first-parent",
        "-m",  # with --first-parent: merges show what they changed on the main line
        "--format=%x01%H %at",
        "HEAD",
        "--",
        *folders,
    )
    if out is None:
        return None
    changes = _parse_log(out, wanted)
    if changes is None:
        return None
    for file_changes in changes.values():
        file_changes.reverse()  # git lists newest first
    return changes


def _parse_log(out: bytes, wanted: Mapping[str, object]) -> dict[str, list[_Change]] | None:
    """Parse `log -z --raw --format=%x01%H %at`: a header, then `:meta\\0path\\0` pairs.

    Every path comes NUL-terminated and unquoted, so spaces, newlines and non-ASCII
    in names are safe.
    """
    changes: dict[str, list[_Change]] = {}
    commit: _Commit | None = None
    tokens = out.split(b"\0")
    index = 0
    while index < len(tokens):
        # git puts a newline between a commit's header and its first raw line.
        token = tokens[index].removeprefix(b"\n")
        index += 1
        if header := _HEADER.fullmatch(token):
            try:
                day = datetime.fromtimestamp(int(header[2]), tz=UTC).date()
            except (OverflowError, OSError, ValueError):
                return None  # a date Python cannot hold: no history rather than a crash
            commit = _Commit(header[1].decode("ascii"), day)
        elif (raw := _RAW.fullmatch(token)) and commit is not None and index < len(tokens):
            path = os.fsdecode(tokens[index])
            index += 1
            if path in wanted:
                # Mode 100xxx is a regular file; 000000 is a deletion, 120000 a symlink.
                blob = raw[4].decode("ascii") if raw[2].startswith(b"100") else None
                changes.setdefault(path, []).append(_Change(commit, blob))
    return changes


def _read_front_matter(top: Path, oids: Iterable[str]) -> dict[str, str | None] | None:
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
            text = _front_matter(content)
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
