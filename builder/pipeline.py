"""The build, step by step: config -> content -> site -> render -> write.

- `load(options, today)` reads and validates everything, raising BuildFailed with every
  problem found, and builds the Site for `today` (`Loaded`: with the warnings and the files
  read);
- `plan(site, root, memo)` lists every file made from many predictions (`Plan`): its pages
  (specs to render, the paginated lists apart), the other outputs (each with the inputs it is
  made from, made on demand), the theme's assets and the site's own static files; each
  prediction's own files are listed one unit at a time (`unit_files`);
- `make(renderer, pages, others, sink)` renders the pages on every core and hands each file to
  `sink` as soon as it is made (write.staging.Staging on disk, or serve's memory).

Which of the planned files need making is the incremental layer's question
(builder/incremental/build.py): this module makes whatever it is given. Nothing is written
unless all of the input is good.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from builder.config.siteconfig import ConfigResult, SiteConfig, load_config
from builder.config.themes import Theme, find_theme
from builder.content import aliases
from builder.content.crowd import read_crowd
from builder.content.future import future_dates
from builder.content.loader import (
    FileEntry,
    FileResult,
    check_duplicates,
    prediction_files,
    read_all,
)
from builder.errors import BuildFailed, Problem
from builder.options import CACHE_DIR, BuildOptions
from builder.render import (
    assets,
    calendar,
    cards,
    embeds,
    feeds,
    pages,
    redirects,
    search,
    sitemap,
    timestamps,
    trackrecord_json,
)
from builder.render import votes_manifest as votes
from builder.render.author_figures import author_figure_files
from builder.render.lists import PageList
from builder.render.outputs import Later, Memo, Output, bytes_of
from builder.render.templates import PageSpec, Renderer
from builder.render.trackrecord_csv import track_record_csv_files
from builder.site.model import Site, Unit
from builder.site.taxonomy import build_site
from builder.system.digests import digest
from builder.system.files import Stat
from builder.system.workers import PARALLEL_THRESHOLD, imap_forked, map_forked, write_files
from builder.trackrecord.stamps.store import site_stamps

R = TypeVar("R")


@dataclass
class Loaded:
    site: Site
    warnings: list[Problem]
    files: dict[str, FileEntry]


def load(
    options: BuildOptions,
    today: dt.date,
    previous: Mapping[str, FileEntry] | None = None,
    config_read: ConfigResult | None = None,
    inputs: Mapping[str, Stat | None] | None = None,
) -> Loaded:
    """Read and validate the whole site; raise BuildFailed listing every error.
    `config_read` is site.yaml already read and `inputs` the input files already scanned
    (freshness.check), if they were."""
    config, problems = config_read or load_config(options.root)
    problems = list(problems)
    if config is None:
        raise BuildFailed(problems)
    # With a flawed config we still read the content, to report every problem in one run.
    authors = [a.key for a in config.authors]
    paths = prediction_files(options.root, inputs)
    files = read_all(options.root, paths, authors, previous, inputs)
    results = [entry.result for entry in files.values()]
    problems += [p for r in results for p in r.problems]
    problems += check_duplicates(results)
    predictions = [r.prediction for r in results if r.prediction is not None]
    # The readers' final votes, if any; a tally of a slug no file has is named once the
    # content is good (before, a file with a mistake may be what holds it).
    known = None if any(p.is_error for p in problems) else {p.slug for p in predictions}
    crowd, crowd_problems = read_crowd(options.root, known)
    problems += crowd_problems
    if any(p.is_error for p in problems):
        raise BuildFailed(sorted(problems))
    if not options.drafts:
        predictions = [p for p in predictions if not p.draft]
    site = build_site(config, predictions, today, crowd)
    clashes = alias_clashes(site, results)
    if clashes:
        raise BuildFailed(sorted(problems + clashes))
    # Checked offline, only the tokens new since the last build (stamps/store.py); the
    # figures take them in with the git history (site.taxonomy.with_history).
    published = [p for p in site.predictions if not p.draft]
    site = dataclasses.replace(site, stamps=site_stamps(options.root, published, inputs))
    problems += future_dates(options.root, site.predictions, today)  # today's: not cached
    return Loaded(site, sorted(problems), files)


def alias_clashes(site: Site, results: Iterable[FileResult]) -> list[Problem]:
    """Aliases at the address of a page that is not a prediction's (those, and aliases of two
    files, are found with the slugs: check_duplicates). The site's pages are listed only for an
    alias that may be one: the usual alias, an old slug's `predictions/<old>/`, is in no page's
    folder (each page under predictions/ lives in a current prediction's)."""
    uses = [use for r in results for use in r.aliases]
    if not any(_may_be_a_page(site, use.alias) for use in uses):
        return []
    made = {
        spec.path: f"the page /{spec.url}"
        for spec in pages.all_pages(site)
        if spec.template not in (pages.PREDICTION_TEMPLATE, redirects.ALIAS_TEMPLATE)
    }
    return aliases.clashes(uses, made, between=False)


def _may_be_a_page(site: Site, alias: str) -> bool:
    top, _, rest = alias.partition("/")
    slug = rest.partition("/")[0]
    return top != "predictions" or slug in site.statuses


# Files other than HTML pages; later stages (feeds, calendar, votes) add theirs here. An extra
# returns Outputs, each made only when its inputs change.
Extra = Callable[[Site, list[PageSpec], Memo], Iterable[Output]]


def _seo_files(site: Site, entries: tuple[sitemap.Entry, ...]) -> list[Output]:
    return [
        Output(
            sitemap.SITEMAP, {"entries": _repr_digest(entries)}, lambda: sitemap.sitemap(entries)
        ),
        Output("robots.txt", {"url": site.config.url}, lambda: sitemap.robots(site)),
    ]


def _repr_digest(entries: object) -> str:
    """The key input of a file listing every prediction: the digest of its entries' repr (of
    strings and dates only, so complete), not the entries, which keys encode one by one."""
    return digest(repr(entries).encode())


def _votes_manifest(site: Site, _specs: list[PageSpec], _memo: Memo) -> list[Output]:
    """What `foretell votes serve` may accept votes for, and until when: slugs, target dates
    and resolution dates (voting closes at the resolution too)."""
    live = [p for p in site.predictions if not p.draft]
    votable = tuple((p.slug, p.target_date) for p in live)
    resolved = tuple((p.slug, p.resolution.date) for p in live if p.resolution)
    return [
        Output(
            votes.FILE,
            {"entries": _repr_digest((votable, resolved))},
            lambda: votes.build_manifest(votable, dict(resolved)),
        )
    ]


EXTRAS: tuple[Extra, ...] = (
    _votes_manifest,
    feeds.feed_files,
    calendar.calendar_files,
    trackrecord_json.track_record_files,
    track_record_csv_files,
    author_figure_files,
    redirects.redirects_files,
    search.search_files,
)


def unit_files(site: Site, unit: Unit, memo: Memo) -> tuple[list[PageSpec], list[Output]]:
    """The files of one prediction alone: its pages (pages.unit_pages), its share card, its
    oEmbed file and its calendar file. Each is made from `site.alone(unit)`, which holds
    nothing else of the site, so the unit's key (with the config, the theme and unit_format)
    covers all they show: the incremental build plans none of them while it is unchanged."""
    one, p = site.alone(unit), unit.prediction
    outputs = [
        *cards.card_files(one, p),
        embeds.oembed_file(one, p),
        *calendar.prediction_calendar_files(one, p, memo),
    ]
    return pages.unit_pages(one, p), outputs


def unit_format() -> tuple[int, ...]:
    """What unit_files makes besides the unit and the site's config and theme: the shapes of
    the files made by code (bump the first when one of them changes)."""
    return (1, cards.CARD_FORMAT, calendar.EVENT_FORMAT)


@dataclass
class Plan:
    """Every file of the site made from many predictions (each prediction's own files are
    planned one unit at a time: unit_files), before any is made."""

    renderer: Renderer
    pages: list[PageSpec]  # but the paginated lists'
    lists: list[PageList]  # their pages keyed from their parts (render/lists.py)
    outputs: list[Output]  # made by code from their inputs, on demand
    files: dict[str, bytes]  # made already: the theme's assets and the site's static files
    warnings: list[Problem]  # the site's static files that a made file replaces
    sitemap: tuple[sitemap.Entry, ...] = ()  # what sitemap.xml lists


REPLACED = "replaced by the file the build makes there"


def plan(site: Site, root: Path, memo: Memo, *, index: bool = True) -> Plan:
    """Every file of the site but the predictions' own (Plan); without `index`, all but the
    search index's too (serve makes it apart, and does not wait for it: serve/searching.py)."""
    site = dataclasses.replace(site, remember=memo.get)  # the slow figures, kept (Site.slices)
    theme = theme_of(root, site.config)
    files, names = assets.theme_assets(theme)
    bytecode_dir = root / CACHE_DIR / "templates"
    bytecode_dir.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(site, theme, names, bytecode_dir)
    specs, lists = pages.site_plan(site, memo)
    # Every site page, those of the lists without their contents: the sitemap's.
    addresses = [*specs, *(address for page_list in lists for address in page_list.addresses())]
    entries = sitemap.entries(site, addresses)  # the site's pages; each prediction's are known
    outputs = _seo_files(site, entries)
    extras = EXTRAS if index else tuple(e for e in EXTRAS if e is not search.search_files)
    outputs += [output for extra in extras for output in extra(site, addresses, memo)]
    outputs += timestamps.stamp_files(site, root)  # copies of the repository's tokens
    static = assets.site_static(root)
    made_there = {spec.path for spec in addresses} | {o.path for o in outputs} | files.keys()
    made_there |= _unit_paths(site, static.keys(), memo)
    replaced = sorted(static.keys() & made_there)
    files.update((path, data) for path, data in static.items() if path not in replaced)
    warnings = [
        Problem(f"{assets.SITE_STATIC}/{path}", None, None, REPLACED, "warning")
        for path in replaced
    ]
    return Plan(renderer, specs, lists, outputs, files, warnings, entries)


def _unit_paths(site: Site, paths: Iterable[str], memo: Memo) -> set[str]:
    """The files that units make among `paths`: those of the predictions whose folder, or
    one of whose aliases, holds one of them (a site's static files are few)."""
    by_slug = {p.slug: p for p in site.predictions}
    by_alias = {aliases.output_path(a): p for p in site.predictions for a in p.aliases}
    found = set()
    for path in paths:
        top, _, rest = path.partition("/")
        owner = by_slug.get(rest.partition("/")[0]) if top == "predictions" else None
        owner = owner or by_alias.get(path)
        if owner is not None:
            specs, outputs = unit_files(site, site.unit(owner), memo)
            found |= {spec.path for spec in specs} | {o.path for o in outputs}
    return found


def theme_of(root: Path, config: SiteConfig) -> Theme:
    """The site's theme: its own themes/<name>/ over the installed theme of that name."""
    return find_theme(root, config.theme)


class Sink(Protocol):
    """Where files go as they are made: `write` may run in a forked render worker, and what it
    returns is handed to `record` in the main process (write.Staging, or serve's InMemory)."""

    # Whether write() does work worth spreading over the workers (a disk write does; keeping
    # the bytes in memory does not, and would only send them through a pipe).
    parallel_writes: bool

    def write(self, path: str, data: bytes) -> Any: ...

    def record(self, path: str, written: Any) -> None: ...


def make(
    renderer: Renderer,
    pages: Sequence[PageSpec],
    others: Sequence[tuple[str, bytes | Later]],
    sink: Sink,
) -> set[str]:
    """Render `pages` and write them and `others` (path, bytes, or bytes to make `Later` in
    the writing worker) to `sink`; return the paths."""
    made: set[str] = set()
    for spec, written in zip(pages, render_pages(renderer, pages, sink.write), strict=True):
        made.add(spec.path)
        sink.record(spec.path, written)
    # The other files are written on every core: a cold build has one calendar file per
    # prediction, and a `Later` is made there too (a cold build's share cards).
    if not sink.parallel_writes:
        others = _made_on_every_core(others)
    write = partial(_make_and_write, sink.write)
    writes = write_files(write, others, parallel=sink.parallel_writes)
    for (path, _), written in zip(others, writes, strict=True):
        made.add(path)
        sink.record(path, written)
    return made


def _made_on_every_core(
    others: Sequence[tuple[str, bytes | Later]],
) -> Sequence[tuple[str, bytes | Later]]:
    """`others` with their `Later` files made, on every core when there are many: for a sink
    that writes nothing itself (serve's memory), drawing the files is all the work."""
    later = [i for i, (_, data) in enumerate(others) if isinstance(data, Later)]
    if len(later) < PARALLEL_THRESHOLD:
        return others
    made = map_forked(bytes_of, [others[i][1] for i in later])
    result = list(others)
    for i, data in zip(later, made, strict=True):
        result[i] = (others[i][0], data)
    return result


def _make_and_write(write: Callable[[str, bytes], R], path: str, data: bytes | Later) -> R:
    return write(path, bytes_of(data))


def render_pages(
    renderer: Renderer, specs: Sequence[PageSpec], write: Callable[[str, bytes], R]
) -> Iterator[R]:
    """`write(path, page)` of each page of `specs`, in order, as they are rendered; in the
    worker that rendered it, so pages need not travel back to the main process."""
    return imap_forked(partial(_render_and_write, renderer, write), specs)


def _render_and_write(renderer: Renderer, write: Callable[[str, bytes], R], spec: PageSpec) -> R:
    return write(spec.path, renderer.render(spec))
