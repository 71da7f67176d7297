"""What git can vouch for in a prediction's record, and so what the scores may use.

- A prediction first committed after its target date or its resolution date (whichever
  came first) was **recorded after the fact**: whoever wrote it could know the outcome.
- An update is vouched for when it first appeared in a commit made at most `grace_days`
  after its stated date. One committed later is **backdated**: the scores use it only from
  the commit's date, when it was on record.
- Without history (outside git, a file never committed, or one whose tracked values differ
  from its last commit) nothing is claimed either way: the forecasts count as stated.
- A timestamp (trackrecord/stamps/) takes precedence over git: a prediction whose claim as
  published was stamped by an authority is recorded after the fact exactly when that stamp
  is dated after the deadline, whatever its commit dates say; one stamped on or before it
  is *stamped* (what `track_record.stamped_only` scores alone).

Pure functions of the prediction and its history; no I/O.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from builder.content.model import Prediction, Update
from builder.trackrecord.history import CommittedUpdate, FileHistory
from builder.trackrecord.stamps.verdict import NONE, Stamps

Deadline = tuple[Literal["target date", "resolution date"], dt.date]


@dataclass(frozen=True)
class Backdated:
    """An update first committed more than the grace period after its stated date."""

    update: Update
    commit: str  # short hash of the commit it first appeared in, as it is ("" if stamped)
    committed: dt.date  # that commit's date, or its timestamp's: the scores use it from then
    stamped: bool = False  # the date is a timestamp authority's, not a commit's


@dataclass(frozen=True)
class Vouched:
    late: bool  # recorded after the fact
    # (counts from, confidence) of each forecast, oldest first: the first one from the
    # publication date, each update from its stated date or, backdated, its commit's.
    forecasts: tuple[tuple[dt.date, float], ...]
    backdated: tuple[Backdated, ...] = ()
    stamped: bool = False  # its claim as published was stamped on or before the deadline


def deadline(prediction: Prediction, history: FileHistory | None = None) -> Deadline:
    """The date after which the outcome could be known: the target date, or the resolution
    date when it resolved earlier. With history, the target date first published counts if
    it was earlier: moving the target date past the first commit does not make a prediction
    written after the fact any less so."""
    target = prediction.target_date
    edits = history.edits_of("target_date") if history is not None else ()
    if edits:
        with contextlib.suppress(ValueError):  # an old version held a date we cannot read
            target = min(target, dt.date.fromisoformat(edits[0].before))
    resolution = prediction.resolution
    if resolution is not None and resolution.date < target:
        return ("resolution date", resolution.date)
    return ("target date", target)


def vouched(
    prediction: Prediction, history: FileHistory | None, grace_days: int, stamps: Stamps = NONE
) -> Vouched:
    usable = None if history is None or history.uncommitted else history
    first = stamps.first
    if first is None and usable is None:
        return Vouched(late=False, forecasts=prediction.forecasts)
    stamped = first is not None and first.day <= deadline(prediction, usable)[1]
    if first is not None:  # the authority's date, not the author's machine's
        late = not stamped
    else:
        assert usable is not None
        late = usable.first_date > deadline(prediction, usable)[1]
    if not prediction.updates:  # most predictions: nothing more to look at
        return Vouched(late, prediction.forecasts, stamped=stamped)
    forecasts, backdated = _updates(prediction, usable, grace_days, stamps)
    return Vouched(late, forecasts, backdated, stamped)


def _updates(
    prediction: Prediction, history: FileHistory | None, grace_days: int, stamps: Stamps
) -> tuple[tuple[tuple[dt.date, float], ...], tuple[Backdated, ...]]:
    """Each forecast from when it counts, and the backdated updates: an update is on record
    from its timestamp where it has one, else from the commit it first appeared in."""
    grace = dt.timedelta(days=grace_days)
    forecasts = [] if prediction.confidence is None else [(prediction.date, prediction.confidence)]
    backdated: list[Backdated] = []
    for index, update in enumerate(prediction.updates):
        start = update.date
        recorded = _recorded(history, index, update, stamps)
        if recorded is not None and recorded.committed > update.date + grace:
            backdated.append(recorded)
            start = recorded.committed
        # A backdated update cannot count from before the one listed ahead of it began:
        # the forecasts stay in the order the author stood by them.
        if forecasts and start < forecasts[-1][0]:
            start = forecasts[-1][0]
        forecasts.append((start, update.confidence))
    return tuple(forecasts), tuple(backdated)


def _recorded(
    history: FileHistory | None, index: int, update: Update, stamps: Stamps
) -> Backdated | None:
    """When the update was first on record, as a Backdated (kept only if it is): its
    timestamp's date, or its commit's."""
    stamp = stamps.of_update(index)
    if stamp is not None:
        return Backdated(update, "", stamp.day, stamped=True)
    found = _committed(history, index, update) if history is not None else None
    return None if found is None else Backdated(update, found.commit, found.committed)


def _committed(history: FileHistory, index: int, update: Update) -> CommittedUpdate | None:
    """The update as history holds it; None if history does not (then it is taken as
    stated, as a file history cannot vouch for is)."""
    if index < len(history.updates) and history.updates[index].matches(update):
        return history.updates[index]
    return None


def as_scored(
    prediction: Prediction, vouch: Vouched, include_late: bool, stamped_only: bool = False
) -> Prediction:
    """The prediction as the scores may see it: without its confidence (so counted, never
    scored) when recorded after the fact and late ones are left out, or when the site scores
    only stamped predictions and it is not one; with each update dated from when it counts.
    The very object when nothing differs."""
    if (vouch.late and not include_late) or (stamped_only and not vouch.stamped):
        return dataclasses.replace(prediction, confidence=None, updates=())
    if not vouch.backdated:
        return prediction
    counted = vouch.forecasts[len(vouch.forecasts) - len(prediction.updates) :]
    updates = tuple(
        dataclasses.replace(update, date=start)
        for update, (start, _) in zip(prediction.updates, counted, strict=True)
    )
    return dataclasses.replace(prediction, updates=updates)
