"""Child processes that die with the process that forked them, and leave Ctrl-C to it.

A build forks workers (the content loader, builder/system/workers.py). Killed with SIGKILL (by
hand, by the OOM killer, by a CI timeout), it runs no clean-up, and its workers, blocked on
their task queue, would live on for good, adopted by init. So each worker, as it starts,
arranges to end with its parent:

- on Linux, the kernel sends it SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG). To the
  kernel the parent is the *thread* that forked, not its process: `forked_pool` forks every
  worker as it is entered, so it must be entered and left by one thread, which then outlives
  its workers. `imap_forked` and the loader do so, on whatever thread runs the build (`serve`
  rebuilds on a thread of its own, which outlives each build);
- elsewhere, a thread in the worker looks twice a second whether its parent is still there
  (when it dies, the worker is adopted by another process: its parent pid changes).

Ctrl-C interrupts the whole foreground process group: the workers ignore it, and the parent
answers it by shutting its pool down.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache, partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

WATCH_INTERVAL = 0.5  # seconds between two looks at the parent, where the kernel cannot help
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@contextlib.contextmanager
def forked_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes forked from this one (they inherit what it has loaded
    instead of receiving it by pickle) that die with it and leave Ctrl-C to it. Enter it,
    submit to it and leave it on one thread (see above)."""
    # Imported here: a build too small to fork (or the shortcut) need not pay for them.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    _kernel_request()  # looked up here, before the fork (see there)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    try:
        # With fork, CPython forks every worker at the first submit, on the submitting
        # thread: here and now, with Ctrl-C held back until each worker has chosen to ignore
        # it, so that none is born answering it.
        with _ctrl_c_held():
            pool.submit(int)
        yield pool
    finally:
        # Left on an error or Ctrl-C: the work not started yet is dropped, not waited for.
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT blocked in this thread (a Ctrl-C meanwhile waits, then comes) and in the
    processes it forks meanwhile."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker(parent: int) -> None:
    # Ctrl-C interrupts the whole foreground process group. Only the parent should answer it
    # (by shutting the pool down): workers that did printed tracebacks, and one interrupted
    # while sending a result left the pool stuck and the build hung at exit.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Make this process, just forked by process `parent` (its `os.getpid()` taken before the
    fork), end when `parent` dies: a pool's `initializer=` (`forked_pool` sets it). For a
    child forked otherwise, call `_kernel_request()` in the parent before forking. Also fit
    for a subprocess's `preexec_fn=partial(die_with_parent, os.getpid())`, but then on Linux
    only (the watching thread of other systems does not survive exec)."""
    if not _kernel_kills_orphan():
        _watch(parent)
    # The parent may have died between the fork and the line above, when nobody would have
    # told us: we are then already someone else's child.
    if os.getppid() != parent:
        os._exit(1)


@cache
def _kernel_request() -> Callable[[], int] | None:
    """prctl(PR_SET_PDEATHSIG, SIGKILL), ready to call (0: done); None off Linux.

    Looked up by `forked_pool` before it forks, so in the parent, once: a child forked beside
    other threads must not dlopen (another thread may have held the loader's lock at the
    fork). Not at import: the loader imports this module on every build, even a no-op one.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return partial(prctl, _PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL))


def _kernel_kills_orphan() -> bool:
    request = _kernel_request()
    return request is not None and request() == 0


def _watch(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_INTERVAL)
        os._exit(1)  # from any thread, ends the whole process

    threading.Thread(target=watch, name="foretell-lifeline", daemon=True).start()
