"""`--db`: which database the votes are in, parsed in one place for every `foretell votes`
command, and the store that opens it.

- a file path, or `sqlite:///path` (`sqlite:////abs/path` for an absolute one, as SQLAlchemy
  writes it): SQLite, the embedded default;
- `postgresql://user@host/db` (or `postgres://`, with any libpq parameters): PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from .store import SchemaError, VoteStore

SQLITE_PREFIX: Final = "sqlite:///"
POSTGRES_SCHEMES: Final = ("postgresql", "postgres")


@dataclass(frozen=True)
class SqliteDatabase:
    path: Path

    def __str__(self) -> str:
        return str(self.path)

    def problem(self) -> str | None:
        """Why it cannot be used before even trying, or None."""
        if not self.path.parent.is_dir():
            return f"{self.path}: directory {self.path.parent} does not exist"
        return None


@dataclass(frozen=True)
class PostgresDatabase:
    url: str

    def __str__(self) -> str:
        """The URL without its password, for messages and logs."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))

    def problem(self) -> str | None:
        return None


Database = SqliteDatabase | PostgresDatabase


def parse_database(text: str) -> Database:
    """ValueError for a URL of an engine we do not know."""
    if text.startswith(SQLITE_PREFIX):
        path = text[len(SQLITE_PREFIX) :]
        if not path:
            raise ValueError(f"no file in {text!r} (expected e.g. sqlite:///votes.sqlite3)")
        return SqliteDatabase(Path(path))
    scheme, sep, _rest = text.partition("://")
    if not sep:
        return SqliteDatabase(Path(text))
    if scheme.lower() in POSTGRES_SCHEMES:
        return PostgresDatabase(text)
    raise ValueError(
        f"unknown database {text!r}: give a file path, sqlite:///PATH or postgresql://..."
    )


def database_argument(text: str) -> Database:
    """`parse_database` for argparse."""
    try:
        return parse_database(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_store(database: Database, **options: int) -> VoteStore:
    """The store for `database`; the engine's own errors (its `errors`), OSError or SchemaError
    when it cannot be opened. Engines load lazily: SQLite users need no PostgreSQL driver."""
    if isinstance(database, SqliteDatabase):
        from .sqlite_store import SqliteVoteStore

        return SqliteVoteStore(database.path, **options)
    from .pg_store import PostgresVoteStore

    return PostgresVoteStore(database.url, shown=str(database), **options)


def store_errors(database: Database) -> tuple[type[Exception], ...]:
    """What opening `database` may raise besides OSError and SchemaError."""
    if isinstance(database, SqliteDatabase):
        import sqlite3

        return (sqlite3.Error,)
    from .pg_store import PostgresVoteStore

    return PostgresVoteStore.errors


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=database_argument,
        default="votes.sqlite3",
        metavar="URL",
        help="the vote database: an SQLite file (created if missing) or sqlite:///PATH, or "
        "postgresql://USER@HOST/DBNAME, shared by any number of endpoints "
        "(default: %(default)s)",
    )


def one_line(exc: BaseException) -> str:
    """An error's message on one line: libpq's run over several (with hints)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def fail(message: str, command: str) -> int:
    """One error line, as every `foretell votes` command reports a problem; the exit status."""
    print(f"foretell votes {command}: error: {message}", file=sys.stderr)
    return 2


def open_or_fail(database: Database, command: str) -> VoteStore | None:
    """The store, or None after one error line saying why it cannot be opened."""
    problem = database.problem()
    if problem is not None:
        fail(problem, command)
        return None
    try:
        return open_store(database)
    except SchemaError as exc:
        fail(str(exc), command)
    except (*store_errors(database), OSError) as exc:
        reason = one_line(exc)
        fail(f"{database}: cannot open the vote database: {reason}", command)
    return None
