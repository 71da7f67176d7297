"""system/collector.py: Python's cycle collector held off for a step, and the loaded site
taken out of its walks."""

from __future__ import annotations

import gc

import pytest

from builder.system import collector


def test_held_off_restores_the_collector_as_it_found_it() -> None:
    # Catches: the collector left off after a build step (a long `serve` would never collect
    # a cycle again), or turned on inside a caller that had turned it off.
    assert gc.isenabled()
    with collector.held_off():
        assert not gc.isenabled()
        with collector.held_off():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not turn it back on early
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.held_off():
        raise RuntimeError("a failed step")
    assert gc.isenabled()


def test_settle_takes_what_exists_out_of_the_collections() -> None:
    # Catches: settle() doing nothing (each full collection walking the loaded site again).
    try:
        collector.settle()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_fewer_collections_raises_only_the_young_threshold() -> None:
    # Catches: serve left with Python's default (a young collection every 700 new objects,
    # 30 ms of a 250 ms rebuild at 1,000), or the older generations' thresholds changed.
    before = gc.get_threshold()
    try:
        collector.fewer_collections()
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, *before[1:])
        assert before[0] < collector.YOUNG_THRESHOLD
    finally:
        gc.set_threshold(*before)
