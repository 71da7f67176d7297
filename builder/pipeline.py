"""The build, step by step: config -> content -> model -> render -> write.

`load()` reads and validates everything and raises BuildFailed with every problem found;
`render_site()` turns a loaded site into output files, re-rendering only pages whose key
changed, and hands each one on as it is made: `build()` stages them beside the output (write.py),
moves them in once all are made and remembers what it did in the build cache (serve's
Builder, in serve/builder.py, keeps them in memory instead). Nothing is written unless all of
the input is good.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from builder import __version__
from builder.config.siteconfig import ConfigResult, load_config
from builder.content.loader import FileEntry, check_duplicates, prediction_files, read_all
from builder.content.model import Site, status
from builder.errors import BuildFailed, Problem
from builder.incremental import cache, shortcut
from builder.incremental.cache import Manifest
from builder.incremental.freshness import BuildOptions, Freshness, Report
from builder.incremental.pagekeys import PageKeys, digest
from builder.render import assets, calendar, feeds, pages, sitemap
from builder.render.outputs import Memo, Output
from builder.render.templates import Renderer
from builder.site.taxonomy import build_site
from builder.system.files import Stat
from builder.system.workers import render_pages, write_files
from builder.trackrecord import integrity
from builder.trackrecord import records as trackrecord
from builder.votes.manifest import build_manifest
from builder.write.staging import Staging


@dataclass
class Loaded:
    site: Site
    warnings: list[Problem]
    files: dict[str, FileEntry]


class Sink(Protocol):
    """Where files go as they are made: `write` may run in a forked render worker, and what it
    returns is handed to `record` in the main process (write.Staging, or serve's InMemory)."""

    # Whether write() does work worth spreading over the workers (a disk write does; keeping
    # the bytes in memory does not, and would only send them through a pipe).
    parallel_writes: bool

    def write(self, path: str, data: bytes) -> Any: ...

    def record(self, path: str, written: Any) -> None: ...


@dataclass
class Rendered:
    made: set[str]  # the files emitted: newly rendered pages and every non-page file
    keys: dict[str, str]  # page path -> key, for every page of the site
    reused: set[str]  # pages whose previous output is still right
    warnings: list[Problem]  # the site's static files that a made file replaces


def load(
    options: BuildOptions,
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
    if any(p.is_error for p in problems):
        raise BuildFailed(sorted(problems))
    predictions = [r.prediction for r in results if r.prediction is not None]
    if not options.drafts:
        predictions = [p for p in predictions if not p.draft]
    now = options.now or config.today()
    return Loaded(build_site(config, predictions, now), sorted(problems), files)


VOTES_MANIFEST = "votes-manifest.json"

# Files other than HTML pages; later stages (feeds, calendar, votes) add theirs here. An extra
# returns Outputs, each made only when its inputs change.
Extra = Callable[[Site, list[pages.PageSpec], Memo], Iterable[Output]]


def _seo_files(site: Site, specs: list[pages.PageSpec], _memo: Memo) -> list[Output]:
    entries = sitemap.entries(site, specs)
    return [
        Output("sitemap.xml", {"entries": entries}, lambda: sitemap.sitemap(entries)),
        Output("robots.txt", {"url": site.config.url}, lambda: sitemap.robots(site)),
    ]


def _votes_manifest(site: Site, _specs: list[pages.PageSpec], _memo: Memo) -> list[Output]:
    """What `foretell votes serve` may accept votes for, and until when: slugs, target dates
    and resolution dates (voting closes at the resolution too)."""
    live = [p for p in site.predictions if not p.draft]
    votable = tuple((p.slug, p.target_date) for p in live)
    resolved = tuple((p.slug, p.resolution.date) for p in live if p.resolution)
    return [
        Output(
            VOTES_MANIFEST,
            {"votable": votable, "resolved": resolved},
            lambda: build_manifest(votable, dict(resolved)),
        )
    ]


EXTRAS: tuple[Extra, ...] = (
    _seo_files,
    _votes_manifest,
    feeds.feed_files,
    calendar.calendar_files,
    trackrecord.track_record_files,
)


def render_site(
    site: Site,
    root: Path,
    sink: Sink,
    previous: Mapping[str, str] | None = None,
    memo: Memo | None = None,
) -> Rendered:
    """Render the site, handing each file to `sink` as soon as it is made; pages and outputs
    whose key is in `previous` (path -> key) are not rendered again."""
    previous = previous or {}
    memo = memo or Memo()
    made: set[str] = set()
    theme_dir = root / "themes" / site.config.theme
    files, names = assets.theme_assets(theme_dir)
    bytecode_dir = root / cache.CACHE_DIR / "templates"
    bytecode_dir.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(site, theme_dir, names, bytecode_dir)
    base = digest(repr((__version__, site.config, sorted(names.items()))).encode())
    keys = PageKeys(renderer.env, base, lambda p: status(p, site.now).key)
    specs = pages.all_pages(site)
    page_keys = {spec.path: keys.key(spec.template, spec.url, spec.context) for spec in specs}
    todo = [spec for spec in specs if previous.get(spec.path) != page_keys[spec.path]]
    for spec, written in zip(todo, render_pages(renderer, todo, sink.write), strict=True):
        made.add(spec.path)
        sink.record(spec.path, written)
    # The other files are made here (they share the memo), then written on every core: a
    # cold build has one calendar file per prediction.
    others = list(files.items())
    for extra in EXTRAS:
        for output in extra(site, specs, memo):
            page_keys[output.path] = keys.key("", output.path, output.inputs)
            if previous.get(output.path) != page_keys[output.path]:
                others.append((output.path, output.make()))
    static = assets.site_static(root)
    replaced = sorted(static.keys() & (page_keys.keys() | files.keys()))
    others += [(path, data) for path, data in static.items() if path not in replaced]
    writes = write_files(sink.write, others, parallel=sink.parallel_writes)
    for (path, _), written in zip(others, writes, strict=True):
        made.add(path)
        sink.record(path, written)
    warnings = [
        Problem(
            f"{assets.SITE_STATIC}/{path}",
            None,
            None,
            "replaced by the file the build makes there",
            "warning",
        )
        for path in replaced
    ]
    return Rendered(made, page_keys, set(page_keys) - made, warnings)


def build(options: BuildOptions, fresh: Freshness) -> Report:
    """Build into the output folder, re-rendering what changed (dispatch.py decides first
    whether anything did, and whether the shortcut will do); `fresh` is its up-to-date check."""
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    manifest, current, now = fresh.manifest, fresh.current, fresh.now
    resolved = dataclasses.replace(options, now=now)
    previous_files = cache.load_files(options.root)
    loaded = load(resolved, previous_files, fresh.config, fresh.inputs)
    site = integrity.with_history(
        loaded.site, options.root, fresh.head, use_cache=not options.clean
    )
    clock("load")
    # Pages still on disk exactly as the last build wrote them need no new render.
    intact = {
        path: key
        for path, (key, stat) in manifest.outputs.items()
        if key is not None and current.get(path) == stat
    }
    memo = Memo(cache.load_memo(options.root))
    # Files are staged beside the output while the workers render; the output itself is only
    # touched by commit(), once everything is made.
    with Staging(options.out, current, options.clean) as staging:
        rendered = render_site(site, options.root, staging, intact, memo)
        clock("render")
        written = staging.commit(keep=rendered.reused)
    # Only written files have a new stat; the others are as the up-to-date check found them.
    stats = {
        name: staging.stats[name] if name in written else current[name]
        for name in sorted({*rendered.made, *rendered.reused})
    }
    outputs = {path: (rendered.keys.get(path), stat) for path, stat in stats.items()}
    zone, config_stat = loaded.site.config.timezone, fresh.inputs.get("site.yaml")
    warnings = sorted(loaded.warnings + rendered.warnings)
    manifest = Manifest(str(options.out), outputs, fresh.stamp, warnings, zone, config_stat)
    live = {p.digest for p in site.predictions}
    cache.save(options.root, manifest, loaded.files, previous_files, memo.retained(live))
    shortcut.remember(resolved, fresh, site, memo)
    clock("write")
    html = sum(name.endswith(".html") for name in rendered.keys)
    rendered_count = len(rendered.keys) - len(rendered.reused)
    return Report(html, len(stats), len(written), rendered_count, warnings, timings)


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = now - self.last
        self.last = now
