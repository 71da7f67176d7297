"""The parse cache in `.foretell/cache/`: every content file's parse result and rendered body
(loader.FileEntry), as the last build read them, in shards (`files-NN.pickle`, large), with
their stats apart (`stats.pickle`). A build, `serve` and the commands that read the whole site
(loader.read_every_file: check, resolve, update, due, stamp, import) take from it the files
unchanged since (loader.read_all)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from builder.system import collector
from builder.system.pickles import read_pickle, write_pickle

if TYPE_CHECKING:  # only for annotations: a no-op build never loads the content stack
    from builder.content.loader import FileEntry

FILES = "files-{:02d}.pickle"  # sharded: an edit rewrites one shard, not every parsed file
SHARDS = 128  # ~80 articles each at 10,000: the shortcut reads one per edited file
# Each content file's stat as the last build saw it, with its digest: apart from the shards,
# so that files read again only to find the same bytes (every file, in a fresh checkout)
# rewrite no shard. The digest says which parse the stat goes with: a reader that meets a
# shard older than the stats (a build writing beside it) keeps the shard's stat, and the
# file is read again, rather than take an old parse for the file as it is now.
STATS = "stats.pickle"


def load_files(root: Path) -> dict[str, FileEntry]:
    return _load_shards(root, range(SHARDS))


def load_entries(root: Path, sources: Iterable[str]) -> dict[str, FileEntry]:
    """The entries of the shards holding `sources` (the shortcut reads only those)."""
    return _load_shards(root, sorted({_shard(source) for source in sources}))


def _load_shards(root: Path, shards: Iterable[int]) -> dict[str, FileEntry]:
    entries: dict[str, FileEntry] = {}
    with collector.held_off():  # across the shards: see system/collector.py
        for shard in shards:
            entries.update(read_pickle(root, FILES.format(shard), dict) or {})
        stats = read_pickle(root, STATS, dict) or {}
    for source, entry in entries.items():
        stat, digest = stats.get(source, (entry.stat, entry.digest))
        if stat != entry.stat and digest == entry.digest:
            entries[source] = dataclasses.replace(entry, stat=stat)
    return entries


def _shard(source: str) -> int:
    return int.from_bytes(hashlib.blake2b(source.encode(), digest_size=2).digest()) % SHARDS


def save_files(
    root: Path, files: Mapping[str, FileEntry], previous: Mapping[str, FileEntry]
) -> None:
    """Rewrite only the shards holding an entry that is new, gone or changed in more than its
    stat (the stats are saved apart, every time)."""
    shards: list[dict[str, FileEntry]] = [{} for _ in range(SHARDS)]
    dirty = {_shard(source) for source in previous.keys() - files.keys()}
    for source, entry in files.items():
        shard = _shard(source)
        shards[shard][source] = entry
        if not _same_but_stat(previous.get(source), entry):
            dirty.add(shard)
    for shard in sorted(dirty):
        write_pickle(root, FILES.format(shard), shards[shard])
    stats = {source: (entry.stat, entry.digest) for source, entry in files.items()}
    write_pickle(root, STATS, stats)


def _same_but_stat(old: FileEntry | None, new: FileEntry) -> bool:
    if old is new:
        return True
    return (
        old is not None
        and (old.digest, old.authors) == (new.digest, new.authors)
        and (old.result is new.result)
    )
