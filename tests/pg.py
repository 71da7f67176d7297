"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, the server
listening only on a Unix socket in that folder (no port to collide with another worker or a
system PostgreSQL), stopped and deleted at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the cluster runs as
the unprivileged `postgres` user that Debian's package creates, through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

SERVER_USER = "postgres"  # made by Debian's postgresql package
# The cluster is thrown away: skipping fsync makes CREATE DATABASE (one per test) quick. A
# commit still waits for the WAL to be written to the operating system.
SERVER_OPTIONS = ("fsync=off", "full_page_writes=off", "max_connections=200")


def bin_dir() -> Path:
    """Where initdb and pg_ctl are: on PATH, or in Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: scripts/test installs it (apt-get)")
    return Path(versions[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parent.parent.name)


class Cluster:
    """One PostgreSQL server; `new_database()` gives each test a database of its own."""

    def __init__(self, options: tuple[str, ...] = SERVER_OPTIONS) -> None:
        """`options`: server settings; benchmarks/votes_bench.py passes production ones."""
        self.options = options
        self.folder = Path(tempfile.mkdtemp(prefix="foretell-pg-"))
        self.data = self.folder / "data"
        self._user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            self._user = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
        self._names = itertools.count(1)
        self._emptied: str | None = None
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(bin_dir() / tool), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user.pw_name, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = " ".join(f"-c {o}" for o in self.options)
        socket = f"-c listen_addresses='' -c unix_socket_directories='{self.folder}'"
        log = str(self.folder / "server.log")
        data = str(self.data)
        self._run("pg_ctl", "start", "-w", "-D", data, "-l", log, "-o", f"{options} {socket}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        name = f"votes_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def emptied_database(self) -> str:
        """One database of this cluster, emptied of votes for each caller (its tables are kept:
        a TRUNCATE costs far less than a CREATE DATABASE). For tests that need the schema's
        current version; those about versions and migrations use `new_database`."""
        if self._emptied is None:
            self._emptied = self.new_database()
        else:
            with psycopg.connect(self._emptied, autocommit=True) as conn:
                if conn.execute("SELECT to_regclass('votes')").fetchone() != (None,):
                    conn.execute("SET lock_timeout = '10s'")  # a store left open: fail, not hang
                    conn.execute("TRUNCATE votes, tallies, rate_buckets")
        return self._emptied

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def run_sql(database: object, sql: str) -> list[tuple[object, ...]]:
    """Rows of `sql` run straight on a vote database of either engine (the tables have the
    same names and meaning in both), bypassing the store."""
    import sqlite3

    from builder.votes.database import PostgresDatabase, SqliteDatabase

    if isinstance(database, SqliteDatabase):
        conn = sqlite3.connect(database.path)
        try:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
        finally:
            conn.close()
    assert isinstance(database, PostgresDatabase)
    with psycopg.connect(database.url, autocommit=True) as pg:
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in pg.execute(sql).fetchall()]
