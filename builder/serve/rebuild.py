"""The site built again and again in memory, for `serve`: what one build learnt (parsed files,
rendered pages, the memo, the shortcut's record) is kept for the next. After the first build,
a full rebuild makes each changed file only when it is asked for (lazy.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Literal

from builder.content import parsecache
from builder.content.loader import FileEntry
from builder.errors import Problem
from builder.incremental import (
    display,
    edits,
    forecasts,
    freshness,
    history,
    shortcut,
    shortcut_render,
)
from builder.incremental.build import Rendered, pending_site, render_site
from builder.incremental.cache import UnitRecord
from builder.incremental.display import Shown
from builder.incremental.freshness import Freshness
from builder.incremental.site_static import is_site_static
from builder.options import BuildOptions
from builder.pipeline import load
from builder.render import feeds
from builder.render.feeds import FeedFile
from builder.render.outputs import Later, Memo
from builder.serve import warm
from builder.serve.lazy import LazyFiles, Pending
from builder.site.model import Site


class InMemory:
    """The sink of `serve`: the files themselves travel back to the main process."""

    parallel_writes = False  # keeping bytes is no work: no worker need do it

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, path: str, data: bytes) -> bytes:
        return data

    def record(self, path: str, written: bytes) -> None:
        self.files[path] = written


class Rebuilder:
    """Builds one site again and again in memory (for `serve`), reusing what has not changed:
    unchanged files are not parsed again and unchanged pages not rendered again (the first
    build starts from the last `foretell build`'s: warm.py), and when only prediction files
    changed, in a body, display or forecast edit, only what shows the edits is made
    (shortcut.py; a terms edit takes a full rebuild, in memory fast enough; a draft left out
    makes nothing).

    `files()` returns the whole site as {path: bytes} (LazyFiles: a page changed by a full
    rebuild is rendered when read), or raises BuildFailed with every problem.
    """

    def __init__(self, options: BuildOptions, *, index: bool = True) -> None:
        self.options = options
        self.index = index  # the search index among the files (LiveSite makes it apart)
        self.site: Site | None = None  # the last full build's, with the shortcut's edits since
        self.warnings: list[Problem] = []
        self._entries: dict[str, FileEntry] = {}
        self._pages: dict[str, tuple[str, bytes | Pending]] = {}  # path -> (key, bytes)
        self._units: dict[str, UnitRecord] = {}  # slug -> its unit as last built
        # The last full rebuild's memo and its predictions' digests: what it keeps is taken
        # at the next one, so that the values its pending files fill in when they are made,
        # after it returned (lazy.py), are carried too.
        self._memo, self._live = Memo(), frozenset[str]()
        self._record: shortcut.Record | None = None  # what the shortcut needs, if it may run
        # How to make the record's feeds once the shortcut is sure to run: every feed of
        # the site (a seventh of a full rebuild at 1,000), which no other edit needs.
        self._feeds_of: Callable[[], list[FeedFile]] | None = None
        # Likewise what a display edit needs (display.py), made at the first one.
        self._shown_of: Callable[[], Shown] | None = None
        self._shown: Shown | None = None
        self._files = LazyFiles()  # the site as last built
        self.way: Literal["shortcut", "full"] = "full"  # how the last build went

    def files(self) -> LazyFiles:
        fresh = freshness.check(self.options, output=False)
        if (fast := self._by_shortcut(fresh)) is not None:
            self.way = "shortcut"
            return fast
        # No shortcut until this build succeeds.
        self.way, self._record, self._feeds_of = "full", None, None
        self._shown_of = self._shown = None
        if not self._entries:  # the files unchanged since the last `foretell build`, as it
            # parsed them: 0.5 s at 10,000 predictions, against 16 s of parsing on two cores
            self._entries = parsecache.load_files(self.options.root)
        loaded = load(self.options, fresh.today, self._entries, fresh.config, fresh.inputs)
        self._entries, self.warnings = loaded.files, loaded.warnings
        previous = {path: key for path, (key, _) in self._pages.items()}
        root = self.options.root
        site = history.with_history(loaded.site, root, fresh.head)
        memo = Memo(self._memo.retained(self._live))
        units, index = self._units, self.index
        if self._pages:  # a rebuild: each changed file made when asked for (lazy.py)
            rendered, made = pending_site(site, root, previous, memo, units, index=index)
            files = {path: _pending(data) for path, data in made.items()}
        else:  # the first build, on every core: what changed since `foretell build` (warm.py)
            rendered, memo, first = self._first(site)
            files = dict[str, bytes | Pending](first)
        self.site = site
        self._units = rendered.units
        self._memo, self._live = memo, frozenset(p.digest for p in site.predictions)
        pages = {path: self._pages[path] for path in rendered.reused if path in self._pages}
        for path, key in rendered.keys.items():
            if path not in pages:
                pages[path] = (key, files[path])
        self._pages = pages
        self._record = shortcut.record_of(self.options, fresh, site, memo, with_feeds=False)
        self._feeds_of = partial(feeds.all_feeds, site, memo)
        if self._record is not None:
            record, planned = self._record, rendered.planned
            self._shown_of = lambda: display.shown_of(site, planned, memo, record.built)
        self._files = LazyFiles({**files, **{path: data for path, (_, data) in pages.items()}})
        return self._files

    def _first(self, site: Site) -> tuple[Rendered, Memo, dict[str, bytes]]:
        """The first build: the files whose key changed since the last build into the output
        folder made, the others read back from it (warm.py); every file made, without one."""
        root, index = self.options.root, self.index
        last = warm.last_build(self.options)
        sink, memo = InMemory(), Memo(last.memo)
        rendered = render_site(site, root, sink, last.keys, memo, last.units, index=index)
        kept = warm.read_back(self.options, last, rendered.reused)
        if kept is None:  # written again meanwhile (a build beside serve): make them all
            sink, memo = InMemory(), Memo()
            rendered = render_site(site, root, sink, None, memo, None, index=index)
            kept = {}
        return rendered, memo, {**sink.files, **kept}

    def _by_shortcut(self, fresh: Freshness) -> LazyFiles | None:
        changed = shortcut.edited_files(self.options, fresh, self._record)
        if not changed or self._record is None or any(map(is_site_static, changed)):
            return None  # a static file: a rebuild in memory, fast enough
        # The search shards are indexed again by full builds, unless the caller indexes them
        # apart (LiveSite: serve/searching.py), from `site`, which the shortcut keeps current.
        if self._record.search is not None and self.index:
            return None
        found = edits.find(self.options, fresh, changed, self._entries)
        # A terms edit, or a draft added or deleted, takes a rebuild in memory: under 300 ms
        # at 1,000 (serve keeps no record of the addresses and names drafts claim: drafts.py).
        if found is None or "terms" in found.edit_kinds or found.added or found.removed:
            return None
        if not found.entries:  # drafts alone, left out: nothing of the site changed
            self._record.inputs = fresh.inputs
            self._entries.update(found.drafts)
            self.warnings = found.warnings_now(self.warnings, fresh.inputs)
            return self._files
        if self._feeds_of is not None:
            self._record.feeds, self._feeds_of = self._feeds_of(), None
        if found.display and self._shown is None and self._shown_of is not None:
            self._shown, self._shown_of = self._shown_of(), None
        shown = self._shown if found.display else None
        if found.display and not display.applies(shown, self._record.built, found.edited()):
            return None
        record, exports = self._record, {}
        if found.forecasts:
            now = forecasts.record_with_history(self.options, fresh, record, found)
            if now is None:
                return None
            patched = forecasts.exports(fresh, record, now, found, self._files.get)
            if patched is None:
                return None
            exports = patched.files
            record = self._record = now
        untouched = lambda path: bool(self._pages.get(path, (STALE, b""))[0])  # noqa: E731
        made = (
            shortcut_render.render(self.options, fresh, record, found, shown, untouched) | exports
        )
        # The record now describes this version: the next shortcut starts from here.
        record.inputs = fresh.inputs
        self._entries.update(found.entries)
        self._entries.update(found.drafts)
        self.warnings = found.warnings_now(self.warnings, fresh.inputs)
        if self.site is not None:  # none of the edits moves a prediction, or changes a status
            edited = found.edited()
            kept = tuple(edited.get(p.slug, p) for p in self.site.predictions)
            self.site = dataclasses.replace(self.site, predictions=kept)
        for path, data in made.items():
            self._pages[path] = (STALE, data)
        self._files = self._files.updated(made)
        return self._files


def _pending(data: bytes | Later) -> bytes | Pending:
    return Pending(data.make) if isinstance(data, Later) else data


# Never a page key: what the shortcut made is rendered again by the next full build, rather
# than trusted under a key computed from an earlier version of its article.
STALE = ""
