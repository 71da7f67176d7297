"""The filters every page, feed, calendar and chart formats numbers and dates with
(builder/render/templates.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from builder.render import charts
from builder.render.templates import brier, longdate, percent, signed_points
from builder.trackrecord.scoring import Bin


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1 / 8, "13%"), (0.625, "63%"), (2 / 3, "67%"), (0.285, "29%"), (0.005, "1%"), (0.0, "0%"),
     (1.0, "100%"), (None, "")],
)  # fmt: skip
def test_percent_rounds_half_up(value: float | None, shown: str) -> None:
    """Catches: Python's round() (half to even: 12% for 1/8) or float noise (0.285 * 100 is
    28.499999999999996, which floor(x + 0.5) turns into 28)."""
    assert percent(value) == shown


def test_the_chart_rounds_as_the_pages_do() -> None:
    """Catches: a second percent function in charts.py that rounds another way (an accuracy
    read 12% in the author box and 13% in the chart)."""
    eighth = Bin(low=0.1, high=0.2, count=8, yes_count=1)
    svg = charts.calibration_svg([eighth], title="t")
    assert "(13%)" in svg and "(12%)" not in svg


def test_the_other_filters() -> None:
    assert longdate(dt.date(2026, 12, 3)) == "December 3, 2026"
    assert signed_points(98.55) == "+98.6" and signed_points(-150.25) == "\u2212150.3"
    assert brier(0.0375) == "0.038"
