"""What a prediction page may claim about its git history ("first published in commit ...,
unchanged since" or the list of later edits), worded for readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from builder.render.templates import longdate, percent
from builder.trackrecord.history import FileHistory

FIELD_LABELS = {"statement": "Statement", "target_date": "Target date", "confidence": "Confidence"}


@dataclass(frozen=True)
class Change:
    """One edit of the claim after its first publication, worded for readers."""

    label: str  # Statement | Target date | Confidence
    date: dt.date
    commit: str
    before: str
    after: str


@dataclass(frozen=True)
class Integrity:
    """What a prediction page may claim: only built from history that vouches for it."""

    first_commit: str
    first_date: dt.date
    changes: tuple[Change, ...]  # oldest first; empty: unchanged since publication


def notice(history: FileHistory | None) -> Integrity | None:
    """None (the page claims nothing either way) without history, or when the file differs
    from its last commit: readers would see text that history does not hold yet."""
    if history is None or history.uncommitted:
        return None
    changes = tuple(
        Change(
            FIELD_LABELS[e.field],
            e.date,
            e.commit,
            _shown(e.field, e.before),
            _shown(e.field, e.after),
        )
        for e in history.edits
    )
    return Integrity(history.first_commit, history.first_date, changes)


def _shown(name: str, value: str) -> str:
    """history.py keeps normalised text ("0.7", "2026-12-31"); show what pages show."""
    if value == "":
        return "(none)"
    try:
        if name == "confidence":
            return percent(float(value))
        if name == "target_date":
            return longdate(dt.date.fromisoformat(value))
    except ValueError:
        pass  # an old version held something the build would refuse: show it as it was
    return value
