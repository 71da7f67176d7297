"""Typed field readers that collect problems instead of raising, shared by config and content.

Each reader looks up a dotted path in a located YAML document, checks its type, and on a
mistake records a Problem naming the file, the line of the key and the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from builder.config.weburl import web_url
from builder.config.yamlpos import Located, is_invalid
from builder.errors import Problem, Severity

_MISSING = object()


class FieldReader:
    def __init__(self, located: Located, path: str, line_offset: int = 0) -> None:
        self.located = located
        self.path = path
        self.line_offset = line_offset  # document line 1 is file line 1 + offset
        self.problems: list[Problem] = []
        bad = {error.field for error in located.bad_values}
        self._bad_fields = bad
        for error in located.bad_values:
            self.report(error.field or "", error.message, line=self._file_line(error.line))

    # -- reporting ---------------------------------------------------------------------------
    def line_of(self, field: str) -> int | None:
        return self._file_line(self.located.line(field))

    def _file_line(self, line: int | None) -> int | None:
        return None if line is None else line + self.line_offset

    def report(
        self, field: str, message: str, *, line: int | None = None, severity: Severity = "error"
    ) -> None:
        if line is None:
            line = self.line_of(field)
        if line is None:  # a field missing at the top: where the document starts
            line = max(1, self.line_offset)
        self.problems.append(Problem(self.path, line, field or None, message, severity))

    def warn(self, field: str, message: str) -> None:
        self.report(field, message, severity="warning")

    # -- lookup ------------------------------------------------------------------------------
    def raw(self, field: str) -> Any:
        value: Any = self.located.data
        for part in field.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return _MISSING
        return value

    def _get(self, field: str, required: bool, kind: str) -> Any:
        value = self.raw(field)
        if is_invalid(value):
            return None  # already reported when the YAML was read
        if value is _MISSING or value is None:
            if required:
                self.report(field, f"is required ({kind})")
            return None
        return value

    # -- typed readers -----------------------------------------------------------------------
    def string(self, field: str, *, required: bool = False) -> str | None:
        value = self._get(field, required, "text")
        if value is None:
            return None
        if isinstance(value, bool | dict | list):
            self.report(field, f"expected text, got {_describe(value)}")
            return None
        text = str(value).strip()
        if not text and required:
            self.report(field, "must not be empty")
            return None
        return text

    def url(self, field: str, *, required: bool = False) -> str | None:
        """An absolute http(s) URL, percent-encoded where it must be (see weburl.py)."""
        text = self.string(field, required=required)
        if not text:  # absent, or empty and not required: no link
            return None
        try:
            return web_url(text)
        except ValueError as exc:
            self.report(field, str(exc))
            return None

    def boolean(self, field: str, *, default: bool = False) -> bool:
        value = self._get(field, False, "true or false")
        if value is None:
            return default
        if not isinstance(value, bool):
            self.report(field, f"expected true or false, got {_describe(value)}")
            return default
        return value

    def integer(self, field: str, *, default: int, minimum: int = 1) -> int:
        value = self._get(field, False, "a whole number")
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(field, f"expected a whole number, got {_describe(value)}")
            return default
        if value < minimum:
            self.report(field, f"must be at least {minimum}, got {value}")
            return default
        return value

    def number(self, field: str, *, low: float, high: float) -> float | None:
        value = self._get(field, False, "a number")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.report(
                field, f"expected a number from {low:g} to {high:g}, got {_describe(value)}"
            )
            return None
        if not low <= value <= high:
            self.report(field, f"must be between {low:g} and {high:g}, got {value:g}")
            return None
        return float(value)

    def date(self, field: str, *, required: bool = False) -> dt.date | None:
        value = self._get(field, required, "a date YYYY-MM-DD")
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        self.report(field, f"expected a date YYYY-MM-DD, got {_describe(value)}")
        return None

    def mapping(self, field: str, *, required: bool = False) -> dict[str, Any] | None:
        value = self.located.data if field == "" else self._get(field, required, "a mapping")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.report(field, f"expected a mapping of keys to values, got {_describe(value)}")
            return None
        return value

    def sequence(self, field: str) -> list[Any]:
        value = self._get(field, False, "a list")
        if value is None:
            return []
        if not isinstance(value, list):
            self.report(field, f"expected a list, got {_describe(value)}")
            return []
        return value

    def mappings(
        self, field: str, allowed: Iterable[str], shape: str
    ) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(index, field, item) of each mapping in the list at `field`; an item that is not a
        mapping is reported as `shape` ("each X is a mapping with ...") and skipped, and
        unknown keys in the others are reported."""
        for index, item in enumerate(self.sequence(field)):
            path = f"{field}.{index}"
            if not isinstance(item, dict):
                self.report(path, shape)
                continue
            self.unknown_keys(path, allowed)
            yield index, path, item

    def choice(self, field: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        options = list(choices)
        value = self._get(field, required, f"one of {', '.join(options)}")
        if value is None:
            return None
        # YAML 1.1 reads bare yes/no as booleans; authors mean the words.
        text = (
            {True: "yes", False: "no"}.get(value, str(value))
            if isinstance(value, bool)
            else str(value)
        )
        if text not in options:
            self.report(field, f"expected one of {', '.join(options)}, got {text!r}")
            return None
        return text

    def unknown_keys(self, field: str, allowed: Iterable[str]) -> None:
        """Report keys of the mapping at `field` that are not in `allowed`, with a suggestion."""
        value = self.located.data if field == "" else self.raw(field)
        if not isinstance(value, dict):
            return
        known = list(allowed)
        for key in value:
            if key in known:
                continue
            path = f"{field}.{key}" if field else key
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = (
                f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(known)})"
            )
            self.report(path, f"unknown key '{key}'{hint}")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return repr(value)
