"""Integrity from git: when each prediction was first committed, whether its claim
(statement, target date, confidence) changed after that, and when each of its updates
(`prediction.updates`) first appeared and whether it changed after that.

Git is read by gitlog.py (three git processes whatever the site's size); anything that keeps
it from reading history truthfully (no git, not a repository, no commits, a shallow clone)
yields no history at all: no claim is better than a wrong one.

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
- Values are compared after light normalisation (versions.py) so that reformatting the YAML
  is not an "edit": runs of whitespace in the statement count as one space, dates as
  YYYY-MM-DD, confidences as numbers (0.70 == 0.7). A missing value reads as "".
- Updates are followed from version to version as a list (difflib's matching of the
  normalised updates): one that stays as it was keeps the commit it first appeared in; one
  added gets the commit that added it; one whose date or confidence changed is reported as
  an edit and counts as appearing anew in that commit (a note edited is reported, but the
  forecast stood all along); one that disappeared is reported as removed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from builder.content.model import Update
from builder.trackrecord import gitlog
from builder.trackrecord.gitlog import Change, Commit, FilePath
from builder.trackrecord.versions import (
    confidence_text,
    date_text,
    front_matter_on_disk,
    statement_text,
)

Field = Literal["statement", "target_date", "confidence"]
FIELDS: tuple[Field, ...] = ("statement", "target_date", "confidence")

Fields = dict[Field, str]  # one version's tracked values, normalised to text


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
        return (date_text(update.date), confidence_text(update.confidence)) == (
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
    top = gitlog.work_tree(repo_root)
    if top is None:
        return {}
    wanted = gitlog.repository_paths(top, repo_root, files)
    if not wanted:
        return {}
    changes = gitlog.changes(top, wanted)
    if changes is None:
        return {}
    texts = gitlog.read_front_matter(top, {c.blob for cs in changes.values() for c in cs if c.blob})
    if texts is None:
        return {}

    reader = _Reader()
    result: dict[FilePath, FileHistory] = {}
    for relative, file_changes in changes.items():
        disk_text = front_matter_on_disk(top / relative)
        for file in wanted[relative]:
            now = _normalised(current[file]) if file in current else reader(disk_text)
            history = _history(file_changes, texts, reader, disk_text, now)
            if history is not None:
                result[file] = history
    return result


# --- Building a file's history from its versions ---------------------------------


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
    changes: Sequence[Change],
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

    def __init__(self, first: Commit, updates: Sequence[UpdateText]) -> None:
        self.current: list[tuple[UpdateText, Commit]] = [(u, first) for u in updates]
        self.edits: list[UpdateEdit] = []

    def advance(self, commit: Commit, updates: Sequence[UpdateText]) -> None:
        old = [u for u, _ in self.current]
        if old == list(updates):
            return
        # Matching, not position: an update slipped in before others is an addition
        # (dated by this commit), not an edit of each one after it.
        matcher = SequenceMatcher(a=old, b=list(updates), autojunk=False)
        trail: list[tuple[UpdateText, Commit]] = []
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


def _normalised(fields: TrackedFields) -> _Version:
    return _Version(
        {
            "statement": statement_text(fields.statement),
            "target_date": date_text(fields.target_date),
            "confidence": confidence_text(fields.confidence),
        },
        tuple(
            UpdateText(date_text(u.date), confidence_text(u.confidence), statement_text(u.note))
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
            date_text(item.get("date")),
            confidence_text(item.get("confidence")),
            statement_text(item.get("note")),
        )
        for item in value
    )


_NORMALISE: dict[Field, Callable[[object], str]] = {
    "statement": statement_text,
    "target_date": date_text,
    "confidence": confidence_text,
}
