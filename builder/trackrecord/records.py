"""Track records: every author's scores and the site's, computed once per build. Pure
functions over the model; no I/O.

Only published predictions count: a draft is never part of anyone's record, not even in a
`--drafts` preview, so a preview shows the record readers will see.

A prediction is scored over its life (scoring.life_shares): from its publication date to its
resolution date, or to its target date if it resolved later, with the forecasts it states
(`Prediction.forecasts`). A rule on what counts passes the prediction as that rule sees it:
trackrecord/vouch.as_scored dates a backdated update from its commit and takes the confidence
off one recorded after the fact (Site.scored, site.taxonomy.with_history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from builder.config.siteconfig import SiteConfig
from builder.content.model import Prediction
from builder.trackrecord.scoring import (
    Forecast,
    Scores,
    forecast_points,
    life_shares,
    score,
)


@dataclass(frozen=True)
class AuthorStats:
    """An author's figures: plain numbers, not the calibration bins only the author page shows
    (Site.author_scores), so that what shows them has small, exact inputs.

    The figures of the author's track record over their published predictions (drafts
    never count), computed once per build (author_records below). The author's figures file
    (render/author_figures.py, which says why no prediction page shows them: such a page takes
    only the `url`), the track-record page and its JSON show them.
    """

    key: str
    name: str
    count: int  # published predictions
    resolved: int = 0  # yes or no
    void: int = 0
    scored: int = 0  # resolved with a confidence: what the scores below are over
    brier: float | None = None  # weighted by the time each forecast stood
    accuracy: float | None = None
    points: float = 0.0
    first_brier: float | None = None  # the first forecasts alone, as published
    late: int = 0  # recorded after the fact (trackrecord/vouch.py; site.taxonomy.with_history)
    # resolved yes or no with a confidence, and timestamped on or before the date that
    # settled them (trackrecord/stamps/): what `track_record.stamped_only` scores alone
    stamped: int = 0

    @property
    def url(self) -> str:
        return f"authors/{self.key}/"


def life_end(prediction: Prediction) -> dt.date:
    """Where a prediction's scored life ends: its resolution date, or its target date if it
    resolved later (a slow resolution does not stretch the time a forecast stood)."""
    resolution = prediction.resolution
    if resolution is None:
        return prediction.target_date
    return min(resolution.date, prediction.target_date)


def forecast(prediction: Prediction) -> Forecast:
    """The prediction as scoring sees it: its forecasts with the share of its life each
    stood, and its outcome."""
    resolution = prediction.resolution
    outcome = resolution.outcome if resolution else None
    if not prediction.updates:  # the first forecast alone, its whole life: the common case, fast
        return Forecast(prediction.confidence, outcome)
    standing = prediction.forecasts
    stood = life_shares(standing, prediction.date, life_end(prediction))
    if not stood:  # no confidence stated, or none before the life ended: nothing to score
        return Forecast(None, outcome)
    return Forecast(standing[0][1], outcome, stood)


def author_records(
    config: SiteConfig, predictions: Iterable[Prediction]
) -> tuple[dict[str, AuthorStats], dict[str, Scores], Scores]:
    """Each author's figures and full record (every author of site.yaml, in its order), and
    the site's record.

    One pass over the predictions: pages then look records up by key, so the cost stays
    O(predictions) per build rather than O(predictions) per page.
    """
    names = {a.key: a.name for a in config.authors}
    groups: dict[str, list[Forecast]] = {key: [] for key in names}
    everyone: list[Forecast] = []
    for prediction in predictions:
        if prediction.draft:
            continue
        item = forecast(prediction)
        groups.setdefault(prediction.author, []).append(item)
        everyone.append(item)
    records = {key: score(items) for key, items in groups.items()}
    stats = {key: author_stats(key, names.get(key, key), s) for key, s in records.items()}
    return stats, records, score(everyone)


def author_stats(key: str, name: str, scores: Scores) -> AuthorStats:
    return AuthorStats(
        key=key,
        name=name,
        count=scores.predictions,
        resolved=scores.resolved,
        void=scores.void,
        scored=scores.scored,
        brier=scores.brier,
        accuracy=scores.accuracy,
        points=scores.points,
        first_brier=scores.first_brier,
    )


def prediction_points(prediction: Prediction) -> float | None:
    """Points a resolved yes/no prediction with a confidence earned (weighted by the time each
    forecast stood); None otherwise."""
    return forecast_points(forecast(prediction))
