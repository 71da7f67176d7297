"""Problems found in an author's input, and the exception that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import total_ordering
from typing import Literal

Severity = Literal["error", "warning"]


@total_ordering
@dataclass(frozen=True)
class Problem:
    """One mistake in the input, located as precisely as we can: file, line, field."""

    path: str
    line: int | None
    field: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"

    def __lt__(self, other: Problem) -> bool:
        """By file, then line (a problem of the whole file, with none, first), field, text."""
        return self._order() < other._order()

    def _order(self) -> tuple[str, int, str, str, str]:
        return (self.path, self.line or 0, self.field or "", self.message, self.severity)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class BuildFailed(Exception):
    """Raised when the input has errors; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{sum(p.is_error for p in problems)} error(s)")
        self.problems = problems
