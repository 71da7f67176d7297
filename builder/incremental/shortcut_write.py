"""The shortcut's output: what it finds there, and how it writes to it.

The shortcut rewrites a few files of an output the last full build (and the shortcuts since)
made. It writes only if each file it rewrites or deletes is as those builds left it (`AsBuilt`:
by its stat, or, in a fresh checkout with the cache restored, by its bytes: restored.py),
stages its files while Pagefind indexes (reindex.py), moves them in at once, and records what
it did in the manifest's amendment (cache.Amendment), never in the 20 MB manifest (at 10,000).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.errors import Problem
from builder.incremental import cache, freshness
from builder.incremental.cache import Manifest
from builder.incremental.freshness import Freshness
from builder.options import BuildOptions, Report
from builder.system.files import Stat, stat_files
from builder.write.staging import Staging

if TYPE_CHECKING:
    from builder.incremental.reindex import Reindexing


@dataclass(frozen=True)
class AsBuilt:
    """The output as the builds since the last full one left it: the manifest's stats, or
    for files found with its bytes in a restored checkout (restored.py) their stats now."""

    manifest: Manifest
    restated: Mapping[str, Stat] = dataclasses.field(default_factory=dict)

    def stat(self, path: str) -> Stat | None:
        """The stat a file has while it is as built; None if it is none of the build's."""
        if path in self.restated:
            return self.restated[path]
        found = self.manifest.outputs.get(path)
        return found[1] if found is not None else None


def unchanged_stats(
    options: BuildOptions, as_built: AsBuilt, paths: Iterable[str]
) -> dict[str, Stat] | None:
    """The stats of those of `paths` the output holds, or None if any is not as the builds
    left it (changed or deleted by hand: the full build knows how to repair it)."""
    existing = stat_files(options.out, paths)
    return None if any(existing.get(path) != as_built.stat(path) for path in paths) else existing


def restated(
    options: BuildOptions,
    fresh: Freshness,
    as_built: AsBuilt,
    warnings: list[Problem] | None = None,
    drafts: int | None = None,
) -> Report:
    """Nothing of the site changed, but the files' stats, or the site's `warnings` and count
    of `drafts` (a draft edited, added or deleted): record them, so the next build is a
    no-op."""
    manifest, key, moved = fresh.manifest, fresh.inputs_key, as_built.restated
    cache.amend_manifest(options.root, manifest, {}, key, frozenset(), moved, warnings, drafts)
    report = freshness.no_op_report(fresh)
    if warnings is not None:
        report = dataclasses.replace(report, warnings=warnings)
    return report if drafts is None else dataclasses.replace(report, drafts=drafts)


def write(
    options: BuildOptions,
    fresh: Freshness,
    files: dict[str, bytes],
    existing: dict[str, Stat],
    reindexing: Reindexing | None,
    as_built: AsBuilt,
    deleted: Iterable[str] = (),
    warnings: list[Problem] | None = None,
    drafts: int | None = None,
) -> tuple[set[str], set[str]] | None:
    """Write `files`, delete `deleted`, and write the search shards' files once Pagefind
    has made them (`files` and `existing` then hold them too); the files written and all
    those deleted, or None, having written nothing, if that fails. The manifest's amendment
    records them, and the site's `warnings` and count of `drafts` when the edits changed
    them."""
    manifest = fresh.manifest
    gone: set[str] = set(deleted)
    # Staging reads the output's record (65,000 names at 10,000): while Pagefind runs.
    with Staging(options.out, existing, owned=fresh.owned) as staging:
        for path, data in files.items():
            staging.add(path, data)
        if reindexing is not None:
            made = _indexed(options, as_built, reindexing)
            if made is None:
                staging.abort()
                return None
            indexed, unindexed, found = made
            gone |= unindexed
            existing.update(found)
            for path, data in indexed.items():
                staging.add(path, data)
            files.update(indexed)
        written = staging.commit(keep=set(manifest.outputs) - set(files) - gone)
    # Without a key (see shortcut.py's docstring), with their digests (restored.py).
    stats = {path: (staging.stats[path], staging.digests[path]) for path in written}
    restated = as_built.restated  # amend_manifest leaves out those rewritten or gone
    inputs_key = fresh.inputs_key
    cache.amend_manifest(
        options.root, manifest, stats, inputs_key, frozenset(gone), restated, warnings, drafts
    )
    if reindexing is not None:
        reindexing.save()
    return written, gone


def _indexed(
    options: BuildOptions, as_built: AsBuilt, reindexing: Reindexing
) -> tuple[dict[str, bytes], set[str], dict[str, Stat]] | None:
    """The search shards' new files and those of their bundles before that are no more, with
    the stats of those the output holds; None if Pagefind failed (the full build says why) or
    any was changed by hand."""
    if not reindexing.wait():
        return None
    indexed, gone = reindexing.files()
    found = unchanged_stats(options, as_built, indexed.keys() | gone)
    return None if found is None else (indexed, gone, found)
