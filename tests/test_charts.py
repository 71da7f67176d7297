"""The calibration chart, parsed as XML and checked for structure and geometry; and on the built
track-record and author pages, beside its table."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from conftest import REPO, SiteFolder, prediction_text

from builder.content.model import Outcome, Prediction, Resolution, Update
from builder.render.charts import calibration_svg, count_text, describe
from builder.render.history_chart import describe_history, history_svg
from builder.trackrecord.scoring import Bin, calibration, wilson_interval

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def bins_with(**filled: tuple[float, ...]) -> tuple[Bin, ...]:
    """Ten bins, empty but for `b<k>=(count, yes_count)` or `(count, yes_count, weight,
    yes_weight)`."""
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


def floats(element: ET.Element, *names: str) -> tuple[float, ...]:
    return tuple(float(element.get(name, "nan")) for name in names)


def bars(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Each bar as (x, top, width, height)."""
    return [floats(r, "x", "y", "width", "height") for r in by_class(root, "rect", "cal-band")]  # type: ignore[misc]


def labels(root: ET.Element) -> list[str]:
    return [t.text or "" for t in by_class(root, "text", "cal-label")]


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


def test_each_bin_with_a_forecast_has_a_bar_a_dot_and_its_k_of_n() -> None:
    """Catches: a bin drawn without its interval or without its "k of n", empty bins drawn,
    and the count alone ("n=4") in place of how many happened."""
    root = parse(calibration_svg(SAMPLE, title="t"))
    groups = by_class(root, "g", "cal-bin")
    assert len(groups) == 3  # bins 0, 7 and 9; the seven empty bins draw nothing
    for group in groups:
        (bar,) = by_class(group, "rect", "cal-band")
        (dot,) = by_class(group, "circle", "cal-point")
        x, _, width, height = floats(bar, "x", "y", "width", "height")
        assert width >= 10 and height > 10  # visible: no bar of these counts is a sliver
        assert x < float(dot.get("cx", "nan")) < x + width  # the dot sits on its bar
    assert labels(root) == ["0 of 2", "3 of 4", "9 of 9"]


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [(8, 10, 0.4902, 0.9433), (1, 1, 0.2065, 1.0), (0, 1, 0.0, 0.7935), (50, 100, 0.4038, 0.5962)],
)
def test_bar_spans_the_published_wilson_interval(k: int, n: int, low: float, high: float) -> None:
    """Catches: a bar drawn from the textbook interval (8 of 10: 55% to 100%, 1 of 1: 100% to
    100%, a bar of no height), at 90% instead of 95%, or upside down (SVG's y grows down)."""
    root = parse(calibration_svg(bins_with(b7=(n, k)), title="t"))
    ((x, top, width, height),) = bars(root)
    left, bottom = to_chart(root, 0.7, low)
    right, upper = to_chart(root, 0.8, high)
    assert top == pytest.approx(upper, abs=0.05)
    assert top + height == pytest.approx(bottom, abs=0.05)
    assert left < x and x + width < right  # within its bin's column
    assert x + width / 2 == pytest.approx((left + right) / 2)


def test_fewer_forecasts_draw_longer_bars() -> None:
    """The same 80% observed over 5, 10 and 100 forecasts (and 0.5 of a weighted forecast
    over 0.625): the fewer, the longer the bar; catches a bar of fixed size or one that
    grows with the count."""
    bins = bins_with(b2=(1, 1, 0.625, 0.5), b4=(5, 4), b6=(10, 8), b8=(100, 80))
    heights = [height for _, _, _, height in bars(parse(calibration_svg(bins, title="t")))]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 4


def test_point_sits_at_bin_midpoint_and_observed_frequency() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    circles = by_class(root, "circle", "cal-point")
    # Bin 70-80%: 4 forecasts, 3 happened -> (75%, 75%), on the diagonal.
    x, y = to_chart(root, 0.75, 0.75)
    assert float(circles[1].get("cx", "nan")) == pytest.approx(x, abs=0.01)
    assert float(circles[1].get("cy", "nan")) == pytest.approx(y, abs=0.01)
    # Bin 0-10%: 0 of 2 happened -> (5%, 0%): on the x axis, not at the top (SVG's y axis
    # points down), and at 5%, not folded onto 95% (the chart is never folded at 50%).
    x, y = to_chart(root, 0.05, 0.0)
    assert float(circles[0].get("cx", "nan")) == pytest.approx(x, abs=0.01)
    assert float(circles[0].get("cy", "nan")) == pytest.approx(y, abs=0.01)
    # Bin 90-100%: all happened -> (95%, 100%).
    x, y = to_chart(root, 0.95, 1.0)
    assert (float(circles[2].get("cx", "nan")), float(circles[2].get("cy", "nan"))) == (
        pytest.approx(x, abs=0.01),
        pytest.approx(y, abs=0.01),
    )


def test_bins_explain_themselves_on_hover() -> None:
    root = parse(calibration_svg(SAMPLE, title="t"))
    group = by_class(root, "g", "cal-bin")[1]
    # 3 of 4: Wilson 0.3006..0.9544.
    assert group.findtext("svg:title", namespaces=NS) == (
        "70\u201380%: 3 of 4 happened (75%); 95% interval 30\u201395%"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (2.9999999999999996, "3"),  # a sum of shares a hair short of whole
        (0.0, "0"),
        (1.3826, "1.4"),
        (0.25, "0.3"),  # a quarter of a life, half up (f"{0.25:.1f}" says 0.2)
        (0.75, "0.8"),
        (0.05, "0.1"),
        (0.04, "<0.1"),  # a confidence that stood a few days is not "0.0"
    ],
)
def test_weighted_counts_are_written_whole_or_to_one_decimal(value: float, text: str) -> None:
    assert count_text(value) == text


def test_weighted_bins_are_labelled_and_drawn_with_their_weights() -> None:
    """Catches: the forecast counts (1 of 2) shown for the weights (0.3 of 0.8), or the bar
    drawn from the counts' interval (9-91%) rather than the weights' (2-93%)."""
    root = parse(calibration_svg(bins_with(b4=(2, 1, 0.75, 0.25)), title="t"))
    assert labels(root) == ["0.3 of 0.8"]
    low, high = wilson_interval(0.25, 0.75)
    ((_, top, _, height),) = bars(root)
    assert (top, top + height) == (
        pytest.approx(to_chart(root, 0.45, high)[1], abs=0.01),
        pytest.approx(to_chart(root, 0.45, low)[1], abs=0.01),
    )


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
    # Told apart without colour: each bar is outlined, not a fill alone.
    assert all(r.get("stroke") == "currentColor" for r in by_class(root, "rect", "cal-band"))


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
    assert "0\u201310%: 0 of 2 happened (0%); 95% interval 0\u201366%." in text
    assert "70\u201380%: 3 of 4 happened (75%); 95% interval 30\u201395%." in text
    assert "90\u2013100%: 9 of 9 happened (100%); 95% interval 70\u2013100%." in text
    assert "10\u201320%" not in text  # empty bins are not described
    assert "share of its life" not in text  # no prediction updated: nothing to explain
    root = parse(calibration_svg(SAMPLE, title="t"))
    assert root[1].text == text


def test_description_counts_predictions_not_forecasts() -> None:
    """The example site's bins: one prediction updated twice puts 3 forecasts in 3 bins, but
    it is one prediction (its weights sum to 1): 3 scored, not the 5 forecasts. Catches the
    forecast counts summed."""
    bins = bins_with(b2=(1, 0), b7=(1, 1, 0.3275, 0.3275), b8=(1, 1, 0.2899, 0.2899),
                     b9=(2, 2, 1.3826, 1.3826))  # fmt: skip
    text = describe(bins)
    assert text.startswith("3 scored predictions")
    assert "70\u201380%: 0.3 of 0.3 happened (100%)" in text
    assert "for the share of its life that confidence stood" in text


def test_percentages_round_half_up() -> None:
    # 2 of 3 is 66.67% -> 67%; 1 of 8 is 12.5% -> 13% (round-half-even would say 12%).
    text = describe(bins_with(b5=(3, 2), b1=(8, 1)))
    assert "(67%)" in text and "(13%)" in text


def test_no_scored_predictions_draws_axes_and_says_so() -> None:
    root = parse(calibration_svg(calibration([]), title="t"))
    assert by_class(root, "circle", "cal-point") == []
    assert by_class(root, "rect", "cal-band") == [] and labels(root) == []
    assert by_class(root, "line", "cal-diagonal")
    (empty,) = by_class(root, "text", "cal-empty")
    assert empty.text == "No resolved predictions yet"
    assert root[1].text == "No resolved predictions with a stated confidence yet."


def test_everything_stays_inside_the_view_box() -> None:
    # A bar and dot at 100% and at 0%, and the widest labels at the edge columns.
    bins = bins_with(b9=(500, 500, 1234.5, 1234.5), b0=(500, 0, 1234.5, 0), b8=(1, 1))
    root = parse(calibration_svg(bins, title="t"))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    for label in by_class(root, "text", "cal-label"):
        x, y = floats(label, "x", "y")
        half = real_width(label.text or "") / 2
        assert 10 <= y <= height and x - half >= 0 and x + half <= width
    for circle in by_class(root, "circle", "cal-point"):
        cy, r = floats(circle, "cy", "r")
        assert cy - r >= 0 and cy + r <= height
    for _, top, _, bar_height in bars(root):
        assert top >= 0 and top + bar_height <= height
    # A label moved in from the edge still leads to its own column (0-10%, 80-90%, 90-100%).
    x1, _, x2, _ = diagonal(root)
    leaders = [box[4] for box in count_label_boxes(root)]
    assert leaders == [pytest.approx(x1 + share * (x2 - x1)) for share in (0.05, 0.85, 0.95)]


# DejaVu Sans at 10 units (the font headless Chromium draws these labels in here), measured
# independently of the chart's own, rounded-up estimate.
REAL_WIDTHS = {" ": 3.18, ".": 3.18, "o": 6.12, "f": 3.52, "<": 8.38}


def real_width(text: str) -> float:
    return sum(REAL_WIDTHS.get(char, 6.36) for char in text)


def count_label_boxes(root: ET.Element) -> list[tuple[float, float, float, float, float]]:
    """Each "k of n" label's (left, top, right, bottom, its leader's x)."""
    leaders = [floats(line, "x1", "y1", "x2", "y2") for g in by_class(root, "g", "cal-leaders")
               for line in g.iter(SVG + "line")]  # fmt: skip
    boxes = []
    for label, (x1, _, x2, _) in zip(by_class(root, "text", "cal-label"), leaders, strict=True):
        x, y = floats(label, "x", "y")
        half = real_width(label.text or "") / 2
        assert x1 == x2  # upright
        boxes.append((x - half, y - 8, x + half, y + 2, x1))
    return boxes


def test_crowded_labels_never_run_together_and_each_leads_to_its_bar() -> None:
    """Every bin filled with weighted counts, the widest labels under ten: catches labels put
    blindly above their bars (they overlap), labels too close to read apart, and a leader that
    misses its bar's column or crosses another label."""
    weights = {f"b{k}": (3, 1, 9.25 - k / 3, 1.25 + k / 2) for k in range(10)}
    bins = bins_with(**weights)
    root = parse(calibration_svg(bins, title="t"))
    assert len(labels(root)) == 10
    boxes = count_label_boxes(root)
    x1, _, x2, y_top = diagonal(root)
    for k, (left, top, right, bottom, leader) in enumerate(boxes):
        assert leader == pytest.approx(x1 + (2 * k + 1) / 20 * (x2 - x1))  # its column
        assert left < leader < right and bottom < y_top  # under the label, above the plot
        for other, (o_left, o_top, o_right, o_bottom, _) in enumerate(boxes):
            if other == k:
                continue
            apart = o_left >= right + 6 or left >= o_right + 6  # a word space or more apart
            assert apart or o_bottom <= top or bottom <= o_top, (k, other)
            # A leader runs from under its label down to the plot, past lower rows only.
            assert not (o_top > bottom and o_left < leader < o_right), (k, other)


def short(value: Fraction | Decimal) -> str:
    """`value` as the chart should write it: two decimals at most, no trailing zeros."""
    exact = value if isinstance(value, Decimal) else Decimal(value.numerator) / value.denominator
    text = f"{exact:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def wilson(k: int, n: int) -> tuple[Decimal, Decimal]:
    """The 95% Wilson interval, worked out here in 40-digit decimals."""
    z = Decimal("1.959963984540054")
    p, z2 = Decimal(k) / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    return max(centre - half, Decimal(0)), min(centre + half, Decimal(1))


def test_bins_are_written_as_exact_geometry_in_short_numbers() -> None:
    """Catches float noise (0.30000000000000004), unrounded or zero-padded numbers, and any
    drift in where a bar, a dot, a label or a leader goes: each number is the exact value,
    worked out here with fractions and decimals from the plot's corners, rounded to two
    decimals."""
    filled = {1: (3, 1), 2: (7, 2), 3: (6, 5), 6: (9, 4), 8: (11, 7), 9: (20, 20)}
    svg = calibration_svg(bins_with(**{f"b{k}": v for k, v in filled.items()}), title="t")
    root = parse(svg)
    # "2 of 7" and "20 of 20" are too close to their left neighbours' labels: they go up a
    # row, so there are two rows of 14 units above the plot (from y = 4, with 8 to spare):
    # the plot is 260 units square, its origin (0%, 0%) at (58, 300).
    (line,) = by_class(root, "line", "cal-diagonal")
    assert [line.get(a) for a in ("x1", "y1", "x2", "y2")] == ["58", "300", "318", "40"]
    expected_dots, expected_bars, expected_labels = [], [], []
    with localcontext() as exact:
        exact.prec = 40
        for k, (count, yes) in sorted(filled.items()):
            cx = 58 + Fraction(2 * k + 1, 20) * 260  # the bin's midpoint
            expected_dots.append((short(cx), short(300 - Fraction(yes, count) * 260), "3.5"))
            low, high = wilson(yes, count)
            top = 300 - high * 260
            expected_bars.append((short(cx - 7), short(top), "14", short(300 - low * 260 - top)))
            row = 1 if k in (2, 9) else 0
            expected_labels.append((short(cx), str(40 - 8 - 14 * row - 3), f"{yes} of {count}"))
    dots = [(c.get("cx"), c.get("cy"), c.get("r")) for c in by_class(root, "circle", "cal-point")]
    drawn_bars = [
        (r.get("x"), r.get("y"), r.get("width"), r.get("height"))
        for r in by_class(root, "rect", "cal-band")
    ]
    drawn_labels = [(t.get("x"), t.get("y"), t.text) for t in by_class(root, "text", "cal-label")]
    assert dots == expected_dots
    assert drawn_bars == expected_bars
    assert drawn_labels == expected_labels
    # Everywhere else too: no number in the markup has more than two decimals.
    numbers = re.findall(r'="(-?\d+(?:\.\d+)?)"', svg)
    assert numbers and all(len(n.partition(".")[2]) <= 2 for n in numbers)


def test_ids_are_prefixed_and_validated() -> None:
    root = parse(calibration_svg(SAMPLE, title="t", element_id="author-ada"))
    assert root[0].get("id") == "author-ada-title"
    assert root[1].get("id") == "author-ada-desc"
    with pytest.raises(ValueError):
        calibration_svg(SAMPLE, title="t", element_id='x" onload="alert(1)')


def resolved(confidence: float, outcome: str, *, updates: str = "", date: str = "2026-01-01",
             target: str = "2026-05-01") -> dict[str, str]:  # fmt: skip
    extra = f"confidence: {confidence}\n{updates}resolution:\n  outcome: {outcome}\n"
    return {"date": date, "target": target, "prediction_extra": extra + f"  date: {target}\n"}


def test_pages_show_the_chart_with_its_table_and_explain_the_bars(site: SiteFolder) -> None:
    """A site whose figures are worked out by hand: Ada's 80%, 85% and 80% forecasts (2 of 3
    happened; Wilson 21-94%) and one published at 30% on January 1, updated to 60% on January
    31, resolved yes on May 1: 30 of 120 days at 30% (0.25, shown 0.3 half up) and 90 at 60%
    (0.75, shown 0.8). Bo's 10% that did not happen: 0 of 1 (0-79%). Catches a table that
    disagrees with the chart (the template rounds on its own), a page without the table or the
    explanation, and forecasts counted as predictions (6 forecasts, 5 predictions)."""
    for name, (confidence, outcome) in {"a": (0.8, "yes"), "b": (0.85, "yes"),
                                        "c": (0.8, "no")}.items():  # fmt: skip
        site.write(f"{name}.md", prediction_text(name, **resolved(confidence, outcome)))
    updated = "updates:\n  - {date: 2026-01-31, confidence: 0.6}\n"
    site.write("d.md", prediction_text("d", **resolved(0.3, "yes", updates=updated)))
    site.write("e.md", prediction_text("e", author="bo", **resolved(0.1, "no")))
    assert site.build() == 0
    everyone = [("10\u201320%", "0 of 1", "0%", "0\u201379%"),
                ("30\u201340%", "0.3 of 0.3", "100%", "6\u2013100%"),
                ("60\u201370%", "0.8 of 0.8", "100%", "16\u2013100%"),
                ("80\u201390%", "2 of 3", "67%", "21\u201394%")]  # fmt: skip
    ada = [row for row in everyone if row[0] != "10\u201320%"]
    for path, rows in (("track-record/", everyone), ("authors/ada/", ada),
                       ("authors/bo/", everyone[:1])):  # fmt: skip
        page = site.html(path)
        figure = page.select_one("figure.calibration")
        assert figure is not None, path
        svg = parse(str(figure.select_one("svg")))
        assert labels(svg) == [row[1] for row in rows], path  # the SVG's "k of n"
        assert len(bars(svg)) == len(rows)
        table = page.select_one("table.calibration-table")
        assert table is not None, path
        cells = [tuple(c.get_text(strip=True) for c in tr.select("th, td"))
                 for tr in table.select("tbody tr")]  # fmt: skip
        assert cells == rows, path
    record = site.html("track-record/")
    svg = parse(str(record.select_one("figure.calibration svg")))
    assert (svg[1].text or "").startswith("5 scored predictions")
    note = record.select_one("#calibration-bars")
    assert note is not None and "95% Wilson score interval" in note.get_text()
    assert "from 21% to 100%" in note.get_text()  # one forecast that came true, worked out


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


def test_each_label_has_its_halo_under_it_drawn_by_the_theme_alone() -> None:
    """Catches: a label without the outline that keeps a gridline from crossing it (a forecast
    near 100% sits on the 100% line), one drawn over the label instead of under it, and one
    painted where a theme has no .step-halo rule (a black copy of the figure)."""
    p = forecast(("2026-01-05", 0.8), ("2026-03-01", 0.92))
    root = parse(history_svg(p, title="t"))
    texts = [e for e in root.iter(SVG + "text") if e.get("class") in ("step-halo", "step-label")]
    assert len(texts) == 6  # the first forecast and two updates, each labelled
    assert [e.get("class") for e in texts] == ["step-halo", "step-label"] * 3
    for halo, label in zip(texts[::2], texts[1::2], strict=True):
        where = ("x", "y", "text-anchor")
        assert [halo.get(a) for a in where] == [label.get(a) for a in where]
        assert halo.text == label.text
        assert (halo.get("fill"), halo.get("stroke")) == ("none", "none")
    css = (REPO / "themes/default/static/style.css").read_text(encoding="utf-8")
    assert ".step-halo { font-weight: 600; stroke: var(--paper);" in css
