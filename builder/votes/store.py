"""The vote storage interface, and the group commit that both engines share.

`VoteStore` is what the endpoint talks to. An engine (sqlite_store.py, pg_store.py) supplies
the transactions; this module supplies the rest, written once: validation, the writer thread,
the futures, and the record of the latest write that /healthz reads.

Group commit: one writer thread commits every vote queued while the previous commit was in
flight in one transaction, so one durable commit (an fsync) acknowledges many votes. A vote's
future is resolved only after its COMMIT has returned: a `200` means committed.

Health: every commit (a batch of votes, or a probe) records whether it worked in `last_write`,
so the endpoint can tell that the database stopped accepting writes (read-only, corrupt, disk
full, server down) instead of looking healthy while every vote fails.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import ClassVar, Final, Protocol

from builder.content.crowd import CHOICES, CrowdTally

# The widget makes this id once (random) and keeps it in localStorage.
VOTER_RE: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")

MAX_BATCH: Final = 256

# A slug no manifest can hold ("/" is refused in slugs): the probe's vote cannot touch a real one.
PROBE_SLUG: Final = "/write-probe"
PROBE_VOTER: Final = bytes(32)

log = logging.getLogger("foretell.votes")


class StoreClosed(RuntimeError):
    """A vote was submitted after `VoteStore.close()`."""


class SchemaError(RuntimeError):
    """The database's schema is not one this version can use (newer, or unknown)."""


@dataclass(frozen=True)
class WriteOutcome:
    """How the latest commit went: `error` is empty when it worked."""

    error: str
    at: float  # time.monotonic()

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class StoredVote:
    """One vote as stored: what export writes and import reads (the voter only as its hash)."""

    slug: str
    voter_key: bytes
    choice: str
    created_at: int  # unix seconds
    updated_at: int


class RateLimit(Protocol):
    """A per-client vote limit: None when `key` may vote now, else the seconds to wait."""

    async def hit(self, key: str) -> int | None: ...


@dataclass(frozen=True)
class _Pending:
    slug: str
    voter_key: bytes
    choice: str
    future: Future[CrowdTally]


@dataclass(frozen=True)
class _Probe:
    future: Future[None]


_STOP: Final = object()


def voter_key(voter: str) -> bytes:
    return hashlib.sha256(voter.encode("ascii")).digest()


def is_valid_voter(voter: object) -> bool:
    return isinstance(voter, str) and VOTER_RE.fullmatch(voter) is not None


def tallies_from_rows(
    slugs: Iterable[str], rows: Iterable[tuple[str, str, int]]
) -> dict[str, CrowdTally]:
    """Each of `slugs`' tally from the `tallies` table's (slug, choice, n) rows: every slug gets
    one, all zero when it has no rows."""
    counts: dict[str, dict[str, int]] = {slug: {} for slug in slugs}
    for slug, choice, n in rows:
        counts[slug][choice] = n
    return {slug: CrowdTally(**c) for slug, c in counts.items()}


def latest_per_voter(votes: Iterable[StoredVote]) -> list[StoredVote]:
    """One vote per (slug, voter), the last given, in key order: a batch that names a voter
    twice stores their last choice, and every writer locks rows in the same order."""
    latest = {(v.slug, v.voter_key): v for v in votes}
    return [latest[key] for key in sorted(latest)]


class VoteStore(ABC):
    """Votes in a database. Thread-safe; `submit_vote` never blocks, the read methods do.

    `errors` are the exceptions that mean the database failed (not a bug): the endpoint answers
    them with 503 and Retry-After.
    """

    errors: ClassVar[tuple[type[Exception], ...]] = ()

    def __init__(self, *, max_batch: int = MAX_BATCH) -> None:
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | _Probe | object] = queue.SimpleQueue()
        self.last_write: WriteOutcome | None = None  # set by the writer thread only
        self._closed = False
        self._close_lock = threading.Lock()
        self._thread = threading.Thread(target=self._write_loop, name="votes-writer", daemon=True)
        self._thread.start()

    # -- what an engine supplies ------------------------------------------------------------

    @property
    @abstractmethod
    def name(self) -> str:
        """The database, for messages (never a password)."""

    @abstractmethod
    def _store_votes(self, votes: list[StoredVote]) -> dict[str, CrowdTally]:
        """Upsert `votes` (one per slug and voter) in one committed transaction; return the
        tallies of their slugs as of that transaction. Raise (rolled back) if it failed."""

    @abstractmethod
    def _store_probe(self) -> None:
        """A vote-shaped committed transaction that leaves nothing behind."""

    @abstractmethod
    def _close_writer(self) -> None:
        """Called on the writer thread as it ends."""

    @abstractmethod
    def _close_readers(self) -> None:
        """Called by `close` once the writer is done."""

    @abstractmethod
    def tallies(self, slugs: Iterable[str]) -> dict[str, CrowdTally]:
        """Tallies of several predictions, read in one query (every slug gets an entry)."""

    @abstractmethod
    def tally_and_choice(self, slug: str, voter: str | None) -> tuple[CrowdTally, str | None]:
        """The slug's tally and, if a voter is given, their current choice, consistently."""

    @abstractmethod
    def rate_limit(self, per_minute: int) -> RateLimit:
        """The vote limit, shared by every endpoint process this engine lets share a database."""

    @abstractmethod
    def export_votes(self) -> Iterator[StoredVote]:
        """Every vote, in (slug, voter) order."""

    @abstractmethod
    def import_votes(self, votes: Iterable[StoredVote]) -> int:
        """Add or replace `votes` in one transaction (tallies kept); how many were given."""

    # -- writing -------------------------------------------------------------------------

    def submit_vote(self, slug: str, voter: str, choice: str) -> Future[CrowdTally]:
        """Queue a vote; the future resolves to the slug's tally once the vote is committed.

        Inputs are validated here, before queueing, so one bad vote cannot fail a whole batch.
        """
        if choice not in CHOICES:
            raise ValueError(f"unknown choice {choice!r}")
        if not is_valid_voter(voter):
            raise ValueError("invalid voter id")
        future: Future[CrowdTally] = Future()
        self._put(_Pending(slug, voter_key(voter), choice, future))
        return future

    def submit_probe(self) -> Future[None]:
        """Queue a write probe: a vote-shaped transaction that leaves nothing behind, committed
        like a vote (so it fails where a vote would: read-only file, corruption on the vote
        tables, disk full, server gone). The future fails with the error; `last_write` records
        it too."""
        future: Future[None] = Future()
        self._put(_Probe(future))
        return future

    def check_writable(self, timeout: float = 30.0) -> None:
        """Block until a write probe has committed; raise what stopped it (one of `errors`, or
        TimeoutError when the database does not answer)."""
        self.submit_probe().result(timeout)

    def _put(self, item: _Pending | _Probe) -> None:
        # Under the lock so nothing can be queued behind the stop marker and be left hanging.
        with self._close_lock:
            if self._closed:
                raise StoreClosed("the vote store is closed")
            self._queue.put(item)

    def _write_loop(self) -> None:
        try:
            while True:
                batch, stop = self._next_batch()
                self._commit([p for p in batch if isinstance(p, _Pending)])
                self._probe([p for p in batch if isinstance(p, _Probe)])
                if stop:
                    break
        finally:
            self._close_writer()

    def _next_batch(self) -> tuple[list[_Pending | _Probe], bool]:
        """What is queued (waiting for the first item), and whether the stop marker came."""
        batch: list[_Pending | _Probe] = []
        first = self._queue.get()
        if first is _STOP:
            return batch, True
        batch.append(first)  # type: ignore[arg-type]
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)  # type: ignore[arg-type]
        return batch, False

    def _commit(self, batch: list[_Pending]) -> None:
        # A future cancelled by its waiter was never acknowledged: skip the vote.
        live = [p for p in batch if p.future.set_running_or_notify_cancel()]
        if not live:
            return
        now = int(time.time())
        rows = latest_per_voter(StoredVote(p.slug, p.voter_key, p.choice, now, now) for p in live)
        try:
            tallies = self._store_votes(rows)
        except Exception as exc:  # disk full, I/O error, server gone: the whole batch fails
            log.error("could not store %d vote(s): %s", len(live), exc)
            self._fail(live, exc)
            return
        self._record("")
        for p in live:
            p.future.set_result(tallies[p.slug])

    def _probe(self, probes: list[_Probe]) -> None:
        # One transaction answers every probe queued together.
        live = [p for p in probes if p.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            self._store_probe()
        except Exception as exc:  # the caller reports it: one line at startup, a log line later
            self._fail(live, exc)
            return
        self._record("")
        for p in live:
            p.future.set_result(None)

    def _fail(self, live: list[_Pending] | list[_Probe], exc: Exception) -> None:
        self._record(str(exc) or type(exc).__name__)
        for p in live:
            p.future.set_exception(exc)

    def note_failure(self, exc: BaseException) -> None:
        """Another use of the database (a read, the rate limit) failed: until a write works
        again, /healthz reports the database as not accepting writes."""
        self._record(str(exc) or type(exc).__name__)

    def _record(self, error: str) -> None:
        # One attribute assignment: readers on other threads see the old or the new outcome.
        self.last_write = WriteOutcome(error, time.monotonic())

    # -- reading -------------------------------------------------------------------------

    def tally(self, slug: str) -> CrowdTally:
        return self.tallies([slug])[slug]

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Commit what is queued, then close. Idempotent."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()
        self._close_readers()

    def __enter__(self) -> VoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
