"""The site model: the predictions of one build, grouped, scored and placed in time.
Frozen dataclasses and pure queries over them; no I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

from builder.config.siteconfig import Author, SiteConfig
from builder.content.crowd import CrowdTally
from builder.content.model import Prediction
from builder.system.digests import digest
from builder.trackrecord.crowd import CrowdComparison, CrowdForecast, compare, crowd_forecast
from builder.trackrecord.overdue import Overdue, overdue_by_author, overdue_figures
from builder.trackrecord.records import AuthorStats, forecast
from builder.trackrecord.scoring import NO_SCORES, Forecast, Scores
from builder.trackrecord.slices import SliceGroup, sliced
from builder.trackrecord.stamps.verdict import NONE, Stamps
from builder.trackrecord.vouch import Vouched, as_scored, vouched

if TYPE_CHECKING:
    from builder.trackrecord.history import FileHistory

T = TypeVar("T")
Remember = Callable[[str, Callable[[], Any]], Any]  # Memo.get's shape

SOON_DAYS = 30  # an open prediction whose target date is this close "resolves soon"


@dataclass(frozen=True)
class Status:
    key: str  # open | soon | awaiting | yes | no | void
    label: str


def status(prediction: Prediction, today: dt.date) -> Status:
    """Where a prediction stands on `today`: the same input always gives the same answer."""
    if prediction.resolution is not None:
        outcome = prediction.resolution.outcome
        return Status(outcome, f"Resolved: {_OUTCOME_WORDS[outcome]}")
    if prediction.target_date < today:
        return Status("awaiting", "Awaiting resolution")
    if (prediction.target_date - today).days <= SOON_DAYS:
        return Status("soon", "Resolves soon")
    return Status("open", "Open")


_OUTCOME_WORDS = {"yes": "it happened", "no": "it did not happen", "void": "void"}


def site_statuses(predictions: Iterable[Prediction], today: dt.date) -> dict[str, Status]:
    """slug -> status on `today`: what every page, feed and key of one build shows."""
    return {p.slug: status(p, today) for p in predictions}


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
    today: dt.date  # resolved once, at the edge (freshness.check): every status is on it
    predictions: tuple[Prediction, ...]  # published (no drafts unless previewing), newest first
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]
    authors: tuple[Term, ...]
    # Precomputed once per build, so a page looks its figures up instead of scanning.
    stats: Mapping[str, AuthorStats] = field(default_factory=dict)  # author key -> figures
    author_scores: Mapping[str, Scores] = field(default_factory=dict)  # author key -> full record
    site_scores: Scores = NO_SCORES  # the whole site's
    history: Mapping[str, FileHistory] = field(default_factory=dict)  # slug -> git history
    # slug -> what that history vouches for, computed once with it (taxonomy.with_history)
    vouches: Mapping[str, Vouched] = field(default_factory=dict)
    statuses: Mapping[str, Status] = field(default_factory=dict)  # slug -> status on today
    # How many are awaiting resolution on today: the masthead links awaiting/ while any are.
    awaiting: int = 0
    # slug -> what its timestamp tokens vouch for (trackrecord/stamps/), for those with any
    stamps: Mapping[str, Stamps] = field(default_factory=dict)
    # slug -> the readers' final vote tally (content/crowd.json): the crowd's forecasts.
    crowd: Mapping[str, CrowdTally] = field(default_factory=dict)
    # Where figures slow to make are kept from one build to the next (the build's Memo.get):
    # asked with a key naming exactly what the value is made from, and how to make it.
    remember: Remember | None = field(default=None, compare=False, repr=False)

    def status(self, prediction: Prediction) -> Status:
        """Where a prediction stands today: computed once per build (site_statuses)."""
        return self.statuses[prediction.slug]

    def vouched(self, prediction: Prediction) -> Vouched:
        """What git vouches for in the prediction's record (trackrecord/vouch.py), from its
        history and the site's grace period: looked up when with_history computed it, else
        computed now (so that a partial Site, the shortcut's, answers as the whole one)."""
        found = self.vouches.get(prediction.slug)
        if found is not None:
            return found
        grace = self.config.track_record.update_grace_days
        history = self.history.get(prediction.slug)
        return vouched(prediction, history, grace, self.stamps_of(prediction))

    def stamps_of(self, prediction: Prediction) -> Stamps:
        return self.stamps.get(prediction.slug, NONE)

    def scored(self, prediction: Prediction) -> Prediction:
        """The prediction as every score sees it (vouch.as_scored): the very object unless
        it was recorded after the fact or has a backdated update."""
        stamped_only = self.config.track_record.stamped_only
        return as_scored(prediction, self.vouched(prediction), self.includes_late, stamped_only)

    @property
    def includes_late(self) -> bool:
        return self.config.track_record.include_late

    def slices(self, author: str | None = None) -> tuple[SliceGroup, ...]:
        """The record of the site (or of one author) by category, tag, horizon and year of
        resolution (trackrecord/slices.py), each prediction as the scores see it: made once
        per Site, as its pages and track-record.json all ask, and kept between builds
        (`remember`) while no prediction changed what they show (~0.05 s each at 10,000)."""
        made = self._slices
        if author not in made:
            items = self._forecasts.get(author, [])
            threshold = self.config.track_record.tag_threshold
            rows = self._slice_rows
            shown = "\n".join(rows[p.slug] for p, f in items if f.is_scored)
            made[author] = self._remembered(
                "slices", (threshold, shown), lambda: sliced(items, threshold)
            )
        return made[author]

    @cached_property
    def _slice_rows(self) -> dict[str, str]:
        """What sliced() reads of each scored prediction, as text: the site's and each
        author's slices are kept between builds under the digest of their rows'. Made once
        for the site's and every author's (a repr of 10,000 of them costs 40 ms)."""
        return {
            p.slug: repr((p.category, p.tags, p.date.toordinal(), p.target_date.toordinal(),
                          _resolved(p), f.confidence, f.outcome, f.stood))
            for p, f in self._forecasts[None]
            if f.is_scored
        }  # fmt: skip

    @cached_property
    def overdue(self) -> Overdue:
        """Past the target date without an outcome on `today`: how many, how long
        (trackrecord/overdue.py). Made once per Site: the track-record page and its JSON
        both show it, and the JSON's key holds it."""
        return overdue_figures(self.predictions, self.today)

    @cached_property
    def overdue_by_author(self) -> dict[str, Overdue]:
        """`overdue` for each author of `stats`, made once per Site too."""
        return overdue_by_author(self.stats, self.predictions, self.today)

    @cached_property
    def export_digest(self) -> str:
        """A digest of what the track-record exports (render/trackrecord_json.py and
        trackrecord_csv.py) show of the published predictions, or compute from them: their
        key input instead of the predictions themselves, so that an edit to a title, a
        summary, a reference or a body (in a file's digest, not in either file) leaves them
        as they are. Their status is there through the dates and the resolution, with the
        build's day in their other inputs. Each prediction's part is kept between builds
        (`remember`) under its file's digest and slug: made again, 10,000 cost 40 ms."""
        remember = self.remember or (lambda _key, make: make())
        shown = [
            # The slug too: it may come from the file's name, which its digest does not cover.
            remember(f"export:{p.digest}:{p.slug}", partial(_export_row, p))
            for p in self.predictions
            if not p.draft
        ]
        return digest("\n".join(shown).encode())

    @cached_property
    def _forecasts(self) -> dict[str | None, list[tuple[Prediction, Forecast]]]:
        """The published predictions with their forecasts as the scores see them
        (records.forecast): every one (under None) and each author's, in the site's order."""
        found: dict[str | None, list[tuple[Prediction, Forecast]]] = {None: []}
        for p in self.predictions:
            if not p.draft:
                item = (p, forecast(self.scored(p)))
                found[None].append(item)
                found.setdefault(p.author, []).append(item)
        return found

    def _remembered(self, kind: str, inputs: object, make: Callable[[], T]) -> T:
        if self.remember is None:
            return make()
        return self.remember(f"{kind}::{digest(repr(inputs).encode())}", make)

    def crowd_forecast(self, prediction: Prediction) -> CrowdForecast | None:
        """The crowd's forecast on a resolved prediction with enough votes (trackrecord/crowd)."""
        tally = self.crowd.get(prediction.slug)
        return crowd_forecast(prediction, tally, self.config.crowd.min_votes)

    def against_crowd(self, author: str | None = None) -> CrowdComparison:
        """The author (or every author) and the crowd on the same predictions: the scored ones,
        as the record sees them, that have a crowd forecast. Made once per Site."""
        made = self._against_crowd
        if author not in made:
            pairs = []
            for p in self.predictions if self.crowd else ():
                theirs = self.crowd_forecast(p)
                if theirs is not None and not p.draft and author in (None, p.author):
                    pairs.append((forecast(self.scored(p)), theirs))
            made[author] = compare(pairs)
        return made[author]

    @cached_property
    def _against_crowd(self) -> dict[str | None, CrowdComparison]:
        return {}

    @cached_property
    def _slices(self) -> dict[str | None, tuple[SliceGroup, ...]]:
        # cached_property writes the instance's __dict__ directly: a frozen dataclass allows it.
        return {}

    def unit(self, prediction: Prediction) -> Unit:
        """What of the site the prediction's own files show (see Unit)."""
        slug = prediction.slug
        return Unit(
            prediction, self.statuses[slug], self.history.get(slug), self.vouches.get(slug),
            self.stamps.get(slug), self.crowd.get(slug), self.awaiting > 0,
        )  # fmt: skip

    def alone(self, unit: Unit) -> Site:
        """The site as `unit`'s files see it: its prediction alone, with nothing of the
        others (no terms, no figures), so that those files can show nothing the unit's key
        does not cover."""
        p, slug = unit.prediction, unit.prediction.slug
        return Site(
            self.config, self.today, (p,), (), (), (),
            history=_only(slug, unit.history), vouches=_only(slug, unit.vouched),
            statuses={slug: unit.status}, awaiting=int(unit.awaiting),
            stamps=_only(slug, unit.stamps), crowd=_only(slug, unit.crowd),
        )  # fmt: skip

    def author(self, key: str) -> Author:
        found = self.config.author(key)
        return found if found is not None else Author(key=key, name=key)

    def author_stats(self, key: str) -> AuthorStats:
        found = self.stats.get(key)
        if found is None:
            return AuthorStats(key=key, name=self.author(key).name, count=0)
        return found


@dataclass(frozen=True)
class Unit:
    """One prediction and all that its own files (its page, embed, card, oEmbed file, calendar
    file, alias pages: pipeline.unit_files) may show of the site besides the config: they are
    made from `Site.alone(unit)`, so a build whose key of the unit is unchanged needs none of
    them planned, keyed or made (incremental/build.py). The day enters through the status
    alone, so that a new day re-plans only the predictions whose status it changed (a test
    changing --now holds the others to a clean build's bytes)."""

    prediction: Prediction
    status: Status
    history: FileHistory | None
    vouched: Vouched | None
    stamps: Stamps | None
    crowd: CrowdTally | None
    awaiting: bool  # whether any prediction of the site awaits resolution (the masthead)


def _only(slug: str, value: T | None) -> dict[str, T]:
    return {} if value is None else {slug: value}


def _export_row(p: Prediction) -> str:
    """What the track-record exports show of `p`, as text (Site.export_digest)."""
    return repr(
        (p.slug, p.author, p.statement, p.date.toordinal(), p.target_date.toordinal(),
         p.confidence, p.updates, p.resolution, p.category, p.tags)
    )  # fmt: skip


def _resolved(p: Prediction) -> int | None:
    return p.resolution.date.year if p.resolution else None


def excerpt(
    config: SiteConfig,
    today: dt.date,
    predictions: Iterable[Prediction],
    stats: Mapping[str, AuthorStats],
    history: Mapping[str, FileHistory],
    awaiting: int,
    stamps: Mapping[str, Stamps] | None = None,
    crowd: Mapping[str, CrowdTally] | None = None,
) -> Site:
    """A Site holding only `predictions`, with the whole site's author figures, history,
    count of predictions awaiting resolution and crowd tallies: enough to render their own
    files, feed entries and export lines, and the list pages whose specs the shortcut makes
    apart (incremental/display.py, terms.py), never a page planned from the whole site."""
    shown = tuple(predictions)
    statuses = site_statuses(shown, today)
    return Site(
        config, today, shown, (), (), (),
        stats=stats, history=history, statuses=statuses, awaiting=awaiting,
        stamps=stamps or {}, crowd=crowd or {},
    )  # fmt: skip
