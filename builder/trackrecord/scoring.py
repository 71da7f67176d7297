"""Track-record scores: Brier score, accuracy, log-score points and calibration.

Pure functions over `Forecast` values; no I/O. The caller passes every published
prediction of an author (or of the whole site): open ones have `outcome=None`.

Which forecasts count where:
- *scored* forecasts have a confidence and an outcome of "yes" or "no"; every score
  (Brier, accuracy, points, calibration) is computed over those only;
- "void" outcomes are counted as void and never scored (not as "no");
- a resolved forecast without a confidence is counted as resolved but not scored.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Forecast:
    """One published prediction: the stated probability that it happens, and what happened."""

    confidence: float | None
    outcome: Outcome | None = None  # None while the prediction is open

    def __post_init__(self) -> None:
        # `not 0 <= p <= 1` also rejects NaN, which would poison every mean.
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, got {self.confidence!r}")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be yes, no or void, got {self.outcome!r}")

    @property
    def is_scored(self) -> bool:
        return self.confidence is not None and self.outcome in ("yes", "no")


@dataclass(frozen=True)
class Bin:
    """Forecasts whose confidence lies in [low, high) (the last bin also holds 1.0)."""

    low: float
    high: float
    count: int
    yes_count: int

    @property
    def frequency(self) -> float | None:
        """Observed share of "yes" outcomes; None for an empty bin (no data, not 0%)."""
        return self.yes_count / self.count if self.count else None

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def as_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "yes_count": self.yes_count,
            "frequency": _rounded(self.frequency, SCORE_DECIMALS),
        }


@dataclass(frozen=True)
class Scores:
    """An author's (or the site's) track record.

    predictions = open + resolved + void; `resolved` counts yes/no outcomes only, and
    `scored` those of them that also have a confidence. Scores are None when nothing
    is scored (not 0, which would read as a perfect Brier score).
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

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready and deterministic (fixed key order, rounded floats)."""
        return {
            "predictions": self.predictions,
            "open": self.open,
            "resolved": self.resolved,
            "void": self.void,
            "scored": self.scored,
            "brier": _rounded(self.brier, SCORE_DECIMALS),
            "accuracy": _rounded(self.accuracy, SCORE_DECIMALS),
            "points": _rounded(self.points, POINTS_DECIMALS),
            "calibration": [b.as_dict() for b in self.calibration],
        }


def _scored_pairs(forecasts: Iterable[Forecast]) -> list[tuple[float, bool]]:
    """(p, happened) for each forecast that counts towards scores."""
    pairs: list[tuple[float, bool]] = []
    for f in forecasts:
        if f.confidence is not None and f.outcome in ("yes", "no"):
            pairs.append((f.confidence, f.outcome == "yes"))
    return pairs


def brier(forecasts: Iterable[Forecast]) -> float | None:
    """Mean of (p - o)^2 with o = 1 for yes, 0 for no; lower is better."""
    pairs = _scored_pairs(forecasts)
    if not pairs:
        return None
    return math.fsum((p - (1.0 if happened else 0.0)) ** 2 for p, happened in pairs) / len(pairs)


def accuracy(forecasts: Iterable[Forecast]) -> float | None:
    """Share of forecasts where (p > 0.5) matched the outcome.

    A forecast at exactly 0.5 picked no side, so it is neither right nor wrong: it is
    left out of both the numerator and the denominator.
    """
    calls = [(p > 0.5) == happened for p, happened in _scored_pairs(forecasts) if p != 0.5]
    if not calls:
        return None
    return sum(calls) / len(calls)


def points(p: float, outcome: Outcome) -> float:
    """100 x (1 + log2(q)), q = probability given to what happened, clipped to [0.01, 0.99].

    A 50% forecast earns 0; a right 99% one ~98.6; a wrong 99% one ~-564.4.
    """
    if outcome not in ("yes", "no"):
        raise ValueError(f"only yes/no outcomes earn points, got {outcome!r}")
    q = p if outcome == "yes" else 1.0 - p
    q = min(max(q, Q_MIN), Q_MAX)
    return 100.0 * (1.0 + math.log2(q))


def total_points(forecasts: Iterable[Forecast]) -> float:
    """Sum of `points` over scored forecasts; 0 when there are none."""
    return math.fsum(
        points(p, "yes" if happened else "no") for p, happened in _scored_pairs(forecasts)
    )


def bin_index(p: float) -> int:
    """Index of the calibration bin for confidence p.

    Bins are [0.0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]: a forecast on a boundary goes to
    the bin above it (0.3 is in 30-40%), and 1.0 goes in the last bin. The 1e-9 absorbs
    binary rounding: a confidence computed as 0.7 - 0.4 = 0.29999999999999993 is 30%
    to its author and goes in 30-40%.
    """
    return min(int(p * BIN_COUNT + 1e-9), BIN_COUNT - 1)


def calibration(forecasts: Iterable[Forecast]) -> tuple[Bin, ...]:
    """Ten bins of stated confidence, empty ones included so charts keep a fixed axis."""
    counts = [0] * BIN_COUNT
    yes_counts = [0] * BIN_COUNT
    for p, happened in _scored_pairs(forecasts):
        index = bin_index(p)
        counts[index] += 1
        yes_counts[index] += happened
    # k / 10 rather than a running sum: the edges print as 0.3, not 0.30000000000000004.
    return tuple(
        Bin(low=k / BIN_COUNT, high=(k + 1) / BIN_COUNT, count=counts[k], yes_count=yes_counts[k])
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
        points=total_points(items),
        calibration=calibration(items),
    )


def _rounded(value: float | None, decimals: int) -> float | None:
    if value is None:
        return None
    # `+ 0.0` turns -0.0 (e.g. a tiny negative sum rounded) into 0.0 for stable JSON.
    return round(value, decimals) + 0.0


NO_SCORES = score(())  # the record of an author with no published prediction
