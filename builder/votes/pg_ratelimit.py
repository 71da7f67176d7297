"""The rate limit of endpoints that share a PostgreSQL database: token buckets in the database,
so N processes do not allow N times the limit.

The buckets are an UNLOGGED table (pg_store.py creates it): a server restart empties it, as a
restart of an SQLite endpoint empties its memory, and since writing it writes no WAL, its
commits wait for no flush. A hit is one statement on one of a few asyncio connections of the
endpoint's event loop: no thread hop, no pool, one round trip.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from typing import Any, Final

import psycopg

CONNECT_TIMEOUT_S: Final = 3
# A connection answers one statement at a time: hits take turns over a few, so that one slow
# round trip (a busy server) does not hold up every vote behind it.
CONNECTIONS: Final = 4
IDLE_AFTER_S: Final = 60.0  # a bucket untouched for a minute is full again: as good as none

# A token bucket in one statement: refill for the time since the last hit, take a token if
# there is one. `ok` says which happened; `tokens` then gives the wait.
_HIT: Final = """
INSERT INTO rate_buckets AS b (key, tokens, at, ok)
VALUES (%(key)s, %(capacity)s - 1, extract(epoch FROM clock_timestamp()), true)
ON CONFLICT (key) DO UPDATE SET
    tokens = least(%(capacity)s, b.tokens + (excluded.at - b.at) * %(rate)s)
        - CASE WHEN least(%(capacity)s, b.tokens + (excluded.at - b.at) * %(rate)s) >= 1
          THEN 1 ELSE 0 END,
    ok = least(%(capacity)s, b.tokens + (excluded.at - b.at) * %(rate)s) >= 1,
    at = excluded.at
RETURNING ok, tokens
"""
_FORGET_IDLE: Final = (
    "DELETE FROM rate_buckets WHERE at < extract(epoch FROM clock_timestamp()) - %s"
)


class SharedRateLimit:
    """`per_minute` votes per client per minute, counted in the database. The same token
    bucket as `RateLimiter`, on the server's clock (every endpoint agrees on it)."""

    def __init__(self, url: str, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self._url = url
        self._params = {"capacity": float(per_minute), "rate": per_minute / 60.0}
        self._conns: list[psycopg.AsyncConnection[Any] | None] = [None] * CONNECTIONS
        self._turns = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: list[asyncio.Lock] = []
        self._forgot_at = time.monotonic()

    async def hit(self, key: str) -> int | None:
        conn = await self._connection(next(self._turns) % CONNECTIONS)
        cursor = await conn.execute(_HIT, {**self._params, "key": key})
        ok, tokens = await cursor.fetchone()  # type: ignore[misc]
        if time.monotonic() - self._forgot_at >= IDLE_AFTER_S:
            self._forgot_at = time.monotonic()
            await conn.execute(_FORGET_IDLE, (IDLE_AFTER_S,))
        if ok:
            return None
        return max(1, math.ceil((1.0 - tokens) / self._params["rate"]))

    async def _connection(self, slot: int) -> psycopg.AsyncConnection[Any]:
        """Connection `slot` of the running event loop, made again once broken (a server
        restart: the hit that finds it broken fails, and the next one reconnects)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (tests run several): start afresh
            self._discard()
            self._loop = loop
            self._connecting = [asyncio.Lock() for _ in range(CONNECTIONS)]
        async with self._connecting[slot]:  # hits arriving together share a new connection
            conn = self._conns[slot]
            if conn is None or conn.broken or conn.closed:
                if conn is not None:
                    conn.pgconn.finish()
                conn = self._conns[slot] = await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                )
            return conn

    def close(self) -> None:
        """Close the connections (from any thread, once their loop has stopped)."""
        self._discard()

    def _discard(self) -> None:
        for conn in self._conns:
            if conn is not None:
                conn.pgconn.finish()  # synchronous: its loop may be gone
        self._conns = [None] * CONNECTIONS
