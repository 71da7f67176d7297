"""Predictions left unresolved: which are overdue on a given day, which fall due soon, and
how long the overdue ones have waited. Pure functions over the model; no I/O.

One rule for everyone: `foretell due`, the site's `awaiting/` page (through the status the
site model gives, site/model.status) and the track record's overdue figures. A prediction is
overdue from the day after its target date until it is resolved; drafts are nobody's record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from builder.content.model import Prediction

DUE_WITHIN_DAYS = 30  # `foretell due`'s look-ahead, as "resolves soon" on the site


def is_overdue(prediction: Prediction, today: dt.date) -> bool:
    return prediction.resolution is None and prediction.target_date < today


def days_overdue(prediction: Prediction, today: dt.date) -> int:
    """Days since the target date: 1 on the day after it."""
    return (today - prediction.target_date).days


def overdue(predictions: Iterable[Prediction], today: dt.date) -> tuple[Prediction, ...]:
    """The published predictions overdue on `today`, oldest target date first (ties by slug,
    so the order never depends on the disk)."""
    late = [p for p in predictions if not p.draft and is_overdue(p, today)]
    return tuple(sorted(late, key=_by_target))


def due_within(
    predictions: Iterable[Prediction], today: dt.date, days: int
) -> tuple[Prediction, ...]:
    """The published, unresolved predictions whose target date is today or within `days`
    days after it, nearest first."""
    last = last_day(today, days)
    soon = [
        p
        for p in predictions
        if not p.draft and p.resolution is None and today <= p.target_date <= last
    ]
    return tuple(sorted(soon, key=_by_target))


def last_day(today: dt.date, days: int) -> dt.date:
    """`days` days after `today`, or the last date there is (--within 99999999)."""
    try:
        return today + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


# (target date, slug): an attrgetter, since a site sorts thousands on every build.
_by_target = attrgetter("target_date", "slug")


@dataclass(frozen=True)
class Overdue:
    """How many predictions are overdue, and the days they have waited, summed."""

    count: int = 0
    total_days: int = 0

    @property
    def average_days(self) -> float | None:
        """Days overdue on average, to one decimal rounded half up (as a person would);
        None when nothing is overdue."""
        if not self.count:
            return None
        exact = Decimal(self.total_days) / Decimal(self.count)
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def as_dict(self) -> dict[str, int | float | None]:
        return {"overdue": self.count, "overdue_days": self.average_days}


def overdue_figures(predictions: Iterable[Prediction], today: dt.date) -> Overdue:
    late = overdue(predictions, today)
    return Overdue(len(late), sum(days_overdue(p, today) for p in late))


def overdue_by_author(
    authors: Iterable[str], predictions: Iterable[Prediction], today: dt.date
) -> dict[str, Overdue]:
    """Each author's figures (every key of `authors`, in its order, none missing)."""
    groups: dict[str, list[Prediction]] = {key: [] for key in authors}
    for p in overdue(predictions, today):
        groups.setdefault(p.author, []).append(p)
    return {
        key: Overdue(len(late), sum(days_overdue(p, today) for p in late))
        for key, late in groups.items()
    }
