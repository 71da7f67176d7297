"""Fatebook's CSV export ("Export all your predictions" in the account menu).

One row per forecast, not per question: a question's fields are repeated on each of its
forecasts' rows (lib/web/export.ts in Sage-Future/fatebook). Forecasts are on a 0-1 scale;
dates are "YYYY-MM-DD H:M:S" with the seconds not zero-padded; Resolution is YES, NO or
AMBIGUOUS, empty while open. The export holds every question the user created, forecast on
or was shared, so whose forecast to take must be chosen: by default each question's creator's
(the person whose question it is), their latest one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from builder.content.importers.csvrows import Line, read_rows
from builder.content.importers.question import (
    BadValue,
    Parsed,
    Question,
    Row,
    Skipped,
    date,
    field,
    forecasts_line,
    notes,
    one_line,
    probability,
    timestamp,
)
from builder.content.model import Outcome

TITLE = "Question title"
OPTION = "Multiple choice option"  # not in exports made before multiple-choice questions
FORECASTER = "Forecast created by"
FORECAST = "Forecast (scale = 0-1)"
FORECAST_AT = "Forecast created at"
CREATOR = "Question created by"
CREATED = "Question created at"
RESOLVE_BY = "Question resolve by"
RESOLUTION = "Resolution"
RESOLVED_AT = "Resolved at"
NOTES = "Question notes"
REQUIRED = (TITLE, FORECASTER, FORECAST, FORECAST_AT, CREATOR, CREATED, RESOLVE_BY, RESOLUTION,
            RESOLVED_AT, NOTES)  # fmt: skip
OUTCOMES: dict[str, Outcome] = {"YES": "yes", "NO": "no", "AMBIGUOUS": "void"}


def read(path: Path, shown: str, forecaster: str | None = None) -> Parsed:
    """The questions in the export at `path` (`shown` is its name in messages), with the
    forecasts of `forecaster` (a Fatebook user name) or, when None, of each question's creator."""
    parsed = Parsed([], [])
    for lines in _questions(read_rows(path, shown, REQUIRED, "Fatebook's CSV export")):
        try:
            parsed.questions.append(_question(lines, shown, forecaster))
        except Skipped as skipped:
            parsed.problems.append(skipped.problem)
            parsed.skipped += 1
    return parsed


def _questions(lines: list[Line]) -> Iterator[list[Line]]:
    """The rows of each question, in the order questions first appear. A question is its
    title, creation time and creator: a daily "Will it rain tomorrow?" is many questions."""
    groups: dict[tuple[str, str, str], list[Line]] = {}
    for line in lines:
        key = (line.cells[TITLE], line.cells[CREATED], line.cells[CREATOR])
        groups.setdefault(key, []).append(line)
    yield from groups.values()


def _question(lines: list[Line], shown: str, forecaster: str | None) -> Question:
    row, cells = Row(shown, lines[0].number), lines[0].cells
    if cells.get(OPTION, "").strip():
        message = "a multiple-choice question: only yes/no questions can be imported"
        raise Skipped(row.problem(OPTION, message))
    title = field(one_line, row, TITLE, cells[TITLE])
    created = field(date, row, CREATED, cells[CREATED])
    target = field(date, row, RESOLVE_BY, cells[RESOLVE_BY])
    outcome = field(_outcome, row, RESOLUTION, cells[RESOLUTION])
    resolved = None if outcome is None else field(date, row, RESOLVED_AT, cells[RESOLVED_AT])
    whose = cells[CREATOR] if forecaster is None else forecaster
    history = _forecasts(lines, shown, whose)
    if not history:
        who = "the question's creator" if forecaster is None else "--forecaster"
        raise Skipped(row.problem(FORECASTER, f"no forecast by {who}, {whose!r}"))
    latest = max(history, key=lambda forecast: forecast[0])  # the first of equal times
    parts = (notes(cells[NOTES]), forecasts_line("Fatebook", history))
    body = "\n\n".join(part for part in parts if part)
    return Question(row, title, title, created, target, latest[1], outcome, resolved, body)


def _outcome(text: object) -> Outcome | None:
    word = str(text).strip().upper()
    if word and word not in OUTCOMES:
        raise BadValue(f"expected YES, NO, AMBIGUOUS or nothing, got {text!r}")
    return OUTCOMES.get(word)


def _forecasts(lines: list[Line], shown: str, whose: str) -> list[tuple[dt.datetime, float]]:
    """`whose` forecasts on the question, each (when, probability); a row that cannot be read
    skips the question, as its latest forecast is then unknown."""
    found = []
    for line in lines:
        if line.cells[FORECASTER] != whose:
            continue
        row = Row(shown, line.number)
        when = field(timestamp, row, FORECAST_AT, line.cells[FORECAST_AT])
        found.append((when, field(_probability, row, FORECAST, line.cells[FORECAST])))
    return found


def _probability(value: object) -> float:
    return probability(value, scale=1)
