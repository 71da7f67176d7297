"""Spread per-item work over every core.

Workers are forked after the site is loaded, so they inherit the model, the compiled templates
and the function to run instead of receiving them by pickle; each gets a range of indices and
returns its results. They die with the process that forked them (builder/system/lifeline.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_THRESHOLD = 200  # items; below it, forking costs more than it saves

# `.work`: the (fn, items) of the pool being forked, set just before it forks, read by its
# workers. Per thread, not one global: serve's threads (a rebuild's loader, the pages made in
# the background) may fork pools at once. A fork copies only the forking thread, thread-locals
# included, so each worker sees what its own pool's thread set. (The pool's initargs would
# reach the workers unpickled too, but lifeline.forked_pool owns the initializer, and a
# worker would still have to keep them in a module-level place for _run_range.)
_inherited = threading.local()


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
    _inherited.work = (fn, items)
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
        _inherited.work = None  # the workers have their copy; let the items go


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    fn, items = _inherited.work  # as the thread that forked this worker set it
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
