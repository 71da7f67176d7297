"""Non-page files that are expensive to make (feeds, calendars), made only when needed.

An extra stage of the pipeline returns `Output`s: a path, the inputs the file is made from
(fingerprinted like a page context), and a function that makes its bytes. The pipeline calls
`make()` only when the inputs changed since the file was last written. A `Memo` keeps pieces
that many files share (a prediction's calendar event, its feed entry) from one build to the
next, so even a file that must be made again does not redo them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Later:
    """Bytes to make in the worker that writes the file (pipeline.make), not where `Output.make`
    was called: for files costly to make one by one, such as the share-card PNGs, so that a cold
    build makes them on every core."""

    make: Callable[[], bytes]


@dataclass(frozen=True)
class Output:
    path: str
    inputs: Mapping[str, Any]
    make: Callable[[], bytes | Later]


def bytes_of(data: bytes | Later) -> bytes:
    """The bytes of what an Output's `make` returned."""
    return data.make() if isinstance(data, Later) else data


class Memo:
    """Values by key, carried between builds. A key names the kind of value, the prediction
    (by digest) it was made from and whatever else it depends on (`Memo.key`); `retained()`
    drops the values of predictions that no longer exist (in that version), so the memo never
    holds more than one site's worth."""

    @staticmethod
    def key(kind: str, digest: str, *depends: object) -> str:
        """The memo's key for a `kind` of value made from the prediction with `digest`."""
        return ":".join((kind, digest, *map(str, depends)))

    def __init__(self, previous: Mapping[str, Any] | None = None) -> None:
        self._previous = previous or {}
        self.current: dict[str, Any] = {}

    def has(self, key: str) -> bool:
        return key in self.current or key in self._previous

    def fill(self, keys: Sequence[str], make_all: Callable[[list[int]], list[Any]]) -> None:
        """Make the values of the missing `keys` in one call (e.g. on every core):
        `make_all` gets their indices in `keys` and returns their values in that order."""
        missing = [i for i, key in enumerate(keys) if not self.has(key)]
        for i, value in zip(missing, make_all(missing) if missing else [], strict=True):
            self.current[keys[i]] = value

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.current:
            found = self._previous.get(key)
            self.current[key] = make() if found is None else found
        return self.current[key]

    def retained(self, live: Collection[str]) -> dict[str, Any]:
        """What to carry to the next build: this build's values, and the earlier ones of
        predictions (by digest) that are still in the site."""
        kept = {k: v for k, v in self._previous.items() if _prediction_digest(k) in live}
        return {**kept, **self.current}


def _prediction_digest(key: str) -> str:
    """The prediction digest of a key made by Memo.key."""
    parts = key.split(":", 2)
    return parts[1] if len(parts) > 1 else ""
