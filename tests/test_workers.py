"""system/workers.py: per-item work spread over forked workers."""

from __future__ import annotations

import os
import threading

import pytest

from builder.system.workers import PARALLEL_THRESHOLD, map_forked


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # a pool of two, even on one core


def test_the_work_is_inherited_by_the_workers_not_pickled() -> None:
    # Catches: a pool that pickles the function or the items (a lambda cannot be), results
    # out of order, and work done here instead of in the workers.
    lock = threading.Lock()  # nor can a lock: the items reach the workers by fork too
    items = [(n, lock) for n in range(PARALLEL_THRESHOLD + 1)]
    results = map_forked(lambda item: (item[0] * 2, os.getpid()), items)
    assert [doubled for doubled, _ in results] == [n * 2 for n in range(len(items))]
    assert os.getpid() not in {pid for _, pid in results}


def test_below_the_threshold_the_work_is_done_here() -> None:
    results = map_forked(lambda n: (n, os.getpid()), range(10), threshold=11)
    assert results == [(n, os.getpid()) for n in range(10)]


def test_pools_forked_by_threads_at_once_each_run_their_own_work() -> None:
    # Catches: the work handed to the workers through one slot for the whole process (as
    # `serve` may fork on two threads): a pool forked with another thread's function and
    # items, or with none left (the other thread's pool done and cleared it).
    results: dict[int, list[tuple[int, int]]] = {}
    start = threading.Barrier(4)

    def run(key: int) -> None:
        start.wait()
        results[key] = map_forked(lambda n: (key, n), range(PARALLEL_THRESHOLD + key))

    threads = [threading.Thread(target=run, args=(key,)) for key in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key in range(4):
        assert results.get(key) == [(key, n) for n in range(PARALLEL_THRESHOLD + key)]
