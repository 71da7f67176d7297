"""serve's search index, made apart from the pages: a rebuild does not wait for Pagefind.

Pagefind takes about 0.45 s to index a shard again, more than the rest of a rebuild at
1,000 predictions (about 0.1 s): waiting for it made every save of a search site take 0.6 s
to be served. So serve's Rebuilder leaves the index out (pipeline.plan's `index`), and
`LiveIndex` indexes the shards whose key is new on a thread of its own, after the rebuild;
the pages are served meanwhile with the index as it was, and its new files join them when
Pagefind is done, without reloading the open pages.

Pagefind names most of its files by a hash of their bytes, and an open search page keeps
reading the files its index named when it loaded: so the new files join those served
(LiveSite), replacing only those with fixed names, until the next rebuild, which reloads every
open page. A page loaded after the update reads the new index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from builder.content.model import Prediction
from builder.errors import BuildFailed
from builder.render import search
from builder.site.model import Site

Bundle = Mapping[str, bytes]


class LiveIndex:
    """The search index's files as last made; `made(files)` is told of each new version (on
    the indexing thread), `failed(error)` of a Pagefind that could not run."""

    def __init__(
        self,
        made: Callable[[Mapping[str, bytes]], None],
        failed: Callable[[BuildFailed], None],
    ) -> None:
        self.files: Mapping[str, bytes] = {}  # the index's files, replaced whole
        self._made, self._failed = made, failed
        self._bundles: dict[str, Bundle] = {}  # shard key -> its bundle, as indexed
        self._latest: tuple[Site, list[list[Prediction]], list[str]] | None = None
        self._closed = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="foretell-index", daemon=True)
        self._thread.start()

    def index(self, site: Site, *, wait: bool) -> None:
        """Make the index of `site`: now (`wait`, the first build, which fails if Pagefind
        does), or on the indexing thread, the latest site replacing one not begun."""
        if not site.config.search:
            self.files = {}
            return
        groups = search.members(site)
        keys = [search.shard_key(site, group) for group in groups]
        if wait:
            self._make(site, groups, keys)
            return
        with self._wake:
            self._latest = (site, groups, keys)
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._latest is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                (site, groups, keys), self._latest = self._latest, None
            try:
                self._make(site, groups, keys)
            except BuildFailed as failed:
                self._failed(failed)
                continue
            self._made(self.files)

    def _make(self, site: Site, groups: Sequence[Sequence[Prediction]], keys: list[str]) -> None:
        missing = [shard for shard, key in enumerate(keys) if key not in self._bundles]
        if missing:
            made = search.index_missing(site, groups, missing)
            self._bundles.update((keys[shard], made[n]) for n, shard in enumerate(missing))
        self._bundles = {key: self._bundles[key] for key in keys}  # those of this site only
        files: dict[str, bytes] = {}
        for shard, key in enumerate(keys):
            files.update(search.shard_outputs(shard, self._bundles[key]))
        self.files = files
