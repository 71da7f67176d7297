"""The calibration chart, parsed as XML and checked for structure and geometry."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from builder.render.charts import calibration_svg, describe, radius
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
