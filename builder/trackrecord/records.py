"""Track records: every author's scores and the site's, computed once per build. Pure
functions over the model; no I/O.

Only published predictions count: a draft is never part of anyone's record, not even in a
`--drafts` preview, so a preview shows the record readers will see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from builder.config.siteconfig import SiteConfig
from builder.content.model import Prediction
from builder.trackrecord.scoring import Forecast, Scores, points, score


@dataclass(frozen=True)
class AuthorStats:
    """What pages show about an author: only this, so a page's inputs stay small and exact.

    The figures of the author's track record over their published predictions (drafts
    never count), computed once per build (author_records below). Every prediction page carries
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


def forecast(prediction: Prediction) -> Forecast:
    resolution = prediction.resolution
    return Forecast(prediction.confidence, resolution.outcome if resolution else None)


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
    )


def prediction_points(prediction: Prediction) -> float | None:
    """Points a resolved yes/no prediction with a confidence earned; None otherwise."""
    item = forecast(prediction)
    if not item.is_scored:
        return None
    return points(item.confidence, item.outcome)  # type: ignore[arg-type]
