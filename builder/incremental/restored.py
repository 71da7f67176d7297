"""A fresh checkout with its build cache restored: the shortcut's files compared by content.

A deploy is usually a fresh `git clone` on a CI runner, with `output/` and `.foretell/`
restored by the CI system: every file has a new modification time, so every stat the
shortcut's record holds differs. Stats then prove nothing either way, and the bytes decide:

- an input whose stat moved is read and hashed (`source_digest`, as the parse cache hashes
  it), and counts as edited only when the digest differs from the one the full build
  recorded (`save_digests`), as does a prediction file added or deleted; what else the
  record was made for (today, the options: `frame`) must be the same;
- at a later git HEAD (the next commit deployed, or a commit made since), the prediction
  files a commit since touched count as edited too: every file of theirs shows their
  history (`touched`); the others' history is as it was;
- every output file whose stat moved is hashed and compared with the digest the manifest
  holds for it (`restated_outputs`): an output restored from another build than the cache
  makes the shortcut step aside, so a stale page is never kept.

Then the shortcut runs as usual, and the amendment records the verified files' new stats
(`cache.Amendment.restated`), so that the next build with nothing to do is a no-op again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from builder.content.model import Prediction
from builder.incremental import cache, edits, freshness
from builder.incremental.edits import is_article
from builder.incremental.freshness import Freshness
from builder.incremental.shortcut_write import AsBuilt
from builder.options import BuildOptions
from builder.system import pickles
from builder.system.digests import file_digests, source_digests
from builder.system.files import Stat
from builder.system.git import touched_since

if TYPE_CHECKING:
    from builder.incremental.shortcut import Record


def frame(options: BuildOptions, fresh: Freshness) -> str:
    """What the shortcut's record was made for, but the inputs and git HEAD: today, the
    options."""
    return freshness.inputs_key_of({}, None, fresh.today, options)


def touched(
    root: Path, earlier: str | None, head: str | None, inputs: Mapping[str, Stat | None]
) -> set[str] | None:
    """The input files a commit since `earlier` touched (their history moved; every other
    file's is as it was), or None when that is unknown: no git then or now, or `earlier`
    is no ancestor of `head` (an amend, a rebase, a shallow clone)."""
    if earlier is None or head is None:
        return None
    found = touched_since(root, earlier, head)
    return None if found is None else {path for path in found if inputs.get(path)}


def save_digests(
    root: Path, built: str, inputs: Mapping[str, Stat | None], predictions: Iterable[Prediction]
) -> None:
    """Called by the full build: every input file's content digest, kept apart from the
    shortcut's record (which every shortcut reads; these only a restored checkout's), with
    the full build's inputs key, `built`: the predictions' as they were read, the others
    (site.yaml, the theme, drafts) read now."""
    known = {p.source: p.digest for p in predictions if p.digest}
    others = sorted(path for path, stat in inputs.items() if stat and path not in known)
    read = dict(zip(others, source_digests(root, others), strict=True))
    digests = known | {path: digest for path, digest in read.items() if digest is not None}
    pickles.write_pickle(root, cache.DIGESTS, (built, digests))


def edited(
    options: BuildOptions, fresh: Freshness, built: str, inputs: Mapping[str, Stat | None]
) -> list[str] | None:
    """The inputs whose bytes differ from those the full build recorded (`save_digests`) with
    the full build `built` (their stats then in `inputs`), and the prediction files and
    static files added or deleted since (a draft committed, an image: the shortcut takes
    them); None when another file was added or deleted, or that record is missing or
    another's (a build stopped between the two)."""
    found = pickles.read_pickle(options.root, cache.DIGESTS, tuple)
    if found is None or found[0] != built:
        return None
    come_and_gone = inputs.keys() ^ fresh.inputs.keys()
    if not all(map(edits.shortcut_takes, come_and_gone)):
        return None
    digests: Mapping[str, str] = found[1]
    now = fresh.inputs.items()
    moved = sorted(path for path, stat in now if path in inputs and stat != inputs[path])
    read = source_digests(options.root, moved)
    edited = [path for path, digest in zip(moved, read, strict=True) if digest != digests.get(path)]
    return sorted([*edited, *come_and_gone])


def restated_outputs(fresh: Freshness) -> dict[str, Stat] | None:
    """Every output file the manifest lists, with its stat now, when each holds the bytes the
    manifest's digest says (or the stat it says: the stat-only check every build trusts);
    None if any does not."""
    manifest, current = fresh.manifest, fresh.current
    if any(name not in current for name in manifest.outputs):
        return None
    moved = sorted(name for name, (_, stat) in manifest.outputs.items() if current[name] != stat)
    if any(name not in manifest.digests for name in moved):
        return None
    folder = f"{fresh.out}{os.sep}"  # joined as strings: 53,600 Path objects cost 0.3 s
    now = file_digests([folder + name for name in moved])
    if any(digest != manifest.digests[name] for name, digest in zip(moved, now, strict=True)):
        return None
    return {name: current[name] for name in moved}


def changes(
    options: BuildOptions, fresh: Freshness, record: Record
) -> tuple[list[str], AsBuilt, bool] | None:
    """What the shortcut (shortcut.py) takes, as a fresh checkout with the cache restored, or
    a later commit, finds them: the prediction files whose bytes changed since the record,
    or that a commit since touched; the output, each file checked by its bytes (by its stat,
    in the record's own checkout); and whether HEAD moved. None unless only prediction files
    (or static files) changed, and every output is as built."""
    config, config_problems = fresh.config
    if config is None or config_problems or not record.frame:
        return None
    if record.frame != frame(options, fresh):
        return None
    changed = edited(options, fresh, record.built, record.inputs)
    moved = fresh.head != record.head
    if moved and changed is not None:
        commits = touched(options.root, record.head, fresh.head, fresh.inputs)
        # Only a prediction's history is shown: another file's is nothing to remake.
        articles = filter(is_article, commits or ())
        changed = None if commits is None else sorted({*changed, *articles})
    if changed is None or len(changed) > edits.MAX_EDITED:
        return None
    if not all(map(edits.shortcut_takes, changed)):
        return None
    if edits.changed_sources(record.inputs, fresh.inputs) is not None:
        # The checkout the record was made in, at a later commit: its output is trusted by
        # its stats, as by any shortcut there (stat-ing all 53,600 files costs 0.2 s).
        return changed, AsBuilt(fresh.manifest), moved
    restated = restated_outputs(fresh)
    if restated is None:
        return None
    return changed, AsBuilt(fresh.manifest, restated), moved
