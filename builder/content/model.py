"""The prediction model: frozen dataclasses read from the content, and pure queries over them.
No I/O here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["yes", "no", "void"]
OUTCOMES: tuple[Outcome, ...] = ("yes", "no", "void")


@dataclass(frozen=True)
class Reference:
    number: int
    title: str
    url: str | None
    publisher: str | None
    date: dt.date | None


@dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    date: dt.date
    evidence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Update:
    """A revision of the author's confidence after publication (`prediction.updates`)."""

    date: dt.date
    confidence: float
    note: str | None = None


@dataclass(frozen=True)
class Prediction:
    source: str  # path relative to the site root, for messages
    slug: str
    title: str
    date: dt.date
    author: str  # a key of SiteConfig.authors
    statement: str
    target_date: dt.date
    body_html: str
    digest: str = ""  # hash of the source file: identifies this exact version for caching
    summary: str = ""
    category: str | None = None
    tags: tuple[str, ...] = ()
    draft: bool = False
    confidence: float | None = None  # the first forecast, as published
    resolution: Resolution | None = None
    references: tuple[Reference, ...] = ()
    updates: tuple[Update, ...] = ()  # oldest first, each after the publication date
    aliases: tuple[str, ...] = ()  # old addresses redirected here ("old/path/": content/aliases)

    @property
    def url(self) -> str:
        return f"predictions/{self.slug}/"

    @property
    def current_confidence(self) -> float | None:
        """The confidence standing now: the last update's, or the first forecast's."""
        return self.updates[-1].confidence if self.updates else self.confidence

    @property
    def forecasts(self) -> tuple[tuple[dt.date, float], ...]:
        """(from when, confidence) of every forecast the author stood by, oldest first."""
        first = () if self.confidence is None else ((self.date, self.confidence),)
        return first + tuple((u.date, u.confidence) for u in self.updates)


# What a prediction displays that no figure, order or grouping of a site is made from (no
# score, list order, term, date, export or signed claim): an edit to these alone changes
# only the files that show them (incremental/display.py). `digest` changes with any edit.
DISPLAY_ONLY = ("title", "summary", "references", "body_html", "digest")


# And the forecasts of a prediction not yet resolved: no score is made from them.
OPEN_FORECASTS = ("confidence", "updates")


# And the terms of a prediction not yet resolved: no score or slice is made from them.
TERMS = ("category", "tags")


def differs_in_open_terms(a: Prediction, b: Prediction) -> bool:
    """Whether `a` and `b`, neither resolved, are the same but for DISPLAY_ONLY fields and
    their category and tags."""
    unresolved = a.resolution is None and b.resolution is None
    return unresolved and _same_but(a, b, DISPLAY_ONLY + TERMS)


def differs_in_open_forecasts_and_terms(a: Prediction, b: Prediction) -> bool:
    """Whether `a` and `b`, neither resolved, are the same but for DISPLAY_ONLY fields, their
    forecasts and their terms: an author's new confidence and category in one save, say."""
    unresolved = a.resolution is None and b.resolution is None
    return unresolved and _same_but(a, b, DISPLAY_ONLY + OPEN_FORECASTS + TERMS)


def differs_in_display_only(a: Prediction, b: Prediction) -> bool:
    """Whether `a` and `b` are the same but for DISPLAY_ONLY fields."""
    return _same_but(a, b, DISPLAY_ONLY)


def differs_in_open_forecasts(a: Prediction, b: Prediction) -> bool:
    """Whether `a` and `b`, neither resolved, are the same but for DISPLAY_ONLY fields and
    their forecasts."""
    unresolved = a.resolution is None and b.resolution is None
    return unresolved and _same_but(a, b, DISPLAY_ONLY + OPEN_FORECASTS)


def _same_but(a: Prediction, b: Prediction, fields: tuple[str, ...]) -> bool:
    blank = dict.fromkeys(fields, None)
    return dataclasses.replace(a, **blank) == dataclasses.replace(b, **blank)


def newest_first(predictions: list[Prediction]) -> tuple[Prediction, ...]:
    """Publication date descending; ties broken by slug so the order never depends on disk."""
    ordered = sorted(predictions, key=lambda p: p.slug)
    return tuple(sorted(ordered, key=lambda p: p.date, reverse=True))
