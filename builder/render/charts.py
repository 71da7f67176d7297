"""Charts as inline SVG, made at build time (no JavaScript): the calibration chart of a track
record, and the step chart of one prediction's confidence over time (`history_svg`).

The calibration chart is styled through `currentColor` and CSS classes so a theme can restyle it
for light and dark modes:

- ``cal-chart`` on the ``<svg>``;
- ``cal-axis`` (axis lines and tick labels), ``cal-grid`` (faint grid lines),
  ``cal-axis-label`` (the two axis titles);
- ``cal-diagonal`` (the dashed perfect-calibration line);
- ``cal-bin`` (one group per bin with a forecast), holding ``cal-band`` (a bar spanning the
  95% Wilson interval of the bin's observed frequency) and ``cal-point`` (a dot at that
  frequency); ``cal-label`` (the bin's "3 of 4", above the plot, in line with its bar);
- ``cal-empty`` (the message shown when no prediction is scored yet).

It has a viewBox and no width or height, so it scales to its container. Its meaning
does not depend on colour: the diagonal is dashed, each bin's bar is outlined, and each bin is
labelled with how many of its forecasts happened. Both axes run from 0% to 100%: a forecast of
20% is drawn at 20%, never folded onto 80%.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from html import escape

from builder.content.model import Prediction
from builder.render.templates import longdate, percent
from builder.trackrecord.scoring import Bin

# Layout in viewBox units. The plot is square so the diagonal is at 45 degrees.
PLOT = 260.0
COLUMN = PLOT / 10  # one bin's width
LEFT = 58.0  # room for "100%" and the rotated y-axis title
RIGHT = 18.0
LABEL_TOP = 4.0  # the rows of "k of n" labels start here, above the plot
LABEL_ROW = 14.0  # one row of labels
LABEL_GAP = 8.0  # between the labels and the plot's top (a dot at 100% reaches into it)
BOTTOM = 52.0  # room for tick labels and the x-axis title
WIDTH = LEFT + PLOT + RIGHT

TICKS = (0, 20, 40, 60, 80, 100)  # percent
BAND_HALF = 7.0  # a bar is 14 units wide, a little over half its column
DOT_R = 3.5

EN_DASH = "\u2013"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

# Widths of a label's characters in 10-unit sans, those of DejaVu Sans (the widest common
# system font) rounded up: no font metrics at build time, and better a label moved a row down
# for nothing than two labels run together.
LABEL_SIZE = 10.0
CHAR_WIDTH = {" ": 3.2, ".": 3.2, "o": 6.2, "f": 3.6, "<": 8.4}
DIGIT_WIDTH = 6.4
LABEL_SPACE = 9.0  # between two labels on one row: more than a word space, so they read apart


def calibration_svg(bins: Sequence[Bin], *, title: str, element_id: str = "calibration") -> str:
    """An accessible SVG calibration chart for `bins` (from `scoring.calibration`).

    `element_id` prefixes the ids of the <title> and <desc> elements; give each chart
    on one page its own.
    """
    if not _ID.fullmatch(element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    filled = _filled(bins)
    labels = _label_rows(filled)
    frame = _Frame(max([1, *(row + 1 for _, row in labels)]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cal-chart" id="{element_id}"'
        f' viewBox="0 0 {_n(WIDTH)} {_n(frame.height)}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-size="11">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(bins))}</desc>',
        *_grid_and_axes(frame),
        _diagonal(frame),
        *_bins(filled, frame),
        *_labels(labels, frame),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def count_text(value: float) -> str:
    """A bin's weighted count as the chart and its table write it: whole when it is whole
    (always, when no prediction in the bin was updated), else to one decimal rounded half up
    (a quarter of a life is "0.3"), and "<0.1" rather than a misleading "0.0" for a confidence
    that stood a few days. partials/calibration_table.html does the same arithmetic."""
    whole = round(value)
    if abs(value - whole) < 1e-9:
        return str(whole)
    return "<0.1" if value < 0.05 else f"{math.floor(value * 10 + 0.5) / 10:.1f}"


def happened(b: Bin) -> str:
    """ "3 of 4": how many of the bin's (weighted) forecasts came true, of how many."""
    return f"{count_text(b.yes_weight or 0.0)} of {count_text(b.weight or 0.0)}"


def interval_text(b: Bin) -> str:
    """ "49\u201394%": the bin's 95% Wilson interval, in whole percents."""
    low, high = b.interval or (0.0, 0.0)
    return f"{percent(low).rstrip('%')}{EN_DASH}{percent(high)}"


def describe(bins: Sequence[Bin]) -> str:
    """The chart in words, for screen readers (and anyone who cannot see it)."""
    filled = _filled(bins)
    if not filled:
        return "No resolved predictions with a stated confidence yet."
    # Each prediction weighs 1 over its bins (its confidences split its life), so the weights
    # sum to the number of predictions; the bins' counts are forecasts, more when updated.
    total = round(math.fsum(b.weight or 0.0 for b in filled))
    lines = [
        f"{total} scored {_plural(total, 'prediction')}, grouped by stated confidence;"
        " a well-calibrated forecaster's points lie on the diagonal, and each bar spans the"
        " observed frequencies a record of that size is consistent with (95% interval)."
    ]
    if any(b.weight != b.count for b in filled):
        lines.append(
            "An updated prediction counts in the bin of each of its confidences for the share"
            " of its life that confidence stood."
        )
    for b in filled:
        lines.append(
            f"{_range(b)}: {happened(b)} happened ({percent(b.frequency or 0.0)});"
            f" 95% interval {interval_text(b)}."
        )
    return " ".join(lines)


def _filled(bins: Sequence[Bin]) -> list[Bin]:
    return [b for b in bins if b.weight]


class _Frame:
    """Where the plot sits: below `rows` rows of labels."""

    def __init__(self, rows: int) -> None:
        self.top = LABEL_TOP + rows * LABEL_ROW + LABEL_GAP
        self.bottom = self.top + PLOT
        self.height = self.bottom + BOTTOM

    def label_baseline(self, row: int) -> float:
        """Row 0 just above the plot, the next ones (only where labels crowd) above it."""
        return self.top - LABEL_GAP - row * LABEL_ROW - 3

    def y(self, frequency: float) -> float:
        return self.top + (1.0 - frequency) * PLOT  # SVG's y grows downwards


def _grid_and_axes(frame: _Frame) -> list[str]:
    y = frame.y
    parts = ['<g class="cal-grid" stroke="currentColor" stroke-opacity="0.15" fill="none">']
    for t in TICKS[1:]:
        parts.append(_line(_x(t / 100), y(0), _x(t / 100), y(1)))
        parts.append(_line(_x(0), y(t / 100), _x(1), y(t / 100)))
    parts.append("</g>")
    parts.append('<g class="cal-axis" stroke="currentColor" fill="none">')
    parts.append(_line(_x(0), y(0), _x(1), y(0)))  # x axis
    parts.append(_line(_x(0), y(0), _x(0), y(1)))  # y axis
    for t in TICKS:
        parts.append(_line(_x(t / 100), y(0), _x(t / 100), y(0) + 5))
        parts.append(_line(_x(0) - 5, y(t / 100), _x(0), y(t / 100)))
    parts.append("</g>")
    parts.append('<g class="cal-axis" fill="currentColor">')
    for t in TICKS:
        parts.append(
            f'<text x="{_n(_x(t / 100))}" y="{_n(y(0) + 18)}" text-anchor="middle">{t}%</text>'
        )
        parts.append(
            f'<text x="{_n(_x(0) - 8)}" y="{_n(y(t / 100) + 4)}" text-anchor="end">{t}%</text>'
        )
    parts.append("</g>")
    centre_x, centre_y = _x(0.5), y(0.5)
    parts.append(
        f'<text class="cal-axis-label" fill="currentColor" x="{_n(centre_x)}"'
        f' y="{_n(frame.height - 8)}" text-anchor="middle">Stated confidence</text>'
    )
    # Rotated about its own anchor point so it reads bottom-to-top along the y axis.
    parts.append(
        f'<text class="cal-axis-label" fill="currentColor" x="14" y="{_n(centre_y)}"'
        f' text-anchor="middle" transform="rotate(-90 14 {_n(centre_y)})">Observed frequency</text>'
    )
    return parts


def _diagonal(frame: _Frame) -> str:
    return (
        f'<line class="cal-diagonal" x1="{_n(_x(0))}" y1="{_n(frame.y(0))}" x2="{_n(_x(1))}"'
        f' y2="{_n(frame.y(1))}" stroke="currentColor" stroke-dasharray="6 4"'
        ' stroke-width="1.5"/>'
    )


def _bins(filled: Sequence[Bin], frame: _Frame) -> list[str]:
    if not filled:
        # Upper left, clear of the diagonal.
        return [
            f'<text class="cal-empty" fill="currentColor" x="{_n(_x(0.35))}"'
            f' y="{_n(frame.y(0.8))}" text-anchor="middle">No resolved predictions yet</text>'
        ]
    parts = ['<g class="cal-points">']
    for b in filled:
        low, high = b.interval or (0.0, 0.0)
        cx, top, bottom = _x(b.midpoint), frame.y(high), frame.y(low)
        frequency = b.frequency or 0.0
        parts += [
            '<g class="cal-bin">',
            f"<title>{_range(b)}: {happened(b)} happened ({percent(frequency)});"
            f" 95% interval {interval_text(b)}</title>",
            # The bar first, so the dot is drawn over it.
            f'<rect class="cal-band" x="{_n(cx - BAND_HALF)}" y="{_n(top)}"'
            f' width="{_n(2 * BAND_HALF)}" height="{_n(bottom - top)}" fill="currentColor"'
            ' fill-opacity="0.2" stroke="currentColor" stroke-width="1"/>',
            f'<circle class="cal-point" cx="{_n(cx)}" cy="{_n(frame.y(frequency))}"'
            f' r="{_n(DOT_R)}" fill="currentColor"/>',
            "</g>",
        ]
    parts.append("</g>")
    return parts


Label = tuple[Bin, int]  # a bin with a forecast and the row of its "k of n" label


def _label_rows(filled: Sequence[Bin]) -> list[Label]:
    """Each label in the first row where it clears the one before it: one row while the bins
    with a forecast are far enough apart, a second (or third) where neighbours' labels would
    run together."""
    ends: list[float] = []  # the right edge of the last label in each row
    placed = []
    for b in filled:
        left, right = _label_span(b)
        row = next((i for i, end in enumerate(ends) if left >= end + LABEL_SPACE), len(ends))
        if row == len(ends):
            ends.append(right)
        ends[row] = right
        placed.append((b, row))
    return placed


def _label_span(b: Bin) -> tuple[float, float]:
    """Left and right of a label: centred on its column, moved in to stay in the view box."""
    width = label_width(happened(b))
    left = min(max(_x(b.midpoint) - width / 2, 2.0), WIDTH - 2.0 - width)
    return left, left + width


def label_width(text: str) -> float:
    return sum(CHAR_WIDTH.get(char, DIGIT_WIDTH) for char in text)


def _labels(labels: Sequence[Label], frame: _Frame) -> list[str]:
    if not labels:
        return []
    parts = ['<g class="cal-labels">']
    for b, row in labels:
        left, right = _label_span(b)
        baseline = frame.label_baseline(row)
        parts.append(
            f'<text class="cal-label" fill="currentColor" x="{_n((left + right) / 2)}"'
            f' y="{_n(baseline)}" text-anchor="middle"'
            f' font-size="{_n(LABEL_SIZE)}">{escape(happened(b))}</text>'
        )
    parts.append('<g class="cal-leaders" stroke="currentColor" fill="none">')
    for b, row in labels:
        # From under the label down to its bar's column, past any lower row of labels.
        x, baseline = _x(b.midpoint), frame.label_baseline(row)
        parts.append(_line(x, baseline + 3, x, frame.top - 2))
    parts += ["</g>", "</g>"]
    return parts


def _x(p: float) -> float:
    return LEFT + p * PLOT


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'


def _n(value: float) -> str:
    """Fixed formatting (2 decimals, trailing zeros dropped) so output is byte-stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _range(b: Bin) -> str:
    # "30\u201340%": an en dash, as typeset ranges are written.
    return f"{percent(b.low).rstrip('%')}{EN_DASH}{percent(b.high)}"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


# The step chart of a prediction's confidence over time ---------------------------------------
#
# Classes, for the theme: ``step-chart`` on the ``<svg>``; ``step-grid`` (faint lines at every
# 25%), ``step-axis`` (axis lines, percent ticks and the two end dates); ``step-line`` (the
# confidence, one step per forecast); ``step-point`` (a circle where each forecast starts) with
# ``step-label`` (its percent); ``step-resolution`` (the dashed line at the resolution date)
# and ``step-outcome`` (a square at 100% for yes, at 0% for no; also ``step-outcome-yes`` or
# ``-no``). Its meaning does not depend on colour: every forecast is a labelled circle, the
# resolution a dashed line, and the outcome is written under the axis.

STEP_WIDTH = 400.0  # narrow, so that its text stays legible on a phone (about 350 px wide)
STEP_LEFT = 42.0  # room for "100%"
STEP_RIGHT = 14.0
STEP_TOP = 22.0  # room for a label above a forecast at 100%
STEP_PLOT_HEIGHT = 120.0
STEP_BOTTOM = 30.0  # room for the two dates under the axis
STEP_PLOT_WIDTH = STEP_WIDTH - STEP_LEFT - STEP_RIGHT
STEP_HEIGHT = STEP_TOP + STEP_PLOT_HEIGHT + STEP_BOTTOM
STEP_TICKS = (0, 25, 50, 75, 100)  # percent


def history_svg(p: Prediction, *, title: str, element_id: str = "history") -> str:
    """An accessible SVG step chart of `p`'s confidence from its publication to its resolution
    (or, while open, its target date): one step per forecast in `p.forecasts`."""
    if not _ID.fullmatch(element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    if not p.forecasts:
        raise ValueError(f"{p.slug} states no confidence: there is nothing to chart")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    scale = _TimeScale(p.date, _chart_end(p))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="step-chart" id="{element_id}"'
        f' viewBox="0 0 {_n(STEP_WIDTH)} {_n(STEP_HEIGHT)}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe_history(p))}</desc>',
        *_step_axes(p),
        *_resolution_marks(p, scale),
        _step_line(p, scale),
        *_step_points(p, scale),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def describe_history(p: Prediction) -> str:
    """The step chart in words, for screen readers."""
    steps = []
    for index, (date, confidence) in enumerate(p.forecasts):
        first = " (first forecast)" if index == 0 and p.confidence is not None else ""
        steps.append(f"{percent(confidence)} from {longdate(date)}{first}")
    verb = "would" if p.resolution else "will"
    text = f"The author\u2019s confidence that it {verb} happen: {'; '.join(steps)}."
    if p.resolution is None:
        return f"{text} The last one stands until the target date, {longdate(p.target_date)}."
    return f"{text} Resolved {p.resolution.outcome} on {longdate(p.resolution.date)}."


class _TimeScale:
    """Dates to x positions: publication at the plot's left edge, `end` at its right."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.days = max((end - start).days, 1)  # a one-day life still has a width

    def x(self, date: dt.date) -> float:
        share = min(max((date - self.start).days / self.days, 0.0), 1.0)
        return STEP_LEFT + share * STEP_PLOT_WIDTH


def _chart_end(p: Prediction) -> dt.date:
    return p.resolution.date if p.resolution else p.target_date


def _step_y(confidence: float) -> float:
    return STEP_TOP + (1.0 - confidence) * STEP_PLOT_HEIGHT  # SVG's y grows downwards


def _step_axes(p: Prediction) -> list[str]:
    left, right = STEP_LEFT, STEP_LEFT + STEP_PLOT_WIDTH
    bottom = _step_y(0.0)
    parts = ['<g class="step-grid" stroke="currentColor" stroke-opacity="0.2" fill="none">']
    parts += [_line(left, _step_y(t / 100), right, _step_y(t / 100)) for t in STEP_TICKS[1:]]
    parts.append("</g>")
    parts.append('<g class="step-axis" stroke="currentColor" fill="none">')
    parts.append(_line(left, bottom, right, bottom))
    parts.append(_line(left, bottom, left, _step_y(1.0)))
    parts += [_line(left - 4, _step_y(t / 100), left, _step_y(t / 100)) for t in STEP_TICKS]
    parts.append("</g>")
    parts.append('<g class="step-axis" fill="currentColor">')
    parts += [
        f'<text x="{_n(left - 7)}" y="{_n(_step_y(t / 100) + 4)}" text-anchor="end">{t}%</text>'
        for t in STEP_TICKS
    ]
    # The outcome is written here, under the plot, where no step can ever cross it.
    end_word = f"Resolved {p.resolution.outcome}," if p.resolution else "Target"
    parts.append(
        f'<text x="{_n(left)}" y="{_n(bottom + 18)}" text-anchor="start">'
        f"Published {_short_date(p.date)}</text>"
    )
    parts.append(
        f'<text x="{_n(right)}" y="{_n(bottom + 18)}" text-anchor="end">'
        f"{end_word} {_short_date(_chart_end(p))}</text>"
    )
    parts.append("</g>")
    return parts


def _resolution_marks(p: Prediction, scale: _TimeScale) -> list[str]:
    if p.resolution is None:
        return []
    x = scale.x(p.resolution.date)
    parts = [
        f'<line class="step-resolution" x1="{_n(x)}" y1="{_n(_step_y(1.0))}" x2="{_n(x)}"'
        f' y2="{_n(_step_y(0.0))}" stroke="currentColor" stroke-dasharray="4 3"/>'
    ]
    outcome = p.resolution.outcome
    if outcome != "void":  # a void question has no answer to mark
        y = _step_y(1.0 if outcome == "yes" else 0.0)
        parts.append(
            f'<rect class="step-outcome step-outcome-{outcome}" x="{_n(x - 4.5)}"'
            f' y="{_n(y - 4.5)}" width="9" height="9" fill="currentColor">'
            f"<title>Resolved {outcome} on {longdate(p.resolution.date)}</title></rect>"
        )
    return parts


Box = tuple[float, float, float, float]  # left, top, right, bottom, in viewBox units


def _vertices(p: Prediction, scale: _TimeScale) -> list[tuple[float, float]]:
    """Where each forecast starts on the chart, oldest first."""
    return [(scale.x(date), _step_y(confidence)) for date, confidence in p.forecasts]


def _step_line(p: Prediction, scale: _TimeScale) -> str:
    """Flat while a forecast stands, straight up or down where the next one starts."""
    (x, y), *rest = _vertices(p, scale)
    path = [f"M{_n(x)} {_n(y)}", *(f"H{_n(x)}V{_n(y)}" for x, y in rest)]
    path.append(f"H{_n(scale.x(_chart_end(p)))}")
    return (
        f'<path class="step-line" d="{"".join(path)}" fill="none" stroke="currentColor"'
        ' stroke-width="2.5" stroke-linejoin="round"/>'
    )


def _step_points(p: Prediction, scale: _TimeScale) -> list[str]:
    parts = ['<g class="step-points">']
    vertices = _vertices(p, scale)
    taken = _line_boxes(vertices, scale.x(_chart_end(p)), p.resolution is not None)
    for index, ((date, confidence), (x, y)) in enumerate(zip(p.forecasts, vertices, strict=True)):
        what = "first forecast" if index == 0 and p.confidence is not None else "update"
        parts.append(
            f'<circle class="step-point" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="currentColor"'
            ' stroke="currentColor" stroke-width="1.5">'
            f"<title>{percent(confidence)} from {longdate(date)} ({what})</title></circle>"
        )
        text = percent(confidence)
        place = _label_place(x, y, _text_width(text), taken)
        if place is None:  # too crowded to say without covering something: the table says it
            continue
        label_x, label_y, anchor, box = place
        taken.append(box)
        parts.append(
            f'<text class="step-label" fill="currentColor" x="{_n(label_x)}"'
            f' y="{_n(label_y)}" text-anchor="{anchor}">{text}</text>'
        )
    parts.append("</g>")
    return parts


# Where a forecast's label may go, in order of preference: (dx, dy from the forecast's point to
# the text's anchor and baseline, text-anchor). Above the start of its step and to the right,
# on the flat part, reads best; then below, then to the left, then a row further away.
LABEL_SPOTS = tuple(
    (dx, dy, anchor)
    for dy in (-7.0, 16.0, -19.0, 28.0)
    for dx, anchor in ((6.0, "start"), (-6.0, "end"))
)
LABEL_ASCENT, LABEL_DESCENT = 9.0, 1.0  # of 12-unit figures above and below their baseline


def _label_place(
    x: float, y: float, width: float, taken: list[Box]
) -> tuple[float, float, str, Box] | None:
    """The first spot for a label that stays in the plot and covers no line, point or other
    label; None when there is none."""
    bottom = _step_y(0.0)
    for dx, dy, anchor in LABEL_SPOTS:
        left = x + dx if anchor == "start" else x + dx - width
        box = (left, y + dy - LABEL_ASCENT, left + width, y + dy + LABEL_DESCENT)
        inside = box[0] > STEP_LEFT + 1 and box[2] < STEP_WIDTH and box[1] > 0
        if inside and box[3] < bottom - 1 and not any(_overlap(box, t) for t in taken):
            return x + dx, y + dy, anchor, box
    return None


def _line_boxes(vertices: list[tuple[float, float]], end: float, resolved: bool) -> list[Box]:
    """What a label must not cover: the steps (flat and upright), the points, and the
    resolution's dashed line and square at the right edge."""
    pad = 2.0  # half the line's width, and a little air
    boxes = []
    for index, (x, y) in enumerate(vertices):
        stop = vertices[index + 1][0] if index + 1 < len(vertices) else end
        boxes.append((x - 4 - pad, y - 4 - pad, x + 4 + pad, y + 4 + pad))  # the point
        boxes.append((x, y - pad, stop, y + pad))  # its flat step
        if index:
            low, high = sorted((vertices[index - 1][1], y))
            boxes.append((x - pad, low, x + pad, high))  # the step up or down to it
    if resolved:
        boxes.append((end - 4.5 - pad, _step_y(1.0) - 4.5, end + 4.5, _step_y(0.0) + 4.5))
    return boxes


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text_width(text: str) -> float:
    """A generous width of a percent in bold 12-unit sans figures (no font metrics at build
    time: better a label moved for nothing than one drawn over a line)."""
    return sum(12.0 if char == "%" else 8.0 for char in text)


def _short_date(date: dt.date) -> str:
    """ "Mar 2, 2026": the end dates of the axis must fit side by side on a phone."""
    return f"{date:%b} {date.day}, {date.year}"
