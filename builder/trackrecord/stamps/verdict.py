"""What a prediction's timestamp tokens vouch for: pure, from the token checks (token.py)
and the prediction's claims as they read now (content/claim.py).

A token vouches for a claim when its authority's pinned certificate signed it and its
message imprint is that claim's SHA-256. A token that is damaged, signed by another key, or
stamps a claim that no longer reads that way (edited after stamping) vouches for nothing
and is listed as a problem, which pages show like an edit after publication.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.content.claim import claims
from builder.content.model import Prediction

if TYPE_CHECKING:  # the checks' type only: token.py imports cryptography, which every build
    # would pay for (the site model imports this module), stamps or not
    from builder.trackrecord.stamps.token import TokenCheck


@dataclass(frozen=True)
class Stamp:
    """A good token: `authority` signed claim `claim` (0 as published, k as of update k)."""

    authority: str  # its name (config/timestamps.py)
    time: dt.datetime  # UTC
    token: str  # the token's path in the repository
    claim: int
    sha256: str

    @property
    def day(self) -> dt.date:
        return self.time.date()


@dataclass(frozen=True)
class StampProblem:
    token: str
    message: str  # what is wrong with the token, after "the token": "is signed by ..."
    time: dt.datetime | None = None  # when it was signed, if it could be read
    edited: bool = False  # a good token of a claim that reads otherwise now


@dataclass(frozen=True)
class Stamps:
    """A prediction's tokens: the good ones, oldest first, and what is wrong with the rest."""

    stamps: tuple[Stamp, ...] = ()
    problems: tuple[StampProblem, ...] = ()
    # (path, authority, digest of its bytes) of every token, good or not
    tokens: tuple[tuple[str, str, str], ...] = ()
    hashes: tuple[str, ...] = ()  # SHA-256 of each claim as it reads now (0 as published)

    @property
    def first(self) -> Stamp | None:
        """The earliest stamp of the claim as published: when the prediction was on record."""
        return next((s for s in self.stamps if s.claim == 0), None)

    def of_update(self, index: int) -> Stamp | None:
        """The earliest stamp of the claim as of update `index` (0-based)."""
        return next((s for s in self.stamps if s.claim == index + 1), None)


NONE = Stamps()


def judge(prediction: Prediction, checks: Iterable[tuple[str, str, str, TokenCheck]]) -> Stamps:
    """`checks`: (token path, authority name, digest of the token, its check) of each of the
    prediction's tokens."""
    made = claims(prediction)
    by_hash = {c.sha256: c for c in made}
    good: list[Stamp] = []
    problems: list[StampProblem] = []
    checks = sorted(checks, key=lambda c: c[0])
    for path, authority, _, check in checks:
        if check.error is not None:
            problems.append(StampProblem(path, check.error, check.time))
            continue
        assert check.imprint is not None and check.time is not None
        claim = by_hash.get(check.imprint)
        if claim is None:  # edited after it was stamped
            message = f"stamps {check.imprint[:16]}…, not the claim as it reads now"
            problems.append(StampProblem(path, message, check.time, edited=True))
            continue
        good.append(Stamp(authority, check.time, path, claim.index, claim.sha256))
    good.sort(key=lambda s: (s.time, s.token))
    tokens = tuple((path, authority, token_digest) for path, authority, token_digest, _ in checks)
    return Stamps(tuple(good), tuple(problems), tokens, tuple(c.sha256 for c in made))
