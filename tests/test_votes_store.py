"""VoteStore: counting, replacing, durability settings, concurrency and failure handling.

Tests taking `store` or `vote_db` run against both engines (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import cast_vote
from pg import Cluster, run_sql

from builder.content.crowd import CHOICES, CrowdTally
from builder.votes.database import Database, PostgresDatabase, open_store
from builder.votes.pg_store import PostgresVoteStore
from builder.votes.sqlite_store import SqliteVoteStore
from builder.votes.store import (
    StoreClosed,
    StoredVote,
    VoteStore,
    latest_per_voter,
    voter_key,
)


def voter(n: int) -> str:
    return f"voter-{n:012d}"  # 18 characters of the allowed alphabet


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An SQLite file, for the tests of what only SQLite does."""
    return tmp_path / "votes.sqlite3"


@pytest.fixture
def store(vote_db: Database) -> Iterator[VoteStore]:
    with open_store(vote_db) as s:
        yield s


@pytest.fixture
def sqlite_store(db: Path) -> Iterator[SqliteVoteStore]:
    with SqliteVoteStore(db) as s:
        yield s


def test_unvoted_prediction_has_zero_counts(store: VoteStore) -> None:
    assert store.tally("nothing") == CrowdTally(0, 0, 0)
    assert store.tally_and_choice("nothing", voter(1)) == (CrowdTally(), None)


def test_a_vote_resolves_to_the_tally_including_it(store: VoteStore) -> None:
    assert cast_vote(store, "p", voter(1), "will") == CrowdTally(will=1)
    assert cast_vote(store, "p", voter(2), "maybe") == CrowdTally(will=1, maybe=1)
    assert store.tally("p").total == 2


def test_revote_replaces_the_earlier_choice(store: VoteStore) -> None:
    cast_vote(store, "p", voter(1), "will")
    assert cast_vote(store, "p", voter(1), "wont") == CrowdTally(wont=1)
    assert store.tally_and_choice("p", voter(1)) == (CrowdTally(wont=1), "wont")


def test_same_vote_twice_counts_once(store: VoteStore) -> None:
    # Catches a trigger that counts every upsert, not just changes.
    cast_vote(store, "p", voter(1), "will")
    assert cast_vote(store, "p", voter(1), "will") == CrowdTally(will=1)


def test_votes_are_per_prediction(store: VoteStore) -> None:
    cast_vote(store, "p", voter(1), "will")
    cast_vote(store, "q", voter(1), "wont")
    assert store.tally_and_choice("p", voter(1)) == (CrowdTally(will=1), "will")
    assert store.tally_and_choice("q", voter(1)) == (CrowdTally(wont=1), "wont")
    assert store.tally_and_choice("q", voter(2)) == (CrowdTally(wont=1), None)


def test_tallies_for_many_slugs(store: VoteStore) -> None:
    cast_vote(store, "p", voter(1), "will")
    cast_vote(store, "q", voter(1), "maybe")
    assert store.tallies(["q", "p", "none", "p"]) == {
        "q": CrowdTally(maybe=1),
        "p": CrowdTally(will=1),
        "none": CrowdTally(),
    }
    assert store.tallies([]) == {}


def test_tallies_match_a_recount_after_random_activity(store: VoteStore, vote_db: Database) -> None:
    # Model-based: the trigger-maintained tallies must equal what a plain count gives.
    rng = random.Random(5)
    model: dict[tuple[str, str], str] = {}
    for _ in range(40):
        # Chunks of queued votes, so batches also hold several votes of one voter.
        futures = []
        for _ in range(rng.randrange(1, 40)):
            slug, who, choice = rng.choice("abc"), voter(rng.randrange(25)), rng.choice(CHOICES)
            futures.append(store.submit_vote(slug, who, choice))
            model[slug, who] = choice  # votes are applied in submission order
        for future in futures:
            future.result()
    for slug in "abc":
        expected = {c: 0 for c in CHOICES}
        for (s, _), c in model.items():
            if s == slug:
                expected[c] += 1
        assert store.tally(slug).as_dict() == expected
    recount = run_sql(
        vote_db,
        "SELECT v.slug, v.choice, count(*), t.n FROM votes v"
        " JOIN tallies t USING (slug, choice) GROUP BY v.slug, v.choice, t.n",
    )
    assert recount and all(count == n for _, _, count, n in recount)


def test_a_returned_vote_is_committed(store: VoteStore, vote_db: Database) -> None:
    # Catches acknowledging before COMMIT: another connection must already see the row.
    cast_vote(store, "p", voter(1), "will")
    assert run_sql(vote_db, "SELECT count(*) FROM votes") == [(1,)]


def test_votes_survive_reopening(vote_db: Database) -> None:
    with open_store(vote_db) as store:
        cast_vote(store, "p", voter(1), "will")
        cast_vote(store, "p", voter(2), "wont")
    with open_store(vote_db) as store:
        assert store.tally_and_choice("p", voter(2)) == (CrowdTally(will=1, wont=1), "wont")


def test_durability_settings(sqlite_store: SqliteVoteStore, db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()
    # synchronous is per connection: check the one that writes (2 = FULL).
    assert sqlite_store._writer.execute("PRAGMA synchronous").fetchone() == (2,)


def test_postgresql_commits_wait_for_the_flush(pg_cluster: Cluster) -> None:
    # A 200 means committed: with synchronous_commit off, a server crash could lose it.
    url = pg_cluster.new_database()
    with PostgresVoteStore(url) as store, store._pool.connection() as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)


def test_voter_ids_are_not_stored_in_clear(store: VoteStore, vote_db: Database) -> None:
    # The id is what lets a browser change its vote; a copied database must not reveal it.
    secret = "SECRET_voter_id_0123456789"
    cast_vote(store, "p", secret, "will")
    assert run_sql(vote_db, "SELECT voter FROM votes") == [(voter_key(secret),)]


def test_the_sqlite_file_holds_no_voter_id(sqlite_store: SqliteVoteStore, db: Path) -> None:
    secret = "SECRET_voter_id_0123456789"
    cast_vote(sqlite_store, "p", secret, "will")
    sqlite_store.close()
    stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert secret.encode() not in stored


def test_concurrent_voters_from_many_threads_all_count(store: VoteStore) -> None:
    errors: list[BaseException] = []

    def vote_many(t: int) -> None:
        try:
            for i in range(25):
                cast_vote(store, "p", voter(t * 1000 + i), CHOICES[i % 3])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=vote_many, args=(t,)) for t in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.tally("p").total == 24 * 25
    assert store.tally("p") == CrowdTally(will=24 * 9, wont=24 * 8, maybe=24 * 8)


def test_one_voter_racing_themselves_counts_once(store: VoteStore) -> None:
    futures = [store.submit_vote("p", voter(7), CHOICES[i % 3]) for i in range(100)]
    for future in futures:
        future.result()
    assert store.tally("p").total == 1


def test_close_commits_queued_votes_then_refuses_new_ones(vote_db: Database) -> None:
    store = open_store(vote_db)
    futures = [store.submit_vote("p", voter(i), "maybe") for i in range(200)]
    store.close()
    assert all(f.done() and f.exception() is None for f in futures)
    with pytest.raises(StoreClosed):
        store.submit_vote("p", voter(1), "will")
    store.close()  # idempotent
    with open_store(vote_db) as reopened:
        assert reopened.tally("p") == CrowdTally(maybe=200)


@pytest.mark.parametrize(
    ("who", "choice"), [(voter(1), "yes"), ("short", "will"), (voter(1) + "\n", "will")]
)
def test_invalid_votes_are_refused_before_queueing(store: VoteStore, who: str, choice: str) -> None:
    with pytest.raises(ValueError):
        store.submit_vote("p", who, choice)


class _FailOnce:
    """Wraps the writer connection; the next executemany fails like a full disk would."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.failed = False

    def executemany(self, *args: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.executemany(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_failed_commit_fails_its_votes_and_the_writer_carries_on(
    sqlite_store: SqliteVoteStore,
) -> None:
    # Catches a writer thread that dies on an error (later votes would hang forever) and
    # one that leaves the transaction open (later votes would fail or be lost).
    store = sqlite_store
    real = store._writer
    store._writer = _FailOnce(real)  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        cast_vote(store, "p", voter(1), "will")
    assert store.submit_vote("p", voter(2), "wont").result(timeout=5) == CrowdTally(wont=1)
    store._writer = real
    assert store.tally_and_choice("p", voter(1)) == (CrowdTally(wont=1), None)


def test_unopenable_database_raises_sqlite_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-db").write_bytes(b"this is not SQLite " * 100)
    with pytest.raises(sqlite3.DatabaseError):
        SqliteVoteStore(tmp_path / "not-a-db")
    with pytest.raises(sqlite3.OperationalError):
        SqliteVoteStore(tmp_path)  # a directory


def test_the_write_probe_commits_and_leaves_no_trace(store: VoteStore, vote_db: Database) -> None:
    cast_vote(store, "p", voter(1), "will")
    assert store.last_write is not None and store.last_write.ok
    before = store.last_write.at
    store.check_writable()
    assert store.last_write.ok and store.last_write.at > before
    votes = run_sql(vote_db, "SELECT slug FROM votes")
    tallies = run_sql(vote_db, "SELECT slug, choice, n FROM tallies")
    assert (votes, tallies) == ([("p",)], [("p", "will", 1)])


def test_the_write_probe_reports_a_closed_store(store: VoteStore) -> None:
    store.close()
    with pytest.raises(StoreClosed):
        store.check_writable()


def test_the_write_probe_fails_where_a_vote_would(tmp_path: Path) -> None:
    # A full disk shows only when something is written: a probe that rolled back would pass.
    # A file size limit stands in for the full disk, in a process of its own.
    script = (
        "import os, resource, sys\n"
        "from builder.votes.sqlite_store import SqliteVoteStore\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (96 * 1024, resource.RLIM_INFINITY))\n"
        "store = SqliteVoteStore(sys.argv[1])\n"
        "for n in range(1000):\n"
        "    try:\n"
        "        store.submit_vote('p', f'voter-{n:012d}', 'will').result()\n"
        "    except Exception:\n"
        "        break\n"
        "try:\n"
        "    store.check_writable()\n"
        "except Exception as exc:\n"
        "    print(f'{n} votes, then: {exc}')\n"
        "os._exit(0)\n"
    )
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "v.sqlite3")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    assert re.fullmatch(r"[1-9]\d* votes, then: disk I/O error\n", done.stdout), done


def test_two_postgresql_writers_on_one_prediction_never_deadlock(pg_cluster: Cluster) -> None:
    # Two processes' batches (different voters) change the same tally rows in different
    # orders; without the per-prediction lock PostgreSQL aborts one of them as a deadlock, a
    # 503 for all its voters. The batches are written directly, at the same moment, as two
    # busy writer threads would. (It takes the two at the very same moment: without the lock
    # this failed in about one run in four.)
    url = pg_cluster.new_database()
    rng = random.Random(3)
    failures: list[Exception] = []
    together = threading.Barrier(2)

    def write(store: PostgresVoteStore, batch: list[StoredVote]) -> None:
        together.wait()
        try:
            store._store_votes(batch)
        except Exception as exc:
            failures.append(exc)

    def batch(first_voter: int) -> list[StoredVote]:
        votes = (
            StoredVote("p", voter_key(voter(first_voter + rng.randrange(300))), choice, 1, 1)
            for choice in rng.choices(CHOICES, k=200)
        )
        return latest_per_voter(votes)

    with PostgresVoteStore(url) as one, PostgresVoteStore(url) as two:
        for _ in range(10):
            threads = [
                threading.Thread(target=write, args=(one, batch(0))),
                threading.Thread(target=write, args=(two, batch(1000))),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert failures == []
        recount = run_sql(PostgresDatabase(url), "SELECT choice, count(*) FROM votes GROUP BY 1")
        assert one.tally("p").as_dict() == {c: 0 for c in CHOICES} | dict(recount)
