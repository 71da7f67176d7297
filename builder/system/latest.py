"""A thread that works on the latest value handed to it: one handed over while it works waits,
and replaces any other still waiting (serve's page completer and search index: only the site
served now is worth the work)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Latest(Generic[T]):
    """Calls `work(value)` on its own thread for each value `give`n, skipping those replaced
    before their turn; `work` may stop early once `superseded` says so."""

    def __init__(self, work: Callable[[T], None], name: str) -> None:
        self._work = work
        self._waiting: T | None = None
        self._closed = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def give(self, value: T) -> None:
        with self._wake:
            self._waiting = value
            self._wake.notify()

    @property
    def superseded(self) -> bool:
        """A newer value waits, or the thread is asked to end."""
        return self._waiting is not None or self._closed

    def close(self) -> None:
        """End the thread once the work in hand is done."""
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._waiting is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                value, self._waiting = self._waiting, None
            self._work(value)
