"""Aliases: the old addresses of a prediction (front matter `aliases:`), each of which the build
redirects to its page, so that a link once shared never breaks.

An alias is a path on the site, written as it appears after the site's address: `/old/path/`
(a folder: its redirect page is `old/path/index.html`) or `/old/page.html` (that file). What
may not be in one: a scheme or host (it is not a URL), a query or fragment, `.` or `..`
segments, empty segments, spaces, control characters, percent-escapes (write the character
itself), and the characters HTML or a `_redirects` line would need to escape.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from builder.errors import Problem

FIELD = "aliases"
_REFUSED = set('?#%\\"<>`{}|^')


@dataclass(frozen=True)
class AliasUse:
    """An alias as a file writes it, located for messages."""

    alias: str  # normalised: "old/path/" or "old/page.html", no leading "/"
    source: str
    line: int | None


def normalise(text: str) -> tuple[str | None, str | None]:
    """(the alias as a site path without its leading "/", None) or (None, why not)."""
    raw = text.strip()
    if "://" in raw or raw.startswith("//"):
        return None, f"must be a path on this site like /old/path/, not a URL: {raw!r}"
    bad = sorted({c for c in raw if c in _REFUSED or _unprintable(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return None, f"{raw!r} holds {shown}: an alias is a plain path like /old/path/"
    segments = raw.strip("/").split("/")
    if raw.strip("/") == "":
        return None, "the site's home page cannot be an alias"
    if any(s in ("", ".", "..") for s in segments):
        return None, f"{raw!r} has an empty, '.' or '..' segment"
    path = "/".join(segments)
    return (path if path.endswith(".html") else f"{path}/"), None


def _unprintable(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("C")


def output_path(alias: str) -> str:
    """The file its redirect page is written to."""
    return alias if alias.endswith(".html") else f"{alias}index.html"


def clashes(
    uses: Iterable[AliasUse], pages: Mapping[str, str], *, between: bool = True
) -> list[Problem]:
    """An alias whose redirect would overwrite a page (`pages`: output path -> what it is) or
    (`between`) another file's alias: both would be lost."""
    problems, first = [], {}
    for use in uses:
        path = output_path(use.alias)
        if path in pages:
            message = f"/{use.alias} is the address of {pages[path]}: it cannot also redirect"
            problems.append(Problem(use.source, use.line, FIELD, message))
        elif between and path in first and first[path].source != use.source:
            other = first[path]
            message = f"/{use.alias} is also an alias in {other.source}"
            problems.append(Problem(use.source, use.line, FIELD, message))
            problems.append(
                Problem(
                    other.source,
                    other.line,
                    FIELD,
                    f"/{use.alias} is also an alias in {use.source}",
                )
            )
        first.setdefault(path, use)
    return problems
