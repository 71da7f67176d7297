"""The calibration chart of a track record, as inline SVG made at build time (no JavaScript).
(The step chart of one prediction's confidence over time is history_chart.py.)

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

import math
from collections.abc import Sequence
from html import escape

from builder.render.svg import ID, line, num
from builder.render.templates import percent
from builder.trackrecord.scoring import Bin

# Layout in viewBox units. The plot is square so the diagonal is at 45 degrees.
PLOT = 260.0
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
    if not ID.fullmatch(element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    filled = _filled(bins)
    labels = _label_rows(filled)
    frame = _Frame(max([1, *(row + 1 for _, row in labels)]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cal-chart" id="{element_id}"'
        f' viewBox="0 0 {num(WIDTH)} {num(frame.height)}" role="img"'
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
        parts.append(line(_x(t / 100), y(0), _x(t / 100), y(1)))
        parts.append(line(_x(0), y(t / 100), _x(1), y(t / 100)))
    parts.append("</g>")
    parts.append('<g class="cal-axis" stroke="currentColor" fill="none">')
    parts.append(line(_x(0), y(0), _x(1), y(0)))  # x axis
    parts.append(line(_x(0), y(0), _x(0), y(1)))  # y axis
    for t in TICKS:
        parts.append(line(_x(t / 100), y(0), _x(t / 100), y(0) + 5))
        parts.append(line(_x(0) - 5, y(t / 100), _x(0), y(t / 100)))
    parts.append("</g>")
    parts.append('<g class="cal-axis" fill="currentColor">')
    for t in TICKS:
        parts.append(
            f'<text x="{num(_x(t / 100))}" y="{num(y(0) + 18)}" text-anchor="middle">{t}%</text>'
        )
        parts.append(
            f'<text x="{num(_x(0) - 8)}" y="{num(y(t / 100) + 4)}" text-anchor="end">{t}%</text>'
        )
    parts.append("</g>")
    centre_x, centre_y = _x(0.5), y(0.5)
    parts.append(
        f'<text class="cal-axis-label" fill="currentColor" x="{num(centre_x)}"'
        f' y="{num(frame.height - 8)}" text-anchor="middle">Stated confidence</text>'
    )
    # Rotated about its own anchor point so it reads bottom-to-top along the y axis.
    parts.append(
        f'<text class="cal-axis-label" fill="currentColor" x="14" y="{num(centre_y)}"'
        f' text-anchor="middle" transform="rotate(-90 14 {num(centre_y)})">'
        "Observed frequency</text>"
    )
    return parts


def _diagonal(frame: _Frame) -> str:
    return (
        f'<line class="cal-diagonal" x1="{num(_x(0))}" y1="{num(frame.y(0))}" x2="{num(_x(1))}"'
        f' y2="{num(frame.y(1))}" stroke="currentColor" stroke-dasharray="6 4"'
        ' stroke-width="1.5"/>'
    )


def _bins(filled: Sequence[Bin], frame: _Frame) -> list[str]:
    if not filled:
        # Upper left, clear of the diagonal.
        return [
            f'<text class="cal-empty" fill="currentColor" x="{num(_x(0.35))}"'
            f' y="{num(frame.y(0.8))}" text-anchor="middle">No resolved predictions yet</text>'
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
            f'<rect class="cal-band" x="{num(cx - BAND_HALF)}" y="{num(top)}"'
            f' width="{num(2 * BAND_HALF)}" height="{num(bottom - top)}" fill="currentColor"'
            ' fill-opacity="0.2" stroke="currentColor" stroke-width="1"/>',
            f'<circle class="cal-point" cx="{num(cx)}" cy="{num(frame.y(frequency))}"'
            f' r="{num(DOT_R)}" fill="currentColor"/>',
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
            f'<text class="cal-label" fill="currentColor" x="{num((left + right) / 2)}"'
            f' y="{num(baseline)}" text-anchor="middle"'
            f' font-size="{num(LABEL_SIZE)}">{escape(happened(b))}</text>'
        )
    parts.append('<g class="cal-leaders" stroke="currentColor" fill="none">')
    for b, row in labels:
        # From under the label down to its bar's column, past any lower row of labels.
        x, baseline = _x(b.midpoint), frame.label_baseline(row)
        parts.append(line(x, baseline + 3, x, frame.top - 2))
    parts += ["</g>", "</g>"]
    return parts


def _x(p: float) -> float:
    return LEFT + p * PLOT


def _range(b: Bin) -> str:
    # "30\u201340%": an en dash, as typeset ranges are written.
    return f"{percent(b.low).rstrip('%')}{EN_DASH}{percent(b.high)}"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"
