"""What a prediction page may claim about its git history ("first published in commit ...,
unchanged since", the list of later edits, "recorded after the fact", backdated updates),
worded for readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from builder.content.model import Prediction
from builder.render.templates import longdate, percent
from builder.site.model import Site
from builder.trackrecord.history import Edit, FileHistory, UpdateEdit, UpdateText
from builder.trackrecord.vouch import Backdated, deadline

FIELD_LABELS = {"statement": "Statement", "target_date": "Target date", "confidence": "Confidence"}


@dataclass(frozen=True)
class Change:
    """One edit of the claim (or of an update) after its first publication, worded for
    readers."""

    label: str  # Statement | Target date | Confidence | Update of March 2, 2026
    date: dt.date
    commit: str
    before: str
    after: str
    verb: str = "edited"  # or "removed" (an update)


@dataclass(frozen=True)
class Late:
    """Recorded after the fact: first committed after the date that settles it."""

    after: str  # "target date" | "resolution date"
    deadline: dt.date
    scored: bool  # the site counts late predictions in its scores all the same


@dataclass(frozen=True)
class Integrity:
    """What a prediction page may claim: only built from history that vouches for it."""

    first_commit: str
    first_date: dt.date
    changes: tuple[Change, ...]  # oldest first; empty: unchanged since publication
    late: Late | None = None
    backdated: tuple[Backdated, ...] = ()
    grace_days: int = 2  # how long after its date an update may be committed
    # A timestamp authority vouches for the claim as published (render/timestamps.py says
    # so): git's dates then need not be taken on the author's word, and do not decide
    # whether it was recorded after the fact.
    stamped: bool = False

    @property
    def unchanged(self) -> bool:
        """What the page may say plainly: nothing edited, and not recorded too late to be
        worth saying so."""
        return not self.changes and self.late is None


def notice(site: Site, prediction: Prediction) -> Integrity | None:
    """None (the page claims nothing either way) without history, or when the file differs
    from its last commit: readers would see text that history does not hold yet."""
    history: FileHistory | None = site.history.get(prediction.slug)
    if history is None or history.uncommitted:
        return None
    vouch = site.vouched(prediction)
    stamped = site.stamps_of(prediction).first is not None
    late = None
    if vouch.late and not stamped:
        after, day = deadline(prediction, history)
        late = Late(after, day, site.includes_late)
    changes = tuple(map(_field_change, history.edits))
    if history.update_edits:
        edited = (*changes, *map(_update_change, history.update_edits))
        changes = tuple(sorted(edited, key=lambda c: c.date))  # stable: each oldest first
    return Integrity(
        history.first_commit,
        history.first_date,
        changes,
        late,
        vouch.backdated,
        site.config.track_record.update_grace_days,
        stamped,
    )


def _field_change(e: Edit) -> Change:
    return Change(
        FIELD_LABELS[e.field], e.date, e.commit, _shown(e.field, e.before), _shown(e.field, e.after)
    )


def _update_change(e: UpdateEdit) -> Change:
    label = f"Update of {_shown('date', e.before.date)}"
    after = "(removed)" if e.after is None else _update_shown(e.after)
    verb = "removed" if e.after is None else "edited"
    return Change(label, e.date, e.commit, _update_shown(e.before), after, verb)


def _update_shown(u: UpdateText) -> str:
    """Worded as: 55% from March 2, 2026: The tender was delayed."""
    shown = f"{_shown('confidence', u.confidence)} from {_shown('date', u.date)}"
    return f"{shown}: {u.note}" if u.note else shown


def _shown(name: str, value: str) -> str:
    """history.py keeps normalised text ("0.7", "2026-12-31"); show what pages show."""
    if value == "":
        return "(none)"
    try:
        if name == "confidence":
            return percent(float(value))
        if name in ("target_date", "date"):
            return longdate(dt.date.fromisoformat(value))
    except ValueError:
        pass  # an old version held something the build would refuse: show it as it was
    return value
