"""The full incremental build: the pipeline's files, each made only when its key changed
since the last build (a page key covers everything the page shows: pagekeys.py).

`render_site` decides what to make and makes it into a sink; `build` stages the files beside
the output (write/staging.py), moves them in once all are made and remembers what it did in
the build cache (serve's Rebuilder, in serve/rebuild.py, keeps them in memory instead).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from builder import __version__
from builder.content import parsecache
from builder.content.loader import draft_count
from builder.errors import Problem
from builder.incremental import cache, history, shortcut
from builder.incremental.cache import Manifest, UnitRecord
from builder.incremental.freshness import Freshness
from builder.incremental.pagekeys import PageKeys
from builder.options import BuildOptions, Report
from builder.pipeline import Loaded, Plan, Sink, load, make, plan, unit_files, unit_format
from builder.render.lists import TEMPLATE
from builder.render.outputs import Later, Memo, Output, bytes_of
from builder.render.templates import PageSpec
from builder.site.model import Site, Unit
from builder.system import collector
from builder.system.digests import BackgroundDigests, digest, file_digest
from builder.system.files import Stat
from builder.write.staging import Staging


@dataclass
class Rendered:
    made: set[str]  # the files emitted: newly rendered pages and every non-page file
    keys: dict[str, str]  # page path -> key, for every page of the site
    reused: set[str]  # pages whose previous output is still right
    warnings: list[Problem]  # the site's static files that a made file replaces
    units: dict[str, UnitRecord]  # slug -> its unit's key and files (pipeline.unit_files)
    planned: Plan  # every file but the units' (the shortcut's record keeps some: display.py)


def render_site(
    site: Site,
    root: Path,
    sink: Sink,
    previous: Mapping[str, str] | None = None,
    memo: Memo | None = None,
    units: Mapping[str, UnitRecord] | None = None,
    *,
    index: bool = True,
) -> Rendered:
    """Render the site, handing each file to `sink` as soon as it is made; pages and outputs
    whose key is in `previous` (path -> key) are not rendered again, and the files of a
    prediction whose unit key is in `units` (slug -> key, paths) are not even planned.
    Without `index`, the search index is left out (pipeline.plan)."""
    todo = _todo(site, root, previous, memo, units, index=index)
    made = make(todo.planned.renderer, todo.pages, todo.others, sink)
    return todo.rendered(made)


def pending_site(
    site: Site,
    root: Path,
    previous: Mapping[str, str],
    memo: Memo,
    units: Mapping[str, UnitRecord],
    *,
    index: bool = True,
) -> tuple[Rendered, dict[str, bytes | Later]]:
    """As render_site, making nothing: each file it would make, its bytes or how to make them
    (serve makes a file when it is asked for: serve/lazy.py)."""
    todo = _todo(site, root, previous, memo, units, deferred=True, index=index)
    renderer = todo.planned.renderer
    files: dict[str, bytes | Later] = {
        s.path: Later(partial(renderer.render, s)) for s in todo.pages
    }
    files.update(todo.others)
    return todo.rendered(set(files)), files


def _todo(
    site: Site,
    root: Path,
    previous: Mapping[str, str] | None,
    memo: Memo | None,
    units: Mapping[str, UnitRecord] | None,
    *,
    deferred: bool = False,
    index: bool = True,
) -> _Todo:
    """Every file of the site keyed, and those to make: whose key is not in `previous`."""
    memo = memo or Memo()
    planned = plan(site, root, memo, index=index)
    todo = _Todo(site, planned, previous or {}, memo, deferred)
    todo.add(todo.planned.pages, todo.planned.outputs)
    for page_list in todo.planned.lists:
        for path, key, spec in page_list.keyed_pages(todo.page_keys.encode, todo.list_page_key):
            todo.add_keyed(path, key, spec)
    for p in site.predictions:
        unit = site.unit(p)
        key = todo.unit_key(unit)
        before = (units or {}).get(p.slug)
        if before is None or before[0] != key or not todo.reuse(before[1]):
            specs, outputs = unit_files(site, unit, memo)
            todo.add(specs, outputs)
            before = (key, tuple([s.path for s in specs] + [o.path for o in outputs]))
        todo.units[p.slug] = before
    return todo


class _Todo:
    """What a build must make: each planned file whose key is not its `previous` one."""

    def __init__(
        self, site: Site, planned: Plan, previous: Mapping[str, str], memo: Memo, deferred: bool
    ) -> None:
        self.planned, self.previous = planned, previous
        self.deferred = deferred  # outputs made when their bytes are asked for (pending_site)
        names = planned.renderer.assets
        base = digest(repr((__version__, site.config, sorted(names.items()))).encode())
        status = lambda p: site.status(p).key  # noqa: E731
        self.page_keys = PageKeys(planned.renderer.env, base, status, memo.get)
        # Everything a unit's files are made from but the unit itself (and the base):
        # every template (not just the unit's: a page's may include any) and their shapes.
        self.unit_base = f"{self.page_keys.templates_digest()}:{unit_format()}:"
        self.keys: dict[str, str] = {}  # every file's key
        self.pages: list[PageSpec] = []
        self.others: list[tuple[str, bytes | Later]] = list(planned.files.items())
        self.units: dict[str, UnitRecord] = {}  # slug -> its unit's key and files

    def add(self, specs: Iterable[PageSpec], outputs: Iterable[Output]) -> None:
        for spec in specs:
            key = self.keys[spec.path] = self.page_keys.key(spec.template, spec.url, spec.context)
            if self.previous.get(spec.path) != key:
                self.pages.append(spec)
        for output in outputs:
            key = self.keys[output.path] = self.page_keys.key("", output.path, output.inputs)
            if self.previous.get(output.path) != key:
                made = Later(partial(_output_bytes, output)) if self.deferred else output.make()
                self.others.append((output.path, made))

    def list_page_key(self, url: str, encoded: bytes) -> str:
        return self.page_keys.encoded_key(TEMPLATE, url, encoded)

    def add_keyed(self, path: str, key: str, spec: Callable[[], PageSpec]) -> None:
        """A page keyed without its spec (a list's: lists.PageList.keyed_pages), which is
        made only if the page must be rendered."""
        self.keys[path] = key
        if self.previous.get(path) != key:
            self.pages.append(spec())

    def rendered(self, made: set[str]) -> Rendered:
        keys, planned = self.keys, self.planned
        return Rendered(made, keys, set(keys) - made, planned.warnings, self.units, planned)

    def unit_key(self, unit: Unit) -> str:
        return self.page_keys.object_key(self.unit_base, unit)

    def reuse(self, paths: Iterable[str]) -> bool:
        """Keep `paths` as they are, if each is (else nothing is kept)."""
        kept = {path: self.previous.get(path) for path in paths}
        if not all(kept.values()):  # gone, changed, or made without a key (shortcut.py)
            return False
        self.keys.update(kept)  # type: ignore[arg-type]
        return True


def _output_bytes(output: Output) -> bytes:
    return bytes_of(output.make())


def build(options: BuildOptions, fresh: Freshness) -> Report:
    """Build into the output folder, re-rendering what changed (dispatch.py decides first
    whether anything did, and whether the shortcut will do); `fresh` is its up-to-date check."""
    timings: dict[str, float] = {}
    clock = _Stopwatch(timings)
    manifest, current = fresh.manifest, fresh.current
    # A deploy's restored output is checked byte by byte, mostly while the site loads.
    intact, restored = intact_by_stat(manifest, current)
    folder = f"{options.out}{os.sep}"  # joined as strings: 53,600 Path objects cost 0.3 s
    digests_now = BackgroundDigests([folder + path for path, _ in restored])
    # The command line's build, one per process: what it loads lives to the end, and the
    # collector need never walk it (system/collector.py).
    with collector.held_off():
        previous_files = parsecache.load_files(options.root)
        loaded = load(options, fresh.today, previous_files, fresh.config, fresh.inputs)
        site = history.with_history(
            loaded.site, options.root, fresh.head, use_cache=not options.clean
        )
        collector.settle()
    clock("load")
    for (path, key), digest_now in zip(restored, digests_now.result(), strict=True):
        if digest_now is not None and digest_now == manifest.digests.get(path):
            intact[path] = key  # restored with the bytes the last build wrote
    loaded_memo = cache.load_memo(options.root)
    memo = Memo(loaded_memo)
    # Files are staged beside the output while the workers render; the output itself is only
    # touched by commit(), once everything is made.
    with Staging(options.out, current, options.clean, fresh.owned) as staging:
        units = manifest.units
        rendered = render_site(site, options.root, staging, intact, memo, units)
        clock("render")
        written = staging.commit(keep=rendered.reused)
    manifest = _new_manifest(options, fresh, loaded, rendered, staging, written)
    files = loaded.files.values()
    shortcut.save_record(options, fresh, site, memo, rendered.planned, files)  # fills the memo
    live = {p.digest for p in site.predictions}
    kept = memo.retained(live)
    cache.save(options.root, manifest, loaded.files, previous_files, kept, loaded_memo)
    clock("write")
    html = sum(name.endswith(".html") for name in rendered.keys)
    rendered_count = len(rendered.keys) - len(rendered.reused)
    files, warnings, drafts = len(manifest.outputs), manifest.warnings, manifest.drafts
    return Report(html, files, len(written), rendered_count, warnings, timings, drafts=drafts)


def _new_manifest(
    options: BuildOptions,
    fresh: Freshness,
    loaded: Loaded,
    rendered: Rendered,
    staging: Staging,
    written: set[str],
) -> Manifest:
    """What this build leaves for the next one to compare with: each output's key, stat and
    content digest, the warnings, and what the up-to-date check reads instead of site.yaml."""
    # Only written files have a new stat; the others are as the up-to-date check found them.
    current = fresh.current
    stats = {
        name: staging.stats[name] if name in written else current[name]
        for name in sorted({*rendered.made, *rendered.reused})
    }
    outputs = {path: (rendered.keys.get(path), stat) for path, stat in stats.items()}
    zone, config_stat = loaded.site.config.timezone, fresh.inputs.get("site.yaml")
    drafts = 0 if options.drafts else draft_count(loaded.files.values())
    return Manifest(
        options.out_key, outputs, inputs_key=fresh.inputs_key,
        warnings=sorted(loaded.warnings + rendered.warnings), timezone=zone,
        config_stat=config_stat, drafts=drafts,
        digests=_digests(options.out, fresh.manifest.digests, staging.digests, outputs),
        units=rendered.units, built=fresh.inputs_key,
    )  # fmt: skip


def intact_by_stat(
    manifest: Manifest, current: Mapping[str, Stat]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The files still on disk exactly as the last build wrote them (path -> key), which
    need no new render, by their stat; and those whose mtime alone differs (path, key), as
    when a deploy restores `output/` from a CI cache into a fresh checkout: the same bytes
    will make them intact too."""
    intact: dict[str, str] = {}
    restored: list[tuple[str, str]] = []
    for path, (key, stat) in manifest.outputs.items():
        now = current.get(path)
        if key is None or now is None:
            continue
        if now == stat:
            intact[path] = key
        elif now[1] == stat[1]:
            restored.append((path, key))
    return intact, restored


def _digests(
    out: Path, previous: Mapping[str, str], written: Mapping[str, str], files: Collection[str]
) -> dict[str, str]:
    """Each output file's content digest: those `written` now as their writers took them, the
    others as the last build recorded them (or read, if it did not)."""
    found: dict[str, str] = {}
    for name in files:
        known = written.get(name) or previous.get(name) or file_digest(out / name)
        if known is not None:  # gone meanwhile: nothing to vouch for
            found[name] = known
    return found


class _Stopwatch:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = now - self.last
        self.last = now
