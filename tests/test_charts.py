"""The calibration chart, parsed as XML and checked for structure and geometry."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from builder.content.model import Outcome, Prediction, Resolution, Update
from builder.render.charts import calibration_svg, describe, describe_history, history_svg, radius
from builder.trackrecord.scoring import Bin, calibration

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def bins_with(**filled: tuple[int, int]) -> tuple[Bin, ...]:
    """Ten bins, empty but for `b<k>=(count, yes_count)`."""
    return tuple(
        Bin(k / 10, (k + 1) / 10, *filled.get(f"b{k}", (0, 0)))  # type: ignore[arg-type]
        for k in range(10)
    )


SAMPLE = bins_with(b0=(2, 0), b7=(4, 3), b9=(9, 9))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if cls in e.get("class", "").split()]


def diagonal(root: ET.Element) -> tuple[float, float, float, float]:
    (line,) = by_class(root, "line", "cal-diagonal")
    return tuple(float(line.get(a, "nan")) for a in ("x1", "y1", "x2", "y2"))  # type: ignore[return-value]


def to_chart(root: ET.Element, p: float, frequency: float) -> tuple[float, float]:
    """Where (p, frequency) should be drawn, taken from the diagonal's two ends.

    The diagonal runs from (0%, 0%) to (100%, 100%), so it fixes both axes' scales.
    """
    x1, y1, x2, y2 = diagonal(root)
    return x1 + p * (x2 - x1), y1 + frequency * (y2 - y1)


def test_root_is_an_accessible_scalable_image() -> None:
    root = parse(calibration_svg(SAMPLE, title="Ada Quill"))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    # Scales with its container: a viewBox, and no fixed pixel size.
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    assert root.get("width") is None and root.get("height") is None
    # <title> comes first (browsers use it as the accessible name) and <desc> follows;
    # aria-labelledby points at both.
    assert [child.tag for child in root[:2]] == [SVG + "title", SVG + "desc"]
    ids = root.get("aria-labelledby", "").split()
    assert ids == [root[0].get("id"), root[1].get("id")]
    assert root[0].text == "Ada Quill"


def test_one_circle_per_non_empty_bin_with_its_count_as_text() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    circles = by_class(root, "circle", "cal-point")
    assert len(circles) == 3  # bins 0, 7 and 9; the seven empty bins draw nothing
    labels = [e.text for e in by_class(root, "text", "cal-label")]
    assert labels == ["n=2", "n=4", "n=9"]


def test_point_sits_at_bin_midpoint_and_observed_frequency() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    circles = by_class(root, "circle", "cal-point")
    # Bin 70-80%: 4 forecasts, 3 happened -> (75%, 75%), on the diagonal.
    x, y = to_chart(root, 0.75, 0.75)
    assert float(circles[1].get("cx", "nan")) == pytest.approx(x, abs=0.01)
    assert float(circles[1].get("cy", "nan")) == pytest.approx(y, abs=0.01)
    # Bin 0-10%: 0 of 2 happened -> (5%, 0%): on the x axis, not at the top
    # (SVG's y axis points down).
    x, y = to_chart(root, 0.05, 0.0)
    assert float(circles[0].get("cx", "nan")) == pytest.approx(x, abs=0.01)
    assert float(circles[0].get("cy", "nan")) == pytest.approx(y, abs=0.01)
    # Bin 90-100%: all happened -> (95%, 100%).
    x, y = to_chart(root, 0.95, 1.0)
    assert (float(circles[2].get("cx", "nan")), float(circles[2].get("cy", "nan"))) == (
        pytest.approx(x, abs=0.01),
        pytest.approx(y, abs=0.01),
    )


def test_point_hovers_explain_themselves() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    circle = by_class(root, "circle", "cal-point")[1]
    assert circle.findtext("svg:title", namespaces=NS) == "70\u201380%: 3 of 4 happened (75%)"


def test_radius_grows_with_the_square_root_of_count_and_is_capped() -> None:
    # Area, not radius, proportional to count: 4 forecasts draw twice the radius of 1.
    assert radius(4) == pytest.approx(2 * radius(1))
    assert radius(1) < radius(2) < radius(4)
    # Capped: a thousand forecasts do not swallow the chart, and neighbouring bins
    # (a tenth of the diagonal's width apart) never overlap.
    root = parse(calibration_svg(SAMPLE, title="t"))
    x1, _, x2, _ = diagonal(root)
    assert radius(10_000) == radius(1_000)
    assert 2 * radius(10_000) < (x2 - x1) / 10
    circles = by_class(root, "circle", "cal-point")
    radii = [float(c.get("r", "nan")) for c in circles]
    assert radii == [pytest.approx(radius(n), abs=0.01) for n in (2, 4, 9)]


def test_diagonal_is_dashed_and_spans_the_axes() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    (line,) = by_class(root, "line", "cal-diagonal")
    assert line.get("stroke-dasharray")  # dashed: told apart from the axes without colour
    x1, y1, x2, y2 = diagonal(root)
    # Starts at the axes' origin (bottom left), ends top right, at 45 degrees.
    axis_lines = [
        (float(e.get("x1", "nan")), float(e.get("y1", "nan")))
        for g in by_class(root, "g", "cal-axis")
        for e in g.iter(SVG + "line")
    ]
    assert (x1, y1) in axis_lines
    assert x2 > x1 and y2 < y1
    assert x2 - x1 == pytest.approx(y1 - y2)


def test_axes_are_labelled_with_percent_ticks() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    texts = [e.text for e in root.iter(SVG + "text")]
    assert "Stated confidence" in texts
    assert "Observed frequency" in texts
    for tick in ("0%", "20%", "40%", "60%", "80%", "100%"):
        assert texts.count(tick) == 2, tick  # once on each axis


def test_theme_can_style_it_without_colours_in_the_markup() -> None:
    svg = calibration_svg(SAMPLE, title="t")
    assert "currentColor" in svg
    assert re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(", svg) is None
    root = parse(svg)
    assert by_class(root, "g", "cal-axis")
    assert "cal-chart" in root.get("class", "")


def test_title_is_escaped() -> None:
    title = 'Ada <script>alert("x")</script> & Co'
    svg = calibration_svg(SAMPLE, title=title)
    assert "<script>" not in svg
    root = parse(svg)  # would raise on a raw "&" or "<"
    assert root[0].text == title
    assert not list(root.iter("script")) and not list(root.iter(SVG + "script"))


def test_description_lists_every_non_empty_bin() -> None:
    text = describe(SAMPLE)
    assert text.startswith("15 scored predictions")
    assert "0\u201310%: 2 predictions, 0 happened (0%)." in text
    assert "70\u201380%: 4 predictions, 3 happened (75%)." in text
    assert "90\u2013100%: 9 predictions, 9 happened (100%)." in text
    assert "10\u201320%" not in text  # empty bins are not described
    root = parse(calibration_svg(SAMPLE, title="t"))
    assert root[1].text == text


def test_percentages_round_half_up() -> None:
    # 2 of 3 is 66.67% -> 67%; 1 of 8 is 12.5% -> 13% (round-half-even would say 12%).
    text = describe(bins_with(b5=(3, 2), b1=(8, 1)))
    assert "(67%)" in text and "(13%)" in text


def test_no_scored_predictions_draws_axes_and_says_so() -> None:
    root = parse(calibration_svg(calibration([]), title="t"))
    assert by_class(root, "circle", "cal-point") == []
    assert by_class(root, "line", "cal-diagonal")
    (empty,) = by_class(root, "text", "cal-empty")
    assert empty.text == "No resolved predictions yet"
    assert root[1].text == "No resolved predictions with a stated confidence yet."


def test_labels_stay_inside_the_view_box() -> None:
    # The largest point at 100% puts its "n=" label highest; it must not be cut off.
    root = parse(calibration_svg(bins_with(b9=(500, 500), b0=(500, 0)), title="t"))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    for label in by_class(root, "text", "cal-label"):
        assert 10 <= float(label.get("y", "nan")) <= height
        assert 0 <= float(label.get("x", "nan")) <= width
    for circle in by_class(root, "circle", "cal-point"):
        cy, r = float(circle.get("cy", "nan")), float(circle.get("r", "nan"))
        assert cy - r >= 0 and cy + r <= height


def short(value: Fraction | Decimal) -> str:
    """`value` as the chart should write it: two decimals at most, no trailing zeros."""
    exact = value if isinstance(value, Decimal) else Decimal(value.numerator) / value.denominator
    text = f"{exact:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def test_points_are_written_as_exact_geometry_in_short_numbers() -> None:
    """Catches float noise (0.30000000000000004), unrounded or zero-padded numbers, and any
    drift in where a point goes: each number is the exact value, worked out here with
    fractions from the plot's corners, rounded to two decimals."""
    filled = {1: (3, 1), 2: (7, 2), 3: (6, 5), 6: (9, 4), 8: (11, 7), 9: (20, 20)}
    svg = calibration_svg(bins_with(**{f"b{k}": v for k, v in filled.items()}), title="t")
    root = parse(svg)
    # The plot: 260 units square, its origin (0%, 0%) at (58, 290).
    (line,) = by_class(root, "line", "cal-diagonal")
    assert [line.get(a) for a in ("x1", "y1", "x2", "y2")] == ["58", "290", "318", "30"]
    expected_points, expected_labels = [], []
    with localcontext() as exact:
        exact.prec = 40
        for k, (count, yes) in sorted(filled.items()):
            cx = 58 + Fraction(2 * k + 1, 20) * 260  # the bin's midpoint
            cy = 290 - Fraction(yes, count) * 260
            r = min(Decimal("3.5") * Decimal(count).sqrt(), Decimal(12))  # area ~ count
            expected_points.append((short(cx), short(cy), short(r)))
            label_y = Decimal(cy.numerator) / cy.denominator - r - 4  # above its circle
            expected_labels.append((short(cx), short(label_y)))
    points = [(c.get("cx"), c.get("cy"), c.get("r")) for c in by_class(root, "circle", "cal-point")]
    labels = [(t.get("x"), t.get("y")) for t in by_class(root, "text", "cal-label")]
    assert points == expected_points
    assert labels == expected_labels
    # Everywhere else too: no number in the markup has more than two decimals.
    numbers = re.findall(r'="(-?\d+(?:\.\d+)?)"', svg)
    assert numbers and all(len(n.partition(".")[2]) <= 2 for n in numbers)


def test_ids_are_prefixed_and_validated() -> None:
    root = parse(calibration_svg(SAMPLE, title="t", element_id="author-ada"))
    assert root[0].get("id") == "author-ada-title"
    assert root[1].get("id") == "author-ada-desc"
    with pytest.raises(ValueError):
        calibration_svg(SAMPLE, title="t", element_id='x" onload="alert(1)')


# The step chart of one prediction's confidence over time -------------------------------------


def forecast(
    *updates: tuple[str, float],
    confidence: float | None = 0.8,
    published: str = "2026-01-01",
    target: str = "2026-12-31",
    resolved: tuple[Outcome, str] | None = None,
    title: str = "T",
) -> Prediction:
    """A prediction published on `published` with `updates` as (ISO date, confidence)."""
    return Prediction(
        source="content/predictions/t.md",
        slug="t",
        title=title,
        date=dt.date.fromisoformat(published),
        author="ada",
        statement="Something will happen.",
        target_date=dt.date.fromisoformat(target),
        body_html="",
        confidence=confidence,
        resolution=Resolution(resolved[0], dt.date.fromisoformat(resolved[1]))
        if resolved
        else None,
        updates=tuple(Update(dt.date.fromisoformat(d), c, f"note {d}") for d, c in updates),
    )


# Jan 1 -> Jan 31 is 30 days, -> Apr 1 is 90 (31 + 28 + 31), -> May 1 is 120: updates at a
# quarter and three quarters of the prediction's life.
QUARTERS = forecast(("2026-01-31", 0.5), ("2026-04-01", 0.25), resolved=("yes", "2026-05-01"))


def test_history_chart_is_an_accessible_scalable_image() -> None:
    root = parse(history_svg(QUARTERS, title="How it changed", element_id="h"))
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    assert root.get("width") is None and root.get("height") is None
    assert [child.tag for child in root[:2]] == [SVG + "title", SVG + "desc"]
    assert root.get("aria-labelledby") == "h-title h-desc"
    assert (root[0].get("id"), root[1].get("id")) == ("h-title", "h-desc")
    assert root[0].text == "How it changed"
    assert root[1].text == describe_history(QUARTERS)


def test_steps_sit_at_each_forecast_worked_out_by_hand() -> None:
    """The plot spans x 42..386 (344 units: publication to resolution) and y 142..22 (120
    units: 0% to 100%). Updates at 1/4 and 3/4 of the 120 days: x = 42 + 344/4 = 128 and
    42 + 3 * 344/4 = 300. Confidences 80%, 50%, 25%: y = 22 + 120 * (1 - c) = 46, 82, 112."""
    # Catches: steps drawn as slopes (a polyline from point to point), y growing upwards
    # (SVG's y points down), time measured to the target date instead of the resolution,
    # the last step stopping at the last update instead of running to the end.
    root = parse(history_svg(QUARTERS, title="t"))
    (line,) = by_class(root, "path", "step-line")
    assert line.get("d") == "M42 46H128V82H300V112H386"
    points = [(c.get("cx"), c.get("cy")) for c in by_class(root, "circle", "step-point")]
    assert points == [("42", "46"), ("128", "82"), ("300", "112")]


def test_step_positions_are_exact_geometry_in_short_numbers() -> None:
    """The example site's dates: published March 2, 2025, updates June 10 and October 1,
    resolved February 10, 2026: days 100, 213 and 345 of the life, worked out with
    fractions and rounded to two decimals."""
    # Catches: float noise (141.71014492753623), zero-padded or unrounded numbers.
    p = forecast(
        ("2025-06-10", 0.7), ("2025-10-01", 0.92),
        published="2025-03-02", target="2026-02-28", resolved=("yes", "2026-02-10"),
    )  # fmt: skip
    svg = history_svg(p, title="t")
    root = parse(svg)
    xs = [short(42 + Fraction(days, 345) * 344) for days in (0, 100, 213)]
    ys = [short(22 + (1 - Fraction(c)) * 120) for c in ("0.8", "0.7", "0.92")]
    assert xs == ["42", "141.71", "254.38"] and ys == ["46", "58", "31.6"]
    (line,) = by_class(root, "path", "step-line")
    assert line.get("d") == f"M{xs[0]} {ys[0]}H{xs[1]}V{ys[1]}H{xs[2]}V{ys[2]}H386"
    points = [(c.get("cx"), c.get("cy")) for c in by_class(root, "circle", "step-point")]
    assert points == list(zip(xs, ys, strict=True))
    numbers = re.findall(r'="(-?\d+(?:\.\d+)?)"', svg)
    assert numbers and all(len(n.partition(".")[2]) <= 2 for n in numbers)


def test_each_forecast_is_labelled_and_explained() -> None:
    root = parse(history_svg(QUARTERS, title="t"))
    labels = [t.text for t in by_class(root, "text", "step-label")]
    assert labels == ["80%", "50%", "25%"]
    hovers = [
        c.findtext("svg:title", namespaces=NS) for c in by_class(root, "circle", "step-point")
    ]
    assert hovers == [
        "80% from January 1, 2026 (first forecast)",
        "50% from January 31, 2026 (update)",
        "25% from April 1, 2026 (update)",
    ]


def test_resolution_is_marked_at_the_end_and_written_under_the_axis() -> None:
    # Catches: an outcome told by colour alone, a yes drawn at 0%, a void given an answer.
    for outcome, square_y in (("yes", "17.5"), ("no", "137.5")):  # 22 - 4.5 and 142 - 4.5
        p = forecast(("2026-01-31", 0.5), resolved=(outcome, "2026-05-01"))  # type: ignore[arg-type]
        root = parse(history_svg(p, title="t"))
        (rule,) = by_class(root, "line", "step-resolution")
        assert (rule.get("x1"), rule.get("x2"), rule.get("stroke-dasharray")) == (
            "386",
            "386",
            "4 3",
        )
        (square,) = by_class(root, "rect", "step-outcome")
        assert f"step-outcome-{outcome}" in square.get("class", "").split()
        assert (square.get("x"), square.get("y")) == ("381.5", square_y)
        texts = [t.text for t in root.iter(SVG + "text")]
        assert f"Resolved {outcome}, May 1, 2026" in texts
        assert "Published Jan 1, 2026" in texts
    void = parse(
        history_svg(forecast(("2026-01-31", 0.5), resolved=("void", "2026-05-01")), title="t")
    )
    assert by_class(void, "line", "step-resolution") and not by_class(void, "rect", "step-outcome")


def test_an_open_prediction_runs_to_its_target_date() -> None:
    # Catches: an open prediction drawn with a resolution, or its time axis ending anywhere but
    # the target date (Jan 1 -> Jul 1 is 181 days; an update on day 181/2 is not at the middle).
    p = forecast(("2026-04-02", 0.6), target="2026-07-01")  # day 91 of 181
    root = parse(history_svg(p, title="t"))
    assert not by_class(root, "line", "step-resolution")
    assert not by_class(root, "rect", "step-outcome")
    (line,) = by_class(root, "path", "step-line")
    x = short(42 + Fraction(91, 181) * 344)
    assert line.get("d") == f"M42 46H{x}V70H386"
    assert "Target Jul 1, 2026" in [t.text for t in root.iter(SVG + "text")]
    assert describe_history(p) == (
        "The author\u2019s confidence that it will happen: 80% from January 1, 2026 (first"
        " forecast); 60% from April 2, 2026. The last one stands until the target date,"
        " July 1, 2026."
    )


def test_description_says_every_forecast_and_the_outcome() -> None:
    assert describe_history(QUARTERS) == (
        "The author\u2019s confidence that it would happen: 80% from January 1, 2026 (first"
        " forecast); 50% from January 31, 2026; 25% from April 1, 2026."
        " Resolved yes on May 1, 2026."
    )


def test_a_prediction_without_a_first_confidence_starts_at_its_first_update() -> None:
    p = forecast(("2026-01-31", 0.5), ("2026-04-01", 0.25), confidence=None,
                 resolved=("no", "2026-05-01"))  # fmt: skip
    root = parse(history_svg(p, title="t"))
    (line,) = by_class(root, "path", "step-line")
    assert line.get("d") == "M128 82H300V112H386"
    assert "(first forecast)" not in describe_history(p)
    with pytest.raises(ValueError):
        history_svg(forecast(confidence=None), title="t")  # nothing to chart


def label_boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Each percent label's box, from its anchor: 12-unit bold figures are under 8 units wide
    ("%" under 12) and 9 high; measured independently of the chart's own estimate."""
    boxes = []
    for label in by_class(root, "text", "step-label"):
        x, y, text = float(label.get("x", "nan")), float(label.get("y", "nan")), label.text or ""
        width = 7.5 * (len(text) - 1) + 11
        left = x if label.get("text-anchor") == "start" else x - width
        boxes.append((left, y - 9, left + width, y))
    return boxes


def test_crowded_labels_never_cover_each_other_or_leave_the_plot() -> None:
    # Catches: labels placed blindly above each point, which pile up when updates come days
    # apart, or run past the right edge for a forecast made near the end.
    p = forecast(
        ("2026-01-05", 0.78), ("2026-01-09", 0.75), ("2026-01-12", 0.2), ("2026-04-29", 0.99),
        resolved=("yes", "2026-05-01"),
    )  # fmt: skip
    root = parse(history_svg(p, title="t"))
    boxes = label_boxes(root)
    assert len(boxes) >= 3  # most still labelled; the table beside the chart has them all
    assert len(by_class(root, "circle", "step-point")) == 5  # every forecast still drawn
    for i, a in enumerate(boxes):
        assert a[0] > 42 and a[2] <= 400 and a[1] >= 0 and a[3] < 142, a
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    points = [
        (float(c.get("cx", "nan")), float(c.get("cy", "nan")))
        for c in by_class(root, "circle", "step-point")
    ]
    for left, top, right, bottom in boxes:
        for cx, cy in points:
            assert not (left < cx + 4 and cx - 4 < right and top < cy + 4 and cy - 4 < bottom)


def test_history_chart_takes_its_colours_from_the_theme_and_escapes_text() -> None:
    title = 'Ada <script>alert("x")</script> & Co'
    p = forecast(("2026-01-31", 0.5), title="T & <b>")
    svg = history_svg(p, title=title)
    assert "currentColor" in svg and re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(", svg) is None
    assert "<script>" not in svg
    root = parse(svg)
    assert root[0].text == title
    assert "step-chart" in root.get("class", "").split()
    with pytest.raises(ValueError):
        history_svg(p, title="t", element_id='x" onload="alert(1)')
