"""builder/serve/lazy.py: files made when first read, once, and a thread that makes the rest.

The serve-level behaviour (a rebuild's pages pending until read, with a clean build's bytes;
a page that fails to render failing the build) is in test_serve.py."""

from __future__ import annotations

import threading
import time

import pytest
from serving import wait_for

from builder.serve.lazy import Completer, LazyFiles, Pending


class Counted:
    """A maker that counts its calls; `gate`, if set, holds each call until it opens."""

    def __init__(self, data: bytes = b"made", gate: threading.Event | None = None) -> None:
        self.data, self.gate, self.calls = data, gate, 0

    def __call__(self) -> bytes:
        self.calls += 1
        if self.gate is not None:
            assert self.gate.wait(10)
        return self.data


def failing() -> bytes:
    raise ZeroDivisionError("division by zero")


def test_a_pending_file_is_made_once_whoever_asks_first() -> None:
    """Catches: no lock, so two requests for one page while it renders render it twice
    (and may each see other bytes from a maker with state)."""
    gate = threading.Event()
    make = Counted(gate=gate)
    pending = Pending(make)
    got: list[bytes] = []
    readers = [threading.Thread(target=lambda: got.append(pending.get())) for _ in range(2)]
    for reader in readers:
        reader.start()
    wait_for(lambda: make.calls == 1, timeout=10, what="the first reader to make it")
    time.sleep(0.05)  # the second reader is waiting, not making
    gate.set()
    for reader in readers:
        reader.join(10)
    assert got == [b"made", b"made"] and make.calls == 1
    assert pending.done and pending.get() == b"made" and make.calls == 1


def test_a_file_that_fails_fails_each_time_and_stays_pending() -> None:
    """Catches: a failure kept as if it were the file (served empty ever after, and the
    completer's report missed), or the maker dropped before it succeeded."""
    pending = Pending(failing)
    files = LazyFiles({"a.html": pending, "b.css": b"body{}"})
    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            files["a.html"]
    assert not pending.done and files.pending() == {"a.html": pending}


def test_asking_what_there_is_makes_nothing() -> None:
    """Catches: Mapping's own `in`, which reads the value: resolving a URL (is there such a
    file?) would render the page, and a rebuild's `same_as` every page."""
    make = Counted()
    files = LazyFiles({"a.html": Pending(make), "b.css": b"body{}"})
    assert "a.html" in files and "nothing.html" not in files
    assert sorted(files) == ["a.html", "b.css"] and len(files) == 2
    assert make.calls == 0
    assert dict(files) == {"a.html": b"made", "b.css": b"body{}"} and make.calls == 1


def test_updated_leaves_the_mapping_served_as_it_was() -> None:
    """Catches: updating in place, which would change the site under a request."""
    files = LazyFiles({"a.html": b"old"})
    newer = files.updated({"a.html": b"new", "b.html": b"added"})
    assert dict(files) == {"a.html": b"old"}
    assert dict(newer) == {"a.html": b"new", "b.html": b"added"}


def test_same_as_tells_without_making_anything() -> None:
    """Catches: `==`, which makes every pending file to compare them (a rebuild would render
    the whole site); and a pending file counted the same as another not yet made."""
    shared = Pending(Counted())
    a = LazyFiles({"a.html": shared, "b.css": b"x"})
    assert a.same_as(LazyFiles({"a.html": shared, "b.css": b"x"}))
    assert a.same_as({"a.html": b"made", "b.css": b"x"}) is False  # unknown until made
    assert not a.same_as(LazyFiles({"a.html": Pending(Counted()), "b.css": b"x"}))
    assert not a.same_as(LazyFiles({"a.html": shared}))
    assert not a.same_as(None)
    assert shared.done is False
    shared.get()
    made = Pending(Counted())
    made.get()
    assert a.same_as(LazyFiles({"a.html": made, "b.css": b"x"}))  # both made: by their bytes
    assert not a.same_as(LazyFiles({"a.html": made, "b.css": b"y"}))


def test_the_completer_makes_the_files_in_turn_and_stops_at_the_first_failure() -> None:
    """Catches: a failure swallowed (the build never reported failed), or the completer going
    on to make the files after it."""
    first, last = Counted(), Counted()
    files = LazyFiles({"a": Pending(first), "b": Pending(failing), "c": Pending(last), "d": b""})
    reports: list[tuple[LazyFiles, BaseException]] = []
    completer = Completer(lambda files, exc: reports.append((files, exc)))
    try:
        completer.complete(files)
        wait_for(lambda: reports, timeout=10, what="the failure to be reported")
    finally:
        completer.close()
    assert reports[0][0] is files and isinstance(reports[0][1], ZeroDivisionError)
    assert (first.calls, last.calls) == (1, 0)


def test_a_newer_site_is_completed_instead_of_the_one_before() -> None:
    """Catches: the completer finishing a site no longer served before the one served."""
    gate = threading.Event()
    held, skipped, wanted = Counted(gate=gate), Counted(), Counted()
    older = LazyFiles({"a": Pending(held), "b": Pending(skipped)})
    newer = LazyFiles({"a": Pending(wanted)})
    completer = Completer(lambda files, exc: None)
    try:
        completer.complete(older)
        wait_for(lambda: held.calls == 1, timeout=10, what="the older site begun")
        completer.complete(newer)
        gate.set()
        wait_for(lambda: not newer.pending(), timeout=10, what="the newer site made")
    finally:
        completer.close()
    assert (skipped.calls, wanted.calls) == (0, 1)
