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

from collections.abc import Callable, Mapping, Sequence

from builder.content.model import Prediction
from builder.errors import BuildFailed
from builder.render import search
from builder.site.model import Site
from builder.system.latest import Latest

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
        self._thread = Latest(self._index, "foretell-index")

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
        else:
            self._thread.give((site, groups, keys))

    def close(self) -> None:
        self._thread.close()

    def _index(self, latest: tuple[Site, list[list[Prediction]], list[str]]) -> None:
        try:
            self._make(*latest)
        except BuildFailed as failed:
            self._failed(failed)
            return
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
