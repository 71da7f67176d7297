"""The embedded engine: votes in one SQLite file (standard library sqlite3).

Durability: WAL with synchronous=FULL, so a COMMIT has reached the disk (fsync) before it
returns. One connection writes, from the store's writer thread, so our own writers never meet
"database is locked"; reads use a second connection, which in WAL mode never waits for the
writer. All writers must be on one host (WAL needs shared memory): one endpoint process.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final, TypeVar

from builder.content.crowd import CHOICES, CrowdTally

from .ratelimit import LocalRateLimit
from .store import PROBE_SLUG, PROBE_VOTER, SchemaError, StoredVote, VoteStore, tallies_from_rows
from .store import voter_key as hash_voter

T = TypeVar("T")

BUSY_TIMEOUT_MS: Final = 5000  # only matters if another process writes the same file
SCHEMA_VERSION: Final = 1  # kept in PRAGMA user_version

log = logging.getLogger("foretell.votes")

# `tallies` is maintained by triggers inside the same transaction as the vote, so counts are
# O(1) to read and cannot drift from `votes`, whatever code path writes a vote.
_SCHEMA_V1: Final = (
    """CREATE TABLE IF NOT EXISTS votes (
    slug       TEXT    NOT NULL,
    voter      BLOB    NOT NULL,  -- sha256 of the voter id: a leaked database reveals no ids
    choice     TEXT    NOT NULL CHECK (choice IN ('will', 'wont', 'maybe')),
    created_at INTEGER NOT NULL,  -- unix seconds
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (slug, voter)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS tallies (
    slug   TEXT    NOT NULL,
    choice TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (slug, choice)
) WITHOUT ROWID""",
    """CREATE TRIGGER IF NOT EXISTS votes_insert AFTER INSERT ON votes BEGIN
    INSERT INTO tallies (slug, choice, n) VALUES (NEW.slug, NEW.choice, 1)
        ON CONFLICT (slug, choice) DO UPDATE SET n = n + 1;
END""",
    """CREATE TRIGGER IF NOT EXISTS votes_change AFTER UPDATE OF choice ON votes
WHEN OLD.choice != NEW.choice BEGIN
    UPDATE tallies SET n = n - 1 WHERE slug = OLD.slug AND choice = OLD.choice;
    INSERT INTO tallies (slug, choice, n) VALUES (NEW.slug, NEW.choice, 1)
        ON CONFLICT (slug, choice) DO UPDATE SET n = n + 1;
END""",
    """CREATE TRIGGER IF NOT EXISTS votes_delete AFTER DELETE ON votes BEGIN
    UPDATE tallies SET n = n - 1 WHERE slug = OLD.slug AND choice = OLD.choice;
END""",
)
# Version n is reached from n-1 by MIGRATIONS[n-1]. Version 0 is a database made before
# versions were recorded (foretell 0.1.0), or a new empty file: v1's IF NOT EXISTS fits both.
MIGRATIONS: Final = (_SCHEMA_V1,)

_UPSERT: Final = """
INSERT INTO votes (slug, voter, choice, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (slug, voter) DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at
"""
# Import keeps the earlier created_at of a vote already there.
_IMPORT: Final = """
INSERT INTO votes (slug, voter, choice, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (slug, voter) DO UPDATE SET choice = excluded.choice,
    created_at = min(created_at, excluded.created_at), updated_at = excluded.updated_at
"""


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so we know exactly when a commit
    # (and its fsync) happens. check_same_thread=False: each connection is confined to one
    # thread or guarded by a lock by the code below.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work` in one write transaction, committed (COMMIT returns after the WAL is fsynced:
    synchronous=FULL), or rolled back and the error raised."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise
    return result


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION in one transaction; SchemaError for a newer one.
    A database already at this version is not written to (it may be read-only: the write
    probe then says so)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return

    def work(conn: sqlite3.Connection) -> None:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise SchemaError(
                f"{path}: the vote database has schema version {found}, newer than this "
                f"foretell knows ({SCHEMA_VERSION}): run a newer foretell"
            )
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            log.info("%s: vote database schema now at version %d", path, version + 1)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    _transaction(conn, work)


class SqliteVoteStore(VoteStore):
    errors = (sqlite3.Error,)

    def __init__(self, path: Path | str, **options: int) -> None:
        self.path = Path(path)
        self._writer = _connect(self.path)
        try:
            mode = self._writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                # Still durable (synchronous=FULL), just slower; e.g. a network filesystem.
                log.warning("%s: SQLite refused WAL mode, using %s", self.path, mode)
            migrate(self._writer, self.path)
            self._reader = _connect(self.path)
        except BaseException:
            self._writer.close()
            raise
        self._reader_lock = threading.Lock()
        super().__init__(**options)

    @property
    def name(self) -> str:
        return str(self.path)

    # -- writing (on the writer thread) ----------------------------------------------------

    def _store_votes(self, votes: list[StoredVote]) -> dict[str, CrowdTally]:
        def store(conn: sqlite3.Connection) -> dict[str, CrowdTally]:
            rows = [(v.slug, v.voter_key, v.choice, v.created_at, v.updated_at) for v in votes]
            conn.executemany(_UPSERT, rows)
            return {slug: _tally(conn, slug) for slug in {v.slug for v in votes}}

        return _transaction(self._writer, store)

    def _store_probe(self) -> None:
        def probe(conn: sqlite3.Connection) -> None:
            conn.execute(_UPSERT, (PROBE_SLUG, PROBE_VOTER, CHOICES[0], 0, 0))
            conn.execute("DELETE FROM votes WHERE slug = ?", (PROBE_SLUG,))
            conn.execute("DELETE FROM tallies WHERE slug = ?", (PROBE_SLUG,))

        _transaction(self._writer, probe)

    def _close_writer(self) -> None:
        self._writer.close()

    # -- reading -------------------------------------------------------------------------

    def tallies(self, slugs: Iterable[str]) -> dict[str, CrowdTally]:
        wanted = list(dict.fromkeys(slugs))
        rows: list[tuple[str, str, int]] = []
        if wanted:
            marks = ",".join("?" * len(wanted))
            with self._reader_lock:
                rows = self._reader.execute(
                    f"SELECT slug, choice, n FROM tallies WHERE slug IN ({marks})", wanted
                ).fetchall()
        return tallies_from_rows(wanted, rows)

    def tally_and_choice(self, slug: str, voter: str | None) -> tuple[CrowdTally, str | None]:
        with self._reader_lock:
            conn = self._reader
            conn.execute("BEGIN")  # one snapshot for both reads
            try:
                tally = _tally(conn, slug)
                choice = None
                if voter is not None:
                    row = conn.execute(
                        "SELECT choice FROM votes WHERE slug = ? AND voter = ?",
                        (slug, hash_voter(voter)),
                    ).fetchone()
                    choice = row[0] if row else None
            finally:
                conn.execute("COMMIT")
        return tally, choice

    def rate_limit(self, per_minute: int) -> LocalRateLimit:
        # One process per SQLite database: its memory is the only place that sees every vote.
        return LocalRateLimit(per_minute)

    # -- moving votes --------------------------------------------------------------------

    def export_votes(self) -> Iterator[StoredVote]:
        # A connection of its own: one snapshot for the whole export, readers not held up.
        conn = _connect(self.path)
        try:
            conn.execute("BEGIN")
            rows = conn.execute(
                "SELECT slug, voter, choice, created_at, updated_at FROM votes"
                " WHERE slug != ? ORDER BY slug, voter",
                (PROBE_SLUG,),
            )
            for slug, voter, choice, created, updated in rows:
                yield StoredVote(slug, bytes(voter), choice, created, updated)
        finally:
            conn.close()

    def import_votes(self, votes: Iterable[StoredVote]) -> int:
        # Not through the writer thread: one transaction of any size, before serving.
        def work(conn: sqlite3.Connection) -> int:
            rows = [(v.slug, v.voter_key, v.choice, v.created_at, v.updated_at) for v in votes]
            conn.executemany(_IMPORT, rows)
            return len(rows)

        conn = _connect(self.path)
        try:
            return _transaction(conn, work)
        finally:
            conn.close()

    def _close_readers(self) -> None:
        with self._reader_lock:
            self._reader.close()


def _tally(conn: sqlite3.Connection, slug: str) -> CrowdTally:
    rows = conn.execute("SELECT choice, n FROM tallies WHERE slug = ?", (slug,)).fetchall()
    return CrowdTally(**dict(rows))
