"""The shared engine: votes in PostgreSQL (psycopg 3 and its connection pool), for any number
of endpoint processes on one database.

- One vote per voter and prediction: the (slug, voter) primary key, written by upserts.
- Counts: `tallies` is kept by triggers in the vote's own transaction, as in SQLite.
- Durability: each batch is one transaction; PostgreSQL's COMMIT returns once its WAL is
  flushed (synchronous_commit=on, the server default), and only then are its votes answered.
- Several writers: a batch first takes a transaction-scoped advisory lock per slug, in one
  order for every process, so batches on the same prediction queue up instead of deadlocking
  on its tally rows, and batches on different predictions commit side by side.
- Rate limit: token buckets in the database, shared by every process (pg_ratelimit.py).
- Outages: connections come from a pool that checks each before lending it, so after the
  server restarts the store reconnects by itself; while it is down, calls fail within
  POOL_TIMEOUT_S with one of `errors` (the endpoint's 503).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any, Final

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from builder.content.crowd import CHOICES, CrowdTally

from .pg_ratelimit import SharedRateLimit
from .store import PROBE_SLUG, PROBE_VOTER, SchemaError, StoredVote, VoteStore, tallies_from_rows
from .store import voter_key as hash_voter

SCHEMA_VERSION: Final = 1  # kept in foretell_schema
POOL_TIMEOUT_S: Final = 3.0  # a request waits at most this for a connection
POOL_MAX: Final = 8
# psycopg_pool retries a failed connection with a doubling delay; past this it gives up and
# the next request starts afresh. So after a long outage the endpoint reconnects within a few
# seconds of the server coming back, not after the last (long) delay.
RECONNECT_S: Final = 5.0
CONNECT_TIMEOUT_S: Final = 5
MIGRATION_LOCK: Final = 0x666F726574656C6C  # advisory lock id: one migrating process at a time

log = logging.getLogger("foretell.votes")

_SCHEMA_V1: Final = (
    """CREATE TABLE votes (
    slug       text   NOT NULL,
    voter      bytea  NOT NULL,  -- sha256 of the voter id: a leaked database reveals no ids
    choice     text   NOT NULL CHECK (choice IN ('will', 'wont', 'maybe')),
    created_at bigint NOT NULL,  -- unix seconds
    updated_at bigint NOT NULL,
    PRIMARY KEY (slug, voter)
)""",
    """CREATE TABLE tallies (
    slug   text   NOT NULL,
    choice text   NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (slug, choice)
)""",
    """CREATE FUNCTION votes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE tallies SET n = n - 1 WHERE slug = OLD.slug AND choice = OLD.choice;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO tallies (slug, choice, n) VALUES (NEW.slug, NEW.choice, 1)
            ON CONFLICT (slug, choice) DO UPDATE SET n = tallies.n + 1;
    END IF;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER votes_insert_delete AFTER INSERT OR DELETE ON votes
    FOR EACH ROW EXECUTE FUNCTION votes_count()""",
    """CREATE TRIGGER votes_change AFTER UPDATE OF choice ON votes
    FOR EACH ROW WHEN (OLD.choice IS DISTINCT FROM NEW.choice) EXECUTE FUNCTION votes_count()""",
    """CREATE UNLOGGED TABLE rate_buckets (
    key    text             PRIMARY KEY,
    tokens double precision NOT NULL,
    at     double precision NOT NULL,  -- the server's clock, so every endpoint agrees
    ok     boolean          NOT NULL   -- whether the latest hit was let through
)""",
)
# Version n is reached from n-1 by MIGRATIONS[n-1]; version 0 is an empty database.
MIGRATIONS: Final = (_SCHEMA_V1,)

_LOCK_SLUGS: Final = (
    "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(k, i)"
    " ORDER BY i"
)
_ROWS: Final = "unnest(%s::text[], %s::bytea[], %s::text[], %s::bigint[], %s::bigint[])"
_UPSERT: Final = f"""
INSERT INTO votes (slug, voter, choice, created_at, updated_at) SELECT * FROM {_ROWS}
ON CONFLICT (slug, voter) DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at
"""
# Import keeps the earlier created_at of a vote already there.
_IMPORT: Final = f"""
INSERT INTO votes (slug, voter, choice, created_at, updated_at) SELECT * FROM {_ROWS}
ON CONFLICT (slug, voter) DO UPDATE SET choice = excluded.choice,
    created_at = least(votes.created_at, excluded.created_at), updated_at = excluded.updated_at
"""
_TALLIES: Final = "SELECT slug, choice, n FROM tallies WHERE slug = ANY(%s)"
# One statement, so one snapshot for the tally and the voter's choice.
_TALLY_AND_CHOICE: Final = """
SELECT choice, n, false FROM tallies WHERE slug = %(slug)s
UNION ALL SELECT choice, 0, true FROM votes WHERE slug = %(slug)s AND voter = %(voter)s
"""


def slug_lock_keys(slugs: Iterable[str]) -> list[int]:
    """The advisory lock ids of `slugs`, in the one order every process takes them."""
    digests = {hashlib.sha256(s.encode()).digest()[:8] for s in slugs}
    return sorted(int.from_bytes(d, "big", signed=True) for d in digests)


def _columns(votes: list[StoredVote]) -> tuple[list[Any], ...]:
    return (
        [v.slug for v in votes],
        [v.voter_key for v in votes],
        [v.choice for v in votes],
        [v.created_at for v in votes],
        [v.updated_at for v in votes],
    )


def migrate(conn: psycopg.Connection[Any], name: str) -> None:
    """Bring the schema to SCHEMA_VERSION in one transaction; SchemaError for a newer one.
    Processes starting together take turns (an advisory lock), so only one migrates."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        found = 0
        if conn.execute("SELECT to_regclass('foretell_schema')").fetchone() != (None,):
            row = conn.execute("SELECT version FROM foretell_schema").fetchone()
            found = row[0] if row else 0
        else:
            conn.execute("CREATE TABLE foretell_schema (version integer NOT NULL)")
        if found > SCHEMA_VERSION:
            raise SchemaError(
                f"{name}: the vote database has schema version {found}, newer than this "
                f"foretell knows ({SCHEMA_VERSION}): run a newer foretell"
            )
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            log.info("%s: vote database schema now at version %d", name, version + 1)
        conn.execute("DELETE FROM foretell_schema")
        conn.execute("INSERT INTO foretell_schema (version) VALUES (%s)", (SCHEMA_VERSION,))


class PostgresVoteStore(VoteStore):
    errors = (psycopg.Error, PoolTimeout)

    def __init__(self, url: str, *, shown: str | None = None, **options: int) -> None:
        self._shown = shown or url
        self._url = url
        self._writer: psycopg.Connection[Any] | None = None  # the writer thread's
        self._limits: list[SharedRateLimit] = []
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            timeout=POOL_TIMEOUT_S,
            reconnect_timeout=RECONNECT_S,
            check=ConnectionPool.check_connection,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            name="foretell-votes",
            open=False,
        )
        try:
            # The first connection is made here, so a wrong URL fails now, with the reason.
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                migrate(conn, self._shown)
            self._pool.open()
        except BaseException:
            self._pool.close()
            raise
        super().__init__(**options)

    @property
    def name(self) -> str:
        return self._shown

    # -- writing (on the writer thread) ----------------------------------------------------

    def _store_votes(self, votes: list[StoredVote]) -> dict[str, CrowdTally]:
        slugs = sorted({v.slug for v in votes})
        conn = self._writer_connection()
        # Pipeline mode: the whole transaction goes to the server in one exchange, not one
        # round trip per statement (the commit is still awaited before the votes are answered).
        with conn.pipeline(), conn.transaction():
            self._write(conn, _UPSERT, votes)
            cursor = conn.execute(_TALLIES, (slugs,))
        return tallies_from_rows(slugs, cursor.fetchall())

    def _writer_connection(self) -> psycopg.Connection[Any]:
        """The writer thread's own connection, made again after it broke (server restart)."""
        if self._writer is None or self._writer.broken or self._writer.closed:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            self._writer = psycopg.connect(
                self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        return self._writer

    @staticmethod
    def _write(conn: psycopg.Connection[Any], statement: str, votes: list[StoredVote]) -> None:
        conn.execute(_LOCK_SLUGS, (slug_lock_keys(v.slug for v in votes),))
        conn.execute(statement, _columns(votes))

    def _store_probe(self) -> None:
        probe = StoredVote(PROBE_SLUG, PROBE_VOTER, CHOICES[0], 0, 0)
        conn = self._writer_connection()
        with conn.transaction():
            self._write(conn, _UPSERT, [probe])
            conn.execute("DELETE FROM votes WHERE slug = %s", (PROBE_SLUG,))
            conn.execute("DELETE FROM tallies WHERE slug = %s", (PROBE_SLUG,))

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()

    # -- reading -------------------------------------------------------------------------

    def tallies(self, slugs: Iterable[str]) -> dict[str, CrowdTally]:
        wanted = list(dict.fromkeys(slugs))
        if not wanted:
            return {}
        with self._pool.connection() as conn:
            rows = conn.execute(_TALLIES, (wanted,)).fetchall()
        return tallies_from_rows(wanted, rows)

    def tally_and_choice(self, slug: str, voter: str | None) -> tuple[CrowdTally, str | None]:
        key = hash_voter(voter) if voter is not None else None
        with self._pool.connection() as conn:
            rows = conn.execute(_TALLY_AND_CHOICE, {"slug": slug, "voter": key}).fetchall()
        counts = {choice: n for choice, n, is_vote in rows if not is_vote}
        choices = [choice for choice, _n, is_vote in rows if is_vote]
        return CrowdTally(**counts), (choices[0] if choices else None)

    def rate_limit(self, per_minute: int) -> SharedRateLimit:
        limit = SharedRateLimit(self._url, per_minute)
        self._limits.append(limit)  # its connection is closed with the store
        return limit

    # -- moving votes --------------------------------------------------------------------

    def export_votes(self) -> Iterator[StoredVote]:
        # A server-side cursor: the votes stream, they are never all in memory at once.
        with (
            self._pool.connection() as conn,
            conn.transaction(),
            conn.cursor(name="foretell_export") as cursor,
        ):
            cursor.execute(
                "SELECT slug, voter, choice, created_at, updated_at FROM votes"
                " WHERE slug != %s ORDER BY slug, voter",
                (PROBE_SLUG,),
            )
            for slug, voter, choice, created, updated in cursor:
                yield StoredVote(slug, bytes(voter), choice, created, updated)

    def import_votes(self, votes: Iterable[StoredVote]) -> int:
        rows = list(votes)
        if rows:
            with self._pool.connection() as conn, conn.transaction():
                self._write(conn, _IMPORT, rows)
        return len(rows)

    def _close_readers(self) -> None:
        self._pool.close()
        for limit in self._limits:
            limit.close()
