"""Integrity from git, as the build uses it: each published prediction's history, cached.

Reading history costs seconds on a large site (builder/trackrecord/history.py), so the
result is kept in `.foretell/cache/history.pickle`, keyed by the commit HEAD points at and
each file's digest. A file's history depends only on HEAD and on that file (its path and
bytes), so with HEAD unchanged only new or edited files are read again; when HEAD moves on to
a later commit (a commit, a deploy's checkout of the next), so are the files a commit since
touched (`_reusable`); when it moves anywhere else (an amend, a rebase, an older checkout) or
git cannot tell, everything is. A cache that is missing or corrupt is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from builder.content.model import Prediction
from builder.site import taxonomy
from builder.site.model import Site
from builder.system import pickles
from builder.system.git import touched_since
from builder.trackrecord.history import FileHistory, TrackedFields, read_history

HISTORY_FILE = "history.pickle"


@dataclass
class HistoryCache:
    head: str | None = None
    # source path -> (digest of the file, its history or None when it has none)
    entries: dict[str, tuple[str, FileHistory | None]] = field(default_factory=dict)


def read_site_history(
    root: Path, predictions: Iterable[Prediction], head: str | None, *, use_cache: bool = True
) -> dict[str, FileHistory]:
    """slug -> history of each published prediction that has one."""
    published = [p for p in predictions if not p.draft]
    stored = pickles.read_pickle(root, HISTORY_FILE, HistoryCache) if use_cache else None
    reusable = _reusable(root, stored, head)
    entries: dict[str, tuple[str, FileHistory | None]] = {}
    todo: list[Prediction] = []
    for p in published:
        old = reusable.get(p.source)
        if old is not None and p.digest and old[0] == p.digest:
            entries[p.source] = old
        else:
            todo.append(p)
    if todo:
        # Outside git there is nothing to read: no need to ask git again.
        found = _read(root, todo) if head is not None else {}
        for p in todo:
            entries[p.source] = (p.digest, found.get(p.source))
    if stored is None or stored.head != head or stored.entries != entries:
        pickles.write_pickle(root, HISTORY_FILE, HistoryCache(head, entries))
    return {p.slug: h for p in published if (h := entries[p.source][1]) is not None}


def _reusable(
    root: Path, stored: HistoryCache | None, head: str | None
) -> dict[str, tuple[str, FileHistory | None]]:
    """The cached histories still true at `head`: all of them at the same commit; at a later
    one (a commit since, or a deploy's checkout of the next commit), those of the files no
    commit since touched. A file's history is the commits that touched it, and whether its
    bytes are committed: the entry keeps its digest, which must still be the file's."""
    if stored is None:
        return {}
    if stored.head == head:
        return stored.entries
    if stored.head is None or head is None:
        return {}
    touched = touched_since(root, stored.head, head)
    if touched is None:
        return {}
    return {source: entry for source, entry in stored.entries.items() if source not in touched}


def histories_of(
    root: Path, predictions: Iterable[Prediction], head: str | None
) -> dict[str, FileHistory]:
    """slug -> history of each of `predictions` that has one, read from git now (the cache
    left as it is: the shortcut's edits, which the next full build reads again)."""
    if head is None:
        return {}
    found = _read(root, list(predictions))
    return {p.slug: h for p in predictions if (h := found.get(p.source)) is not None}


def _read(root: Path, predictions: list[Prediction]) -> dict[str, FileHistory]:
    current = {
        p.source: TrackedFields(p.statement, p.target_date, p.confidence, p.updates)
        for p in predictions
    }
    return read_history(root, list(current), current)


def with_history(site: Site, root: Path, head: str | None, *, use_cache: bool = True) -> Site:
    """The site, its predictions' git history attached and its figures as that history
    vouches for them (the step right after loading)."""
    history = read_site_history(root, site.predictions, head, use_cache=use_cache)
    return taxonomy.with_history(site, history)
