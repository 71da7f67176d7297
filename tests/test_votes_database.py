"""`--db URL` (builder/votes/database.py) and the schema versions of both engines."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from pg import Cluster

from builder.content.crowd import CrowdTally
from builder.render.votes_manifest import build_manifest
from builder.votes.command import main
from builder.votes.database import (
    PostgresDatabase,
    SqliteDatabase,
    open_store,
    parse_database,
)
from builder.votes.pg_store import PostgresVoteStore
from builder.votes.sqlite_store import _SCHEMA_V1, SCHEMA_VERSION
from builder.votes.store import SchemaError, voter_key

VOTER = "db-voter-000000001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("votes.sqlite3", SqliteDatabase(Path("votes.sqlite3"))),
        ("/var/lib/v/votes.db", SqliteDatabase(Path("/var/lib/v/votes.db"))),
        ("sqlite:///votes.sqlite3", SqliteDatabase(Path("votes.sqlite3"))),
        ("sqlite:////var/lib/v/votes.db", SqliteDatabase(Path("/var/lib/v/votes.db"))),
        (
            "postgresql://votes@db.internal/votes",
            PostgresDatabase("postgresql://votes@db.internal/votes"),
        ),
        (
            "postgres://u:pw@h:5433/v?sslmode=require",
            PostgresDatabase("postgres://u:pw@h:5433/v?sslmode=require"),
        ),
    ],
)
def test_database_urls(text: str, expected: object) -> None:
    assert parse_database(text) == expected


@pytest.mark.parametrize("text", ["mysql://h/db", "sqlite:///", "https://example.org/votes"])
def test_unknown_database_urls_are_refused(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError):
        parse_database(text)
    with pytest.raises(SystemExit) as info:
        main(["serve", "--db", text])
    assert info.value.code == 2
    assert "--db" in capsys.readouterr().err


def test_a_password_is_never_shown() -> None:
    shown = str(PostgresDatabase("postgresql://votes:s3cret@db.internal/votes"))
    assert shown == "postgresql://votes:***@db.internal/votes"


def test_an_unreachable_postgresql_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_bytes(build_manifest([]))
    url = f"postgresql://nobody:pw@/votes?host={tmp_path}&connect_timeout=2"
    code = main(["serve", "--db", url, "--manifest", str(manifest)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "cannot open the vote database" in err and "pw" not in err


# -- schema versions ---------------------------------------------------------------------


def test_sqlite_of_foretell_0_1_0_is_migrated_keeping_its_votes(tmp_path: Path) -> None:
    # foretell 0.1.0 made these tables and recorded no version (user_version 0).
    db = tmp_path / "votes.sqlite3"
    conn = sqlite3.connect(db)
    for statement in _SCHEMA_V1:
        conn.execute(statement)
    conn.execute("INSERT INTO votes VALUES ('p', ?, 'wont', 1, 1)", (voter_key(VOTER),))
    conn.commit()
    conn.close()
    with open_store(SqliteDatabase(db)) as store:
        assert store.tally_and_choice("p", VOTER) == (CrowdTally(wont=1), "wont")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    conn.close()


def test_a_newer_sqlite_schema_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "votes.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError):
        open_store(SqliteDatabase(db))
    assert main(["export", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("foretell votes export: error: ") and "schema version 2" in err


def test_a_newer_postgresql_schema_is_refused(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE foretell_schema (version integer NOT NULL)")
        conn.execute("INSERT INTO foretell_schema VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaError, match="schema version 2, newer"):
        PostgresVoteStore(url)


def test_endpoints_starting_together_migrate_once(pg_cluster: Cluster) -> None:
    # Catches two processes both creating the tables (one would fail: already exists).
    url = pg_cluster.new_database()
    failures: list[Exception] = []
    together = threading.Barrier(4)

    def open_one() -> None:
        together.wait()
        try:
            PostgresVoteStore(url).close()
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version FROM foretell_schema").fetchall() == [(SCHEMA_VERSION,)]
