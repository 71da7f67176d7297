"""The shortcut's part in search: the shards holding edited predictions, indexed again.

With `search: true`, the search index (render/search.py) holds each prediction's title,
statement and body, so a body or title edit changes the bundle of the shard holding it. A
full build leaves, for each shard, the documents it indexed and the files its bundle made
(`save_inputs`: one file per shard under `.foretell/cache/search/`, named by the shard's key,
written only when the key is new). The shortcut replaces the edited predictions' documents in
their shard's list and has Pagefind index that list again, in its own process while the
shortcut renders the pages (`start`, then `Reindexing.files`): the same documents in the same
order as a clean build's make the same bytes (pagefind_files.canonical).

An edit that leaves every document as it was (a confidence, the references) indexes nothing.
What the shortcut indexed since the full build is kept beside (SINCE), so that the next
shortcut, which takes again every file edited since that build, indexes again only the shards
whose documents changed since.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.content.model import Prediction
from builder.incremental import cache
from builder.render import search
from builder.render.outputs import Memo
from builder.render.pagefind import Document, PagefindError, index_batches
from builder.site.model import Site
from builder.system import pickles

FOLDER = cache.SEARCH  # in the cache folder: a file per shard, named by its key
SINCE = cache.SEARCH_SINCE  # the shards the shortcut indexed since the full build
SWITCH_INTERVAL = 0.0001  # seconds between GIL hand-overs while Pagefind runs (start())


@dataclass(frozen=True)
class Shards:
    """The search index as the full build left it: the shard count and each shard's key."""

    count: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class ShardInputs:
    """What a shard's bundle was made from, and the output files it made."""

    documents: tuple[tuple[str, Document], ...]  # (slug, document), in the shard's order
    paths: frozenset[str]

    def with_documents(self, new: Mapping[str, Document]) -> ShardInputs:
        documents = tuple((slug, new.get(slug, doc)) for slug, doc in self.documents)
        return dataclasses.replace(self, documents=documents)


def shards_of(site: Site) -> Shards | None:
    """The shards' keys, for the shortcut's record; None when search is off."""
    if not site.config.search:
        return None
    groups = search.members(site)
    return Shards(len(groups), tuple(search.shard_key(site, group) for group in groups))


def save_inputs(root: Path, site: Site, memo: Memo, shards: Shards | None) -> None:
    """Called by the full build: leave each shard's inputs where the shortcut finds them
    (only the shards whose key is new), drop those of shards gone, and what the shortcuts
    since the build before indexed."""
    folder = root / cache.CACHE_DIR / FOLDER
    (root / cache.CACHE_DIR / SINCE).unlink(missing_ok=True)
    names = set() if shards is None else {_file_name(key) for key in shards.keys}
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name not in names:
                old.unlink(missing_ok=True)
    if shards is None:
        return
    missing = [k for k, key in enumerate(shards.keys) if not (folder / _file_name(key)).exists()]
    groups = search.members(site) if missing else []  # only when some shard is new
    for shard in missing:
        key = shards.keys[shard]
        documents = tuple((p.slug, search.document(site, p)) for p in groups[shard])
        paths = frozenset(search.shard_outputs(shard, memo.get(key, dict)))
        pickles.write_pickle(root, f"{FOLDER}/{_file_name(key)}", ShardInputs(documents, paths))


def _file_name(key: str) -> str:
    # The cache's version too: a file is written only when its name is new, and after an
    # upgrade the old version's pickles, which read_pickle refuses, would stay under the same
    # keys, so that every edit took the full path.
    name = f"{pickles.VERSION}\0{key}".encode()
    return hashlib.blake2b(name, digest_size=16).hexdigest() + ".pickle"


@dataclass(frozen=True)
class Indexed:
    """A shard's bundle as the output holds it: a digest of its documents, and its files."""

    documents: str
    paths: frozenset[str]


def _digest(documents: tuple[tuple[str, Document], ...]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for slug, document in documents:
        for part in (slug, document.url, document.html):
            digest.update(part.encode())
            digest.update(b"\0")
    return digest.hexdigest()


class Reindexing:
    """The shards being indexed again, in a thread (Pagefind runs in its own processes)."""

    def __init__(self, root: Path, built: str, since: dict[int, Indexed]) -> None:
        self._root, self._built, self._since = root, built, since
        self._changed: dict[int, tuple[ShardInputs, Indexed]] = {}
        self._bundles: list[dict[str, bytes]] = []
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None

    def start(self, changed: dict[int, tuple[ShardInputs, Indexed]], language: str) -> None:
        """Index each shard's new inputs; the Indexed is what the output holds now."""
        self._changed = changed
        if changed:
            batches = [[doc for _, doc in inputs.documents] for inputs, _ in changed.values()]
            # The main thread renders meanwhile, holding the GIL, which this thread needs at
            # each write to Pagefind and each read of its replies; Python hands it over
            # every 5 ms, and a shard Pagefind indexes in 0.33 s took 0.56 s beside a busy
            # thread. Every 0.1 ms while it runs: 0.33 s.
            switch = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
            self._thread = threading.Thread(target=self._index, args=(batches, language, switch))
            self._thread.start()

    def _index(self, batches: list[list[Document]], language: str, switch: float) -> None:
        try:
            self._bundles = index_batches(batches, language, processes=len(batches))
        except (PagefindError, OSError) as exc:
            self._error = exc
        finally:
            sys.setswitchinterval(switch)

    def wait(self) -> bool:
        """Wait for Pagefind; False if it failed (the full build reports why)."""
        if self._thread is not None:
            self._thread.join()
        return self._error is None

    def files(self) -> tuple[dict[str, bytes], set[str]]:
        """The shards' new files, and those of their bundles before that are no more."""
        files: dict[str, bytes] = {}
        gone: set[str] = set()
        for (shard, (inputs, before)), bundle in zip(
            self._changed.items(), self._bundles, strict=True
        ):
            made = search.shard_outputs(shard, bundle)
            gone |= before.paths - made.keys()
            files.update(made)
            self._since[shard] = Indexed(_digest(inputs.documents), frozenset(made))
        return files, gone

    def save(self) -> None:
        """Once the files are in place: what the output's shards are now made from."""
        if self._changed:
            pickles.write_pickle(self._root, SINCE, (self._built, self._since))


def start(
    root: Path, built: str, shards: Shards, site: Site, edited: Mapping[str, Prediction]
) -> Reindexing | None:
    """Start indexing again the shards of `edited` (slug -> its new version; `site` holds
    them) whose documents differ from those the output's bundle was made from; None when a
    shard's inputs are missing (the full build makes them)."""
    found = pickles.read_pickle(root, SINCE, tuple)
    since: dict[int, Indexed] = found[1] if found is not None and found[0] == built else {}
    by_shard: dict[int, dict[str, Document]] = {}
    for slug, p in edited.items():
        shard = search.shard_of(slug, shards.count)
        by_shard.setdefault(shard, {})[slug] = search.document(site, p)
    changed: dict[int, tuple[ShardInputs, Indexed]] = {}
    for shard, documents in sorted(by_shard.items()):
        base = pickles.read_pickle(root, f"{FOLDER}/{_file_name(shards.keys[shard])}", ShardInputs)
        if base is None:
            return None
        if not documents.keys() <= {slug for slug, _ in base.documents}:
            return None  # not the shard the full build put it in: let the full build see
        inputs = base.with_documents(documents)
        before = since.get(shard) or Indexed(_digest(base.documents), base.paths)
        if _digest(inputs.documents) != before.documents:
            changed[shard] = (inputs, before)
    reindexing = Reindexing(root, built, since)
    reindexing.start(changed, site.config.language)
    return reindexing
