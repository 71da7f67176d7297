"""What the shortcut renders (shortcut.py): the edited predictions' pages and the feeds
carrying them, and for a display, forecast or term edit what display.py and terms.py make,
from the record's site-wide parts (`excerpt_of`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from builder.config.themes import find_theme
from builder.content import parsecache
from builder.content.model import Prediction
from builder.incremental import cache
from builder.incremental.edits import Edits
from builder.incremental.freshness import Freshness
from builder.options import BuildOptions
from builder.site.model import Site, excerpt

if TYPE_CHECKING:
    from builder.incremental.display import Shown
    from builder.incremental.shortcut import Record
    from builder.incremental.terms import Regrouped
    from builder.render.feeds import FeedFile
    from builder.render.templates import PageSpec


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
    from builder.render import feed_html

    base_url = site.config.url

    def content(p: Prediction) -> str:
        return feed_html.article_html(p, base_url)

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
    entry = parsecache.load_entries(root, [p.source])[p.source]
    assert entry.result.prediction is not None
    return entry.result.prediction
