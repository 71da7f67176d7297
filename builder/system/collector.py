"""Python's cycle collector, held off while a build makes many objects that live on.

The collector runs every few hundred new container objects and, as they survive, walks the
older generations too: unpickling the build cache of a 10,000-prediction site (a few hundred
thousand objects, none in a cycle) triggers it hundreds of times, a third of the time the
unpickling takes. Held off for such a step, it runs again once the step is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_off() -> Iterator[None]:
    """No automatic collection inside the block (nested blocks are fine)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def settle() -> None:
    """Take every object made so far out of the collector's walks, for good: for a process
    that builds once and exits (the command line), once the site is loaded. Its hundreds of
    thousands of objects live until the end anyway, and each full collection would walk
    them all again (0.6 s of a 4 s rebuild at 10,000 predictions). Not for `serve`, whose
    rebuilds replace what earlier ones loaded: frozen objects are never freed."""
    gc.freeze()


# Young objects are collected after this many new ones rather than Python's 700: a build's
# objects mostly live on (the site, its pages' keys) or die by reference count, so frequent
# young collections only walk survivors again (30 ms of a 250 ms `serve` rebuild at 1,000).
YOUNG_THRESHOLD = 50_000


def fewer_collections() -> None:
    """For a process that builds: collect young objects less often (see YOUNG_THRESHOLD)."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
