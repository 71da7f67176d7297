"""The shortcut for the everyday rebuilds: some predictions edited in what no figure and no
list order of the site is made from.

When the only inputs changed since the last full build are prediction files, each edited in
one of these ways (edits.py), no score, list order or pagination but a term's can have
changed, and the shortcut makes just the outputs that show the edit, from a record the last
full build left, instead of loading the other 9,999 articles, building the model and
keying its 10,000 units and 3,700 other outputs (build.py):

- **body** (the most common): the article's page, and the feeds that carry it in full;
- **display**, its title, summary or references (display.py): all its own files, the list
  pages and feed items that show it, calendar.ics;
- **forecast**, a new confidence or update of an open prediction (forecasts.py): as a display
  edit, with its git history read again and its line in each track-record export;
- **terms**, the category or tags of an open prediction (terms.py): as a display edit, with
  every page and the feed of each term it left or joined, their index, the sitemap, the
  search page's counts and its line in each export.

The site's own static files (an image for an article) are copied too, or their copies
deleted (site_static.py). A file's warnings follow it (edits.Edits.warnings_now): the report
and the manifest's amendment hold the site's warnings as they are now. A draft edited, still
a draft with the same slug, aliases and terms, changes nothing of a site that leaves drafts
out, nor does a draft added that claims nothing another file claims (drafts.py), or a draft
deleted: only the warnings, the count of drafts and the stats are recorded, once every
output is found as built.

With search on, Pagefind indexes the shards holding the edited predictions meanwhile
(reindex.py). In a fresh checkout with the cache restored, where every stat moved, inputs and
outputs are compared by their bytes (restored.py). What the shortcut finds in the output and
how it writes there: shortcut_write.py.

Anything else, or any doubt (a missing or foreign record, a file with an error, an output
not as the last build left it, a theme that names `body_html` outside `prediction.html`), and
`try_build` returns None having written nothing: the build takes the full path. Tests hold the
result to a clean build's bytes.

The record and the parse cache stay as the last full build wrote them, so every article edited
since is taken again each time (up to edits.MAX_EDITED; unchanged bytes are not rewritten), as at
least the kinds of edit it was taken as, even once changed back (taken.py). The
outputs it rewrites get no page key in the manifest (in its amendment, cache.Amendment): the
next full build renders them again rather than trust a key computed from an earlier version of
the article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from builder.config.themes import TEMPLATES, Theme, find_theme
from builder.content import parsecache
from builder.content.crowd import CrowdTally
from builder.content.loader import FileEntry, draft_count, hidden_terms
from builder.errors import Problem
from builder.incremental import (
    cache,
    drafts,
    edits,
    freshness,
    shortcut_render,
    shortcut_write,
    site_static,
    spellings,
    taken,
)
from builder.incremental.freshness import Freshness
from builder.incremental.spellings import Spellings
from builder.options import BuildOptions, Report
from builder.site.model import Site
from builder.system import pickles
from builder.system.files import Stat, stat_files
from builder.trackrecord.history import FileHistory
from builder.trackrecord.records import AuthorStats

# Imported where used: display.py brings the whole pipeline, and the renderers (Jinja,
# feedgen) are imported while Pagefind indexes, when search is on (reindex.py).
if TYPE_CHECKING:
    from builder.incremental.forecasts import Patched
    from builder.incremental.reindex import Reindexing, Shards
    from builder.incremental.terms import Regrouped
    from builder.pipeline import Plan
    from builder.render.feeds import FeedFile
    from builder.render.outputs import Memo

RECORD = cache.SHORTCUT
SHOWN = cache.SHOWN  # display.py's part of the record, read only for a display edit


@dataclass
class Record:
    """What the last full build knew that the shortcut's edits cannot change."""

    context: str  # digest of every input but the prediction files, and of the options
    inputs: dict[str, Stat | None]  # every input's stat: tells which files changed since
    # Every author's figures (Site.stats), for the Site the shortcut renders from
    # (shortcut_render.excerpt_of); nothing it makes shows them: a prediction page takes only
    # its author's URL (render/author_figures.py says why).
    stats: Mapping[str, AuthorStats]
    history: Mapping[str, FileHistory]
    feeds: list[FeedFile]
    awaiting: int = 0  # the masthead on every page links awaiting/ while any are
    stamps: Mapping[str, object] = dataclasses.field(default_factory=dict)  # Site.stamps
    crowd: Mapping[str, CrowdTally] | None = None  # a resolved prediction's page shows its own
    built: str = ""  # the full build's inputs key: what was made after it (Shown, Taken) says so
    search: Shards | None = None  # the search index's shards, when search is on (reindex.py)
    # For a fresh checkout with the cache restored, where every stat differs (restored.py,
    # which keeps every input's content digest apart): what the record was made for but the
    # inputs, and git HEAD then (the history of files no commit since touched is as it was).
    frame: str = ""
    head: str | None = None
    # The drafts it left out, and every address the files claim, drafts too: what a draft
    # added since must not claim again (drafts.py).
    drafts: int = 0
    claims: frozenset[str] = frozenset()
    # The spellings of the terms, the drafts' names too: what a term edited or a draft added
    # since may not clash with (terms.py, drafts.py).
    spellings: Spellings = dataclasses.field(default_factory=Spellings)


def record_of(
    options: BuildOptions, fresh: Freshness, site: Site, memo: Memo, *, with_feeds: bool = True
) -> Record | None:
    """What a full build leaves for the shortcut (`memo` as the build filled it); None when
    the theme shows article bodies elsewhere than on their own page, where the shortcut
    would not know to render them again. Without `with_feeds`, its feeds are left for the
    caller to add (`feeds.all_feeds`) once the shortcut is sure to run (serve)."""
    from builder.incremental import reindex
    from builder.render import feeds

    if not _bodies_only_on_article_pages(find_theme(options.root, site.config.theme)):
        return None
    everything = feeds.all_feeds(site, memo) if with_feeds else []
    context = _context(options, fresh)
    history, stamps = site.history, site.stamps
    return Record(
        context, fresh.inputs, site.stats, history, everything, awaiting=site.awaiting,
        stamps=stamps, crowd=site.crowd, built=fresh.inputs_key, search=reindex.shards_of(site),
    )  # fmt: skip


def save_record(
    options: BuildOptions,
    fresh: Freshness,
    site: Site,
    memo: Memo,
    planned: Plan,
    files: Collection[FileEntry],
) -> None:
    """Called by every full build into a folder, once its output is in place, before its
    memo is saved (display.shown_of keeps its parts there); `files`, every file it read,
    drafts too: the terms they name (terms.py) and the addresses they claim (drafts.py)."""
    from builder.incremental import display, reindex, restored

    taken.forget(options.root)
    record = record_of(options, fresh, site, memo)
    reindex.save_inputs(options.root, site, memo, None if record is None else record.search)
    if record is None:
        for name in (RECORD, SHOWN, cache.DIGESTS):
            (options.root / cache.CACHE_DIR / name).unlink(missing_ok=True)
        return
    record.frame, record.head = restored.frame(options, fresh), fresh.head
    record.drafts = 0 if options.drafts else draft_count(files)
    record.claims = drafts.claims_of(files)
    record.spellings = spellings.counted(site.predictions, hidden_terms(files, options.drafts))
    restored.save_digests(options.root, record.built, fresh.inputs, site.predictions)
    pickles.write_pickle(options.root, RECORD, record)
    shown = display.shown_of(site, planned, memo, record.built)
    pickles.write_pickle(options.root, SHOWN, shown)


def _bodies_only_on_article_pages(theme: Theme) -> bool:
    """No template but the article page's names `body_html`. A theme that shows a body (or
    its length, say) on a list page takes the full path for every edit."""
    from builder.render import pages

    templates = theme.files(TEMPLATES)
    others = (path for name, path in templates.items() if name != pages.PREDICTION_TEMPLATE)
    return not any("body_html" in p.read_text(encoding="utf-8", errors="replace") for p in others)


def try_build(options: BuildOptions, fresh: Freshness) -> Report | None:
    """Build by the shortcut, or return None (having written nothing) when it does not apply."""
    root = options.root
    record = pickles.read_pickle(root, RECORD, Record)
    if record is None or record.built != fresh.manifest.built:  # not the manifest's
        return None
    changed = edited_files(options, fresh, record)
    as_built = shortcut_write.AsBuilt(fresh.manifest)
    moved = False  # HEAD moved since the record
    since = taken.read(root, record.built)
    if changed is None:  # a fresh checkout with the cache restored, or a commit, maybe
        from builder.incremental import restored

        checked = restored.changes(options, fresh, record)
        if checked is None:
            return None
        changed, as_built, moved = checked
        if not changed and not since.kinds_by_source:
            return shortcut_write.restated(options, fresh, as_built)
    static = [path for path in changed if site_static.is_site_static(path)]
    changed = sorted({*changed, *since.kinds_by_source} - set(static))
    if len(changed) > edits.MAX_EDITED:
        return None
    found = edits.find(options, fresh, changed, parsecache.load_entries(root, changed), since)
    if found is None:
        return None
    if found.added and not drafts.fit(record.claims, record.spellings, found):
        return None
    counted = record.drafts + len(found.added) - len(found.removed)
    copies = None
    if static:
        copies = site_static.copies(options, fresh, static, record.inputs.keys(), since.static)
        if copies is None:
            return None
    # Drafts alone, left out, or none (drafts added since the record, deleted again): nothing
    # of the site changed but its warnings and count of drafts.
    if not found.entries and copies is None:
        if shortcut_write.unchanged_stats(options, as_built, fresh.manifest.outputs) is None:
            return None  # but a file of it was changed by hand: the full build repairs it
        warnings = found.warnings_now(fresh.manifest.warnings, fresh.inputs)
        return shortcut_write.restated(options, fresh, as_built, warnings, counted)
    found.history_moved = moved
    # Pagefind starts first, in its own process: the rest is done while it indexes.
    reindexing = _reindexing(options, fresh, record, found)
    if reindexing is False:
        return None
    try:
        return _build(options, fresh, record, found, reindexing, as_built, counted, copies)
    finally:
        if reindexing is not None:
            reindexing.wait()  # declined halfway: no Pagefind outlives the build


def _build(
    options: BuildOptions,
    fresh: Freshness,
    record: Record,
    found: edits.Edits,
    reindexing: Reindexing | None,
    as_built: shortcut_write.AsBuilt,
    counted: int,
    copies: site_static.Copies | None,
) -> Report | None:
    """`counted`: the drafts left out now; `copies`: of the site's static files changed."""
    root = options.root
    shown = None
    if found.display:
        from builder.incremental import display

        shown = pickles.read_pickle(root, SHOWN, display.Shown)
        if not display.applies(shown, record.built, found.edited()):
            return None
    now, regrouped, patched = record, None, None
    if found.forecasts:
        from builder.incremental import forecasts

        with_history = forecasts.record_with_history(options, fresh, record, found)
        if with_history is None:
            return None
        now = with_history
    if "terms" in found.edit_kinds:
        from builder.incremental import terms

        assert shown is not None
        known = record.spellings
        regrouped = terms.regroup(shown, known, found.before, found.edited(), found.since)
        if regrouped is None or (copies and copies.paths & (regrouped.made | regrouped.gone)):
            return None  # a clash; or a term's page where a static file is copied
    if found.forecasts or regrouped is not None:  # their lines in the exports
        from builder.incremental import forecasts

        patched = forecasts.exports(fresh, record, now, found, partial(_output, options.out))
        if patched is None:
            return None
    untouched = partial(_untouched, fresh, as_built)
    files = shortcut_render.render(options, fresh, now, found, shown, untouched, regrouped)
    files |= {} if patched is None else patched.files
    files |= {} if copies is None else copies.files
    gone = set() if regrouped is None else set(regrouped.gone)
    gone |= set() if copies is None else copies.gone
    existing = shortcut_write.unchanged_stats(options, as_built, files.keys() | gone)
    if existing is None:
        return None
    warnings = found.warnings_now(fresh.manifest.warnings, fresh.inputs)
    done = shortcut_write.write(
        options, fresh, files, existing, reindexing, as_built, gone, warnings, counted
    )
    if done is None:
        return None
    _taken(root, found, regrouped, patched, () if copies is None else copies.files)
    return _report(fresh, files, *done, warnings, counted)


def _taken(
    root: Path,
    found: edits.Edits,
    regrouped: Regrouped | None,
    patched: Patched | None,
    copied: Iterable[str],
) -> None:
    """What this shortcut took, added to what the shortcuts since took (taken.py)."""
    lines = None if patched is None else patched.lines  # the next shortcut finds them there
    shapes, made = (None, ()) if regrouped is None else (regrouped.terms, regrouped.made)
    entries = found.entries
    taken.save(root, found.since, found.kinds_by_source, shapes, made, lines, entries, copied)


def _report(
    fresh: Freshness,
    files: Mapping[str, bytes],
    written: set[str],
    deleted: set[str],
    warnings: list[Problem],
    drafts: int,
) -> Report:
    site_files = (fresh.manifest.outputs.keys() - deleted) | files.keys()
    pages = sum(path.endswith(".html") for path in site_files)
    counts = (pages, len(site_files), len(written), len(files))
    return Report(*counts, warnings, way="shortcut", drafts=drafts)


def _reindexing(
    options: BuildOptions, fresh: Freshness, record: Record, found: edits.Edits
) -> Reindexing | Literal[False] | None:
    """The search shards of the edits being indexed again (reindex.py), None when search is
    off, False when the shortcut cannot do it."""
    if record.search is None:
        return None
    from builder.incremental import reindex

    edited = found.edited()
    site = shortcut_render.excerpt_of(fresh, record, edited.values())
    indexed = {slug: p for slug, p in edited.items() if not p.draft}  # a --drafts preview's
    started = reindex.start(options.root, record.built, record.search, site, indexed)
    return False if started is None else started


def _output(out: Path, path: str) -> bytes | None:
    try:
        return (out / path).read_bytes()
    except OSError:
        return None


def edited_files(
    options: BuildOptions, fresh: Freshness, record: Record | None
) -> list[str] | None:
    """The prediction files and the site's static files changed since `record` was made, or
    None when the shortcut cannot apply (no record, anything else changed, a problem in
    site.yaml)."""
    config, config_problems = fresh.config
    if record is None or config is None or config_problems:
        return None
    if record.context != _context(options, fresh):
        return None
    return edits.changed_sources(record.inputs, fresh.inputs, static=True)


def _context(options: BuildOptions, fresh: Freshness) -> str:
    others = {k: v for k, v in fresh.inputs.items() if not edits.shortcut_takes(k)}
    return freshness.inputs_key_of(others, fresh.head, fresh.today, options)


def _untouched(fresh: Freshness, as_built: shortcut_write.AsBuilt, path: str) -> bool:
    """The output is as a full build made it: it has a key (the shortcut records none) and
    is as built."""
    found = fresh.manifest.outputs.get(path)
    keyed = found is not None and found[0] is not None
    # The one file's stat: fresh.current stats all 53,600 at 10,000 (0.13 s).
    return keyed and stat_files(fresh.out, [path]).get(path) == as_built.stat(path)
