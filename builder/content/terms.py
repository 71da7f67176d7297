"""Category and tag names as the content uses them, and the clashes between them: two
different names must never share a page, and the check runs with the content's own."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from builder.content.slugs import slugify
from builder.errors import Problem


@dataclass(frozen=True)
class TermUse:
    """A file naming a category or a tag, and where, so a clash can name both files."""

    kind: str  # categories | tags
    name: str
    source: str
    field: str  # "category", "tags.2"
    line: int | None


_SEPARATORS = re.compile(r"[\s_-]+")
_SINGULAR = {"categories": "category", "tags": "tag"}


def same_term(name: str) -> str:
    """What two spellings of one term share: case, accents and runs of spaces, '-' or '_'
    aside ("Open Source", "open-source")."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub("-", plain.casefold()).strip("-")


def term_clashes(uses: Iterable[TermUse]) -> list[Problem]:
    """Different names whose pages would be one ("C" and "c." are both tags/c/) are an
    error at the first use of each name (in the order given), naming the others' first."""
    first: dict[tuple[str, str], TermUse] = {}  # a few hundred names over 10,000 files
    for use in uses:
        first.setdefault((use.kind, use.name), use)
    spellings: dict[tuple[str, str], dict[str, TermUse]] = {}
    for use in first.values():
        names = spellings.setdefault((use.kind, slugify(use.name)), {})
        names.setdefault(same_term(use.name), use)
    problems = []
    for (kind, slug), names in sorted(spellings.items()):
        clashing = list(names.values())
        for use in clashing if len(clashing) > 1 else ():
            others = " and ".join(_quoted(other) for other in clashing if other is not use)
            message = (
                f"{_SINGULAR[kind]} {use.name!r} and {others} share the page {kind}/{slug}/: "
                "rename one"
            )
            problems.append(Problem(use.source, use.line, use.field, message))
    return problems


def _quoted(use: TermUse) -> str:
    where = use.source if use.line is None else f"{use.source}:{use.line}"
    return f"{use.name!r} ({where})"
