"""The site model: frozen dataclasses and pure queries over them. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from builder.config.siteconfig import Author, SiteConfig
from builder.trackrecord.scoring import Scores, score

if TYPE_CHECKING:
    from builder.trackrecord.history import FileHistory

Outcome = Literal["yes", "no", "void"]
OUTCOMES: tuple[Outcome, ...] = ("yes", "no", "void")
SOON_DAYS = 30  # an open prediction whose target date is this close "resolves soon"


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
    confidence: float | None = None
    resolution: Resolution | None = None
    references: tuple[Reference, ...] = ()

    @property
    def url(self) -> str:
        return f"predictions/{self.slug}/"


@dataclass(frozen=True)
class Status:
    key: str  # open | soon | awaiting | yes | no | void
    label: str


def status(prediction: Prediction, now: dt.date) -> Status:
    """Where a prediction stands on `now`: the same input always gives the same answer."""
    if prediction.resolution is not None:
        outcome = prediction.resolution.outcome
        return Status(outcome, f"Resolved: {_OUTCOME_WORDS[outcome]}")
    if prediction.target_date < now:
        return Status("awaiting", "Awaiting resolution")
    if (prediction.target_date - now).days <= SOON_DAYS:
        return Status("soon", "Resolves soon")
    return Status("open", "Open")


_OUTCOME_WORDS = {"yes": "it happened", "no": "it did not happen", "void": "void"}


def newest_first(predictions: list[Prediction]) -> tuple[Prediction, ...]:
    """Publication date descending; ties broken by slug so the order never depends on disk."""
    ordered = sorted(predictions, key=lambda p: p.slug)
    return tuple(sorted(ordered, key=lambda p: p.date, reverse=True))


@dataclass(frozen=True)
class Term:
    """A category, a tag or an author, with its predictions newest first."""

    kind: str  # categories | tags | authors
    slug: str
    name: str
    predictions: tuple[Prediction, ...]

    @property
    def url(self) -> str:
        return f"{self.kind}/{self.slug}/"


NO_SCORES = score(())  # the record of an author with no published prediction


@dataclass(frozen=True)
class AuthorStats:
    """What pages show about an author: only this, so a page's inputs stay small and exact.

    The figures of the author's track record over their published predictions (drafts
    never count), computed once per build (trackrecord.py). Every prediction page carries
    one, so it holds plain numbers, not the calibration bins only the author page shows.
    """

    key: str
    name: str
    count: int  # published predictions
    resolved: int = 0  # yes or no
    void: int = 0
    scored: int = 0  # resolved with a confidence: what the scores below are over
    brier: float | None = None
    accuracy: float | None = None
    points: float = 0.0

    @property
    def url(self) -> str:
        return f"authors/{self.key}/"


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    now: dt.date
    predictions: tuple[Prediction, ...]  # published (no drafts unless previewing), newest first
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]
    authors: tuple[Term, ...]
    # Precomputed once per build, so a page looks its figures up instead of scanning.
    stats: Mapping[str, AuthorStats] = field(default_factory=dict)  # author key -> figures
    records: Mapping[str, Scores] = field(default_factory=dict)  # author key -> full record
    record: Scores = NO_SCORES  # the whole site's
    history: Mapping[str, FileHistory] = field(default_factory=dict)  # slug -> git history

    def author(self, key: str) -> Author:
        found = self.config.author(key)
        return found if found is not None else Author(key=key, name=key)

    def author_stats(self, key: str) -> AuthorStats:
        found = self.stats.get(key)
        if found is None:
            return AuthorStats(key=key, name=self.author(key).name, count=0)
        return found
