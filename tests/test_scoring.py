"""Scores checked against hand-worked values (the arithmetic is in the comments)."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from builder.content.model import Prediction, Resolution, Update
from builder.trackrecord.records import forecast, life_end
from builder.trackrecord.scoring import (
    Bin,
    Forecast,
    Scores,
    accuracy,
    bin_index,
    brier,
    calibration,
    first_brier,
    forecast_brier,
    forecast_points,
    life_shares,
    points,
    score,
    total_points,
    wilson_interval,
)

F = Forecast

# The running example: three scored forecasts plus ones that must be ignored.
SCORED = [F(0.8, "yes"), F(0.3, "no"), F(0.6, "no")]
IGNORED = [
    F(0.9, "void"),  # void: counted as void, never as "no"
    F(0.7, None),  # open
    F(None, "yes"),  # resolved, but no confidence was stated
]
EXAMPLE = SCORED + IGNORED

# points(q) = 100 * (1 + log2 q) for the clipping bounds, written out once.
POINTS_AT_99 = 100 * (1 + math.log2(0.99))  # 100 * (1 - 0.0145) = 98.550...
POINTS_AT_01 = 100 * (1 + math.log2(0.01))  # 100 * (1 - 6.6439) = -564.386...


# --- Brier -------------------------------------------------------------------


def test_brier_hand_worked_ignores_void_open_and_unconfident() -> None:
    # (0.8 - 1)^2 = 0.04; (0.3 - 0)^2 = 0.09; (0.6 - 0)^2 = 0.36
    # mean = 0.49 / 3 = 0.16333...
    # Counting the void one as "no" would give (0.49 + 0.81) / 4 = 0.325.
    assert brier(EXAMPLE) == pytest.approx(0.49 / 3)


def test_brier_extremes() -> None:
    assert brier([F(1.0, "yes"), F(0.0, "no")]) == 0.0  # perfect
    assert brier([F(0.0, "yes"), F(1.0, "no")]) == 1.0  # perfectly wrong: (0-1)^2, (1-0)^2
    assert brier([F(0.5, "yes"), F(0.5, "no")]) == 0.25  # 0.5^2 either way


def test_brier_is_none_without_scored_forecasts() -> None:
    # None, not 0.0: 0.0 would read as a perfect record.
    assert brier([]) is None
    assert brier(IGNORED) is None


# --- Accuracy ------------------------------------------------------------------


def test_accuracy_hand_worked() -> None:
    # 0.8 said yes, was yes: right. 0.3 said no, was no: right. 0.6 said yes, was no: wrong.
    # 2 right out of 3.
    assert accuracy(EXAMPLE) == pytest.approx(2 / 3)


def test_accuracy_excludes_exactly_one_half() -> None:
    # Counting 0.5 as a "no" call would add a wrong (0.5, yes) and a right (0.5, no):
    # 3 / 5 = 0.6 instead of 2 / 3.
    forecasts = [*EXAMPLE, F(0.5, "yes"), F(0.5, "no")]
    assert accuracy(forecasts) == pytest.approx(2 / 3)
    assert accuracy([F(0.5, "yes"), F(0.5, "no")]) is None


def test_accuracy_just_above_and_below_one_half() -> None:
    # 0.51 is a "yes" call, 0.49 a "no" call: both right here, both wrong flipped.
    assert accuracy([F(0.51, "yes"), F(0.49, "no")]) == 1.0
    assert accuracy([F(0.51, "no"), F(0.49, "yes")]) == 0.0


def test_accuracy_at_zero_and_one() -> None:
    # p = 0 calls "no", p = 1 calls "yes".
    assert accuracy([F(0.0, "no"), F(1.0, "yes")]) == 1.0
    assert accuracy([F(0.0, "yes"), F(1.0, "no")]) == 0.0


def test_accuracy_is_none_when_empty() -> None:
    assert accuracy([]) is None
    assert accuracy(IGNORED) is None


# --- Points --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "outcome", "expected"),
    [
        (0.5, "yes", 0.0),  # 100 * (1 + log2 0.5) = 100 * (1 - 1) = 0
        (0.5, "no", 0.0),
        (0.8, "yes", 100 * (1 + math.log2(0.8))),  # 100 * (1 - 0.32193) = 67.807
        (0.8, "no", 100 * (1 + math.log2(0.2))),  # q = 1 - 0.8: 100 * (1 - 2.32193) = -132.193
        (0.25, "no", 100 * (1 + math.log2(0.75))),  # q = 0.75: 100 * (1 - 0.41504) = 58.496
        # Clipping: q is held within [0.01, 0.99].
        (1.0, "yes", POINTS_AT_99),  # q = 1 -> 0.99: 98.550
        (0.995, "yes", POINTS_AT_99),  # unclipped would be 99.28
        (0.0, "no", POINTS_AT_99),  # q = 1 - 0 = 1 -> 0.99
        (0.0, "yes", POINTS_AT_01),  # q = 0 -> 0.01: -564.386, not -infinity
        (1.0, "no", POINTS_AT_01),
        (0.005, "yes", POINTS_AT_01),  # unclipped would be -664.4
    ],
)
def test_points_hand_worked(p: float, outcome: str, expected: float) -> None:
    assert points(p, outcome) == pytest.approx(expected)  # type: ignore[arg-type]


def test_points_clipping_values_written_out() -> None:
    assert points(1.0, "yes") == pytest.approx(98.5500, abs=1e-4)
    assert points(0.0, "yes") == pytest.approx(-564.3856, abs=1e-4)


def test_points_refuse_void() -> None:
    with pytest.raises(ValueError):
        points(0.7, "void")


def test_total_points_hand_worked() -> None:
    # 0.8 yes: 100 * (1 + log2 0.8) = 67.807
    # 0.3 no:  q = 0.7, 100 * (1 + log2 0.7) = 48.543
    # 0.6 no:  q = 0.4, 100 * (1 + log2 0.4) = -32.193
    # sum = 84.157; the void 0.9 would have cost 100 * (1 + log2 0.1) = -232.2 as a "no".
    expected = 300 + 100 * (math.log2(0.8) + math.log2(0.7) + math.log2(0.4))
    assert total_points(EXAMPLE) == pytest.approx(expected)
    assert total_points(EXAMPLE) == pytest.approx(84.157, abs=1e-3)


def test_total_points_empty_is_zero() -> None:
    assert total_points([]) == 0.0
    assert total_points(IGNORED) == 0.0


# --- Calibration ---------------------------------------------------------------


def test_calibration_hand_worked() -> None:
    forecasts = [
        F(0.0, "no"),  # bin 0
        F(0.05, "yes"),  # bin 0
        F(0.1, "no"),  # on the 10% edge: bin 1 (edges go to the bin above)
        F(0.3, "yes"),  # bin 3, although 0.3 * 10 is 2.9999... or 3.0000...4 in binary
        F(0.35, "no"),  # bin 3
        F(0.7, "yes"),  # bin 7
        F(0.9, "no"),  # bin 9
        F(0.95, "yes"),  # bin 9
        F(1.0, "yes"),  # 1.0 belongs to the last bin, there is no 100-110% bin
        F(0.3, "void"),  # excluded
        F(0.3, None),  # excluded (open)
        F(None, "yes"),  # excluded (no confidence)
    ]
    bins = calibration(forecasts)
    assert len(bins) == 10
    assert [(b.count, b.yes_count) for b in bins] == [
        (2, 1),  # 0-10%:   1 of 2 happened
        (1, 0),  # 10-20%
        (0, 0),
        (2, 1),  # 30-40%
        (0, 0),
        (0, 0),
        (0, 0),
        (1, 1),  # 70-80%
        (0, 0),
        (3, 2),  # 90-100%: 2 of 3
    ]
    assert bins[0].frequency == 0.5
    assert bins[1].frequency == 0.0  # an observed 0%, distinct from "no data"
    assert bins[2].frequency is None
    assert bins[9].frequency == pytest.approx(2 / 3)


def test_calibration_edges_are_exact_tenths() -> None:
    bins = calibration([])
    assert [(b.low, b.high) for b in bins] == [(k / 10, (k + 1) / 10) for k in range(10)]
    assert bins[3].low == 0.3  # not 0.30000000000000004 from repeated addition
    assert bins[3].midpoint == pytest.approx(0.35)
    assert all(b.count == 0 and b.frequency is None for b in bins)


@pytest.mark.parametrize("k", range(10))
def test_each_stated_tenth_opens_its_own_bin(k: int) -> None:
    p = float(f"0.{k}")  # exactly as an author writes it: 0.0, 0.1, ..., 0.9
    assert bin_index(p) == k


@pytest.mark.parametrize(("p", "index"), [(0.29, 2), (0.099, 0), (0.999, 9), (1.0, 9)])
def test_bin_index_just_below_an_edge(p: float, index: int) -> None:
    assert bin_index(p) == index


def test_bin_index_absorbs_binary_rounding_below_an_edge() -> None:
    # A confidence computed rather than typed, e.g. 1 - 0.7 = 0.30000000000000004 or
    # 0.7 - 0.4 = 0.29999999999999993, is 30% to its author and goes in 30-40%.
    assert 0.7 - 0.4 < 0.3
    assert bin_index(0.7 - 0.4) == 3
    assert bin_index(1 - 0.7) == 3


# --- Forecast validation ---------------------------------------------------------


@pytest.mark.parametrize("confidence", [-0.1, 1.01, math.nan, math.inf])
def test_forecast_rejects_confidence_outside_unit_interval(confidence: float) -> None:
    with pytest.raises(ValueError):
        F(confidence, "yes")


def test_forecast_rejects_unknown_outcome() -> None:
    with pytest.raises(ValueError):
        F(0.5, "maybe")  # type: ignore[arg-type]


# --- Scores and JSON --------------------------------------------------------------


def test_score_counts_and_figures() -> None:
    forecasts = [*EXAMPLE, F(0.4, None), F(None, "void")]
    result = score(forecasts)
    assert result.predictions == 8
    assert result.open == 2  # 0.7 and 0.4
    assert result.resolved == 4  # yes/no: 0.8, 0.3, 0.6 and the unconfident one
    assert result.void == 2
    assert result.predictions == result.open + result.resolved + result.void
    assert result.scored == 3
    assert result.brier == pytest.approx(0.49 / 3)
    assert result.accuracy == pytest.approx(2 / 3)
    assert result.points == pytest.approx(84.157, abs=1e-3)
    assert sum(b.count for b in result.calibration) == 3


def test_score_accepts_a_generator() -> None:
    # Every figure must see every forecast, not just the first consumer.
    result = score(f for f in EXAMPLE)
    assert (result.predictions, result.scored) == (6, 3)
    assert result.brier is not None


def test_score_of_nothing() -> None:
    result = score([])
    assert (result.predictions, result.open, result.resolved, result.void) == (0, 0, 0, 0)
    assert result.brier is None and result.accuracy is None
    assert result.points == 0.0
    assert len(result.calibration) == 10


def test_as_dict_is_plain_rounded_and_deterministic() -> None:
    data = score(EXAMPLE).as_dict()
    assert data["brier"] == 0.1633  # 0.163333... to 4 places
    assert data["accuracy"] == 0.6667
    assert data["points"] == 84.16  # 84.157... to 2 places
    assert data["first_brier"] == 0.1633  # no updates: the same as the Brier score
    assert data["calibration"][3] == {
        "low": 0.3,
        "high": 0.4,
        "count": 1,
        "yes_count": 0,
        "weight": 1.0,
        "yes_weight": 0.0,
        "frequency": 0.0,
    }
    assert data["calibration"][2]["frequency"] is None
    assert list(data) == [
        "predictions",
        "open",
        "resolved",
        "void",
        "scored",
        "brier",
        "first_brier",
        "accuracy",
        "points",
        "calibration",
    ]
    # Same input, same bytes; and nothing that json cannot encode.
    assert json.dumps(data) == json.dumps(score(list(reversed(EXAMPLE))).as_dict())


def test_as_dict_never_writes_negative_zero() -> None:
    # 0.5 on both sides: points 0 + 0; a -0.0 would print as "-0.0" in JSON.
    data = score([F(0.5, "yes"), F(0.5, "no")]).as_dict()
    assert json.dumps(data["points"]) == "0.0"
    # A sum that lands a hair below zero rounds to -0.0 unless normalised.
    tiny = Scores(1, 0, 1, 0, 1, 0.25, None, -1e-9, calibration([]))
    assert json.dumps(tiny.as_dict()["points"]) == "0.0"
    assert Bin(0.0, 0.1, 0, 0).as_dict()["frequency"] is None


# --- Properties -------------------------------------------------------------------

outcomes = st.sampled_from(["yes", "no"])
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
resolved_forecasts = st.lists(st.builds(Forecast, unit, outcomes), min_size=1)
any_forecasts = st.lists(
    st.builds(Forecast, st.none() | unit, st.none() | st.sampled_from(["yes", "no", "void"]))
)


@given(st.lists(st.booleans(), min_size=1))
def test_brier_is_zero_for_perfect_forecasts(happened: list[bool]) -> None:
    perfect = [F(1.0, "yes") if h else F(0.0, "no") for h in happened]
    assert brier(perfect) == 0.0
    assert accuracy(perfect) == 1.0


@given(resolved_forecasts)
def test_brier_is_between_zero_and_one(forecasts: list[Forecast]) -> None:
    value = brier(forecasts)
    assert value is not None
    assert 0.0 <= value <= 1.0


@given(any_forecasts)
def test_figures_stay_in_range_and_bins_hold_every_scored_forecast(
    forecasts: list[Forecast],
) -> None:
    result = score(forecasts)
    assert result.predictions == result.open + result.resolved + result.void
    assert sum(b.count for b in result.calibration) == result.scored
    assert all(0 <= b.yes_count <= b.count for b in result.calibration)
    assert result.accuracy is None or 0.0 <= result.accuracy <= 1.0
    # Each forecast earns between the two clipping bounds.
    assert POINTS_AT_01 * result.scored - 1e-6 <= result.points
    assert result.points <= POINTS_AT_99 * result.scored + 1e-6


# --- Forecasts that change over time ------------------------------------------------

D = dt.date
PUBLISHED = D(2026, 1, 1)
TARGET = D(2026, 4, 11)
RESOLVED_LATE = D(2026, 5, 20)  # after TARGET


def _prediction(
    confidence: float | None,
    updates: tuple[Update, ...] = (),
    *,
    outcome: str | None = "yes",
    resolved: dt.date = RESOLVED_LATE,
    target: dt.date = TARGET,
    published: dt.date = PUBLISHED,
) -> Prediction:
    resolution = Resolution(outcome, resolved) if outcome else None  # type: ignore[arg-type]
    return Prediction(
        source="x.md", slug="x", title="X", date=published, author="ada",
        statement="X happens.", target_date=target, body_html="",
        confidence=confidence, resolution=resolution, updates=updates,
    )  # fmt: skip


# Published 2026-01-01 at 0.6, updated to 0.8 on 2026-03-02 and to 0.9 on 2026-03-22; target
# 2026-04-11, resolved yes on 2026-05-20, later than the target, so its life ends at the target.
# Days each confidence stood: 0.6 from Jan 1 to Mar 2 = 31 + 28 + 1 = 60; 0.8 from Mar 2 to
# Mar 22 = 20; 0.9 from Mar 22 to Apr 11 = 20. Life 100 days: shares 0.6, 0.2, 0.2.
TWO_UPDATES = _prediction(0.6, (Update(D(2026, 3, 2), 0.8, "News."), Update(D(2026, 3, 22), 0.9)))


def _flat(stood: tuple[tuple[float, float], ...]) -> list[float]:
    """(confidence, share) pairs in one list, for pytest.approx (which does not nest)."""
    return [x for pair in stood for x in pair]


def test_two_updates_hand_worked() -> None:
    """Catches: an unweighted mean of the confidences (Brier 0.07), the last one alone (0.01),
    the first alone (0.16), a life that runs to the resolution date (shares 60/139, 20/139,
    59/139: Brier 0.0761), and points not weighted like the Brier score."""
    item = forecast(TWO_UPDATES)
    assert _flat(item.stood) == pytest.approx([0.6, 0.6, 0.8, 0.2, 0.9, 0.2])
    # Brier: 0.6 x (0.6 - 1)^2 + 0.2 x (0.8 - 1)^2 + 0.2 x (0.9 - 1)^2
    #      = 0.6 x 0.16 + 0.2 x 0.04 + 0.2 x 0.01 = 0.096 + 0.008 + 0.002 = 0.106
    assert forecast_brier(item) == pytest.approx(0.106)
    # Points: 100 (1 + log2 0.6) = 26.3034; 100 (1 + log2 0.8) = 67.8072;
    # 100 (1 + log2 0.9) = 84.7997. Weighted: 0.6 x 26.3034 + 0.2 x 67.8072 + 0.2 x 84.7997
    #      = 15.7821 + 13.5614 + 16.9599 = 46.3034
    assert forecast_points(item) == pytest.approx(46.3034, abs=1e-4)
    # The first forecast alone, as published: (0.6 - 1)^2 = 0.16.
    assert first_brier([item]) == pytest.approx(0.16)
    # An author with this prediction and a plain 0.3 "no" (Brier 0.09, points
    # 100 (1 + log2 0.7) = 48.5427): Brier the mean (0.106 + 0.09) / 2 = 0.098; first-forecast
    # Brier (0.16 + 0.09) / 2 = 0.125; points the sum 46.3034 + 48.5427 = 94.8461.
    record = score([item, F(0.3, "no")])
    assert record.brier == pytest.approx(0.098)
    assert record.first_brier == pytest.approx(0.125)
    assert record.points == pytest.approx(94.8461, abs=1e-4)
    # Calibration: 0.6 in 60-70% with 0.6, 0.8 in 80-90% with 0.2, 0.9 in 90-100% with 0.2,
    # all three came true; the 0.3 "no" in 30-40% with 1.
    filled = [(k, b.weight, b.yes_weight) for k, b in enumerate(record.calibration) if b.count]
    assert [k for k, _, _ in filled] == [3, 6, 8, 9]
    assert [w for _, w, _ in filled] == pytest.approx([1.0, 0.6, 0.2, 0.2])
    assert [y for _, _, y in filled] == pytest.approx([0.0, 0.6, 0.2, 0.2])
    assert record.calibration[6].frequency == 1.0  # 0.6 of 0.6 came true
    # Accuracy: every confidence of the updated one is right (above 50%, it happened), and so
    # is the 0.3 "no": 2 / 2 by weight.
    assert record.accuracy == 1.0


def test_life_ends_at_the_resolution_when_it_comes_before_the_target() -> None:
    """Catches: a life always running to the target date. Resolved on 2026-03-27, before the
    2026-04-11 target: 0.6 for 60 days, 0.8 for 20, 0.9 for 5 (Mar 22 to 27); 85 days.
    Brier (60 x 0.16 + 20 x 0.04 + 5 x 0.01) / 85 = (9.6 + 0.8 + 0.05) / 85 = 10.45 / 85."""
    early = _prediction(0.6, TWO_UPDATES.updates, resolved=D(2026, 3, 27))
    assert life_end(early) == D(2026, 3, 27)
    assert life_end(TWO_UPDATES) == D(2026, 4, 11)  # resolved later: the target
    assert forecast_brier(forecast(early)) == pytest.approx(10.45 / 85)


def test_an_update_after_the_end_of_life_counts_for_nothing() -> None:
    """Catches: an update dated after the resolution (or on its day) weighing in, or shares
    that no longer sum to 1 once it is left out. Resolved 2026-03-12, the 0.9 of Mar 22 comes
    after: 0.6 for 60 days, 0.8 for 10; Brier (60 x 0.16 + 10 x 0.04) / 70 = 10 / 70."""
    late = _prediction(0.6, TWO_UPDATES.updates, resolved=D(2026, 3, 12))
    assert _flat(forecast(late).stood) == pytest.approx([0.6, 60 / 70, 0.8, 10 / 70])
    assert forecast_brier(forecast(late)) == pytest.approx(10 / 70)
    on_the_day = _prediction(0.6, TWO_UPDATES.updates, resolved=D(2026, 3, 22))
    assert _flat(forecast(on_the_day).stood) == pytest.approx([0.6, 0.75, 0.8, 0.25])


def test_life_shares_edge_cases() -> None:
    """Catches: a division by zero for a life of no days (resolved on its publication day),
    days before the publication counted, and forecasts given after the life kept at 0."""
    in_force = [(D(2026, 1, 1), 0.6), (D(2026, 1, 11), 0.8)]
    assert life_shares(in_force, D(2026, 1, 1), D(2026, 1, 1)) == ((0.6, 1.0),)
    # Only days from the start count: 0.6 from Dec 1 stands 5 days of the life, not 36.
    before = [(D(2025, 12, 1), 0.6), (D(2026, 1, 6), 0.8)]
    assert life_shares(before, D(2026, 1, 1), D(2026, 1, 11)) == ((0.6, 0.5), (0.8, 0.5))
    assert life_shares(in_force, D(2026, 1, 1), D(2026, 1, 11)) == ((0.6, 1.0),)
    assert life_shares(in_force, D(2026, 1, 1), D(2026, 1, 21)) == ((0.6, 0.5), (0.8, 0.5))
    assert life_shares([], D(2026, 1, 1), D(2026, 1, 21)) == ()


def test_time_weighted_accuracy_hand_worked() -> None:
    """Catches: accuracy from the first or the last forecast alone. 0.4 for 30 of 40 days (a
    wrong "no" call: it happened), then 0.7 for 10 (right): right for 10 / 40 = 25%. A 0.5
    spell picks no side and is left out: 0.5 for 30 days then 0.8 for 10 is right 10 / 10."""
    wavering = _prediction(0.4, (Update(D(2026, 1, 31), 0.7),), target=D(2026, 2, 10))
    assert accuracy([forecast(wavering)]) == pytest.approx(0.25)
    undecided = _prediction(0.5, (Update(D(2026, 1, 31), 0.8),), target=D(2026, 2, 10))
    assert accuracy([forecast(undecided)]) == 1.0


def _old_scores(forecasts: list[Forecast]) -> tuple:
    """The figures as computed before updates existed, copied from that version: each
    forecast a single confidence."""
    pairs = [(f.confidence, f.outcome == "yes") for f in forecasts if f.is_scored]
    old_brier = (
        math.fsum((p - (1.0 if h else 0.0)) ** 2 for p, h in pairs) / len(pairs) if pairs else None
    )
    calls = [(p > 0.5) == h for p, h in pairs if p != 0.5]
    old_accuracy = sum(calls) / len(calls) if calls else None
    old_points = math.fsum(points(p, "yes" if h else "no") for p, h in pairs)  # type: ignore[arg-type]
    counts, yes = [0] * 10, [0] * 10
    for p, h in pairs:
        counts[bin_index(p)] += 1  # type: ignore[arg-type]
        yes[bin_index(p)] += h  # type: ignore[arg-type]
    old_bins = [(c, y, y / c if c else None) for c, y in zip(counts, yes, strict=True)]
    return old_brier, old_accuracy, old_points, old_bins


plain_predictions = st.lists(
    st.tuples(
        st.none() | unit,
        st.none() | st.sampled_from(["yes", "no", "void"]),
        st.integers(min_value=-5, max_value=400),  # days from publication to resolution
    )
)


# Seven 0.3 "yes": (0.3 - 1)^2 = 0.49 seven times sums to 3.4299999999999997 with fsum (as
# before) but 3.4299999999999993 with a plain sum, a difference only == sees.
@example([(0.3, "yes", 30)] * 7)
@given(plain_predictions)
def test_a_prediction_without_updates_scores_exactly_as_before(
    plain: list[tuple[float | None, str | None, int]],
) -> None:
    """Catches: any change of float for a site without updates (a weight of 1 that is not
    exactly 1.0, a sum in another order): Brier, accuracy, points and bins are compared with
    ==, not approx, against the computation of the version before updates."""
    items = [
        forecast(_prediction(c, outcome=o, resolved=D(2026, 1, 1) + dt.timedelta(days=days)))
        for c, o, days in plain
    ]
    assert items == [F(c, o) for c, o, _ in plain]  # type: ignore[arg-type]
    result = score(items)
    new_bins = [(b.count, b.yes_count, b.frequency) for b in result.calibration]
    assert (result.brier, result.accuracy, result.points, new_bins) == _old_scores(items)
    assert result.first_brier == result.brier


dated_updates = st.lists(
    st.tuples(st.integers(min_value=1, max_value=60), unit), max_size=4
)  # (days after the previous forecast, confidence)


@given(st.lists(st.tuples(unit, dated_updates, st.sampled_from(["yes", "no", "void"]))))
def test_calibration_weights_sum_to_the_number_scored(
    drawn: list[tuple[float, list[tuple[int, float]], str]],
) -> None:
    """Catches: a prediction adding each of its confidences as a whole forecast (weights
    summing to the number of confidences), or an update after the end weighing in."""
    predictions = []
    for first, steps, outcome in drawn:
        when, updates = D(2026, 1, 1), []
        for days, confidence in steps:
            when += dt.timedelta(days=days)
            updates.append(Update(when, confidence))
        # Target 100 days after publication: some updates come after it and must count 0.
        predictions.append(
            _prediction(first, tuple(updates), outcome=outcome, target=D(2026, 4, 11))
        )
    result = score(forecast(p) for p in predictions)
    assert math.fsum(b.weight for b in result.calibration) == pytest.approx(result.scored)
    assert result.brier is None or 0.0 <= result.brier <= 1.0
    for item in map(forecast, predictions):
        assert math.fsum(share for _, share in item.stood) == pytest.approx(1.0)


def test_forecast_rejects_inconsistent_histories() -> None:
    """Catches: confidences that stood without a first forecast, or shares out of 0..1."""
    with pytest.raises(ValueError):
        Forecast(None, "yes", ((0.5, 1.0),))
    with pytest.raises(ValueError):
        Forecast(0.5, "yes", ((0.5, 1.5),))
    with pytest.raises(ValueError):
        Forecast(0.5, "yes", ((1.5, 1.0),))


# --- Wilson score interval of a bin's frequency ---------------------------------


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # the example: 0.490-0.943
        (0, 1, 0.0, 0.7935),
        (1, 1, 0.2065, 1.0),
        (50, 100, 0.4038, 0.5962),
        # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (score, no
        # continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    """Catches: the textbook (Wald) interval p +- z sqrt(p(1-p)/n) (8 of 10: 0.552-1.048, and
    0 of 1 collapsing to 0-0), a z other than 1.96 (90% would give 0.547-0.925), and the
    centre or the spread taken without the z^2/n correction."""
    assert wilson_interval(k, n) == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_wilson_interval_is_exact_at_none_and_all_and_narrows_with_more_forecasts() -> None:
    """Catches: bounds a hair outside 0..1 (or short of them) at 0 of n and n of n, and an
    interval that does not widen for fewer forecasts, weighted (fractional) counts included."""
    for n in (0.3, 1, 7, 1000):
        assert wilson_interval(0, n)[0] == 0.0
        assert wilson_interval(n, n)[1] == 1.0
    widths = [high - low for low, high in (wilson_interval(0.8 * n, n) for n in (0.3, 1, 10, 100))]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 4
    assert widths[0] > 0.5 and widths[-1] < 0.2  # 0.3 of a forecast says little; 100 say much


@pytest.mark.parametrize(("k", "n"), [(0, 0), (2, 1), (-1, 3), (1, -1), (math.nan, 1)])
def test_wilson_interval_rejects_impossible_counts(k: float, n: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(k, n)


def test_a_bins_interval_uses_its_weights() -> None:
    """Catches: the interval taken from the forecast counts (1 of 2) instead of the weights
    (0.25 of 0.5, a wider interval), and an empty bin given an interval."""
    weighted = Bin(0.7, 0.8, count=2, yes_count=1, weight=0.5, yes_weight=0.25)
    assert weighted.interval == wilson_interval(0.25, 0.5)
    assert weighted.interval != wilson_interval(1, 2)
    assert Bin(0.7, 0.8, 3, 2).interval == wilson_interval(2, 3)
    assert Bin(0.7, 0.8, 0, 0).interval is None
