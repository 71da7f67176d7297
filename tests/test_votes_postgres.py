"""Several `foretell votes serve` processes on one PostgreSQL database, as real processes
against a real server (tests/pg.py): counting, SIGKILL, the shared rate limit, a restarted
server, and moving votes from SQLite."""

from __future__ import annotations

import asyncio
import itertools
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import cast_vote
from pg import Cluster, run_sql
from votes_endpoint import (
    CHOICES,
    FUTURE,
    REPO,
    Server,
    no_leftover_endpoints,  # noqa: F401  (an autouse fixture)
    start,
    voter,
    write_manifest,
)

from builder.votes.database import PostgresDatabase
from builder.votes.sqlite_store import SqliteVoteStore
from builder.votes.store import voter_key

RATE_LIMIT = 5


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("votes-postgres")


@pytest.fixture(scope="module")
def manifest(folder: Path) -> Path:
    path = folder / "votes-manifest.json"
    write_manifest(path, [("p", FUTURE), ("q", FUTURE), ("r", FUTURE), ("s", FUTURE)])
    return path


@pytest.fixture(scope="module")
def shared(pg_cluster: Cluster) -> str:
    """The database the module's endpoints share."""
    return pg_cluster.new_database()


def serve(folder: Path, db: str, manifest: Path, name: str) -> Server:
    # Behind a (pretend) proxy: each test's voters come from addresses of its own.
    limits = ("--rate-limit", str(RATE_LIMIT), "--trust-forwarded-for")
    return start(folder, db, manifest, *limits, name=name)


@pytest.fixture(scope="module")
def two(folder: Path, manifest: Path, shared: str) -> Iterator[tuple[Server, Server]]:
    """Two endpoints on one database, started once for the module (starting costs ~1 s)."""
    a, b = serve(folder, shared, manifest, "a"), serve(folder, shared, manifest, "b")
    for server in (a, b):
        server.owner = "module"
    yield a, b
    for server in (a, b):
        server.stop()
        assert "Traceback" not in server.log()


def body(n: int, choice: str | None = None) -> dict[str, str]:
    return {"choice": choice or CHOICES[n % 3], "voter": voter(n)}


def address(n: int) -> dict[str, str]:
    """Voter n's own address, as the proxy reports it."""
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


async def _split_votes(urls: list[str], slug: str, voters: range) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(voters))
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"{urls[n % len(urls)]}/v1/predictions/{slug}/votes",
                    json=body(n),
                    headers=address(n),
                )
                for n in voters
            )
        )


def test_400_concurrent_votes_over_two_endpoints_count_once(two: tuple[Server, Server]) -> None:
    # Catches counts kept per process, lost updates between two writers, and deadlocks
    # between their batches (they would surface as 503s).
    a, b = two
    voters = range(400)
    responses = asyncio.run(_split_votes([a.url, b.url], "p", voters))
    assert Counter(r.status_code for r in responses) == {200: 400}
    expected = dict(Counter(CHOICES[n % 3] for n in voters))
    for server in two:
        final = httpx.get(f"{server.url}/v1/predictions/p/votes").json()
        assert (final["total"], final["counts"]) == (400, expected)
    # The same voter on both: one vote, changed.
    votes = "/v1/predictions/p/votes"
    first = httpx.post(a.url + votes, json=body(0, "wont"), headers=address(0)).json()
    second = httpx.post(b.url + votes, json=body(0, "maybe"), headers=address(0)).json()
    assert first["total"] == second["total"] == 400
    mine = httpx.get(f"{a.url}/v1/predictions/p/votes", params={"voter": voter(0)}).json()
    assert mine["your_choice"] == "maybe"
    changed = {"will": expected["will"] - 1, "maybe": expected["maybe"] + 1}
    assert mine["counts"] == {**expected, **changed}


def test_sigkill_of_one_endpoint_loses_no_acknowledged_vote(
    two: tuple[Server, Server], folder: Path, manifest: Path, shared: str
) -> None:
    # Catches acknowledging before COMMIT; and the survivor must keep answering.
    a, b = serve(folder, shared, manifest, "doomed"), two[1]
    acked: list[int] = []
    numbers = itertools.count(10_000)
    stop = threading.Event()
    a_answered = threading.Event()

    async def flood(server: Server) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

            async def worker() -> None:
                while not stop.is_set():
                    n = next(numbers)
                    try:
                        response = await client.post(
                            "/v1/predictions/q/votes", json=body(n), headers=address(n)
                        )
                    except httpx.TransportError:
                        if server is a:
                            return  # killed before answering: no promise was made
                        raise
                    if response.status_code == 200:
                        acked.append(n)
                        if server is a:
                            a_answered.set()

            await asyncio.gather(*(worker() for _ in range(16)))

    floods = [threading.Thread(target=asyncio.run, args=(flood(s),)) for s in (a, b)]
    for thread in floods:
        thread.start()
    try:
        assert a_answered.wait(30)
        time.sleep(0.3)
        a.proc.kill()  # in the middle of the burst
        before = len(acked)
        time.sleep(1.0)
        assert len(acked) > before, "the other endpoint stopped answering"
    finally:
        a.proc.kill()
        stop.set()
        for thread in floods:
            thread.join()
    assert httpx.get(f"{b.url}/healthz").status_code == 200
    query = "SELECT voter FROM votes WHERE slug = 'q'"
    stored = {key for (key,) in run_sql(PostgresDatabase(shared), query)}
    lost = [n for n in acked if voter_key(voter(n)) not in stored]
    assert lost == [], f"{len(lost)} of {len(acked)} acknowledged votes lost"
    total = httpx.get(f"{b.url}/v1/predictions/q/votes").json()["total"]
    assert total == len(stored) >= len(acked)


def test_the_rate_limit_holds_across_two_endpoints(two: tuple[Server, Server]) -> None:
    # Catches buckets kept in each process's memory: two endpoints would allow twice as many.
    statuses = []
    one_client = {"X-Forwarded-For": "192.0.2.1"}
    for n in range(12):
        url = f"{two[n % 2].url}/v1/predictions/r/votes"
        response = httpx.post(url, json=body(50_000 + n), headers=one_client)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
    assert statuses == [200] * RATE_LIMIT + [429] * (12 - RATE_LIMIT)


def test_the_endpoint_rides_out_a_postgresql_restart(tmp_path: Path) -> None:
    # Catches a 500 (or a hang) while the server is down, and an endpoint that needs a restart
    # of its own to reconnect. A cluster of its own: the others' tests keep theirs.
    manifest = tmp_path / "votes-manifest.json"
    write_manifest(manifest, [("p", FUTURE)])
    cluster = Cluster()
    try:
        server = start(tmp_path, cluster.new_database(), manifest, "--rate-limit", "100")
        votes = f"{server.url}/v1/predictions/p/votes"
        with httpx.Client(timeout=30) as client:
            # Enough votes that every connection the endpoint keeps is in use before.
            before = [client.post(votes, json=body(n)).status_code for n in range(100, 110)]
            assert before == [200] * 10
            cluster.stop()
            for response in asyncio.run(_during_the_outage(server.url)):
                assert response.status_code == 503, response.text
                assert int(response.headers["Retry-After"]) >= 1
            assert client.get(f"{server.url}/healthz").status_code == 503
            cluster.start()
            back = time.monotonic()
            while client.post(votes, json=body(3)).status_code != 200:
                assert time.monotonic() - back < 10, "no recovery within 10 s"
                time.sleep(0.2)
            # Recovered for good: no connection left broken behind the first success.
            after = [client.post(votes, json=body(n)).status_code for n in range(200, 210)]
            assert after == [200] * 10
            assert client.get(votes).json()["total"] == 21
            assert client.get(f"{server.url}/healthz").status_code == 200
        assert server.stop() == 0
        assert "Traceback" not in server.log()
    finally:
        cluster.close()


async def _during_the_outage(url: str) -> list[httpx.Response]:
    # At once: each waits for the pool's timeout.
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await asyncio.gather(
            client.post("/v1/predictions/p/votes", json=body(2)),
            client.get("/v1/predictions/p/votes"),
            client.get("/v1/votes", params={"ids": "p"}),
        )


def _foretell_votes(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "builder.votes", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_export_from_sqlite_import_into_postgresql(tmp_path: Path, pg_cluster: Cluster) -> None:
    # Catches votes lost or changed on the way, and tallies rebuilt wrongly by the import.
    shared = pg_cluster.new_database()
    sqlite = tmp_path / "votes.sqlite3"
    rng = random.Random(18)
    with SqliteVoteStore(sqlite) as store:
        for _ in range(300):
            cast_vote(store, rng.choice("pqrs"), voter(rng.randrange(120)), rng.choice(CHOICES))
        expected = store.tallies("pqrs")
    exported = _foretell_votes("export", "--db", f"sqlite:///{sqlite}")
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == sum(t.total for t in expected.values())
    imported = _foretell_votes("import", "--db", shared, stdin=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    assert b"counts checked" in imported.stdout
    tallies = run_sql(PostgresDatabase(shared), "SELECT slug, choice, n FROM tallies")
    got = {slug: {c: 0 for c in CHOICES} for slug in "pqrs"}
    for slug, choice, n in tallies:
        got[slug][choice] = n
    assert got == {slug: t.as_dict() for slug, t in expected.items()}
    # And back: the same lines, byte for byte (voter hashes and timestamps kept).
    again = _foretell_votes("export", "--db", shared)
    assert again.stdout == exported.stdout
