"""builder/system/latest.py: a thread that works on the latest value handed to it."""

from __future__ import annotations

import threading
import time

from serving import wait_for

from builder.system.latest import Latest


def test_values_handed_over_while_it_works_are_replaced_by_the_latest() -> None:
    """Catches: a queue (every value worked on, the stale ones too) or the last value lost."""
    gate = threading.Event()
    seen: list[int] = []

    def work(value: int) -> None:
        seen.append(value)
        if value == 1:
            assert gate.wait(10)

    latest = Latest(work, "test-latest")
    try:
        latest.give(1)
        wait_for(lambda: seen == [1], timeout=10, what="the first value worked on")
        for value in (2, 3, 4):
            latest.give(value)
        assert latest.superseded  # the work in hand may stop: a newer value waits
        gate.set()
        wait_for(lambda: seen == [1, 4], timeout=10, what="the latest value worked on")
        time.sleep(0.05)
        assert seen == [1, 4] and not latest.superseded
    finally:
        latest.close()


def test_close_ends_the_thread() -> None:
    """Catches: a thread left waiting for ever (one per serve session and test)."""
    latest = Latest(lambda value: None, "test-latest")
    latest.close()
    latest._thread.join(5)
    assert not latest._thread.is_alive() and latest.superseded
