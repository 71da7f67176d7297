"""Durable vote storage in SQLite (standard library sqlite3).

Durability: WAL with synchronous=FULL, so a COMMIT has reached the disk (fsync) before it
returns, and a vote's future is resolved only after its COMMIT.

Concurrency: one connection writes, from one dedicated thread, so writers never contend for the
database lock ("database is locked" cannot happen between our own writers). Votes arriving
while a commit is in flight are committed together in the next transaction (group commit): one
fsync then acknowledges many votes, which is what lets hundreds of simultaneous voters through
on an ordinary disk. Reads use a second connection; in WAL mode they never wait for the writer.

Health: every commit (a batch of votes, or a probe) records whether it worked in `last_write`,
so the endpoint can tell that the database stopped accepting writes (read-only, corrupt, disk
full) instead of looking healthy while every vote fails.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

T = TypeVar("T")

CHOICES: Final = ("will", "wont", "maybe")

# The widget makes this id once (random) and keeps it in localStorage.
VOTER_RE: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")

MAX_BATCH: Final = 256
BUSY_TIMEOUT_MS: Final = 5000  # only matters if another process writes the same file

log = logging.getLogger("foretell.votes")

# `tallies` is maintained by triggers inside the same transaction as the vote, so counts are
# O(1) to read and cannot drift from `votes`, whatever code path writes a vote.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    slug       TEXT    NOT NULL,
    voter      BLOB    NOT NULL,  -- sha256 of the voter id: a leaked database reveals no ids
    choice     TEXT    NOT NULL CHECK (choice IN ('will', 'wont', 'maybe')),
    created_at INTEGER NOT NULL,  -- unix seconds
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (slug, voter)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS tallies (
    slug   TEXT    NOT NULL,
    choice TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (slug, choice)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS votes_insert AFTER INSERT ON votes BEGIN
    INSERT INTO tallies (slug, choice, n) VALUES (NEW.slug, NEW.choice, 1)
        ON CONFLICT (slug, choice) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER IF NOT EXISTS votes_change AFTER UPDATE OF choice ON votes
WHEN OLD.choice != NEW.choice BEGIN
    UPDATE tallies SET n = n - 1 WHERE slug = OLD.slug AND choice = OLD.choice;
    INSERT INTO tallies (slug, choice, n) VALUES (NEW.slug, NEW.choice, 1)
        ON CONFLICT (slug, choice) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER IF NOT EXISTS votes_delete AFTER DELETE ON votes BEGIN
    UPDATE tallies SET n = n - 1 WHERE slug = OLD.slug AND choice = OLD.choice;
END;
"""

_UPSERT = """
INSERT INTO votes (slug, voter, choice, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (slug, voter) DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at
"""


class StoreClosed(RuntimeError):
    """A vote was submitted after `VoteStore.close()`."""


@dataclass(frozen=True)
class WriteOutcome:
    """How the latest commit went: `error` is empty when it worked."""

    error: str
    at: float  # time.monotonic()

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Tally:
    will: int = 0
    wont: int = 0
    maybe: int = 0

    @property
    def total(self) -> int:
        return self.will + self.wont + self.maybe

    def counts(self) -> dict[str, int]:
        return {"will": self.will, "wont": self.wont, "maybe": self.maybe}


@dataclass(frozen=True)
class _Pending:
    slug: str
    voter_key: bytes
    choice: str
    future: Future[Tally]


@dataclass(frozen=True)
class _Probe:
    future: Future[None]


_STOP: Final = object()

# A slug no manifest can hold ("/" is refused in slugs): the probe's vote cannot touch a real one.
_PROBE_SLUG: Final = "/write-probe"
_PROBE_VOTER: Final = bytes(32)


def voter_key(voter: str) -> bytes:
    return hashlib.sha256(voter.encode("ascii")).digest()


def is_valid_voter(voter: object) -> bool:
    return isinstance(voter, str) and VOTER_RE.fullmatch(voter) is not None


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so we know exactly when a commit
    # (and its fsync) happens. check_same_thread=False: each connection is confined to one
    # thread or guarded by a lock by the code below.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


class VoteStore:
    """Votes on disk. Thread-safe; `submit_vote` never blocks, the read methods do (briefly)."""

    def __init__(self, path: Path | str, *, max_batch: int = MAX_BATCH) -> None:
        self.path = Path(path)
        self._max_batch = max_batch
        self._writer = _connect(self.path)
        try:
            mode = self._writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                # Still durable (synchronous=FULL), just slower; e.g. a network filesystem.
                log.warning("%s: SQLite refused WAL mode, using %s", self.path, mode)
            self._writer.executescript(_SCHEMA)
            self._reader = _connect(self.path)
        except BaseException:
            self._writer.close()
            raise
        self._reader_lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Pending | _Probe | object] = queue.SimpleQueue()
        self.last_write: WriteOutcome | None = None  # set by the writer thread only
        self._closed = False
        self._close_lock = threading.Lock()
        self._thread = threading.Thread(target=self._write_loop, name="votes-writer", daemon=True)
        self._thread.start()

    # -- writing -------------------------------------------------------------------------

    def submit_vote(self, slug: str, voter: str, choice: str) -> Future[Tally]:
        """Queue a vote; the future resolves to the slug's tally once the vote is committed.

        Inputs are validated here, before queueing, so one bad vote cannot fail a whole batch.
        """
        if choice not in CHOICES:
            raise ValueError(f"unknown choice {choice!r}")
        if not is_valid_voter(voter):
            raise ValueError("invalid voter id")
        future: Future[Tally] = Future()
        pending = _Pending(slug, voter_key(voter), choice, future)
        # Under the lock so no vote can be queued behind the stop marker and be left hanging.
        with self._close_lock:
            if self._closed:
                raise StoreClosed("the vote store is closed")
            self._queue.put(pending)
        return future

    def cast_vote(self, slug: str, voter: str, choice: str) -> Tally:
        """Blocking `submit_vote`: returns once the vote is on disk."""
        return self.submit_vote(slug, voter, choice).result()

    def submit_probe(self) -> Future[None]:
        """Queue a write probe: a vote-shaped transaction that leaves nothing behind, committed
        like a vote (so it fails where a vote would: read-only file, corruption on the vote
        tables, disk full). The future fails with the error; `last_write` records it too."""
        future: Future[None] = Future()
        with self._close_lock:
            if self._closed:
                raise StoreClosed("the vote store is closed")
            self._queue.put(_Probe(future))
        return future

    def check_writable(self, timeout: float = 30.0) -> None:
        """Block until a write probe has committed; raise what stopped it (sqlite3.Error, or
        TimeoutError when the disk does not answer)."""
        self.submit_probe().result(timeout)

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                break
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            self._commit([p for p in batch if isinstance(p, _Pending)])
            self._probe([p for p in batch if isinstance(p, _Probe)])
            if stop:
                break
        self._writer.close()

    def _commit(self, batch: list[_Pending]) -> None:
        # A future cancelled by its waiter was never acknowledged: skip the vote.
        live = [p for p in batch if p.future.set_running_or_notify_cancel()]
        now = int(time.time())

        def store(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
            conn.executemany(_UPSERT, [(p.slug, p.voter_key, p.choice, now, now) for p in live])
            return {slug: _tally(conn, slug) for slug in {p.slug for p in live}}

        tallies = self._transaction(live, store, "could not store %d vote(s): %s")
        for p in live if tallies is not None else ():
            p.future.set_result(tallies[p.slug])

    def _probe(self, probes: list[_Probe]) -> None:
        # One transaction answers every probe queued together.
        live = [p for p in probes if p.future.set_running_or_notify_cancel()]

        def probe(conn: sqlite3.Connection) -> bool:
            conn.execute(_UPSERT, (_PROBE_SLUG, _PROBE_VOTER, CHOICES[0], 0, 0))
            conn.execute("DELETE FROM votes WHERE slug = ?", (_PROBE_SLUG,))
            conn.execute("DELETE FROM tallies WHERE slug = ?", (_PROBE_SLUG,))
            return True

        # The caller reports a failed probe: one line at startup, a log line later.
        if self._transaction(live, probe, None) is not None:
            for p in live:
                p.future.set_result(None)

    def _transaction(
        self,
        live: Sequence[_Pending | _Probe],
        work: Callable[[sqlite3.Connection], T],
        failure: str | None,
    ) -> T | None:
        """`work` in one write transaction, committed (COMMIT returns after the WAL is fsynced:
        synchronous=FULL); None, with every future of `live` failed, when it could not be."""
        if not live:
            return None
        conn = self._writer
        try:
            conn.execute("BEGIN IMMEDIATE")
            result = work(conn)
            conn.execute("COMMIT")
        except Exception as exc:  # disk full, I/O error...: everything in the batch fails
            if failure is not None:
                log.error(failure, len(live), exc)
            self._failed(exc)
            for p in live:
                p.future.set_exception(exc)
            return None
        self._record("")
        return result

    def _failed(self, exc: Exception) -> None:
        """Record the failed commit and roll its transaction back."""
        self._record(str(exc) or type(exc).__name__)
        try:
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _record(self, error: str) -> None:
        # One attribute assignment: readers on other threads see the old or the new outcome.
        self.last_write = WriteOutcome(error, time.monotonic())

    # -- reading -------------------------------------------------------------------------

    def tally(self, slug: str) -> Tally:
        return self.tallies([slug])[slug]

    def tallies(self, slugs: Iterable[str]) -> dict[str, Tally]:
        """Tallies of several predictions, read in one query (every slug gets an entry)."""
        wanted = list(dict.fromkeys(slugs))
        counts: dict[str, dict[str, int]] = {slug: {} for slug in wanted}
        if wanted:
            marks = ",".join("?" * len(wanted))
            with self._reader_lock:
                rows = self._reader.execute(
                    f"SELECT slug, choice, n FROM tallies WHERE slug IN ({marks})", wanted
                ).fetchall()
            for slug, choice, n in rows:
                counts[slug][choice] = n
        return {slug: Tally(**c) for slug, c in counts.items()}

    def tally_and_choice(self, slug: str, voter: str | None) -> tuple[Tally, str | None]:
        """The slug's tally and, if a voter is given, their current choice, consistently."""
        with self._reader_lock:
            conn = self._reader
            conn.execute("BEGIN")  # one snapshot for both reads
            try:
                tally = _tally(conn, slug)
                choice = None
                if voter is not None:
                    row = conn.execute(
                        "SELECT choice FROM votes WHERE slug = ? AND voter = ?",
                        (slug, voter_key(voter)),
                    ).fetchone()
                    choice = row[0] if row else None
            finally:
                conn.execute("COMMIT")
        return tally, choice

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
        with self._reader_lock:
            self._reader.close()

    def __enter__(self) -> VoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tally(conn: sqlite3.Connection, slug: str) -> Tally:
    rows = conn.execute("SELECT choice, n FROM tallies WHERE slug = ?", (slug,)).fetchall()
    return Tally(**dict(rows))
