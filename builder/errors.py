"""Problems found in an author's input, and the exception that carries them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
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


WARNINGS_SHOWN = 10  # a build shows this many in full; `foretell check` shows every one
_VARIABLE = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")


def warnings_left(warnings: Sequence[Problem]) -> list[str]:
    """What `build` and `serve` print after the first WARNINGS_SHOWN warnings: how many more
    of each kind, and where to see them all. Nobody reads 5,000 lines, and printing them
    would cost a no-op build more than the build itself."""
    rest = warnings[WARNINGS_SHOWN:]
    if not rest:
        return []
    kinds = Counter(_kind(problem) for problem in rest)
    more = f"{len(rest)} more warning{'' if len(rest) == 1 else 's'}"
    counts = [f"  {count} x {kind}" for kind, count in kinds.most_common()]
    return [f"... and {more}:", *counts, "foretell check lists every one."]


def _kind(problem: Problem) -> str:
    """A warning without what varies from one to the next: "references.N: reference N is
    never cited in the text"."""
    field = re.sub(r"\.\d+", ".N", problem.field) + ": " if problem.field else ""
    return field + _VARIABLE.sub("N", problem.message)
