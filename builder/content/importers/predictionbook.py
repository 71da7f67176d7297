"""PredictionBook's exports: the JSON of its API, or the CSV of its settings page.

Both are made by PredictionSerializer (bellroy/predictionbook): `description` (and
`description_with_group`, "[group] description", which we take: a grouped prediction's own
description, "Lula", means little alone), `created_at`, `deadline`, `outcome` (true, false,
or null while unjudged or judged "unknown"), `last_judgement_at`, `withdrawn`. Confidences
are whole percentages. The JSON (GET /api/my_predictions?api_token=...&page_size=1000) also
has every wager (`responses`), so we take the creator's latest; the CSV ("Export my
predictions as CSV") has only `mean_confidence`, the mean of everyone's wagers, which is
the best it offers: the body of each file says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.content.importers.csvrows import read_rows
from builder.content.importers.question import (
    BadValue,
    ImportFailed,
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

SITE = "https://predictionbook.com/predictions/"
CSV_COLUMNS = ("created_at", "deadline", "description", "id", "mean_confidence", "outcome",
               "updated_at", "withdrawn")  # fmt: skip
CSV_NOTE = (
    "PredictionBook's CSV export has only the mean of everyone's wagers on each prediction; "
    "that is the confidence imported. The JSON of its API has your own: "
    "https://predictionbook.com/api/my_predictions?api_token=YOUR_TOKEN&page_size=1000"
)
_OUTCOMES: dict[bool | None, Outcome | None] = {True: "yes", False: "no", None: None}
_CSV_VALUES: dict[str, object] = {"true": True, "false": False, "": None}


def read(path: Path, shown: str, forecaster: str | None = None) -> Parsed:
    """The predictions in the export at `path`, JSON or CSV (told apart by their first
    character). `forecaster` is not used: an export holds only its user's predictions."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{shown}: cannot be read: {exc}") from None
    if text.lstrip()[:1] in ("{", "["):
        return _parse(_json_items(text, shown), _from_json)
    rows = read_rows(path, shown, CSV_COLUMNS, "PredictionBook's CSV or JSON export")
    items = [(Row(shown, line.number), _csv_cells(line.cells)) for line in rows]
    parsed = _parse(items, _from_csv)
    parsed.note = f"{shown}: {CSV_NOTE}"
    return parsed


def _parse(
    items: list[tuple[Row, Any]], convert: Callable[[Row, dict[str, Any]], Question]
) -> Parsed:
    parsed = Parsed([], [])
    for row, item in items:
        try:
            if not isinstance(item, dict):
                raise Skipped(row.problem(None, "expected a prediction (a JSON object)"))
            parsed.questions.append(convert(row, item))
        except Skipped as skipped:
            parsed.problems.append(skipped.problem)
            parsed.skipped += 1
    return parsed


def _json_items(text: str, shown: str) -> list[tuple[Row, Any]]:
    """The API's answer, {"user": ..., "predictions": [...]}, or its list alone."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{shown}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    prefix = "predictions."
    if isinstance(data, dict):
        data = data.get("predictions")
    else:
        prefix = ""
    if not isinstance(data, list):
        raise ImportFailed(f"{shown}: predictions: no list of predictions: is this "
                           "PredictionBook's JSON export?")  # fmt: skip
    return [(Row(shown, None, f"{prefix}{index}."), item) for index, item in enumerate(data)]


def _csv_cells(cells: dict[str, str]) -> dict[str, Any]:
    """CSV cells as the JSON has them: true/false/empty as booleans and null."""
    return {
        key: _CSV_VALUES.get(value, value) if key in ("outcome", "withdrawn") else value or None
        for key, value in cells.items()
    }


def _from_json(row: Row, item: dict[str, Any]) -> Question:
    history = _wagers(row, item)
    comments = [notes(response.get("comment")) for _, response in _creators(item)]
    source = _source(item)
    body = "\n\n".join([*filter(None, comments), forecasts_line(source, history)])
    confidence = max(history, key=lambda wager: wager[0])[1]
    return _question(row, item, confidence, body)


def _from_csv(row: Row, item: dict[str, Any]) -> Question:
    mean = field(_percent, row, "mean_confidence", item.get("mean_confidence"))
    body = f"*Imported from {_source(item)}; confidence: the mean of all wagers, {mean * 100:g}%.*"
    return _question(row, item, mean, body)


def _question(row: Row, item: dict[str, Any], confidence: float, body: str) -> Question:
    statement = field(one_line, row, "description", _description(item))
    created = field(date, row, "created_at", item.get("created_at"))
    target = field(date, row, "deadline", item.get("deadline"))
    outcome, resolved = _resolution(row, item)
    return Question(row, statement, statement, created, target, confidence, outcome, resolved,
                    body)  # fmt: skip


def _description(item: dict[str, Any]) -> object:
    grouped = item.get("description_with_group")
    return grouped if isinstance(grouped, str) and grouped.strip() else item.get("description")


def _resolution(row: Row, item: dict[str, Any]) -> tuple[Outcome | None, dt.date | None]:
    """A withdrawn prediction is void (PredictionBook leaves them out of its exports, but its
    serializer has the field); a judged one resolves on its last judgement."""
    if item.get("withdrawn") is True:
        return "void", field(date, row, "updated_at", item.get("updated_at"))
    raw = item.get("outcome")
    if not (raw is None or isinstance(raw, bool)):  # not 1 and 0: they are not PB's values
        raise Skipped(row.problem("outcome", f"expected true, false or null, got {raw!r}"))
    outcome = _OUTCOMES[raw]
    if outcome is None:
        return None, None
    name = "last_judgement_at" if item.get("last_judgement_at") else "updated_at"
    return outcome, field(date, row, name, item.get(name))


def _creators(item: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The prediction creator's responses (wagers and comments), with their index."""
    responses = item.get("responses")
    return [
        (index, r) for index, r in enumerate(responses if isinstance(responses, list) else [])
        if isinstance(r, dict) and r.get("user_id") == item.get("creator_id")
    ]  # fmt: skip


def _wagers(row: Row, item: dict[str, Any]) -> list[tuple[dt.datetime, float]]:
    found = []
    for index, response in _creators(item):
        if response.get("confidence") is None:
            continue  # a comment alone
        where = Row(row.path, row.line, f"{row.prefix}responses.{index}.")
        when = field(timestamp, where, "created_at", response.get("created_at"))
        found.append((when, field(_percent, where, "confidence", response.get("confidence"))))
    if not found:
        who = item.get("creator_label") or item.get("creator_id")
        raise Skipped(row.problem("responses", f"no wager by the prediction's creator, {who!r}"))
    return found


def _percent(value: object) -> float:
    if value is None:
        raise BadValue("is missing")
    return probability(value, scale=100)


def _source(item: dict[str, Any]) -> str:
    """A link to the prediction on PredictionBook: the discussion and every wager."""
    number = item.get("id")
    if isinstance(number, int) and not isinstance(number, bool):
        return f"[PredictionBook]({SITE}{number})"
    if isinstance(number, str) and number.isdigit():
        return f"[PredictionBook]({SITE}{int(number)})"
    return "PredictionBook"
