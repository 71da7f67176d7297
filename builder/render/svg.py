"""What every chart writes the same way: numbers in a fixed short form (byte-stable output),
lines, and the ids its accessible title and description are found by."""

from __future__ import annotations

import re

ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")  # an element id a chart accepts


def line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"/>'


def num(value: float) -> str:
    """Fixed formatting (2 decimals, trailing zeros dropped) so output is byte-stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
