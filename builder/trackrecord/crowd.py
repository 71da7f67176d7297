"""The readers against the author: the crowd's forecast, read from its final vote tally
(content/crowd.json), scored by the author's own rules on the same predictions. Pure functions;
no I/O.

The crowd's probability that a prediction happens is will / (will + won't) of the votes cast
before voting closed ("maybe" votes do not move it), given only from `min_votes` will and
won't votes up: a handful of clicks is no forecast. It is one forecast, made at the close, so
it is scored as a prediction that was never updated. The author is scored as everywhere else
(each confidence for the time it stood), on exactly the predictions the crowd has a figure for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from builder.content.crowd import CrowdTally
from builder.content.model import Prediction
from builder.trackrecord.scoring import (
    POINTS_DECIMALS,
    SCORE_DECIMALS,
    Forecast,
    Scores,
    forecast_brier,
    forecast_points,
    rounded,
    score,
)


@dataclass(frozen=True)
class CrowdForecast:
    """The crowd's figure on one resolved prediction: its probability, from `tally`."""

    tally: CrowdTally
    probability: float
    forecast: Forecast  # the probability with the prediction's outcome, as scoring takes it

    @property
    def brier(self) -> float | None:
        return forecast_brier(self.forecast)

    @property
    def points(self) -> float | None:
        return forecast_points(self.forecast)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.tally.as_dict(),
            "probability": rounded(self.probability, SCORE_DECIMALS),
            "brier": rounded(self.brier, SCORE_DECIMALS),
            "points": rounded(self.points, POINTS_DECIMALS),
        }


def crowd_probability(tally: CrowdTally, min_votes: int) -> float | None:
    """will / (will + won't), or None below `min_votes` of them."""
    if tally.decided < max(min_votes, 1):
        return None
    return tally.will / tally.decided


def crowd_forecast(
    prediction: Prediction, tally: CrowdTally | None, min_votes: int
) -> CrowdForecast | None:
    """The crowd's forecast on a resolved prediction with enough votes; None otherwise (open
    predictions get none: their tally is not final)."""
    if tally is None or prediction.resolution is None:
        return None
    probability = crowd_probability(tally, min_votes)
    if probability is None:
        return None
    return CrowdForecast(tally, probability, Forecast(probability, prediction.resolution.outcome))


@dataclass(frozen=True)
class CrowdComparison:
    """An author (or the site) and the crowd, scored on the same predictions: the author's
    scored ones that have a crowd figure. `beaten` counts those where the author's Brier score
    is lower than the crowd's, `tied` those where the two are equal."""

    author: Scores
    crowd: Scores
    beaten: int
    tied: int

    @property
    def count(self) -> int:
        return self.author.scored

    def as_dict(self) -> dict[str, Any]:
        figures = ("brier", "accuracy", "points")
        return {
            "predictions": self.count,
            "beaten": self.beaten,
            "tied": self.tied,
            "author": {key: self.author.as_dict()[key] for key in figures},
            "crowd": {key: self.crowd.as_dict()[key] for key in figures},
        }


def compare(pairs: Iterable[tuple[Forecast, CrowdForecast]]) -> CrowdComparison:
    """(the author's forecast as the record scores it, the crowd's) for each prediction with a
    crowd figure; those the author is not scored on (no confidence, void, recorded after the
    fact) are left out, so both rows are over the same predictions."""
    both = [(mine, theirs.forecast) for mine, theirs in pairs if mine.is_scored]
    briers = [(forecast_brier(mine), forecast_brier(theirs)) for mine, theirs in both]
    return CrowdComparison(
        author=score(mine for mine, _ in both),
        crowd=score(theirs for _, theirs in both),
        beaten=sum(a < c for a, c in briers if a is not None and c is not None),
        tied=sum(a == c for a, c in briers),
    )
