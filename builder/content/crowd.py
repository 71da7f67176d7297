"""`content/crowd.json`: the readers' final vote tallies, committed with the content.

`foretell votes snapshot` (builder/votes/snapshot.py) writes it from the vote endpoint; the
build reads it, and nothing else, for the crowd's figures (no network during a build). One
format, written and read here:

    {"version": 1, "tallies": {
      "euro-above-125": {"maybe": 3, "will": 4, "wont": 14},
      ...
    }}

with the tallies sorted by slug, one per line, so a diff shows what changed. A mistake in a
hand-edited file is reported as `content/crowd.json:LINE: tallies.SLUG.will: message`.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import Problem, Severity

CROWD_FILE = "content/crowd.json"
CROWD_VERSION = 1
CHOICES = ("will", "wont", "maybe")  # what a reader may vote, here and at the vote endpoint
TOP_KEYS = ("version", "tallies")


@dataclass(frozen=True)
class CrowdTally:
    """A prediction's votes: as counted now by the vote endpoint (builder/votes/), or, in this
    file, as they were when voting closed (they never change after that)."""

    will: int = 0
    wont: int = 0
    maybe: int = 0

    @property
    def decided(self) -> int:
        """The votes that move the crowd's probability ("maybe" does not)."""
        return self.will + self.wont

    @property
    def total(self) -> int:
        return self.will + self.wont + self.maybe

    def as_dict(self) -> dict[str, int]:
        return {"will": self.will, "wont": self.wont, "maybe": self.maybe}


Tallies = Mapping[str, CrowdTally]


def format_crowd(tallies: Tallies) -> bytes:
    """The file's bytes: the same tallies always give the same bytes."""
    lines = ",\n".join(
        f"  {json.dumps(slug, ensure_ascii=False)}: "
        + json.dumps(tallies[slug].as_dict(), sort_keys=True)
        for slug in sorted(tallies)
    )
    body = f"\n{lines}\n" if lines else ""
    return f'{{"version": {CROWD_VERSION}, "tallies": {{{body}}}}}\n'.encode()


def read_crowd(
    root: Path, known: Collection[str] | None = None
) -> tuple[dict[str, CrowdTally], list[Problem]]:
    """The tallies of `root`'s content/crowd.json (none when there is no such file), and every
    problem found in it; with `known` (the site's slugs), a warning for each tally of a slug
    not among them."""
    path = root / CROWD_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        return {}, [Problem(CROWD_FILE, None, None, f"cannot be read: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return {}, [Problem(CROWD_FILE, line, None, "is not UTF-8 text")]
    return parse_crowd(text, known)


UNKNOWN_SLUG = "no prediction has this slug (renamed or deleted?): its votes are not shown"


def parse_crowd(
    text: str, known: Collection[str] | None = None
) -> tuple[dict[str, CrowdTally], list[Problem]]:
    """The tallies in `text`, and a located problem for each mistake (a tally with one is
    left out; a file that is not JSON gives none)."""
    try:
        document = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        return {}, [Problem(CROWD_FILE, exc.lineno, None, f"not valid JSON: {exc.msg}")]
    except RecursionError:
        return {}, [Problem(CROWD_FILE, None, None, "not valid JSON: nested too deeply")]
    reader = _Reader(text)
    if not isinstance(document, _Pairs):
        reader.report("", 1, 'must be a JSON object: {"version": 1, "tallies": {...}}')
        return {}, reader.problems
    top = reader.fields("", document, TOP_KEYS)
    if top.get("version") != CROWD_VERSION or isinstance(top.get("version"), bool):
        shown = _shown(top.get("version"))
        reader.report("version", None, f"must be {CROWD_VERSION}, got {shown}")
    raw = top.get("tallies")
    if not isinstance(raw, _Pairs):
        reader.report("tallies", None, "must be an object of slug: {will, wont, maybe}")
        return {}, reader.problems
    tallies = {}
    for slug, value in reader.fields("tallies", raw, None).items():
        tally = reader.tally(slug, value)
        if tally is not None:
            tallies[slug] = tally
    for slug in sorted(tallies.keys() - set(known if known is not None else tallies)):
        reader.report(f"tallies.{slug}", reader.line(slug), UNKNOWN_SLUG, "warning")
    return tallies, reader.problems


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs in order, duplicates kept, to report them."""


# Every JSON string, with whether a ":" follows (a key). Consuming every string keeps the scan
# aligned: a '"' inside a string is always escaped.
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?')


class _Reader:
    """Field checks that collect located problems. A key's line is found in the text: the
    first time it appears as a key, which is its own line in the file the snapshot writes."""

    def __init__(self, text: str) -> None:
        self.problems: list[Problem] = []
        self._starts = [m.end() for m in re.finditer("\n", text)]
        self._lines: dict[str, int] = {}
        for match in _STRING.finditer(text):
            if match[2]:
                key = _decoded(match[1])
                self._lines.setdefault(key, bisect.bisect_right(self._starts, match.start()) + 1)

    def line(self, key: str) -> int | None:
        return self._lines.get(key)

    def report(
        self, field: str, line: int | None, message: str, severity: Severity = "error"
    ) -> None:
        where = line if line is not None else self.line(field.rpartition(".")[2])
        self.problems.append(Problem(CROWD_FILE, where, field or None, message, severity))

    def fields(
        self, path: str, pairs: _Pairs, allowed: Iterable[str] | None, line: int | None = None
    ) -> dict[str, Any]:
        """The object's fields, each duplicate and unknown key reported (on `line`, or else on
        the key's own)."""
        found: dict[str, Any] = {}
        for key, value in pairs:
            field = f"{path}.{key}" if path else key
            where = line if line is not None else self.line(key)
            if key in found:
                self.report(field, where, "appears twice")
            elif allowed is not None and key not in allowed:
                self.report(field, where, f"unknown key (expected {', '.join(allowed)})")
            else:
                found[key] = value
        return found

    def tally(self, slug: str, value: Any) -> CrowdTally | None:
        field = f"tallies.{slug}"
        line = self.line(slug)
        if not isinstance(value, _Pairs):
            self.report(field, line, 'must be an object: {"will": N, "wont": N, "maybe": N}')
            return None
        counts = self.fields(field, value, CHOICES, line)
        before = len(self.problems)
        for choice in CHOICES:
            count = counts.get(choice)
            if choice not in counts:
                self.report(f"{field}.{choice}", line, "is required (a whole number of votes)")
            elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
                message = f"must be a whole number 0 or more, got {_shown(count)}"
                self.report(f"{field}.{choice}", line, message)
        if len(self.problems) > before:
            return None
        return CrowdTally(**{choice: counts[choice] for choice in CHOICES})


def _decoded(raw: str) -> str:
    try:
        return str(json.loads(f'"{raw}"'))
    except json.JSONDecodeError:
        return raw


def _shown(value: Any) -> str:
    if isinstance(value, _Pairs):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)
