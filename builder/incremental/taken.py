"""What the shortcuts since the last full build took: the next one takes it again.

Each shortcut starts from the record the last full build left (shortcut.py), but the output
holds what every shortcut since made. So a file one of them took is taken again by the next,
as at least the kinds of edit it was taken as, even when it is now as the full build saw it:
a title edited and then edited back leaves list pages showing the edited title, which only a
display edit makes again (the file alone is a body edit, then, or no edit at all); and in a
restored checkout, where files are compared by their bytes (restored.py), a file changed back
is not even seen as changed. Likewise the terms a term edit regrouped (terms.py) are
regrouped again, and the pages and feeds made for them that are no more are deleted: a tag
added and then taken away leaves no page of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.content.loader import FileEntry
from builder.incremental import cache
from builder.system import pickles

KindsBySource = Mapping[str, frozenset[str]]  # source -> the kinds of edit it was taken as
Shape = tuple[str, tuple[str, ...]]  # a term's name and its predictions' slugs, in order


@dataclass(frozen=True)
class Taken:
    built: str  # the full build it follows (shortcut.Record.built): after another, it is stale
    kinds_by_source: KindsBySource = dataclasses.field(default_factory=dict)
    # (kind, slug) of each term they regrouped -> its shape as the last of them wrote it
    terms: Mapping[tuple[str, str], Shape] = dataclasses.field(default_factory=dict)
    made: frozenset[str] = frozenset()  # the pages and feeds made for them
    # (export, slug) -> the line the last of them wrote there (forecasts.patched_exports)
    lines: Mapping[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    # source -> the file as the last of them read it: not parsed again while its stat holds
    entries: Mapping[str, FileEntry] = dataclasses.field(default_factory=dict)
    static: frozenset[str] = frozenset()  # the output paths they copied static files to


def read(root: Path, built: str) -> Taken:
    """What the shortcuts since the full build `built` took."""
    found = pickles.read_pickle(root, cache.TAKEN, Taken)
    return found if found is not None and found.built == built else Taken(built)


def save(
    root: Path,
    before: Taken,
    kinds_by_source: KindsBySource,
    terms: Mapping[tuple[str, str], Shape] | None = None,
    made: Iterable[str] = (),
    lines: Mapping[tuple[str, str], str] | None = None,
    entries: Mapping[str, FileEntry] | None = None,
    static: Iterable[str] = (),
) -> None:
    """Add to what was taken `before` what a shortcut that wrote took."""
    merged = dict(before.kinds_by_source)
    for source, found in kinds_by_source.items():
        merged[source] = merged.get(source, frozenset()) | found
    shapes, made = {**before.terms, **(terms or {})}, before.made | set(made)
    lines = {**before.lines, **(lines or {})}
    read = {**before.entries, **(entries or {})}
    now = Taken(before.built, merged, shapes, made, lines, read, before.static | set(static))
    if now != before:
        pickles.write_pickle(root, cache.TAKEN, now)


def forget(root: Path) -> None:
    """A full build's output holds nothing a shortcut made."""
    (root / cache.CACHE_DIR / cache.TAKEN).unlink(missing_ok=True)
