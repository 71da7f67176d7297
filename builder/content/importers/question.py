"""What every importer makes of a tracker's export: questions to write, and located problems.

A Question is one prediction in the site's terms (statement, dates, confidence, outcome,
body); a Row says where in the export it came from, so that anything wrong with it, found
while reading or while writing, is reported as `FILE:ROW: field: message`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from builder.content.markdown import CITATION
from builder.content.model import Outcome
from builder.errors import Problem


class ImportFailed(Exception):
    """The file as a whole cannot be imported (unreadable, or not the format asked for)."""


class BadValue(Exception):
    """One field of one row cannot be read; the message says what was found instead."""


class Skipped(Exception):
    """The question cannot be imported: the problem says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Row:
    """Where a question is in the export: a CSV line, or an item of a JSON list (`prefix`
    is then its dotted path, "predictions.3.", prepended to field names)."""

    path: str
    line: int | None = None
    prefix: str = ""

    def problem(self, field: str | None, message: str) -> Problem:
        where = f"{self.prefix}{field}" if field else self.prefix.rstrip(".") or None
        return Problem(self.path, self.line, where, message)


@dataclass(frozen=True)
class Question:
    row: Row
    title: str
    statement: str
    created: dt.date  # the prediction's publication date
    target: dt.date
    confidence: float | None
    outcome: Outcome | None = None
    resolved: dt.date | None = None  # set with outcome
    body: str = ""


@dataclass
class Parsed:
    questions: list[Question]
    problems: list[Problem]  # the rows left out, one or more lines each
    skipped: int = 0  # how many questions the problems stand for
    note: str | None = None  # something the author should know about the whole file


# --- Reading values ----------------------------------------------------------------------

T = TypeVar("T")


def field(read: Callable[[object], T], row: Row, name: str, raw: object) -> T:
    """`read(raw)`, or the question skipped with the reason located at `row`, `name`."""
    try:
        return read(raw)
    except BadValue as bad:
        raise Skipped(row.problem(name, str(bad))) from None


# A date, then maybe a time: "2026-01-05", "2026-01-05 09:15:3" (Fatebook does not pad the
# seconds), "2026-01-05T09:15:03.000Z" (Rails JSON), "2026-01-05 09:15:03 UTC" (Rails CSV).
_STAMP = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")


def timestamp(value: object) -> dt.datetime:
    """The moment a value names, to order forecasts; its zone, if any, is the file's own."""
    match = _STAMP.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise BadValue(f"expected a date like 2026-01-31, got {_shown(value)}")
    parts = [int(part) if part else 0 for part in match.groups()]
    try:
        return dt.datetime(*parts)  # type: ignore[misc]
    except ValueError as exc:
        raise BadValue(f"not a real date: {_shown(value)} ({exc})") from None


def date(value: object) -> dt.date:
    return timestamp(value).date()


def probability(value: object, scale: float) -> float:
    """A forecast as the export writes it (0-1, or a percentage with `scale` 100) as 0..1."""
    number = _number(value)
    if not 0 <= number <= scale:
        hint = f" (did you mean {number / 100:g}?)" if scale == 1 and 1 < number <= 100 else ""
        raise BadValue(f"must be between 0 and {scale:g}, got {_shown(value)}{hint}")
    return number / scale


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise BadValue(f"expected a number, got {_shown(value)}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadValue(f"expected a number, got {_shown(value)}") from None
    if not math.isfinite(number):
        raise BadValue(f"expected a number, got {_shown(value)}")
    return number


def one_line(value: object) -> str:
    """A title or statement: one line, no control characters; empty is an error."""
    if not isinstance(value, str):
        raise BadValue(f"expected text, got {_shown(value)}")
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)
    line = " ".join(cleaned.split())
    if not line:
        raise BadValue("is empty")
    return line


def notes(value: object) -> str:
    """Free text from the tracker as Markdown: "[2]" in a note is not one of our citations
    (the article has no references), so its bracket is escaped to keep it literal."""
    text = value.strip() if isinstance(value, str) else ""
    return CITATION.sub(lambda m: f"[{m.group(1)}\\]", text.replace("\r\n", "\n"))


def forecasts_line(source: str, history: list[tuple[dt.datetime, float]]) -> str:
    """The provenance paragraph: which tracker, and every forecast, oldest first, so the
    imported confidence (the last one) can be checked against its history."""
    shown = ", ".join(f"{p * 100:g}% ({when.date().isoformat()})" for when, p in sorted(history))
    return f"*Imported from {source}; forecasts: {shown}.*"


def _shown(value: object) -> str:
    if value is None or value == "":
        return "nothing"
    return repr(value)
