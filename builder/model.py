"""The site model: frozen dataclasses and pure queries over them. No I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from builder.config import Author, SiteConfig

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


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    now: dt.date
    predictions: tuple[Prediction, ...]  # published (no drafts unless previewing), newest first
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]
    authors: tuple[Term, ...]

    def author(self, key: str) -> Author:
        found = self.config.author(key)
        return found if found is not None else Author(key=key, name=key)

    def author_term(self, key: str) -> Term:
        return next(term for term in self.authors if term.slug == key)
