"""The step chart of one prediction's confidence over time, as inline SVG made at build time
(no JavaScript).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from builder.content.model import Prediction
from builder.render.svg import ID, line, num
from builder.render.templates import longdate, percent

# # Classes, for the theme: ``step-chart`` on the ``<svg>``; ``step-grid`` (faint lines at every
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
    if not ID.fullmatch(element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    if not p.forecasts:
        raise ValueError(f"{p.slug} states no confidence: there is nothing to chart")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    scale = _TimeScale(p.date, _chart_end(p))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="step-chart" id="{element_id}"'
        f' viewBox="0 0 {num(STEP_WIDTH)} {num(STEP_HEIGHT)}" role="img"'
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
    parts += [line(left, _step_y(t / 100), right, _step_y(t / 100)) for t in STEP_TICKS[1:]]
    parts.append("</g>")
    parts.append('<g class="step-axis" stroke="currentColor" fill="none">')
    parts.append(line(left, bottom, right, bottom))
    parts.append(line(left, bottom, left, _step_y(1.0)))
    parts += [line(left - 4, _step_y(t / 100), left, _step_y(t / 100)) for t in STEP_TICKS]
    parts.append("</g>")
    parts.append('<g class="step-axis" fill="currentColor">')
    parts += [
        f'<text x="{num(left - 7)}" y="{num(_step_y(t / 100) + 4)}" text-anchor="end">{t}%</text>'
        for t in STEP_TICKS
    ]
    # The outcome is written here, under the plot, where no step can ever cross it.
    end_word = f"Resolved {p.resolution.outcome}," if p.resolution else "Target"
    parts.append(
        f'<text x="{num(left)}" y="{num(bottom + 18)}" text-anchor="start">'
        f"Published {_short_date(p.date)}</text>"
    )
    parts.append(
        f'<text x="{num(right)}" y="{num(bottom + 18)}" text-anchor="end">'
        f"{end_word} {_short_date(_chart_end(p))}</text>"
    )
    parts.append("</g>")
    return parts


def _resolution_marks(p: Prediction, scale: _TimeScale) -> list[str]:
    if p.resolution is None:
        return []
    x = scale.x(p.resolution.date)
    parts = [
        f'<line class="step-resolution" x1="{num(x)}" y1="{num(_step_y(1.0))}" x2="{num(x)}"'
        f' y2="{num(_step_y(0.0))}" stroke="currentColor" stroke-dasharray="4 3"/>'
    ]
    outcome = p.resolution.outcome
    if outcome != "void":  # a void question has no answer to mark
        y = _step_y(1.0 if outcome == "yes" else 0.0)
        parts.append(
            f'<rect class="step-outcome step-outcome-{outcome}" x="{num(x - 4.5)}"'
            f' y="{num(y - 4.5)}" width="9" height="9" fill="currentColor">'
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
    path = [f"M{num(x)} {num(y)}", *(f"H{num(x)}V{num(y)}" for x, y in rest)]
    path.append(f"H{num(scale.x(_chart_end(p)))}")
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
            f'<circle class="step-point" cx="{num(x)}" cy="{num(y)}" r="4" fill="currentColor"'
            ' stroke="currentColor" stroke-width="1.5">'
            f"<title>{percent(confidence)} from {longdate(date)} ({what})</title></circle>"
        )
        text = percent(confidence)
        place = _label_place(x, y, _text_width(text), taken)
        if place is None:  # too crowded to say without covering something: the table says it
            continue
        label_x, label_y, anchor, box = place
        taken.append(box)
        at = f'x="{num(label_x)}" y="{num(label_y)}" text-anchor="{anchor}"'
        # Under the figure, the same text outlined in the page's colour (the theme's
        # .step-halo), so that a gridline it sits on passes behind it; drawn as nothing where
        # a theme has no such rule.
        parts.append(f'<text class="step-halo" fill="none" stroke="none" {at}>{text}</text>')
        parts.append(f'<text class="step-label" fill="currentColor" {at}>{text}</text>')
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
