"""Dates after today in a prediction's front matter: its publication, an update, its resolution.

A page would show such a forecast as the one standing now, or such an outcome as known, before
its day; `foretell update` and `foretell resolve` refuse these dates, and a file written by
hand gets a warning. A warning, not an error: a site built on a schedule still builds. Today
is the build's (`--now`, resolved once), and a file's parse is cached by its bytes alone, so
this runs on the whole site once loaded (pipeline.load); the shortcut leaves an edited file
with such a date to the full build (incremental/edits.py), which makes these warnings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from builder.config.fields import FieldReader
from builder.config.yamlpos import YamlError
from builder.config.yamlpos import load as load_yaml
from builder.content.frontmatter import split_front_matter
from builder.content.model import Prediction
from builder.errors import Problem

WHY = {
    "date": "the prediction is shown as published on a day still to come",
    "updates": "its page shows this forecast as the one standing now",
    "resolution": "its page shows the outcome as known before that day",
}


def dated_after(p: Prediction, today: dt.date) -> list[tuple[str, dt.date, str]]:
    """(field, date, what it is: a key of WHY) of each date of `p` after `today`."""
    found = [("date", p.date, "date")] if p.date > today else []
    found += [
        (f"prediction.updates.{index}.date", update.date, "updates")
        for index, update in enumerate(p.updates)
        if update.date > today
    ]
    if p.resolution is not None and p.resolution.date > today:
        found.append(("prediction.resolution.date", p.resolution.date, "resolution"))
    return found


def future_dates(root: Path, predictions: Iterable[Prediction], today: dt.date) -> list[Problem]:
    """A warning for each date after `today`, at its line in the file."""
    problems = []
    for p in predictions:
        found = dated_after(p, today)
        if not found:
            continue
        reader = _reader(root / p.source, p.source)
        for field, date, what in found:
            message = f"{date.isoformat()} is after today ({today.isoformat()}): {WHY[what]}"
            line = None if reader is None else reader.line_of(field)
            problems.append(Problem(p.source, line, field, message, "warning"))
    return problems


def _reader(path: Path, source: str) -> FieldReader | None:
    """The file's front matter, located line by line as the loader read it (a few files a
    build, so read again rather than keep every file's lines); None if it changed meanwhile
    past reading."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        split = split_front_matter(text)
        if split is None:
            return None
        located = load_yaml(split.yaml_text)
    except (OSError, UnicodeDecodeError, YamlError):
        return None
    return FieldReader(located, source, line_offset=split.yaml_first_line - 1)
