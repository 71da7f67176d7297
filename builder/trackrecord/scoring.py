"""Track-record scores: Brier score, accuracy, log-score points and calibration.

Pure functions over `Forecast` values; no I/O. The caller passes every published
prediction of an author (or of the whole site): open ones have `outcome=None`.

A prediction whose author updated their confidence is scored over its whole life, as
Metaculus and Fatebook do: each confidence counts for the share of the life during which it
stood (`life_shares`). Its Brier score and points are the averages of each confidence's,
weighted by those shares; calibration and accuracy count each confidence with its share. A
prediction without updates has one confidence standing its whole life (share 1), so it scores
exactly as a single forecast. The first forecast alone (as published) is kept as a second
Brier figure, `first_brier`, for a record that cannot be improved by updating late.

Which forecasts count where:
- *scored* forecasts have a confidence and an outcome of "yes" or "no"; every score
  (Brier, accuracy, points, calibration) is computed over those only;
- "void" outcomes are counted as void and never scored (not as "no");
- a resolved forecast without a confidence is counted as resolved but not scored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from builder.content.model import OUTCOMES, Outcome

BIN_COUNT = 10
# Probability bounds for points: without clipping a wrong 0% or 100% forecast would
# cost log2(0) = -infinity points and one mistake would erase any track record.
Q_MIN = 0.01
Q_MAX = 0.99
# Decimal places in track-record.json: enough to audit, few enough to stay stable
# across platforms (the last bits of a float sum can differ with summation order).
SCORE_DECIMALS = 4
POINTS_DECIMALS = 2


Share = tuple[float, float]  # (confidence, share of the prediction's life it stood for)
InForce = Sequence[tuple[dt.date, float]]  # (from when, confidence), oldest first


@dataclass(frozen=True)
class Forecast:
    """One published prediction: the stated probability that it happens, and what happened.

    `confidence` is the first forecast, as published. `stood` holds every confidence that
    stood during the prediction's life with its share of that life (`life_shares`; the shares
    sum to 1); left empty, it is the first forecast alone, standing the whole time.
    """

    confidence: float | None
    outcome: Outcome | None = None  # None while the prediction is open
    stood: tuple[Share, ...] = ()

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be yes, no or void, got {self.outcome!r}")
        if self.confidence is not None:
            _check_confidence(self.confidence)
        if not self.stood:
            if self.confidence is not None:
                object.__setattr__(self, "stood", ((self.confidence, 1.0),))
            return
        if self.confidence is None:
            raise ValueError("confidences stood, but there is no first forecast")
        for p, share in self.stood:
            _check_confidence(p)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"shares of a life must be within 0..1, got {share!r}")

    @property
    def is_scored(self) -> bool:
        return self.confidence is not None and self.outcome in ("yes", "no")


def _check_confidence(p: float) -> None:
    # `not 0 <= p <= 1` also rejects NaN, which would poison every mean.
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"confidence must be within 0..1, got {p!r}")


def life_shares(in_force: InForce, start: dt.date, end: dt.date) -> tuple[Share, ...]:
    """(confidence, share) of each forecast that stood between `start` and `end`.

    Each forecast stands from its date until the next one's; only the days between start and
    end count, so an update dated on or after the end counts for nothing and is left out. The
    shares are of the days some forecast stood (they sum to 1). A life of no days (resolved
    on the day it was published) is the forecast standing at its start alone.
    """
    if not in_force:
        return ()
    if end <= start:
        standing = [p for when, p in in_force if when <= start]
        return ((standing[-1], 1.0),) if standing else ()
    untils = [when for when, _ in in_force[1:]] + [end]
    days = [
        (p, max(0, (min(until, end) - max(when, start)).days))
        for (when, p), until in zip(in_force, untils, strict=True)
    ]
    total = sum(d for _, d in days)
    return tuple((p, d / total) for p, d in days if d > 0)


@dataclass(frozen=True)
class Bin:
    """Forecasts whose confidence lies in [low, high) (the last bin also holds 1.0).

    `count` forecasts, `yes_count` of which came true; `weight` is the sum of their shares of
    their predictions' lives and `yes_weight` that of the ones that came true. Left out, the
    weights are the counts: whole forecasts, as when no prediction was updated.
    """

    low: float
    high: float
    count: int
    yes_count: int
    weight: float | None = None
    yes_weight: float | None = None

    def __post_init__(self) -> None:
        if self.weight is None:
            object.__setattr__(self, "weight", float(self.count))
        if self.yes_weight is None:
            object.__setattr__(self, "yes_weight", float(self.yes_count))

    @property
    def frequency(self) -> float | None:
        """Observed share of "yes" outcomes, by weight; None for an empty bin (no data, not
        0%)."""
        if not self.weight:
            return None
        return self.yes_weight / self.weight  # type: ignore[operator]

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95% Wilson score interval of `frequency`, over the weighted counts; None for an
        empty bin."""
        if not self.weight:
            return None
        return wilson_interval(self.yes_weight or 0.0, self.weight)

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def as_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "yes_count": self.yes_count,
            "weight": rounded(self.weight, SCORE_DECIMALS),
            "yes_weight": rounded(self.yes_weight, SCORE_DECIMALS),
            "frequency": rounded(self.frequency, SCORE_DECIMALS),
        }


# The normal quantile for a two-sided 95% interval (the 0.975 quantile of N(0, 1)).
Z_95 = 1.959963984540054


def wilson_interval(k: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a frequency k / n: the true rates the record is
    consistent with, 95% of the time at the default `z` (Wilson 1927; Newcombe 1998).

    Unlike the textbook p +- z * sqrt(p(1 - p) / n), it never leaves 0..1 and does not shrink
    to nothing at 0 of n or n of n: 1 of 1 gives 0.21..1, not 1..1. `k` and `n` may be
    weighted counts (a calibration bin's shares of lives), so n need not be whole; the smaller
    n is, the wider the interval.
    """
    if not (n > 0 and 0 <= k <= n):  # also rejects NaN
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k!r}, n={n!r}")
    p = k / n
    z2_n = z * z / n
    centre = (p + z2_n / 2) / (1 + z2_n)
    half = z * math.sqrt(p * (1 - p) / n + z2_n / (4 * n)) / (1 + z2_n)
    # At 0 of n (n of n) the bound is 0 (1) exactly; the float sum could land a hair off.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Scores:
    """An author's (or the site's) track record.

    predictions = open + resolved + void; `resolved` counts yes/no outcomes only, and
    `scored` those of them that also have a confidence. Scores are None when nothing
    is scored (not 0, which would read as a perfect Brier score). `brier`, `accuracy`,
    `points` and `calibration` weigh every confidence by the time it stood; `first_brier` is
    the Brier score of the first forecasts alone.
    """

    predictions: int
    open: int
    resolved: int
    void: int
    scored: int
    brier: float | None
    accuracy: float | None
    points: float
    calibration: tuple[Bin, ...]
    first_brier: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready and deterministic (fixed key order, rounded floats)."""
        return {
            "predictions": self.predictions,
            "open": self.open,
            "resolved": self.resolved,
            "void": self.void,
            "scored": self.scored,
            "brier": rounded(self.brier, SCORE_DECIMALS),
            "first_brier": rounded(self.first_brier, SCORE_DECIMALS),
            "accuracy": rounded(self.accuracy, SCORE_DECIMALS),
            "points": rounded(self.points, POINTS_DECIMALS),
            "calibration": [b.as_dict() for b in self.calibration],
        }


def _scored(forecasts: Iterable[Forecast]) -> list[tuple[Forecast, bool]]:
    """(forecast, happened) for each forecast that counts towards scores."""
    return [(f, f.outcome == "yes") for f in forecasts if f.is_scored]


def _squared_error(p: float, happened: bool) -> float:
    return (p - (1.0 if happened else 0.0)) ** 2


def _brier_of(forecast: Forecast, happened: bool) -> float:
    o = 1.0 if happened else 0.0
    stood = forecast.stood
    if len(stood) == 1:  # most predictions: no fsum to set up (and the same float)
        p, share = stood[0]
        return share * (p - o) ** 2
    return math.fsum(share * (p - o) ** 2 for p, share in stood)


def forecast_brier(forecast: Forecast) -> float | None:
    """One prediction's Brier score: (p - o)^2 of each confidence that stood, weighted by its
    share of the prediction's life; None unless it is scored."""
    if not forecast.is_scored:
        return None
    return _brier_of(forecast, forecast.outcome == "yes")


def brier(forecasts: Iterable[Forecast]) -> float | None:
    """Mean over scored predictions of each one's (time-weighted) Brier score, with o = 1
    for yes, 0 for no; lower is better."""
    figures = [_brier_of(f, happened) for f, happened in _scored(forecasts)]
    if not figures:
        return None
    return math.fsum(figures) / len(figures)


def first_brier(forecasts: Iterable[Forecast]) -> float | None:
    """Mean of (p - o)^2 over scored predictions, p the first forecast alone (as published):
    what the Brier score would be had no one updated."""
    pairs = _scored(forecasts)
    if not pairs:
        return None
    errors = (_squared_error(f.confidence or 0.0, happened) for f, happened in pairs)
    return math.fsum(errors) / len(pairs)  # scored implies a first forecast: `or` never acts


def accuracy(forecasts: Iterable[Forecast]) -> float | None:
    """Share of forecasts where (p > 0.5) matched the outcome, each counted with its share of
    its prediction's life.

    A forecast at exactly 0.5 picked no side, so it is neither right nor wrong: it is
    left out of both the numerator and the denominator.
    """
    calls = [
        (share, (p > 0.5) == happened)
        for f, happened in _scored(forecasts)
        for p, share in f.stood
        if p != 0.5
    ]
    if not calls:
        return None
    return math.fsum(share for share, right in calls if right) / math.fsum(s for s, _ in calls)


def points(p: float, outcome: Outcome) -> float:
    """100 x (1 + log2(q)), q = probability given to what happened, clipped to [0.01, 0.99].

    A 50% forecast earns 0; a right 99% one ~98.6; a wrong 99% one ~-564.4.
    """
    if outcome not in ("yes", "no"):
        raise ValueError(f"only yes/no outcomes earn points, got {outcome!r}")
    q = p if outcome == "yes" else 1.0 - p
    q = min(max(q, Q_MIN), Q_MAX)
    return 100.0 * (1.0 + math.log2(q))


def _points_of(forecast: Forecast, happened: bool) -> float:
    outcome: Outcome = "yes" if happened else "no"
    stood = forecast.stood
    if len(stood) == 1:
        p, share = stood[0]
        return share * points(p, outcome)
    return math.fsum(share * points(p, outcome) for p, share in stood)


def forecast_points(forecast: Forecast) -> float | None:
    """One prediction's points: each confidence's, weighted by its share of the prediction's
    life; None unless it is scored."""
    if not forecast.is_scored:
        return None
    return _points_of(forecast, forecast.outcome == "yes")


def total_points(forecasts: Iterable[Forecast]) -> float:
    """Sum of each scored prediction's points; 0 when there are none."""
    return math.fsum(_points_of(f, happened) for f, happened in _scored(forecasts))


def bin_index(p: float) -> int:
    """Index of the calibration bin for confidence p.

    Bins are [0.0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]: a forecast on a boundary goes to
    the bin above it (0.3 is in 30-40%), and 1.0 goes in the last bin. The 1e-9 absorbs
    binary rounding: a confidence computed as 0.7 - 0.4 = 0.29999999999999993 is 30%
    to its author and goes in 30-40%.
    """
    return min(int(p * BIN_COUNT + 1e-9), BIN_COUNT - 1)


def calibration(forecasts: Iterable[Forecast]) -> tuple[Bin, ...]:
    """Ten bins of stated confidence, empty ones included so charts keep a fixed axis. Each
    confidence that stood goes in its bin with its share of its prediction's life, so one
    prediction adds 1 in all, and the weights of all bins sum to the number scored."""
    shares: list[list[float]] = [[] for _ in range(BIN_COUNT)]
    yes_shares: list[list[float]] = [[] for _ in range(BIN_COUNT)]
    for f, happened in _scored(forecasts):
        for p, share in f.stood:
            index = bin_index(p)
            shares[index].append(share)
            if happened:
                yes_shares[index].append(share)
    # k / 10 rather than a running sum: the edges print as 0.3, not 0.30000000000000004.
    return tuple(
        Bin(
            low=k / BIN_COUNT,
            high=(k + 1) / BIN_COUNT,
            count=len(shares[k]),
            yes_count=len(yes_shares[k]),
            weight=math.fsum(shares[k]),
            yes_weight=math.fsum(yes_shares[k]),
        )
        for k in range(BIN_COUNT)
    )


def score(forecasts: Iterable[Forecast]) -> Scores:
    """Every figure of a track record, from every published prediction of an author."""
    items: Sequence[Forecast] = tuple(forecasts)
    return Scores(
        predictions=len(items),
        open=sum(f.outcome is None for f in items),
        resolved=sum(f.outcome in ("yes", "no") for f in items),
        void=sum(f.outcome == "void" for f in items),
        scored=sum(f.is_scored for f in items),
        brier=brier(items),
        accuracy=accuracy(items),
        first_brier=first_brier(items),
        points=total_points(items),
        calibration=calibration(items),
    )


def rounded(value: float | None, decimals: int) -> float | None:
    if value is None:
        return None
    # `+ 0.0` turns -0.0 (e.g. a tiny negative sum rounded) into 0.0 for stable JSON.
    return round(value, decimals) + 0.0


NO_SCORES = score(())  # the record of an author with no published prediction
