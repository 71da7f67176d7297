"""The served site's files, each made when first asked for: `serve` renders a page when a
browser asks for it, not when the build that planned it ends (as Hugo's fast render mode does).

After an edit, a rebuild only decides which files changed (their keys: incremental/build.py)
and swaps the site in; the open tab reloads and its page is rendered then, the rest by
`Completer` on a thread of its own, soon after. At 1,000 predictions, this halves the rebuild
of a resolution (113 against 203 ms in process): the 60 list pages it shifts and the
track-record exports are made after the swap.

A file is made once, whoever asks first (a request, the completer); it stays pending until
then, and a file that fails to make fails each time it is asked for: the error a request
meets is the one the completer reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping

from builder.system.latest import Latest

Made = Callable[[], bytes]


class Pending:
    """Bytes made by the first call of `get()`, then kept; the maker is dropped once used,
    so what it holds (the build's site, its templates) can go."""

    def __init__(self, make: Made) -> None:
        self._make: Made | None = make
        self._data: bytes | None = None
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self._data is not None

    def get(self) -> bytes:
        if self._data is None:
            with self._lock:  # two requests for one page: the second waits for the first
                if self._data is None:
                    assert self._make is not None
                    self._data = self._make()
                    self._make = None
        return self._data


class LazyFiles(Mapping[str, bytes]):
    """An immutable {path: bytes} whose values may be Pending, made when read."""

    def __init__(self, files: Mapping[str, bytes | Pending] | None = None) -> None:
        self._files: dict[str, bytes | Pending] = dict(files or {})

    def __getitem__(self, path: str) -> bytes:
        value = self._files[path]
        return value.get() if isinstance(value, Pending) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, path: object) -> bool:
        return path in self._files  # Mapping's would make the file

    def updated(self, files: Mapping[str, bytes | Pending]) -> LazyFiles:
        """A new mapping with `files` added or replaced; this one is left as it is."""
        return LazyFiles({**self._files, **files})

    def pending(self) -> dict[str, Pending]:
        """The files not made yet, by path."""
        return {p: v for p, v in self._files.items() if isinstance(v, Pending) and not v.done}

    def same_as(self, other: Mapping[str, bytes] | None) -> bool:
        """Whether `other` holds the same files, as far as can be told without making any: a
        pending file is the same only as itself."""
        if other is None or other.keys() != self._files.keys():
            return False
        theirs = other._files if isinstance(other, LazyFiles) else other
        return all(_same(mine, theirs[path]) for path, mine in self._files.items())


def _same(a: bytes | Pending, b: bytes | Pending) -> bool:
    if a is b:
        return True
    a = a.get() if isinstance(a, Pending) and a.done else a
    b = b.get() if isinstance(b, Pending) and b.done else b
    return isinstance(a, bytes) and isinstance(b, bytes) and a == b


class Completer:
    """Makes the pending files of the latest site on a thread of its own, so each is ready
    before it is asked for; `report(files, error)` is called (on that thread) at the first
    file that fails, and nothing more is made of that site."""

    def __init__(self, report: Callable[[LazyFiles, BaseException], None]) -> None:
        self._report = report
        self._thread = Latest(self._make, "foretell-complete")

    def complete(self, files: LazyFiles) -> None:
        """Make `files`' pending ones from now on (those of an earlier site are left)."""
        self._thread.give(files)

    def close(self) -> None:
        """End the thread once the file it is making is made."""
        self._thread.close()

    def _make(self, files: LazyFiles) -> None:
        for pending in files.pending().values():
            if self._thread.superseded:  # a newer site is the one to make
                return
            try:
                pending.get()
            except Exception as exc:  # reported as a failed build; the request meets it too
                self._report(files, exc)
                return
