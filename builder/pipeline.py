"""The build, step by step: config -> content -> model -> render -> write.

`load()` reads and validates everything and raises BuildFailed with every problem found;
`render_site()` turns a loaded site into output files in memory; `build()` writes them.
Nothing is written unless all of the input is good.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from builder import assets, pages, sitemap
from builder.config import SiteConfig, load_config
from builder.content.loader import check_duplicates, prediction_files, read_all
from builder.errors import BuildFailed, Problem
from builder.model import Site
from builder.parallel import render_pages
from builder.render import Renderer
from builder.taxonomy import build_site
from builder.write import write_output


@dataclass
class BuildOptions:
    root: Path
    now: dt.date | None = None  # None: today in the site's time zone
    output: Path | None = None
    clean: bool = False
    drafts: bool = False


@dataclass
class Loaded:
    site: Site
    warnings: list[Problem]


@dataclass
class Report:
    pages: int
    files: int
    changed: int
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)


def today(config: SiteConfig) -> dt.date:
    """The one place the real clock is read, and only when no --now was given."""
    return dt.datetime.now(config.zone).date()


def load(options: BuildOptions) -> Loaded:
    """Read and validate the whole site; raise BuildFailed listing every error."""
    config, problems = load_config(options.root)
    if config is None:
        raise BuildFailed(problems)
    # With a flawed config we still read the content, to report every problem in one run.
    authors = [a.key for a in config.authors]
    results = read_all(options.root, prediction_files(options.root), authors)
    problems += [p for r in results for p in r.problems]
    problems += check_duplicates(results)
    if any(p.is_error for p in problems):
        raise BuildFailed(sorted(problems))
    predictions = [r.prediction for r in results if r.prediction is not None]
    if not options.drafts:
        predictions = [p for p in predictions if not p.draft]
    now = options.now or today(config)
    return Loaded(build_site(config, predictions, now), sorted(problems))


# Files other than HTML pages; later stages (feeds, calendar, votes) add theirs here.
Extra = Callable[[Site, list[pages.PageSpec]], dict[str, bytes]]


def _seo_files(site: Site, specs: list[pages.PageSpec]) -> dict[str, bytes]:
    return {"sitemap.xml": sitemap.sitemap(site, specs), "robots.txt": sitemap.robots(site)}


EXTRAS: tuple[Extra, ...] = (_seo_files,)


def render_site(
    site: Site, root: Path, timings: dict[str, float] | None = None
) -> dict[str, bytes]:
    timings = {} if timings is None else timings
    started = time.perf_counter()
    theme_dir = root / "themes" / site.config.theme
    files, names = assets.theme_assets(theme_dir)
    specs = pages.all_pages(site)
    renderer = Renderer(site, theme_dir, names)
    files.update(render_pages(renderer, specs))
    timings["render"] = time.perf_counter() - started
    for extra in EXTRAS:
        files.update(extra(site, specs))
    return files


def build(options: BuildOptions) -> Report:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    loaded = load(options)
    timings["load"] = time.perf_counter() - started
    files = render_site(loaded.site, options.root, timings)
    started = time.perf_counter()
    out = options.output or options.root / "output"
    changed = write_output(out, files, clean=options.clean)
    timings["write"] = time.perf_counter() - started
    html = sum(name.endswith(".html") for name in files)
    return Report(html, len(files), changed, loaded.warnings, timings)


class Builder:
    """Builds one site again and again (for `serve`), reusing what has not changed.

    `files()` returns the whole site as {path: bytes}, or raises BuildFailed with every problem.
    """

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.warnings: list[Problem] = []

    def files(self) -> dict[str, bytes]:
        loaded = load(self.options)
        self.warnings = loaded.warnings
        return render_site(loaded.site, self.options.root)
