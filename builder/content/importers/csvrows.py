"""The rows of an exported CSV file, each with the line it starts on, for messages."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.content.importers.question import ImportFailed


@dataclass(frozen=True)
class Line:
    number: int  # the file line the row starts on (a quoted note may span several lines)
    cells: dict[str, str]  # by column name; a missing cell is ""


def read_rows(path: Path, shown: str, required: Sequence[str], what: str) -> list[Line]:
    """The rows of the CSV file at `path` (`shown` in messages), which must have the
    `required` columns (`what` names the export the user should have given)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet may have added a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{shown}: cannot be read: {exc}") from None
    # newline="": a line break inside a quoted cell is part of the cell (csv's own rule).
    reader = csv.DictReader(io.StringIO(text, newline=""), restval="")
    try:
        header = reader.fieldnames or ()
        missing = [name for name in required if name not in header]
        if missing:
            columns = ", ".join(repr(name) for name in missing)
            raise ImportFailed(f"{shown}:1: header: no column {columns}: is this {what}?")
        lines, start = [], reader.line_num + 1
        for cells in reader:
            lines.append(Line(start, {k: v or "" for k, v in cells.items() if k is not None}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed(f"{shown}:{reader.line_num}: not a CSV file: {exc}") from None
    return lines
