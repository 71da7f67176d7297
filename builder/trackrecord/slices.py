"""Sliced records: the scores of a record cut by category, tag, horizon and year of
resolution. Pure functions over the model; no I/O.

A slice holds scored predictions only (resolved yes or no, with a confidence, as the record's
rules see them: the caller passes each prediction with its `records.forecast` of
`Site.scored`), so "how many it holds" is the count its figures are over. A slice with none is
not made; a tag's slice is made only from `tag_threshold` scored predictions up, since a
handful says little and a long tail of one-prediction tags would bury the rest.

Horizon is the time from publication to target date, in days: under 3 months is under 92
days (the longest three calendar months), 3-12 months is 92 to 365 days, over a year is more
than 365 days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from builder.content.model import Prediction
from builder.content.slugs import slugify
from builder.trackrecord.scoring import Forecast, Scores, score

KINDS = (
    ("category", "By category"),
    ("tag", "By tag"),
    ("horizon", "By horizon"),
    ("year", "By year of resolution"),
)
SHORT_DAYS = 92  # under this: under 3 months
YEAR_DAYS = 365  # over this: over a year
# (key, label), shortest first: the order the pages and the JSON list them in.
HORIZONS = (("under-3-months", "Under 3 months"), ("3-12-months", "3\u201312 months"),
            ("over-a-year", "Over a year"))  # fmt: skip

Scored = tuple[Prediction, Forecast]


@dataclass(frozen=True)
class Slice:
    kind: str  # category | tag | horizon | year
    key: str  # a slug, a horizon key or a year
    name: str
    scores: Scores

    @property
    def count(self) -> int:
        return self.scores.scored


@dataclass(frozen=True)
class SliceGroup:
    """The slices of one kind, in display order; empty when none has a prediction."""

    kind: str
    title: str
    slices: tuple[Slice, ...]


def horizon(prediction: Prediction) -> str:
    days = (prediction.target_date - prediction.date).days
    if days < SHORT_DAYS:
        return HORIZONS[0][0]
    return HORIZONS[1][0] if days <= YEAR_DAYS else HORIZONS[2][0]


def sliced(items: Iterable[Scored], tag_threshold: int) -> tuple[SliceGroup, ...]:
    """Every kind's slices over the scored ones of `items`; kinds with no slice included (as
    empty groups), so a page and the JSON keep a fixed shape."""
    scored = [(p, f) for p, f in items if f.is_scored]
    horizon_names = dict(HORIZONS)
    groups = {
        "category": _named("category", scored, lambda p: [p.category] if p.category else []),
        "tag": [s for s in _named("tag", scored, lambda p: p.tags) if s.count >= tag_threshold],
        "horizon": sorted(
            _slices("horizon", scored, lambda p: [horizon(p)], horizon_names.__getitem__),
            key=lambda s: list(horizon_names).index(s.key),
        ),
        "year": _slices("year", scored, _resolution_year, str),
    }
    return tuple(SliceGroup(kind, title, tuple(groups[kind])) for kind, title in KINDS)


def _resolution_year(prediction: Prediction) -> list[str]:
    return [str(prediction.resolution.date.year)] if prediction.resolution else []


def _named(
    kind: str, scored: Sequence[Scored], names: Callable[[Prediction], Iterable[str]]
) -> list[Slice]:
    """Category or tag slices, by slug, with the name the site's term pages show (the first
    in sort order of the names that share a slug, as site/taxonomy does)."""
    display: dict[str, str] = {}
    for p, _ in scored:
        for name in names(p):
            slug = slugify(name)
            display[slug] = min(display.get(slug, name), name)
    return _slices(
        kind,
        scored,
        lambda p: sorted({slugify(n) for n in names(p)}),
        display.__getitem__,
    )


def _slices(
    kind: str,
    scored: Sequence[Scored],
    keys: Callable[[Prediction], Iterable[str]],
    name: Callable[[str], str],
) -> list[Slice]:
    members: dict[str, list[Forecast]] = {}
    for p, f in scored:
        for key in keys(p):
            members.setdefault(key, []).append(f)
    return [Slice(kind, key, name(key), score(members[key])) for key in sorted(members)]
