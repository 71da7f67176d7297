"""Calibration chart as inline SVG, made at build time (no JavaScript).

The chart is styled through `currentColor` and CSS classes so a theme can restyle it
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

import math
import re
from collections.abc import Sequence
from html import escape

from builder.render.templates import percent
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
