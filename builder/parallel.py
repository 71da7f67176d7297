"""Render pages on every core.

Workers are forked after the site is loaded, so they inherit the model and the compiled
templates instead of receiving them by pickle; each gets a range of page indices and
returns the rendered bytes.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from builder.render import PageSpec, Renderer

PARALLEL_THRESHOLD = 200  # pages; below it, forking costs more than it saves

# Set just before forking, read by the forked workers; never used otherwise.
_inherited: tuple[Renderer, list[PageSpec]] | None = None


def render_pages(renderer: Renderer, specs: list[PageSpec]) -> dict[str, bytes]:
    workers = min(os.cpu_count() or 1, 8)
    if len(specs) < PARALLEL_THRESHOLD or workers < 2:
        return {spec.path: renderer.render(spec) for spec in specs}
    global _inherited
    _inherited = (renderer, specs)
    try:
        step = max(1, len(specs) // (workers * 4))
        ranges = [(start, min(start + step, len(specs))) for start in range(0, len(specs), step)]
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            files: dict[str, bytes] = {}
            for part in pool.map(_render_range, ranges):
                files.update(part)
            return files
    finally:
        _inherited = None


def _render_range(bounds: tuple[int, int]) -> dict[str, bytes]:
    assert _inherited is not None, "only called in a forked worker"
    renderer, specs = _inherited
    return {spec.path: renderer.render(spec) for spec in specs[bounds[0] : bounds[1]]}
