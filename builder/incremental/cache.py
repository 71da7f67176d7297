"""The build cache in `.foretell/cache/`: what the last build read and wrote.

Several files, so that the common case stays cheap: `manifest.pickle` (the digest of every
input's stat; every output file's key, stat and content digest; each prediction's unit: 20 MB
at 10,000 predictions, the digests and units, most of it, unpickled only when read) answers
"did anything change?" on its own; the parse cache (content/parsecache.py, large) and
`memo-NN.pickle` (serialised feed entries, calendar events, search shards, sliced records, in
shards too) are read only when something did. Each is read and written as system/pickles.py
says: one from another version of foretell, or corrupt, is ignored, never trusted.
"""

from __future__ import annotations

import pickle
import shutil
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.content import parsecache
from builder.errors import Problem
from builder.options import CACHE_DIR  # where the cache lives: the build's folders read it too
from builder.system import collector
from builder.system.files import Stat
from builder.system.pickles import read_pickle, write_pickle

if TYPE_CHECKING:  # only for annotations: a no-op build never loads the content stack
    from builder.content.loader import FileEntry


MANIFEST = "manifest.pickle"
MEMO = "memo-{:02d}.pickle"  # sharded too: an edit changes a few of its 30,000 values
MEMO_SHARDS = 16
LEGACY_MEMO = "memo.pickle"  # the memo in one file (cache 15 and before): removed when seen
SHORTCUT = "shortcut.pickle"  # shortcut.py's record
AMENDMENT = "manifest-amended.pickle"  # the shortcut's changes to the manifest
SHOWN = "shortcut-shown.pickle"  # and its part for display edits (display.py)
SEARCH = "search"  # a folder: each search shard's inputs, for the shortcut (reindex.py)
SEARCH_SINCE = "shortcut-search.pickle"  # the shards the shortcut indexed since (reindex.py)
DIGESTS = "shortcut-digests.pickle"  # every input's content digest (restored.py)
TAKEN = "shortcut-taken.pickle"  # the files the shortcuts since took, and how (taken.py)


# An output file as the last build left it: its page key (None for files regenerated every
# build) and its stat. A tuple, not a dataclass: the manifest holds one per output file and
# is read by every build, so it must unpickle fast.
OutputRecord = tuple[str | None, Stat]
# A prediction's unit (site.model.Unit) as the last build keyed it, and the files it made.
UnitRecord = tuple[str, tuple[str, ...]]


@dataclass
class Manifest:
    output_dir: str = ""
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    inputs_key: str = ""  # freshness.inputs_key_of, when it was built: the no-op check
    warnings: list[Problem] = field(default_factory=list)
    # site.yaml's time zone and stat: while the file is unchanged, the no-op check knows
    # what day it is without reading it (and without importing YAML).
    timezone: str = ""
    config_stat: Stat | None = None
    drafts: int = 0  # drafts the build left out: the no-op says so too
    # Each output file's content digest (system.digests.file_digest): a file restored with a
    # new mtime (a CI cache, a fresh checkout) is still the build's if its bytes are.
    digests: dict[str, str] = field(default_factory=dict)
    units: dict[str, UnitRecord] = field(default_factory=dict)  # slug -> its unit, as built
    built: str = ""  # `inputs_key` as the full build that wrote it left it (see Amendment)

    # `digests` and `units`, near half its bytes at 10,000 predictions (28 ms of unpickling),
    # are pickled apart and unpickled when first read: the no-op and the shortcut never do.
    def __getstate__(self) -> dict[str, object]:
        state = {name: value for name, value in self.__dict__.items() if name != "_later"}
        for name in _LATER:
            state[name] = pickle.dumps(getattr(self, name), protocol=pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        later = {name: partial(pickle.loads, state.pop(name)) for name in _LATER if name in state}
        self.__dict__.update(state, _later=later)

    def __getattr__(self, name: str) -> Any:  # an attribute not (yet) in __dict__
        later = self.__dict__.get("_later", {})
        if name not in later:
            raise AttributeError(name)
        value = self.__dict__[name] = later.pop(name)()
        return value

    def later(self, name: str, make: Callable[[Any], object]) -> None:
        """`name` is to be what `make` returns of its value now, made when first read."""
        if name in self.__dict__:
            now = self.__dict__.pop(name)
            self.__dict__.setdefault("_later", {})[name] = lambda: make(now)
        else:
            earlier = self.__dict__["_later"][name]
            self.__dict__["_later"][name] = lambda: make(earlier())


_LATER = ("digests", "units")


@dataclass
class Amendment:
    """What the shortcut changed in the manifest since the full build that wrote it: a few
    files rewritten, and the inputs key. Kept apart, so that a shortcut writes these bytes
    rather than the whole manifest again (20 MB at 10,000 predictions, a tenth of a second)."""

    built: str  # the manifest it amends (Manifest.built)
    inputs_key: str
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    gone: frozenset[str] = frozenset()  # outputs it deleted (a search shard's old files)
    # Outputs found with the bytes the manifest says but another stat (a fresh checkout with
    # the cache restored: shortcut.py, restored.py): their key and digest stand.
    restated: dict[str, Stat] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # of the files in `outputs`
    # The site's warnings as the last shortcut left them (the manifest's are the full
    # build's: an edited file's may have changed since): what the next no-op reports.
    warnings: list[Problem] | None = None
    drafts: int | None = None  # the drafts left out, as the last shortcut counted them


def load_manifest(root: Path) -> Manifest:
    """The manifest, with the shortcut's amendment to it, if any."""
    manifest = read_pickle(root, MANIFEST, Manifest) or Manifest()
    amended = read_pickle(root, AMENDMENT, Amendment)
    if amended is None or not manifest.built or amended.built != manifest.built:
        return manifest
    outputs = dict(manifest.outputs)
    for path, stat in amended.restated.items():
        if path in outputs:
            outputs[path] = (outputs[path][0], stat)
    outputs.update(amended.outputs)
    for path in amended.gone:
        outputs.pop(path, None)
    changed = amended.outputs.keys() | amended.gone

    def digests(built: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in built.items() if k not in changed} | amended.digests

    manifest.outputs, manifest.inputs_key = outputs, amended.inputs_key
    if amended.warnings is not None:
        manifest.warnings = amended.warnings
    if amended.drafts is not None:
        manifest.drafts = amended.drafts
    manifest.later("digests", digests)
    return manifest


def amend_manifest(
    root: Path,
    manifest: Manifest,
    outputs: Mapping[str, tuple[Stat, str]],
    inputs_key: str,
    gone: frozenset[str] = frozenset(),
    restated: Mapping[str, Stat] | None = None,
    warnings: list[Problem] | None = None,
    drafts: int | None = None,
) -> None:
    """Record that the shortcut rewrote `outputs` (path -> stat and content digest; without
    a key, see shortcut.py), deleted `gone` and found `restated` as the manifest says but for
    their stat, with the inputs now `inputs_key`, and the site's `warnings` and count of
    `drafts` now (None: as the amendment or the manifest has them), in the amendment to
    `manifest`."""
    amended = read_pickle(root, AMENDMENT, Amendment)
    if amended is None or amended.built != manifest.built:
        amended = Amendment(manifest.built, inputs_key)
    changed = {path: (None, stat) for path, (stat, _) in outputs.items()}
    kept = {path: found for path, found in amended.outputs.items() if path not in gone}
    now_gone = (amended.gone | gone) - changed.keys()
    now_restated = {**amended.restated, **(restated or {})}
    now_restated = {
        path: stat
        for path, stat in now_restated.items()
        if path not in changed and path not in gone
    }
    digests = {path: digest for path, digest in amended.digests.items() if path not in gone}
    digests |= {path: digest for path, (_, digest) in outputs.items()}
    warned = amended.warnings if warnings is None else warnings
    counted = amended.drafts if drafts is None else drafts
    amendment = Amendment(
        manifest.built, inputs_key, kept | changed, now_gone, now_restated, digests, warned,
        counted,
    )  # fmt: skip
    write_pickle(root, AMENDMENT, amendment)


def load_memo(root: Path) -> dict[str, object]:
    memo: dict[str, object] = {}
    with collector.held_off():
        for shard in range(MEMO_SHARDS):
            memo.update(read_pickle(root, MEMO.format(shard), dict) or {})
    return memo


def _save_memo(root: Path, memo: Mapping[str, object], previous: Mapping[str, object]) -> None:
    """Rewrite only the shards where a value is new, gone or another object than the one
    loaded (a value kept from the last build is the very object read from its shard)."""
    dirty = {_memo_shard(key) for key in previous.keys() - memo.keys()}
    dirty |= {_memo_shard(key) for key, value in memo.items() if previous.get(key) is not value}
    shards: list[dict[str, object]] = [{} for _ in range(MEMO_SHARDS)]
    for key, value in memo.items():
        shards[_memo_shard(key)][key] = value
    for shard in sorted(dirty):
        write_pickle(root, MEMO.format(shard), shards[shard])
    (root / CACHE_DIR / LEGACY_MEMO).unlink(missing_ok=True)  # 31 MB at 10,000, never read


def _memo_shard(key: str) -> int:
    """By the digest in the key (Memo.key's second part): the values made from one version
    of a prediction share a shard, so an edit dirties two (the old version's, the new one's)
    rather than one per kind of value."""
    parts = key.split(":", 2)
    return zlib.crc32((parts[1] if len(parts) > 1 else key).encode()) % MEMO_SHARDS


def save(
    root: Path,
    manifest: Manifest,
    files: Mapping[str, FileEntry],
    previous_files: Mapping[str, FileEntry],
    memo: dict[str, object],
    previous_memo: Mapping[str, object],
) -> None:
    parsecache.save_files(root, files, previous_files)
    _save_memo(root, memo, previous_memo)
    (root / CACHE_DIR / AMENDMENT).unlink(missing_ok=True)  # of the manifest before
    write_pickle(root, MANIFEST, manifest)  # last: it vouches for the other two


def clear(root: Path) -> None:
    shards = [parsecache.FILES.format(shard) for shard in range(parsecache.SHARDS)]
    shards += [MEMO.format(shard) for shard in range(MEMO_SHARDS)]
    names = (MANIFEST, AMENDMENT, SHORTCUT, SHOWN, SEARCH_SINCE, DIGESTS, TAKEN, LEGACY_MEMO)
    names += (parsecache.STATS,)
    names += tuple(shards)
    for name in names:
        (root / CACHE_DIR / name).unlink(missing_ok=True)
    shutil.rmtree(root / CACHE_DIR / SEARCH, ignore_errors=True)


def legacy_outputs(root: Path, out_names: Collection[str]) -> list[str]:
    """The files the manifest says a build wrote into the output folder (by one of its
    `out_names`: options.BuildOptions.out_names), whatever foretell wrote it: an output folder
    built before its record was kept in the folder itself (ownership.py) is the build's all
    the same. Nothing is trusted here but the list of names."""
    manifest = read_pickle(root, MANIFEST, Manifest, any_version=True)
    if manifest is None or getattr(manifest, "output_dir", None) not in out_names:
        return []
    return list(getattr(manifest, "outputs", {}))
