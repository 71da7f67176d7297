"""The shortcut for the everyday rebuilds: some predictions edited in what no figure, order or
grouping of the site is made from.

When the only inputs changed since the last full build are prediction files, each edited in
one of these ways, no score, term, list order, pagination or sitemap can have changed, and the
shortcut makes just the outputs that show the edit, from a record the last full build left,
instead of loading the other 9,999 articles, building the model and fingerprinting 23,000
outputs:

- **body** (the most common): the article's page, and the feeds that carry it in full;
- **display**, its title, summary or references (display.py): all its own files, the list
  pages and feed items that show it, calendar.ics;
- **forecast**, a new confidence or update of an open prediction (forecasts.py): as a display
  edit, with its git history read again and its line in each track-record export.

With search on, Pagefind indexes the shards holding the edited predictions meanwhile
(reindex.py). In a fresh checkout with the cache restored, where every stat moved, inputs and
outputs are compared by their bytes (restored.py). What the shortcut finds in the output and
how it writes there: shortcut_write.py.

Anything else, or any doubt (a missing or foreign record, a file with a problem, an output
not as the last build left it, a theme that names `body_html` outside `prediction.html`), and
`try_build` returns None having written nothing: the build takes the full path. Tests hold the
result to a clean build's bytes.

The record and the parse cache stay as the last full build wrote them, so every article edited
since is taken again each time (up to MAX_EDITED; unchanged bytes are not rewritten), as at
least the kinds of edit it was taken as, even once changed back (taken.py). The
outputs it rewrites get no page key in the manifest (in its amendment, cache.Amendment): the
next full build renders them again rather than trust a key computed from an earlier version of
the article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from builder.config.themes import TEMPLATES, Theme, find_theme
from builder.content.crowd import CrowdTally
from builder.content.loader import PREDICTIONS_DIR, FileEntry, read_entry
from builder.content.model import (
    Prediction,
    differs_in_display_only,
    differs_in_open_forecasts,
    differs_in_open_terms,
)
from builder.incremental import cache, freshness, shortcut_write, taken
from builder.incremental.freshness import Freshness
from builder.options import BuildOptions, Report
from builder.site.model import Site, excerpt
from builder.system.files import Stat
from builder.trackrecord.history import FileHistory
from builder.trackrecord.records import AuthorStats

# Imported where used: display.py brings the whole pipeline, and the renderers (Jinja,
# feedgen) are imported while Pagefind indexes, when search is on (reindex.py).
if TYPE_CHECKING:
    from builder.incremental.display import Shown
    from builder.incremental.reindex import Reindexing, Shards
    from builder.incremental.terms import Regrouped
    from builder.pipeline import Plan
    from builder.render.feeds import FeedFile
    from builder.render.outputs import Memo
    from builder.render.templates import PageSpec

RECORD = cache.SHORTCUT
SHOWN = cache.SHOWN  # display.py's part of the record, read only for a display edit
_PREDICTION_FILES = PREDICTIONS_DIR.as_posix() + "/"
# Every file edited since the last full build is taken again at each shortcut (its record
# stays as that build left it): past this many, the full build is taken, and leaves a new
# record (at 10,000 predictions, a display edit adds ~40 ms to each shortcut after it).
MAX_EDITED = 8


@dataclass
class Record:
    """What the last full build knew that the shortcut's edits cannot change."""

    context: str  # digest of every input but the prediction files, and of the options
    inputs: dict[str, Stat | None]  # every input's stat: tells which files changed since
    stats: Mapping[str, AuthorStats]  # shown on every prediction page
    history: Mapping[str, FileHistory]
    feeds: list[FeedFile]
    awaiting: int = 0  # the masthead on every page links awaiting/ while any are
    stamps: Mapping[str, object] = dataclasses.field(default_factory=dict)  # Site.stamps
    crowd: Mapping[str, CrowdTally] | None = None  # a resolved prediction's page shows its own
    token: str = ""  # the build's input stamp: the Shown made with this record carries it
    search: Shards | None = None  # the search index's shards, when search is on (reindex.py)
    # For a fresh checkout with the cache restored, where every stat differs (restored.py,
    # which keeps every input's content digest apart): what the record was made for but the
    # inputs, and git HEAD then (the history of files no commit since touched is as it was).
    frame: str = ""
    head: str | None = None


@dataclass
class Edits:
    """The edited files read again, each a good published prediction."""

    entries: dict[str, FileEntry]
    before: dict[str, Prediction]  # slug -> the version the record was made with
    kinds: set[str]  # of edit (_edit_kind): body, display, forecast
    # source -> the kinds each file is taken as: its own, and those the shortcuts since the
    # last full build took it as (taken.py)
    taken: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    since: taken.Taken = dataclasses.field(default_factory=lambda: taken.Taken(""))
    # The slugs of those a shortcut since took: what the output shows of them may be neither
    # the record's version nor this one, so each file showing them is written.
    again: frozenset[str] = frozenset()
    # Commits since the record touched them (a later HEAD: restored.py), so their history,
    # which every one of their files shows, is another.
    history_moved: bool = False

    @property
    def display(self) -> bool:
        """Some differ in more than the body (content.model.DISPLAY_ONLY), or in their
        history: display.py."""
        return bool(self.kinds - {"body"}) or self.history_moved

    @property
    def forecasts(self) -> bool:
        """Some differ in their open forecasts too, or in their history: forecasts.py reads
        it again and replaces their lines in the exports."""
        return "forecast" in self.kinds or self.history_moved

    def edited(self) -> dict[str, Prediction]:
        return {_slug(e): _prediction(e) for e in self.entries.values()}


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
        context, fresh.inputs, site.stats, history, everything, site.awaiting, stamps, site.crowd,
        fresh.stamp, reindex.shards_of(site),
    )  # fmt: skip


def remember(
    options: BuildOptions,
    fresh: Freshness,
    site: Site,
    memo: Memo,
    planned: Plan,
    hidden: Iterable[tuple[str, str]] = (),
) -> None:
    """Called by every full build into a folder, once its output is in place, before its
    memo is saved (display.shown_of keeps its parts there); `hidden`, the (kind, name) of
    the terms its drafts name (terms.py)."""
    from builder.incremental import display, reindex, restored

    taken.forget(options.root)
    record = record_of(options, fresh, site, memo)
    reindex.remember(options.root, site, memo, None if record is None else record.search)
    if record is None:
        for name in (RECORD, SHOWN, cache.DIGESTS):
            (options.root / cache.CACHE_DIR / name).unlink(missing_ok=True)
        return
    record.frame, record.head = restored.frame(options, fresh), fresh.head
    restored.remember(options.root, record.token, fresh.inputs, site.predictions)
    cache.write_pickle(options.root, RECORD, record)
    shown = display.shown_of(site, planned, memo, record.token, hidden)
    cache.write_pickle(options.root, SHOWN, shown)


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
    record = cache.read_pickle(root, RECORD, Record)
    if record is None:
        return None
    changed = edited_files(options, fresh, record)
    as_built = shortcut_write.AsBuilt(fresh.manifest)
    moved = False  # HEAD moved since the record
    since = taken.read(root, record.token)
    if changed is None:  # a fresh checkout with the cache restored, or a commit, maybe
        checked = _restored(options, fresh, record)
        if checked is None:
            return None
        changed, as_built, moved = checked
        if not changed and not since.kinds:
            return shortcut_write.restated(options, fresh, as_built)
    elif not changed:
        return None
    changed = sorted({*changed, *since.kinds})
    if len(changed) > MAX_EDITED:
        return None
    found = edits(options, fresh, changed, cache.load_entries(root, changed), since)
    if found is None:
        return None
    found.history_moved = moved
    # Pagefind starts first, in its own process: the rest is done while it indexes.
    reindexing = _reindexing(options, fresh, record, found)
    if reindexing is False:
        return None
    try:
        return _build(options, fresh, record, found, reindexing, as_built)
    finally:
        if reindexing is not None:
            reindexing.wait()  # declined halfway: no Pagefind outlives the build


def _build(
    options: BuildOptions,
    fresh: Freshness,
    record: Record,
    found: Edits,
    reindexing: Reindexing | None,
    as_built: shortcut_write.AsBuilt,
) -> Report | None:
    root = options.root
    shown = None
    if found.display:
        from builder.incremental import display

        shown = cache.read_pickle(root, SHOWN, display.Shown)
        if not display.applies(shown, record.token, found.edited()):
            return None
    now, exports = record, None
    if found.forecasts:
        from builder.incremental import forecasts

        now = forecasts.with_history(options, fresh, record, found)
        read = partial(_output, options.out)
        exports = None if now is None else forecasts.exports(fresh, record, now, found, read)
        if now is None or exports is None:
            return None
    regrouped = None
    if "terms" in found.kinds:
        from builder.incremental import forecasts, terms

        assert shown is not None
        regrouped = terms.regroup(shown, found.before, found.edited(), found.since)
        if regrouped is None:
            return None
        if not found.forecasts:  # the exports' tags
            read = partial(_output, options.out)
            exports = forecasts.exports(fresh, record, record, found, read)
            if exports is None:
                return None
    untouched = partial(_untouched, fresh, as_built)
    files = render(options, fresh, now, found, shown, untouched, regrouped) | (exports or {})
    gone = () if regrouped is None else regrouped.gone
    existing = shortcut_write.unchanged_stats(options, as_built, files.keys() | gone)
    if existing is None:
        return None
    done = shortcut_write.write(options, fresh, files, existing, reindexing, as_built, gone)
    if done is None:
        return None
    written, deleted = done
    made = () if regrouped is None else regrouped.made
    touched = () if regrouped is None else regrouped.touched
    lines = None
    if exports is not None:  # the next shortcut finds these lines there
        from builder.incremental import forecasts

        lines = forecasts.lines(fresh, now, found)
    taken.save(root, found.since, found.taken, touched, made, lines)
    site_files = (fresh.manifest.outputs.keys() - deleted) | files.keys()
    pages = sum(path.endswith(".html") for path in site_files)
    counts = freshness.no_op_report(fresh)  # its warnings and drafts
    return dataclasses.replace(
        counts, pages=pages, files=len(site_files), changed=len(written), rendered=len(files),
        way="shortcut",
    )  # fmt: skip


def _restored(
    options: BuildOptions, fresh: Freshness, record: Record
) -> tuple[list[str], shortcut_write.AsBuilt, bool] | None:
    """As a fresh checkout with the cache restored, or a later commit, finds them
    (restored.py): the prediction files whose bytes changed since the record, or that a
    commit since touched; the output, each file checked by its bytes; and whether HEAD
    moved. None unless only prediction files changed, and every output is as built."""
    from builder.incremental import restored

    config, config_problems = fresh.config
    if config is None or config_problems or not record.frame:
        return None
    if record.frame != restored.frame(options, fresh):
        return None
    changed = restored.edited(options, fresh, record.token, record.inputs)
    moved = fresh.head != record.head
    if moved and changed is not None:
        touched = restored.touched(options.root, record.head, fresh.head, fresh.inputs)
        # Only a prediction's history is shown: another file's is nothing to remake.
        changed = None if touched is None else sorted({*changed, *filter(_is_article, touched)})
    if changed is None or len(changed) > MAX_EDITED or not all(map(_is_article, changed)):
        return None
    verified = restored.verified_outputs(fresh)
    if verified is None:
        return None
    return changed, shortcut_write.AsBuilt(fresh.manifest, verified), moved


def _reindexing(
    options: BuildOptions, fresh: Freshness, record: Record, found: Edits
) -> Reindexing | Literal[False] | None:
    """The search shards of the edits being indexed again (reindex.py), None when search is
    off, False when the shortcut cannot do it."""
    if record.search is None:
        return None
    from builder.incremental import reindex

    edited = found.edited()
    site = excerpt_of(fresh, record, edited.values())
    started = reindex.start(options.root, record.token, record.search, site, edited)
    return False if started is None else started


def _output(out: Path, path: str) -> bytes | None:
    try:
        return (out / path).read_bytes()
    except OSError:
        return None


def edited_files(
    options: BuildOptions, fresh: Freshness, record: Record | None
) -> list[str] | None:
    """The prediction files changed since `record` was made, or None when the shortcut cannot
    apply (no record, anything else changed, a problem in site.yaml)."""
    config, config_problems = fresh.config
    if record is None or config is None or config_problems:
        return None
    if record.context != _context(options, fresh):
        return None
    return _changed_articles(record.inputs, fresh.inputs)


def edits(
    options: BuildOptions,
    fresh: Freshness,
    changed: list[str],
    previous: Mapping[str, FileEntry],
    since: taken.Taken | None = None,
) -> Edits | None:
    """The changed files read again, or None unless each differs from its `previous` entry
    as _edit_kind allows. Each is taken as its edit and as the kinds the shortcuts `since`
    the last full build took it as (taken.py)."""
    assert fresh.config[0] is not None
    authors = frozenset(a.key for a in fresh.config[0].authors)
    new: dict[str, FileEntry] = {}
    before: dict[str, Prediction] = {}
    kinds: dict[str, frozenset[str]] = {}
    since = since or taken.Taken("")
    for source in changed:
        old = previous.get(source)
        if old is None:
            return None
        entry = read_entry(options.root, (source, None), authors)
        kind = _edit_kind(old, entry)
        if kind is None:
            return None
        kinds[source] = frozenset({kind}) | since.kinds.get(source, frozenset())
        new[source] = entry
        before[_slug(old)] = _prediction(old)
    again = frozenset(_slug(previous[source]) for source in changed if source in since.kinds)
    return Edits(new, before, set().union(*kinds.values()), kinds, since, again)


def render(
    options: BuildOptions,
    fresh: Freshness,
    record: Record,
    found: Edits,
    shown: Shown | None,
    untouched: Callable[[str], bool],
    regrouped: Regrouped | None = None,
) -> dict[str, bytes]:
    """The outputs that show the edited predictions: for a body edit, their pages and the
    feeds carrying them; for a display edit, all their own files, the list pages and feeds
    showing them and the calendar (from `shown`), but the files `untouched` since the full
    build whose inputs the edit left alone (display.made_again); for a term edit, the
    files of the terms `regrouped` too (terms.py). `record.feeds` (and `shown`) are
    updated to the new content."""
    from builder.render import feeds, pages

    edited = found.edited()
    site_of = partial(excerpt_of, fresh, record)
    if shown is None:
        site = site_of(edited.values())
        specs, files = [pages.prediction_page(site, p) for p in edited.values()], {}
    else:
        from builder.incremental import display

        # A file kept as it is must be the same from the site before: forecast edits read
        # the history and stamps again, which the record's `before` versions were seen with.
        before = {} if found.forecasts else found.before
        site, specs, files = display.made_again(
            shown, edited, before, site_of, untouched, found.again, regrouped
        )
    if regrouped is not None:
        from builder.incremental import terms

        assert shown is not None
        specs += terms.search_page(site, shown, found.before, edited)
    files.update(_rendered(site, options.root, specs))
    if regrouped is not None:
        assert shown is not None
        full = partial(_with_body, options.root, edited)
        files |= terms.files(site, regrouped, shown, record.feeds, full)
    for index, file in enumerate(record.feeds):
        remade = _with_items(site, file, edited, found.again)
        if remade is not file:
            record.feeds[index] = remade
            files[file.path] = feeds.serialize(site, remade)
    return files


def excerpt_of(fresh: Freshness, record: Record, predictions: Iterable[Prediction]) -> Site:
    """The site as the shortcut renders it: `predictions` and the record's site-wide parts."""
    config = fresh.config[0]
    assert config is not None
    return excerpt(
        config, fresh.today, predictions, record.stats, record.history, record.awaiting,
        record.stamps,  # type: ignore[arg-type]
        crowd=record.crowd,
    )  # fmt: skip


def _context(options: BuildOptions, fresh: Freshness) -> str:
    others = {k: v for k, v in fresh.inputs.items() if not _is_article(k)}
    return freshness.stamp_of(others, fresh.head, fresh.today, options)


def _is_article(path: str) -> bool:
    return path.startswith(_PREDICTION_FILES) and path.endswith(".md")


def _changed_articles(
    before: Mapping[str, Stat | None], now: Mapping[str, Stat | None]
) -> list[str] | None:
    """The prediction files whose stat changed, or None when anything else changed too (a
    file added or removed, site.yaml, a template...), or when more than MAX_EDITED did."""
    if before.keys() != now.keys():
        return None
    changed = sorted(path for path, stat in now.items() if before[path] != stat)
    if len(changed) > MAX_EDITED:
        return None
    return changed if all(_is_article(path) for path in changed) else None


def _edit_kind(old: FileEntry, new: FileEntry) -> str | None:
    """The kind of edit, when both versions are good, published predictions: "body" when
    they differ in their body alone, "display" when in what they display alone
    (model.DISPLAY_ONLY), "forecast" when in that and the forecasts of a prediction not
    resolved (model.OPEN_FORECASTS), "terms" when in that and the category and tags of one
    (model.TERMS, terms.py); else None."""
    a, b = old.result.prediction, new.result.prediction
    if a is None or b is None or old.result.problems or new.result.problems or b.draft:
        return None
    if _without_body(a) == _without_body(b):
        return "body"
    if differs_in_display_only(a, b):
        return "display"
    if differs_in_open_forecasts(a, b):
        return "forecast"
    return "terms" if differs_in_open_terms(a, b) else None


def _without_body(p: Prediction) -> Prediction:
    return dataclasses.replace(p, body_html="", digest="")


def _prediction(entry: FileEntry) -> Prediction:
    assert entry.result.prediction is not None  # edits() takes good predictions only
    return entry.result.prediction


def _slug(entry: FileEntry) -> str:
    return _prediction(entry).slug


def _rendered(site: Site, root: Path, specs: list[PageSpec]) -> dict[str, bytes]:
    from builder.render import assets
    from builder.render.templates import Renderer

    theme = find_theme(root, site.config.theme)
    _, names = assets.theme_assets(theme)
    bytecode_dir = root / cache.CACHE_DIR / "templates"
    bytecode_dir.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(site, theme, names, bytecode_dir)
    return {spec.path: renderer.render(spec) for spec in specs}


def _with_items(
    site: Site, file: FeedFile, edited: Mapping[str, Prediction], again: Collection[str] = ()
) -> FeedFile:
    """The feed with the items of the edited predictions made again; the very `file` when
    none of them is in it, or none of its items changed and none is `again`
    (Edits.again)."""
    if not any(slug in edited for slug in file.slugs):
        return file
    from builder.render import feeds

    base_url = site.config.url

    def content(p: Prediction) -> str:
        return feeds.article_html(p, base_url)

    items = tuple(
        file.item(site, edited[slug], content) if slug in edited else item
        for item, slug in zip(file.feed.items, file.slugs, strict=True)
    )
    if items == file.feed.items and not any(slug in again for slug in file.slugs):
        return file
    return dataclasses.replace(file, feed=dataclasses.replace(file.feed, items=items))


def _with_body(root: Path, edited: Mapping[str, Prediction], p: Prediction) -> Prediction:
    """`p` with its body: edited, or from the parse cache (the record's are without)."""
    if p.slug in edited:
        return edited[p.slug]
    entry = cache.load_entries(root, [p.source])[p.source]
    assert entry.result.prediction is not None
    return entry.result.prediction


def _untouched(fresh: Freshness, as_built: shortcut_write.AsBuilt, path: str) -> bool:
    """The output is as a full build made it: it has a key (the shortcut records none) and
    is as built."""
    found = fresh.manifest.outputs.get(path)
    keyed = found is not None and found[0] is not None
    return keyed and fresh.current.get(path) == as_built.stat(path)
