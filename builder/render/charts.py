"""Charts as inline SVG, made at build time (no JavaScript): the calibration chart of a track
record, and the step chart of one prediction's confidence over time (`history_svg`).

The calibration chart is styled through `currentColor` and CSS classes so a theme can restyle it
for light and dark modes:

- ``cal-chart`` on the ``<svg>``;
- ``cal-axis`` (axis lines and tick labels), ``cal-grid`` (faint grid lines),
  ``cal-axis-label`` (the two axis titles);
- ``cal-diagonal`` (the dashed perfect-calibration line);
- ``cal-point`` (one circle per non-empty bin), ``cal-label`` (its "n=4" label);
- ``cal-empty`` (the message shown when no prediction is scored yet).

It has a viewBox and no width or height, so it scales to its container. Its meaning
does not depend on colour: the diagonal is dashed, the points are outlined circles,
and each point is labelled with its count.
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
LEFT = 58.0  # room for "100%" and the rotated y-axis title
RIGHT = 18.0
TOP = 30.0  # room for the "n=" label above a point at 100%
BOTTOM = 52.0  # room for tick labels and the x-axis title
WIDTH = LEFT + PLOT + RIGHT
HEIGHT = TOP + PLOT + BOTTOM

TICKS = (0, 20, 40, 60, 80, 100)  # percent
# Circle radius = R_UNIT * sqrt(count): area grows with the count. Capped so that
# neighbouring bins (PLOT / 10 = 26 units apart) never overlap.
R_UNIT = 3.5
R_MAX = 12.0

EN_DASH = "\u2013"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def calibration_svg(bins: Sequence[Bin], *, title: str, element_id: str = "calibration") -> str:
    """An accessible SVG calibration chart for `bins` (from `scoring.calibration`).

    `element_id` prefixes the ids of the <title> and <desc> elements; give each chart
    on one page its own.
    """
    if not _ID.fullmatch(element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cal-chart" id="{element_id}"'
        f' viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-size="11">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(bins))}</desc>',
        *_grid_and_axes(),
        _diagonal(),
        *_points(bins),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def describe(bins: Sequence[Bin]) -> str:
    """The chart in words, for screen readers (and anyone who cannot see it)."""
    filled = [b for b in bins if b.count]
    if not filled:
        return "No resolved predictions with a stated confidence yet."
    total = sum(b.count for b in filled)
    lines = [
        f"{total} scored {_plural(total, 'prediction')}, grouped by stated confidence;"
        " a well-calibrated forecaster's points lie on the diagonal."
    ]
    for b in filled:
        lines.append(
            f"{_range(b)}: {b.count} {_plural(b.count, 'prediction')},"
            f" {b.yes_count} happened ({percent(b.frequency or 0.0)})."
        )
    return " ".join(lines)


def _grid_and_axes() -> list[str]:
    parts = ['<g class="cal-grid" stroke="currentColor" stroke-opacity="0.15" fill="none">']
    for t in TICKS[1:]:
        parts.append(_line(_x(t / 100), _y(0), _x(t / 100), _y(1)))
        parts.append(_line(_x(0), _y(t / 100), _x(1), _y(t / 100)))
    parts.append("</g>")
    parts.append('<g class="cal-axis" stroke="currentColor" fill="none">')
    parts.append(_line(_x(0), _y(0), _x(1), _y(0)))  # x axis
    parts.append(_line(_x(0), _y(0), _x(0), _y(1)))  # y axis
    for t in TICKS:
        parts.append(_line(_x(t / 100), _y(0), _x(t / 100), _y(0) + 5))
        parts.append(_line(_x(0) - 5, _y(t / 100), _x(0), _y(t / 100)))
    parts.append("</g>")
    parts.append('<g class="cal-axis" fill="currentColor">')
    for t in TICKS:
        parts.append(
            f'<text x="{_n(_x(t / 100))}" y="{_n(_y(0) + 18)}" text-anchor="middle">{t}%</text>'
        )
        parts.append(
            f'<text x="{_n(_x(0) - 8)}" y="{_n(_y(t / 100) + 4)}" text-anchor="end">{t}%</text>'
        )
    parts.append("</g>")
    centre_x, centre_y = _x(0.5), _y(0.5)
    parts.append(
        f'<text class="cal-axis-label" fill="currentColor" x="{_n(centre_x)}"'
        f' y="{_n(HEIGHT - 8)}" text-anchor="middle">Stated confidence</text>'
    )
    # Rotated about its own anchor point so it reads bottom-to-top along the y axis.
    parts.append(
        f'<text class="cal-axis-label" fill="currentColor" x="14" y="{_n(centre_y)}"'
        f' text-anchor="middle" transform="rotate(-90 14 {_n(centre_y)})">Observed frequency</text>'
    )
    return parts


def _diagonal() -> str:
    return (
        f'<line class="cal-diagonal" x1="{_n(_x(0))}" y1="{_n(_y(0))}" x2="{_n(_x(1))}"'
        f' y2="{_n(_y(1))}" stroke="currentColor" stroke-dasharray="6 4" stroke-width="1.5"/>'
    )


def _points(bins: Sequence[Bin]) -> list[str]:
    filled = [b for b in bins if b.count and b.frequency is not None]
    if not filled:
        # Upper left, clear of the diagonal.
        return [
            f'<text class="cal-empty" fill="currentColor" x="{_n(_x(0.35))}" y="{_n(_y(0.8))}"'
            ' text-anchor="middle">No resolved predictions yet</text>'
        ]
    parts = ['<g class="cal-points">']
    for b in filled:
        frequency = b.frequency if b.frequency is not None else 0.0
        cx, cy, r = _x(b.midpoint), _y(frequency), radius(b.count)
        parts.append(
            f'<circle class="cal-point" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}"'
            ' fill="currentColor" fill-opacity="0.3" stroke="currentColor" stroke-width="1.5">'
            f"<title>{_range(b)}: {b.yes_count} of {b.count}"
            f" happened ({percent(frequency)})</title></circle>"
        )
        parts.append(
            f'<text class="cal-label" fill="currentColor" x="{_n(cx)}" y="{_n(cy - r - 4)}"'
            f' text-anchor="middle" font-size="10">n={b.count}</text>'
        )
    parts.append("</g>")
    return parts


def radius(count: int) -> float:
    return min(R_UNIT * math.sqrt(count), R_MAX)


def _x(p: float) -> float:
    return LEFT + p * PLOT


def _y(frequency: float) -> float:
    return TOP + (1.0 - frequency) * PLOT  # SVG's y grows downwards


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
