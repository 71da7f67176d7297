"""Spread per-item work over every core.

Workers are forked after the site is loaded, so they inherit the model, the compiled templates
and the function to run instead of receiving them by pickle; each gets a range of indices and
returns its results. They die with the process that forked them (builder/system/lifeline.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_THRESHOLD = 200  # items; below it, forking costs more than it saves

# Set just before forking, read by the forked workers; never used otherwise.
_inherited: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def map_forked(
    fn: Callable[[T], R], items: Sequence[T], threshold: int = PARALLEL_THRESHOLD
) -> list[R]:
    """`[fn(item) for item in items]`, in forked workers when there are enough items."""
    return list(imap_forked(fn, items, threshold))


def imap_forked(
    fn: Callable[[T], R], items: Sequence[T], threshold: int = PARALLEL_THRESHOLD
) -> Iterator[R]:
    """`map_forked`, yielding results in order as their batch comes back, so the caller can
    use the first ones (write them, say) while the workers make the rest."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < threshold or workers < 2:
        yield from map(fn, items)
        return
    global _inherited
    _inherited = (fn, items)
    try:
        step = max(1, len(items) // (workers * 8))
        ranges = [(start, min(start + step, len(items))) for start in range(0, len(items), step)]
        # Imported here: a build too small to fork (or the shortcut) need not pay for it.
        from builder.system.lifeline import forked_pool

        # Entered and left in this generator, so on the thread that iterates it (callers keep
        # to one): it forks the workers and outlives them, as their lifeline needs.
        with forked_pool(workers) as pool:
            for part in pool.map(_run_range, ranges):
                yield from part
    finally:
        _inherited = None


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _inherited is not None, "only called in a forked worker"
    fn, items = _inherited
    return [fn(item) for item in items[bounds[0] : bounds[1]]]


def write_files(
    write: Callable[[str, T], R], files: Sequence[tuple[str, T]], *, parallel: bool
) -> Iterator[R]:
    """`write(path, data)` of each file, in order; on every core when `parallel` and there
    are many."""
    threshold = PARALLEL_THRESHOLD if parallel else len(files) + 1
    return imap_forked(partial(_write_one, write), files, threshold)


def _write_one(write: Callable[[str, T], R], file: tuple[str, T]) -> R:
    return write(*file)
